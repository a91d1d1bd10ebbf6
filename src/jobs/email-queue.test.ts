import { createScheduledController } from "cloudflare:test";
import { eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { emailQueue, userSettings } from "../../drizzle/schema";
import { createUser, queueEmail } from "../../test/factories";
import { testCtx, useTestDatabase } from "../../test/harness";
import worker from "../../workers/api";
import { EmailSendError, HttpEmailSender, type EmailMessage, type EmailSender } from "../lib/email";
import { loadConfig } from "../lib/env";
import { createLogger, type Logger } from "../lib/logger";
import { queueAccountEmail, queueTwoFactorNotice } from "../modules/auth/auth.emails";
import { notify } from "../modules/notifications";
import { createEmailQueueJob, EMAIL_QUEUE_LIMITS, requeueFailedEmails } from "./email-queue";

const t = await useTestDatabase();
const HOUR = 3_600_000;

/** A sender that records what it sent, failing with `fail(message)` when that returns an error. */
function recordingSender(options: { fail?: (m: EmailMessage) => Error | undefined; delayMs?: number } = {}) {
  const sent: EmailMessage[] = [];
  const sender: EmailSender = {
    async send(message) {
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      const error = options.fail?.(message);
      if (error) throw error;
      sent.push(message);
    },
  };
  return { sent, sender };
}

function drain(sender: EmailSender) {
  const job = createEmailQueueJob(() => ({ sender, from: "Mundo Tango <no-reply@mundotango.test>" }));
  return job.run(testCtx(t));
}

async function rows(ids: number[]) {
  const found = await t.db.select().from(emailQueue).where(inArray(emailQueue.id, ids)).orderBy(emailQueue.id);
  return found;
}

/** Makes messages due now, as if their backoff had passed. */
const makeDue = (ids: number[]) =>
  t.db.update(emailQueue).set({ nextAttemptAt: sql`now() - interval '1 second'` }).where(inArray(emailQueue.id, ids));

describe("drain the email queue (happy path)", () => {
  it("sends due messages when the minute cron fires, and scrubs their bodies", async () => {
    const user = await createUser(t.db);
    const due = [await queueEmail(t.db, { userId: user.id }), await queueEmail(t.db, { template: "reset_password" })];
    const later = await queueEmail(t.db, { nextAttemptAt: new Date(Date.now() + HOUR) });
    await worker.scheduled(createScheduledController({ cron: "* * * * *", scheduledTime: new Date() }), t.env);
    for (const row of await rows(due.map((m) => m.id))) {
      expect(row).toMatchObject({ status: "sent", attempts: 1, bodyText: "", bodyHtml: null, lockedUntil: null, lastError: null });
      expect(Date.now() - row.sentAt!.getTime()).toBeLessThan(60_000);
    }
    expect((await rows([later.id]))[0]).toMatchObject({ status: "pending", attempts: 0, bodyText: later.bodyText });
  });

  it("hands the sender the stored message and the configured sender address", async () => {
    const message = await queueEmail(t.db);
    const { sent, sender } = recordingSender();
    await drain(sender);
    expect(sent.find((m) => m.to === message.toEmail)).toEqual({
      to: message.toEmail,
      from: "Mundo Tango <no-reply@mundotango.test>",
      subject: message.subject,
      text: message.bodyText,
      html: message.bodyHtml,
      idempotencyKey: `email-queue/${message.id}`,
    });
  });

  it("is idempotent: a second run finds nothing to send", async () => {
    const message = await queueEmail(t.db);
    await drain(recordingSender().sender);
    const [before] = await rows([message.id]);
    const { sent, sender } = recordingSender();
    expect(await drain(sender)).toMatchObject({ claimed: 0, sent: 0 });
    expect(sent).toEqual([]);
    expect(await rows([message.id])).toEqual([before]);
  });

  it("sends each message once when two runs overlap", async () => {
    const queued = await Promise.all(Array.from({ length: 60 }, () => queueEmail(t.db)));
    const { sent, sender } = recordingSender({ delayMs: 5 });
    const [a, b] = await Promise.all([drain(sender), drain(sender)]);
    const ours = new Set(queued.map((m) => m.toEmail));
    const sentOfOurs = sent.map((m) => m.to).filter((to) => ours.has(to));
    expect(sentOfOurs.sort()).toEqual([...ours].sort());
    expect(a.sent! + b.sent!).toBe(sent.length);
    expect((await rows(queued.map((m) => m.id))).every((r) => r.status === "sent" && r.attempts === 1)).toBe(true);
  });

  it("takes back a message whose sender died mid-send, and leaves a live claim alone", async () => {
    const past = new Date(Date.now() - 60_000);
    // Due a minute ago: a row made in the run's own millisecond would not be due yet (the run's
    // time has milliseconds, the column microseconds), which made this test fail now and then.
    const stale = await queueEmail(t.db, { status: "sending", attempts: 1, lockedUntil: past, nextAttemptAt: past });
    const live = await queueEmail(t.db, { status: "sending", attempts: 1, lockedUntil: new Date(Date.now() + HOUR), nextAttemptAt: past });
    const lost = await queueEmail(t.db, { status: "sending", attempts: 5, maxAttempts: 5, lockedUntil: past, nextAttemptAt: past });
    await drain(recordingSender().sender);
    const [s, l, x] = await rows([stale.id, live.id, lost.id]);
    expect(s).toMatchObject({ status: "sent", attempts: 2 });
    expect(l).toMatchObject({ status: "sending", attempts: 1 });
    expect(x).toMatchObject({ status: "failed", attempts: 5, bodyText: lost.bodyText, lastError: expect.stringMatching(/no result/) });
  });

  it("does not record a result over a claim another run has taken since", async () => {
    const message = await queueEmail(t.db);
    const sender: EmailSender = {
      async send() {
        await t.db.update(emailQueue).set({ attempts: sql`attempts + 1` }).where(eq(emailQueue.id, message.id));
      },
    };
    await drain(sender);
    expect((await rows([message.id]))[0]).toMatchObject({ status: "sending", attempts: 2, bodyText: message.bodyText });
  });
});

describe("drain the email queue (failures)", () => {
  it("backs off exponentially after a failed attempt, keeping the message", async () => {
    const message = await queueEmail(t.db);
    const { sender } = recordingSender({ fail: () => new Error("connection reset") });
    expect(await drain(sender)).toMatchObject({ retrying: 1, sent: 0 });
    const [row] = await rows([message.id]);
    expect(row).toMatchObject({ status: "pending", attempts: 1, lastError: "connection reset", lockedUntil: null, bodyText: message.bodyText });
    const delay = row!.nextAttemptAt.getTime() - Date.now();
    expect(delay).toBeGreaterThan(EMAIL_QUEUE_LIMITS.backoffBaseSeconds * 2 * 1000 - 10_000);
    expect(delay).toBeLessThanOrEqual(EMAIL_QUEUE_LIMITS.backoffBaseSeconds * 2 * 1000);

    await makeDue([message.id]);
    await drain(sender);
    const [second] = await rows([message.id]);
    expect(second!.attempts).toBe(2);
    expect(second!.nextAttemptAt.getTime() - Date.now()).toBeGreaterThan(EMAIL_QUEUE_LIMITS.backoffBaseSeconds * 4 * 1000 - 10_000);
  });

  it("ends as failed, keeping its body for a requeue, once max_attempts are spent", async () => {
    const message = await queueEmail(t.db, { maxAttempts: 2 });
    const { sender } = recordingSender({ fail: () => new Error("timeout") });
    await drain(sender);
    await makeDue([message.id]);
    await drain(sender);
    const [row] = await rows([message.id]);
    expect(row).toMatchObject({ status: "failed", attempts: 2, lastError: "timeout", bodyText: message.bodyText, bodyHtml: message.bodyHtml });
    await makeDue([message.id]);
    expect(await drain(sender)).toMatchObject({ claimed: 0 });
  });

  it("fails at once when the email API refuses the message for good", async () => {
    const message = await queueEmail(t.db);
    const { sender } = recordingSender({ fail: () => new EmailSendError("email API answered 422: invalid to", "rejected", 422) });
    await drain(sender);
    expect((await rows([message.id]))[0]).toMatchObject({ status: "failed", attempts: 1, lastError: "email API answered 422: invalid to" });
  });
});

describe("drain the email queue (daily cap)", () => {
  const cap = EMAIL_QUEUE_LIMITS.notificationsPerUserPerDay;

  async function alreadySent(userId: number, count: number, hoursAgo: number) {
    const sentAt = new Date(Date.now() - hoursAgo * HOUR);
    for (let i = 0; i < count; i++) await queueEmail(t.db, { userId, status: "sent", sentAt, bodyText: "" });
  }

  it("defers notification emails over the cap, without spending an attempt, but sends account emails", async () => {
    const user = await createUser(t.db);
    await alreadySent(user.id, cap, 1);
    await alreadySent(user.id, 5, 25);
    const over = await queueEmail(t.db, { userId: user.id });
    const reset = await queueEmail(t.db, { userId: user.id, template: "reset_password" });
    const { sent, sender } = recordingSender();
    const counts = await drain(sender);
    expect(counts.deferred).toBeGreaterThanOrEqual(1);
    const [o, r] = await rows([over.id, reset.id]);
    expect(o).toMatchObject({ status: "pending", attempts: 0, bodyText: over.bodyText });
    expect(o!.nextAttemptAt.getTime() - Date.now()).toBeGreaterThan(EMAIL_QUEUE_LIMITS.capDeferSeconds * 1000 - 10_000);
    expect(r).toMatchObject({ status: "sent" });
    expect(sent.map((m) => m.to)).not.toContain(over.toEmail);
  });

  it("sends up to the cap within one batch and defers the rest", async () => {
    const user = await createUser(t.db);
    await alreadySent(user.id, cap - 1, 2);
    const pending = [await queueEmail(t.db, { userId: user.id }), await queueEmail(t.db, { userId: user.id })];
    await drain(recordingSender().sender);
    expect((await rows(pending.map((m) => m.id))).map((r) => r.status)).toEqual(["sent", "pending"]);
  });
});

/** Log lines a run wrote, by level. */
function recordingLogger() {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push({ level, msg, fields });
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), child: () => logger };
  return { lines, logger };
}

/**
 * A fake email API behind HttpEmailSender's fetch: `reply(n, request)` scripts each call's
 * answer ("accept-then-timeout" delivers, then loses the answer). It delivers once per
 * Idempotency-Key, as Resend does, and records every request.
 */
function fakeEmailApi(reply: (call: number, request: Request) => Response | "accept-then-timeout") {
  const requests: Request[] = [];
  const delivered = new Map<string, number>();
  const fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    requests.push(request.clone());
    const answer = reply(requests.length, request);
    const key = request.headers.get("idempotency-key") ?? crypto.randomUUID();
    const deliver = () => delivered.set(key, (delivered.get(key) ?? 0) + 1);
    if (answer === "accept-then-timeout") {
      if (!delivered.has(key)) deliver();
      return Promise.reject(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
    }
    if (answer.ok && !delivered.has(key)) deliver();
    return Promise.resolve(answer);
  };
  const sender = new HttpEmailSender({ url: "https://email.test/emails", apiKey: "re_test", fetch });
  /** Deliveries of one queued message (0, 1, or more if it went out twice). */
  const deliveries = (id: number) => delivered.get(`email-queue/${id}`) ?? 0;
  return { sender, requests, deliveries };
}

function drainAt(sender: EmailSender, now: Date, logger: Logger = createLogger("silent")) {
  const job = createEmailQueueJob(() => ({ sender, from: "Mundo Tango <no-reply@mundotango.test>" }));
  return job.run({ ...testCtx(t, { now }), logger });
}

/** Messages due at `start` and nothing else due then: earlier tests' rows are sent first. */
async function freshQueue(start: Date, count: number, template = "reset_password") {
  await drain(recordingSender().sender);
  // One after the other, so that ids ascend in the array's order (as rows() sorts them).
  const queued = [];
  for (let i = 0; i < count; i++) {
    queued.push(
      await queueEmail(t.db, { template: i === 0 ? template : "notification", nextAttemptAt: start, expiresAt: new Date(start.getTime() + 2 * HOUR) }),
    );
  }
  return queued;
}

const MINUTE = 60_000;

describe("drain the email queue (against a fake email API)", () => {
  it("401 once, then 200: stops the run without spending attempts, logs one error, and loses nothing", async () => {
    const start = new Date();
    const queued = await freshQueue(start, 3);
    const api = fakeEmailApi((n) => (n === 1 ? new Response('{"message":"API key is invalid"}', { status: 401 }) : Response.json({ id: "e" })));
    const { lines, logger } = recordingLogger();
    const first = await drainAt(api.sender, start, logger);
    // Requests already in flight beside the refused one may go out; the rest wait, unspent.
    expect(first).toMatchObject({ failed: 0, retrying: 0 });
    expect(first.released).toBeGreaterThanOrEqual(1);
    expect(first.sent! + first.released!).toBe(3);
    expect(lines.filter((l) => l.level === "error")).toEqual([
      { level: "error", msg: expect.stringMatching(/EMAIL_API_KEY/), fields: expect.objectContaining({ status: 401 }) },
    ]);
    for (const row of await rows(queued.map((m) => m.id))) {
      if (row.status !== "sent") expect(row).toMatchObject({ status: "pending", attempts: 0, bodyText: queued.find((m) => m.id === row.id)!.bodyText });
    }

    await drainAt(api.sender, new Date(start.getTime() + MINUTE));
    expect(queued.map((m) => api.deliveries(m.id))).toEqual([1, 1, 1]);
    expect((await rows(queued.map((m) => m.id))).map((r) => [r.status, r.attempts])).toEqual([["sent", 1], ["sent", 1], ["sent", 1]]);
  });

  it("accepted, then a timeout: the retry carries the same Idempotency-Key, and it is delivered once", async () => {
    const start = new Date();
    const [message] = await freshQueue(start, 1, "notification");
    const api = fakeEmailApi((n) => (n === 1 ? "accept-then-timeout" : Response.json({ id: "e" })));
    expect(await drainAt(api.sender, start)).toMatchObject({ sent: 0, retrying: 1 });
    expect((await rows([message!.id]))[0]).toMatchObject({ status: "pending", attempts: 1, lastError: expect.stringMatching(/timeout/) });
    await drainAt(api.sender, new Date(start.getTime() + 3 * MINUTE));
    const key = `email-queue/${message!.id}`;
    expect(api.requests.map((r) => r.headers.get("idempotency-key")).filter((k) => k === key)).toHaveLength(2);
    expect(api.deliveries(message!.id)).toBe(1);
    expect((await rows([message!.id]))[0]).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("429 with Retry-After: waits that long, spending no attempt", async () => {
    const start = new Date();
    const queued = await freshQueue(start, 3);
    let clock = start;
    const api = fakeEmailApi(() =>
      clock.getTime() < start.getTime() + 120_000 ? new Response("slow down", { status: 429, headers: { "retry-after": "120" } }) : Response.json({ id: "e" }),
    );
    expect(await drainAt(api.sender, start)).toMatchObject({ sent: 0, retrying: 0, released: 3 });
    for (const row of await rows(queued.map((m) => m.id))) {
      expect(row).toMatchObject({ status: "pending", attempts: 0 });
      expect(row.nextAttemptAt.getTime()).toBe(start.getTime() + 120_000);
    }
    const calls = api.requests.length;
    expect(await drainAt(api.sender, new Date(start.getTime() + MINUTE))).toMatchObject({ claimed: 0 });
    expect(api.requests.length).toBe(calls);
    clock = new Date(start.getTime() + 2 * MINUTE);
    await drainAt(api.sender, clock);
    expect(queued.map((m) => api.deliveries(m.id))).toEqual([1, 1, 1]);
  });

  it("30 minutes of 503s: a run a minute spends no attempt, and everything is delivered after", async () => {
    const start = new Date();
    const queued = await freshQueue(start, 3);
    let clock = start;
    const api = fakeEmailApi(() => (clock.getTime() < start.getTime() + 30 * MINUTE ? new Response("unavailable", { status: 503 }) : Response.json({ id: "e" })));
    for (let minute = 0; minute <= 32; minute++) {
      clock = new Date(start.getTime() + minute * MINUTE);
      await drainAt(api.sender, clock);
    }
    expect(queued.map((m) => api.deliveries(m.id))).toEqual([1, 1, 1]);
    expect((await rows(queued.map((m) => m.id))).map((r) => [r.status, r.attempts])).toEqual([["sent", 1], ["sent", 1], ["sent", 1]]);
    // At most the requests in flight each run while the API was down, not one per message.
    const ours = new Set(queued.map((m) => `email-queue/${m.id}`));
    const tried = api.requests.filter((r) => ours.has(r.headers.get("idempotency-key")!));
    expect(tried.length).toBeLessThanOrEqual(30 * EMAIL_QUEUE_LIMITS.concurrency + 3);
  });

  it("a 5xx once others went out counts against that message only", async () => {
    const start = new Date();
    const queued = await freshQueue(start, 3, "notification");
    const api = fakeEmailApi((_, request) => (request.headers.get("idempotency-key") === `email-queue/${queued[2]!.id}` ? new Response("oops", { status: 500 }) : Response.json({ id: "e" })));
    expect(await drainAt(api.sender, start)).toMatchObject({ sent: 2, retrying: 1, released: 0 });
    expect((await rows([queued[2]!.id]))[0]).toMatchObject({ status: "pending", attempts: 1 });
  });

  it("400 and 422 fail the message, keeping its body; requeueFailedEmails puts it back", async () => {
    const start = new Date();
    const queued = await freshQueue(start, 2, "notification");
    const api = fakeEmailApi((n) => new Response(`{"message":"invalid to: ${queued[n - 1]?.toEmail}"}`, { status: n === 1 ? 400 : 422 }));
    const { lines, logger } = recordingLogger();
    expect(await drainAt(api.sender, start, logger)).toMatchObject({ failed: 2 });
    const failed = await rows(queued.map((m) => m.id));
    for (const [i, row] of failed.entries()) {
      expect(row).toMatchObject({ status: "failed", attempts: 1, bodyText: queued[i]!.bodyText });
      expect(row.lastError).toContain("[email]");
      expect(row.lastError).not.toContain("@");
    }
    expect(JSON.stringify(lines)).not.toContain("@example.com");

    expect(await requeueFailedEmails(t.db, { ids: [queued[0]!.id] }, start)).toBe(1);
    expect((await rows([queued[0]!.id]))[0]).toMatchObject({ status: "pending", attempts: 0 });
    await drainAt(recordingSender().sender, start);
    expect((await rows(queued.map((m) => m.id))).map((r) => r.status)).toEqual(["sent", "failed"]);
  });
});

describe("drain the email queue (expiry)", () => {
  it("drops, with a log line, an email that would arrive after its link expired", async () => {
    await drain(recordingSender().sender);
    const start = new Date();
    const stale = await queueEmail(t.db, { template: "reset_password", nextAttemptAt: start, expiresAt: new Date(start.getTime() + 30_000) });
    const fresh = await queueEmail(t.db, { template: "reset_password", nextAttemptAt: start, expiresAt: new Date(start.getTime() + HOUR) });
    const { sent, sender } = recordingSender();
    const { lines, logger } = recordingLogger();
    expect(await drainAt(sender, start, logger)).toMatchObject({ expired: 1, sent: 1 });
    expect(sent.map((m) => m.to)).toEqual([fresh.toEmail]);
    expect((await rows([stale.id]))[0]).toMatchObject({ status: "failed", attempts: 0, lastError: expect.stringMatching(/expired/) });
    expect(lines).toContainEqual({ level: "info", msg: expect.stringMatching(/dropped/), fields: expect.objectContaining({ emailIds: [stale.id] }) });
  });

  it("renders an account email at send time from its encrypted token and the configured app address", async () => {
    const user = await createUser(t.db);
    const config = loadConfig(t.env);
    const mail = await queueAccountEmail("reset_password", "tok-123", config.ENCRYPTION_KEY, sql`(SELECT id, email FROM users WHERE id = ${user.id}) u`);
    await t.db.execute(sql`WITH m AS (${mail}) SELECT 1`);
    const { sent, sender } = recordingSender();
    await drain(sender);
    const message = sent.find((m) => m.to === user.email);
    expect(message?.text).toContain(`${config.APP_URL}/reset-password?token=tok-123`);
    expect(message?.html).toContain("reset-password?token=tok-123");
  });

  it("renders a notification email at send time: the actor's name quoted in the subject, escaped in the html, links from APP_URL", async () => {
    const [ana, bruno] = await Promise.all([createUser(t.db, { isVerified: true }), createUser(t.db)]);
    await t.db.execute(sql`UPDATE users SET name = ${'Bruno <b>"&" Co'} WHERE id = ${bruno.id}`);
    await t.db.insert(userSettings).values({ userId: ana.id, notificationPreferences: { event_rsvp: { email: true } } });
    await notify(t.db, { to: [ana.id], type: "event_rsvp", actorId: bruno.id, subjectType: "event", subjectId: 1, data: { eventTitle: "Milonga <Canning>" } });
    const config = { ...loadConfig(t.env), APP_URL: "https://app.example.test" };
    const { sent, sender } = recordingSender();
    await createEmailQueueJob(() => ({ sender, from: "x@mundotango.test" })).run({ ...testCtx(t), config });
    const message = sent.find((m) => m.to === ana.email)!;
    expect(message.subject).toBe('"Bruno <b>"&" Co" is coming to Milonga <Canning>');
    expect(message.text).toContain('Bruno <b>"&" Co is coming to Milonga <Canning>.');
    expect(message.text).toContain("https://app.example.test/notifications");
    expect(message.html).toContain("Bruno &#60;b&#62;&#34;&#38;&#34; Co is coming to Milonga &#60;Canning&#62;.");
    expect(message.html).not.toContain("<b>");
    expect(message.html).toContain('href="https://app.example.test/settings/notifications"');
    const [row] = await t.db.select().from(emailQueue).where(eq(emailQueue.toEmail, ana.email));
    expect(row).toMatchObject({ status: "sent", data: null });
  });

  it("renders a two-factor notice at send time with APP_URL", async () => {
    const user = await createUser(t.db);
    await t.db.execute(sql`WITH m AS (${queueTwoFactorNotice("disabled", sql`(SELECT id, email FROM users WHERE id = ${user.id}) u`)}) SELECT 1`);
    const [queued] = await t.db.select().from(emailQueue).where(eq(emailQueue.userId, user.id));
    expect(queued).toMatchObject({ template: "two_factor_disabled", bodyText: "", bodyHtml: null, data: { change: "disabled" } });
    const config = { ...loadConfig(t.env), APP_URL: "https://app.example.test" };
    const { sent, sender } = recordingSender();
    await createEmailQueueJob(() => ({ sender, from: "x@mundotango.test" })).run({ ...testCtx(t), config });
    const message = sent.find((m) => m.to === user.email)!;
    expect(message.subject).toBe("Two-factor authentication was turned off for your Mundo Tango account");
    expect(message.text).toContain("https://app.example.test/settings/security");
    expect(message.html).toContain('href="https://app.example.test/settings/security"');
  });

  it("still sends rows queued before emails were rendered at send time, as stored", async () => {
    const legacy = [
      await queueEmail(t.db, { template: "notification", subject: '"Ana" liked your post', bodyText: "Ana liked your post.", bodyHtml: "<p>Ana liked your post.</p>" }),
      await queueEmail(t.db, { template: "two_factor_enabled", subject: "2FA on", bodyText: "It is on. https://old.test/settings/security", bodyHtml: "<p>on</p>" }),
    ];
    const { sent, sender } = recordingSender();
    await drain(sender);
    for (const row of legacy) {
      expect(sent.find((m) => m.to === row.toEmail)).toMatchObject({ subject: row.subject, text: row.bodyText, html: row.bodyHtml });
    }
    expect((await rows(legacy.map((r) => r.id))).map((r) => r.status)).toEqual(["sent", "sent"]);
  });

  it("fails for good, without sending, a notification row whose data cannot be rendered", async () => {
    const broken = await queueEmail(t.db, { template: "notification", subject: "", bodyText: "", bodyHtml: null, data: { actorName: "x" } });
    const { sent, sender } = recordingSender();
    await drain(sender);
    expect(sent.find((m) => m.to === broken.toEmail)).toBeUndefined();
    expect((await rows([broken.id]))[0]).toMatchObject({ status: "failed", lastError: "cannot render the queued email from its data" });
  });

  it("lets notification mail held back by the cap expire after two days instead of deferring it forever", async () => {
    const [row] = await t.db.select({ createdAt: emailQueue.createdAt, expiresAt: emailQueue.expiresAt }).from(emailQueue)
      .where(eq(emailQueue.id, (await queueEmail(t.db)).id));
    expect(row!.expiresAt!.getTime() - row!.createdAt.getTime()).toBe(2 * 24 * HOUR);
  });
});

describe("drain the email queue (daily cap under concurrency)", () => {
  it("holds when several runs claim one user's mail at the same moment", async () => {
    const cap = EMAIL_QUEUE_LIMITS.notificationsPerUserPerDay;
    for (let round = 0; round < 4; round++) {
      const user = await createUser(t.db);
      for (let i = 0; i < cap - 3; i++) await queueEmail(t.db, { userId: user.id, status: "sent", sentAt: new Date(Date.now() - HOUR), bodyText: "" });
      const pending = await Promise.all(Array.from({ length: 40 }, () => queueEmail(t.db, { userId: user.id })));
      const job = createEmailQueueJob(() => ({ sender: recordingSender({ delayMs: 20 }).sender, from: "x@mundotango.test" }), { ...EMAIL_QUEUE_LIMITS, batchSize: 8 });
      await Promise.all(Array.from({ length: 4 }, () => job.run(testCtx(t))));
      const statuses = (await rows(pending.map((m) => m.id))).map((r) => r.status);
      expect(statuses.filter((s) => s === "sent" || s === "sending")).toHaveLength(3);
    }
  });
});
