import { describe, expect, it } from "vitest";
import { classifyStatus, createEmailSender, EmailSendError, HttpEmailSender, LogEmailSender, parseRetryAfter, redactEmails, type EmailMessage } from "./email";
import { ConfigError } from "./env";
import { createLogger, type Logger } from "./logger";

const message: EmailMessage = {
  to: "ana@example.com",
  from: "Mundo Tango <no-reply@mundotango.test>",
  subject: "Bruno liked your post",
  text: "Bruno liked your post.",
  html: "<p>Bruno liked your post.</p>",
};

/** A fetch that records what it was asked and answers with `reply`. */
function stubFetch(reply: () => Response) {
  const calls: Request[] = [];
  const fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push(new Request(input, init));
    return Promise.resolve(reply());
  };
  return { calls, fetch };
}

function recordingLogger() {
  const lines: { msg: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = {
    ...createLogger("silent"),
    info: (msg, fields) => lines.push({ msg, fields }),
  };
  return { lines, logger };
}

describe("HttpEmailSender", () => {
  it("POSTs the message as JSON with the API key as a Bearer token", async () => {
    const stub = stubFetch(() => Response.json({ id: "email_1" }));
    await new HttpEmailSender({ url: "https://email.test/emails", apiKey: "re_key", fetch: stub.fetch }).send(message);
    const [request] = stub.calls;
    expect(request!.method).toBe("POST");
    expect(request!.url).toBe("https://email.test/emails");
    expect(request!.headers.get("authorization")).toBe("Bearer re_key");
    expect(request!.headers.get("content-type")).toBe("application/json");
    expect(await request!.json()).toEqual({ from: message.from, to: message.to, subject: message.subject, text: message.text, html: message.html });
  });

  it("leaves html out when the message has none", async () => {
    const stub = stubFetch(() => new Response(null, { status: 202 }));
    await new HttpEmailSender({ url: "https://email.test/emails", apiKey: "k", fetch: stub.fetch }).send({ ...message, html: undefined });
    expect(await stub.calls[0]!.json()).not.toHaveProperty("html");
  });

  it("fails on a non-2xx reply with the status and the start of the body; a refused message is permanent", async () => {
    const long = `{"message":"The to address is invalid"} ${"x".repeat(500)}`;
    const sender = new HttpEmailSender({ url: "https://email.test/emails", apiKey: "k", fetch: stubFetch(() => new Response(long, { status: 422 })).fetch });
    const error = (await sender.send(message).catch((e: unknown) => e)) as EmailSendError;
    expect(error).toBeInstanceOf(EmailSendError);
    expect(error.message).toMatch(/^email API answered 422: \{"message":"The to address is invalid"\}/);
    expect(error.message.length).toBeLessThan(260);
    expect(error.permanent).toBe(true);
  });

  it.each([429, 500, 503])("treats %i as the API being unavailable, with its Retry-After", async (status) => {
    const reply = () => new Response("busy", { status, headers: { "retry-after": "30" } });
    const sender = new HttpEmailSender({ url: "https://email.test/emails", apiKey: "k", fetch: stubFetch(reply).fetch });
    await expect(sender.send(message)).rejects.toMatchObject({ permanent: false, kind: "unavailable", status, retryAfterSeconds: 30, message: `email API answered ${status}: busy` });
  });

  it("sends the queued message's Idempotency-Key", async () => {
    const stub = stubFetch(() => Response.json({ id: "email_1" }));
    await new HttpEmailSender({ url: "https://email.test/emails", apiKey: "k", fetch: stub.fetch }).send({ ...message, idempotencyKey: "email-queue/7" });
    expect(stub.calls[0]!.headers.get("idempotency-key")).toBe("email-queue/7");
    expect(await stub.calls[0]!.json()).not.toHaveProperty("idempotencyKey");
  });

  it("redacts email addresses the API echoes in its reply", async () => {
    const reply = () => new Response('{"message":"ana.perez+tango@example.com is on the suppression list"}', { status: 422 });
    const sender = new HttpEmailSender({ url: "https://email.test/emails", apiKey: "k", fetch: stubFetch(reply).fetch });
    const error = (await sender.send(message).catch((e: unknown) => e)) as EmailSendError;
    expect(error.message).toBe('email API answered 422: {"message":"[email] is on the suppression list"}');
    expect(redactEmails("to <bruno@mail.example.org>, cc x@y")).toBe("to <[email]>, cc [email]");
  });
});

describe("classifyStatus and parseRetryAfter", () => {
  it("fails only refused messages, stops on a refused key, waits on rate limits and outages", () => {
    expect([400, 422].map(classifyStatus)).toEqual(["rejected", "rejected"]);
    expect([401, 403, 404].map(classifyStatus)).toEqual(["unauthorized", "unauthorized", "unauthorized"]);
    expect([429, 500, 502, 503].map(classifyStatus)).toEqual(["unavailable", "unavailable", "unavailable", "unavailable"]);
    expect([408, 409, 413, 425].map(classifyStatus)).toEqual(["transient", "transient", "transient", "transient"]);
  });

  it("reads delta-seconds and HTTP dates", () => {
    const now = Date.parse("2026-03-01T12:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120);
    expect(parseRetryAfter("Sun, 01 Mar 2026 12:01:30 GMT", now)).toBe(90);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });
});

describe("LogEmailSender", () => {
  it("logs the recipient, the subject and the text body", async () => {
    const { lines, logger } = recordingLogger();
    await new LogEmailSender(logger).send(message);
    expect(lines).toEqual([{ msg: expect.stringContaining("email"), fields: { to: message.to, subject: message.subject, text: message.text } }]);
  });
});

describe("createEmailSender", () => {
  const logger = createLogger("silent");

  it("sends over HTTP when EMAIL_API_URL is set", () => {
    const sender = createEmailSender({ APP_ENV: "production", EMAIL_API_URL: "https://email.test/emails", EMAIL_API_KEY: "k" }, logger);
    expect(sender).toBeInstanceOf(HttpEmailSender);
  });

  it("logs instead outside production when EMAIL_API_URL is empty", () => {
    expect(createEmailSender({ APP_ENV: "development", EMAIL_API_URL: "", EMAIL_API_KEY: undefined }, logger)).toBeInstanceOf(LogEmailSender);
  });

  it("fails loudly when production has no email API, or an API without a key", () => {
    expect(() => createEmailSender({ APP_ENV: "production", EMAIL_API_URL: "", EMAIL_API_KEY: undefined }, logger)).toThrow(ConfigError);
    expect(() => createEmailSender({ APP_ENV: "test", EMAIL_API_URL: "https://email.test/emails", EMAIL_API_KEY: undefined }, logger)).toThrow(/EMAIL_API_KEY/);
  });
});
