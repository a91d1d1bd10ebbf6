import { createScheduledController } from "cloudflare:test";
import { eq, inArray, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { emailQueue, emailTokens, idempotencyKeys, notifications, queueReceipts, refreshTokens, sessions } from "../../drizzle/schema";
import { createNotification, createUser, queueEmail, unique } from "../../test/factories";
import { testCtx, useTestDatabase } from "../../test/harness";
import worker from "../../workers/api";
import { cleanup, CLEANUP_RULES, createCleanupJob, ruleScan } from "./cleanup";
import { sqlTime } from "./job";

const t = await useTestDatabase();
const DAY = 86_400_000;
const now = new Date();
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);
const daysAhead = (days: number) => daysAgo(-days);

async function session(userId: number, values: Partial<typeof sessions.$inferInsert>) {
  const [row] = await t.db.insert(sessions).values({ userId, expiresAt: daysAhead(30), ...values }).returning();
  return row!;
}

async function refreshToken(userId: number, sessionId: string, values: Partial<typeof refreshTokens.$inferInsert>) {
  const [row] = await t.db
    .insert(refreshTokens)
    .values({ tokenHash: unique("hash"), sessionId, userId, expiresAt: daysAhead(30), ...values })
    .returning();
  return row!.tokenHash;
}

async function emailToken(userId: number, values: Partial<typeof emailTokens.$inferInsert>) {
  const [row] = await t.db
    .insert(emailTokens)
    .values({ userId, purpose: "verify_email", tokenHash: unique("token"), email: "x@example.com", expiresAt: daysAhead(1), ...values })
    .returning();
  return row!.id;
}

const remaining = {
  sessions: async (ids: string[]) => (await t.db.select().from(sessions).where(inArray(sessions.id, ids))).map((r) => r.id).sort(),
  refreshTokens: async (ids: string[]) =>
    (await t.db.select().from(refreshTokens).where(inArray(refreshTokens.tokenHash, ids))).map((r) => r.tokenHash).sort(),
  emailTokens: async (ids: number[]) => (await t.db.select().from(emailTokens).where(inArray(emailTokens.id, ids))).map((r) => r.id).sort(),
  emails: async (ids: number[]) => (await t.db.select().from(emailQueue).where(inArray(emailQueue.id, ids))).map((r) => r.id).sort(),
  notifications: async (ids: number[]) => (await t.db.select().from(notifications).where(inArray(notifications.id, ids))).map((r) => r.id).sort(),
  idempotencyKeys: async (keys: string[]) =>
    (await t.db.select().from(idempotencyKeys).where(inArray(idempotencyKeys.key, keys))).map((r) => r.key).sort(),
  queueReceipts: async (ids: string[]) =>
    (await t.db.select().from(queueReceipts).where(inArray(queueReceipts.messageId, ids))).map((r) => r.messageId).sort(),
};

describe("cleanup (cron 0 3 * * *)", () => {
  const live = { sessions: [] as string[], refreshTokens: [] as string[], emailTokens: [] as number[], emails: [] as number[], notifications: [] as number[], idempotencyKeys: [] as string[], queueReceipts: [] as string[] };
  const done = { sessions: [] as string[], refreshTokens: [] as string[], emailTokens: [] as number[], emails: [] as number[], notifications: [] as number[], idempotencyKeys: [] as string[], queueReceipts: [] as string[] };

  beforeAll(async () => {
    const user = await createUser(t.db);
    const active = await session(user.id, {});
    live.sessions.push(active.id, (await session(user.id, { revokedAt: daysAgo(29) })).id, (await session(user.id, { expiresAt: daysAgo(29) })).id);
    done.sessions.push((await session(user.id, { revokedAt: daysAgo(31) })).id, (await session(user.id, { expiresAt: daysAgo(31) })).id);

    // A spent token is kept until a week past its expiry: presenting it again still revokes its session.
    live.refreshTokens.push(
      await refreshToken(user.id, active.id, {}),
      await refreshToken(user.id, active.id, { usedAt: daysAgo(20), expiresAt: daysAhead(10) }),
      await refreshToken(user.id, active.id, { expiresAt: daysAgo(6) }),
    );
    done.refreshTokens.push(await refreshToken(user.id, active.id, { expiresAt: daysAgo(8), usedAt: daysAgo(30) }));

    live.emailTokens.push(await emailToken(user.id, {}), await emailToken(user.id, { usedAt: daysAgo(6) }), await emailToken(user.id, { expiresAt: daysAgo(6) }));
    done.emailTokens.push(await emailToken(user.id, { usedAt: daysAgo(8) }), await emailToken(user.id, { expiresAt: daysAgo(8) }));

    const email = (values: Parameters<typeof queueEmail>[1]) => queueEmail(t.db, values).then((row) => row.id);
    live.emails.push(
      await email({}),
      await email({ status: "sent", sentAt: daysAgo(29) }),
      await email({ status: "failed", createdAt: daysAgo(89) }),
      await email({ status: "pending", createdAt: daysAgo(200) }),
    );
    done.emails.push(await email({ status: "sent", sentAt: daysAgo(31) }), await email({ status: "failed", createdAt: daysAgo(91) }));

    const note = (values: Omit<Parameters<typeof createNotification>[1], "userId">) =>
      createNotification(t.db, { userId: user.id, ...values }).then((row) => row.id);
    live.notifications.push(
      await note({ updatedAt: daysAgo(400) }),
      await note({ isRead: true, readAt: daysAgo(1), updatedAt: daysAgo(179) }),
    );
    done.notifications.push(await note({ isRead: true, readAt: daysAgo(181), updatedAt: daysAgo(181) }));

    const key = (expiresAt: Date) =>
      t.db.insert(idempotencyKeys).values({ userId: user.id, scope: "POST /api/posts", key: unique("key"), requestHash: "h", status: 201, response: {}, expiresAt }).returning().then(([row]) => row!.key);
    live.idempotencyKeys.push(await key(daysAhead(1)));
    done.idempotencyKeys.push(await key(daysAgo(0.01)));

    const receipt = (expiresAt: Date) =>
      t.db.insert(queueReceipts).values({ queue: "mundo-tango-event-views", messageId: unique("message"), expiresAt }).returning().then(([row]) => row!.messageId);
    live.queueReceipts.push(await receipt(daysAhead(1)));
    done.queueReceipts.push(await receipt(daysAgo(0.01)));
  });

  it("deletes what is past its grace period and reports how many of each", async () => {
    const counts = await cleanup.run(testCtx(t, { now }));
    expect(counts).toEqual({
      refreshTokens: 1,
      emailTokens: 2,
      sessions: 2,
      sentEmails: 1,
      failedEmailBodies: 2,
      failedEmails: 1,
      idempotencyKeys: 1,
      queueReceipts: 1,
      readNotifications: 1,
      unfinished: 0,
    });
    expect(await remaining.sessions([...live.sessions, ...done.sessions])).toEqual([...live.sessions].sort());
    expect(await remaining.refreshTokens([...live.refreshTokens, ...done.refreshTokens])).toEqual([...live.refreshTokens].sort());
    expect(await remaining.emailTokens([...live.emailTokens, ...done.emailTokens])).toEqual([...live.emailTokens].sort());
    expect(await remaining.emails([...live.emails, ...done.emails])).toEqual([...live.emails].sort());
    expect(await remaining.notifications([...live.notifications, ...done.notifications])).toEqual([...live.notifications].sort());
    expect(await remaining.idempotencyKeys([...live.idempotencyKeys, ...done.idempotencyKeys])).toEqual([...live.idempotencyKeys].sort());
    expect(await remaining.queueReceipts([...live.queueReceipts, ...done.queueReceipts])).toEqual([...live.queueReceipts].sort());
  });

  it("is idempotent: a second run deletes nothing", async () => {
    const counts = await cleanup.run(testCtx(t, { now }));
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
  });

  it("runs on its own hourly trigger", async () => {
    const user = await createUser(t.db);
    const old = await session(user.id, { expiresAt: daysAgo(40) });
    await worker.scheduled(createScheduledController({ cron: "15 * * * *", scheduledTime: now }), t.env);
    expect(await t.db.select().from(sessions).where(eq(sessions.id, old.id))).toEqual([]);
  });
});

describe("cleanup at scale", () => {
  it("keeps a failed email's body a week (to requeue it), then scrubs it and keeps the row", async () => {
    const recent = await queueEmail(t.db, { status: "failed", createdAt: daysAgo(6) });
    const older = await queueEmail(t.db, { status: "failed", createdAt: daysAgo(8), data: { token: "v1.x.y" } });
    await cleanup.run(testCtx(t, { now }));
    const [r, o] = await t.db.select().from(emailQueue).where(inArray(emailQueue.id, [recent.id, older.id])).orderBy(emailQueue.id);
    expect(r).toMatchObject({ bodyText: recent.bodyText, bodyHtml: recent.bodyHtml });
    expect(o).toMatchObject({ status: "failed", bodyText: "", bodyHtml: null, data: null });
  });

  async function oldReadNotifications(count: number) {
    const user = await createUser(t.db);
    const ids: number[] = [];
    for (let i = 0; i < count; i++) ids.push((await createNotification(t.db, { userId: user.id, isRead: true, updatedAt: daysAgo(200) })).id);
    return ids;
  }

  it("deletes beyond one chunk until done", async () => {
    const ids = await oldReadNotifications(10);
    const counts = await createCleanupJob({ chunk: 3, budgetMs: 60_000 }).run(testCtx(t, { now }));
    expect(counts).toMatchObject({ readNotifications: 10, unfinished: 0 });
    expect(await remaining.notifications(ids)).toEqual([]);
  });

  it("stops when its time budget is spent and carries on at the next run", async () => {
    const ids = await oldReadNotifications(7);
    const job = createCleanupJob({ chunk: 3, budgetMs: 0 });
    expect(await job.run(testCtx(t, { now }))).toMatchObject({ readNotifications: 3, unfinished: 1 });
    expect(await remaining.notifications(ids)).toHaveLength(4);
    expect(await job.run(testCtx(t, { now }))).toMatchObject({ readNotifications: 3, unfinished: 1 });
    expect(await job.run(testCtx(t, { now }))).toMatchObject({ readNotifications: 1, unfinished: 0 });
    expect(await remaining.notifications(ids)).toEqual([]);
  });

  // With sequential scans priced out (SET LOCAL, in the same transaction as the EXPLAIN:
  // Neon starts each HTTP request in a fresh session), a rule whose condition no index
  // matches still shows a Seq Scan; each must use the indexes it names.
  it.each(CLEANUP_RULES.map((rule) => [rule.name, rule] as const))("the %s rule's scan uses its index", async (_, rule) => {
    const [, plan] = await t.db.batch([
      t.db.execute(sql`SET LOCAL enable_seqscan = off`),
      t.db.execute<{ "QUERY PLAN": string }>(sql`EXPLAIN ${ruleScan(rule, sqlTime(now), 5000)}`),
    ]);
    const text = plan.rows.map((row) => row["QUERY PLAN"]).join("\n");
    expect(text).not.toMatch(/Seq Scan/);
    for (const index of rule.indexes) expect(text).toContain(index);
  });
});
