import { createScheduledController } from "cloudflare:test";
import { eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { emailQueue } from "../../drizzle/schema";
import { createUser, queueEmail } from "../../test/factories";
import { jobContext, useTestDatabase } from "../../test/harness";
import worker from "../../workers/api";
import { EmailSendError, type EmailMessage, type EmailSender } from "../lib/email";
import { createEmailQueueJob, EMAIL_QUEUE_LIMITS } from "./email-queue";

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
  return job.run(jobContext(t));
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
    const stale = await queueEmail(t.db, { status: "sending", attempts: 1, lockedUntil: past });
    const live = await queueEmail(t.db, { status: "sending", attempts: 1, lockedUntil: new Date(Date.now() + HOUR) });
    const lost = await queueEmail(t.db, { status: "sending", attempts: 5, maxAttempts: 5, lockedUntil: past });
    await drain(recordingSender().sender);
    const [s, l, x] = await rows([stale.id, live.id, lost.id]);
    expect(s).toMatchObject({ status: "sent", attempts: 2 });
    expect(l).toMatchObject({ status: "sending", attempts: 1 });
    expect(x).toMatchObject({ status: "failed", attempts: 5, bodyText: "", lastError: expect.stringMatching(/no result/) });
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

  it("ends as failed, bodies scrubbed, once max_attempts are spent", async () => {
    const message = await queueEmail(t.db, { maxAttempts: 2 });
    const { sender } = recordingSender({ fail: () => new Error("timeout") });
    await drain(sender);
    await makeDue([message.id]);
    await drain(sender);
    const [row] = await rows([message.id]);
    expect(row).toMatchObject({ status: "failed", attempts: 2, lastError: "timeout", bodyText: "", bodyHtml: null });
    await makeDue([message.id]);
    expect(await drain(sender)).toMatchObject({ claimed: 0 });
  });

  it("fails at once when the email API refuses the message for good", async () => {
    const message = await queueEmail(t.db);
    const { sender } = recordingSender({ fail: () => new EmailSendError("email API answered 422: invalid to", true) });
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
