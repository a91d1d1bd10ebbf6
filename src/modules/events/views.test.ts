import wranglerToml from "../../../wrangler.toml?raw";
import { createExecutionContext, createMessageBatch, env as workerEnv, getQueueResult } from "cloudflare:test";
import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { eventAnalytics, events, queueReceipts } from "../../../drizzle/schema";
import { createEvent, createUser } from "../../../test/factories";
import { testCtx, useTestDatabase } from "../../../test/harness";
import worker from "../../../workers/api";
import { createDb, type Db } from "../../lib/db";
import { createLogger } from "../../lib/logger";
import { EVENT_VIEWS_QUEUE, recordEventView } from "./views.queue";
import { cleanup } from "../../jobs/cleanup";
import { VIEW_MESSAGE_MEMORY_DAYS } from "./views.service";

const t = await useTestDatabase();
const DAY = 86_400_000;

interface Sent {
  eventId: unknown;
  at?: string;
  id?: string;
  attempts?: number;
}

/** A delivery of the views queue, as the runtime makes it: fresh message ids unless given. */
function delivery(messages: Sent[], queue = EVENT_VIEWS_QUEUE) {
  return createMessageBatch(
    queue,
    messages.map((m) => ({
      id: m.id ?? crypto.randomUUID().replaceAll("-", ""),
      timestamp: new Date(m.at ?? "2026-05-01T21:00:00Z"),
      attempts: m.attempts ?? 1,
      body: { eventId: m.eventId },
    })),
  );
}

/** Runs the Worker's queue handler on a delivery and returns what it acknowledged or retried. */
async function consume(batch: MessageBatch<unknown>, env: Env = t.env) {
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

async function anEvent(db: Db = t.db) {
  const organizer = await createUser(db);
  return createEvent(db, { userId: organizer.id });
}

/** The event's total and its views per day, oldest day first. */
async function viewsOf(eventId: number, db: Db = t.db) {
  const [row] = await db.select({ views: events.views }).from(events).where(eq(events.id, eventId));
  const days = await db
    .select({ day: eventAnalytics.day, views: eventAnalytics.views })
    .from(eventAnalytics)
    .where(eq(eventAnalytics.eventId, eventId))
    .orderBy(eventAnalytics.day);
  return { total: row?.views ?? null, days };
}

describe("the views queue's consumer", () => {
  it("adds a batch to each event's total and its days, and acknowledges it", async () => {
    const [a, b] = [await anEvent(), await anEvent()];
    const result = await consume(
      delivery([
        { eventId: a.id, at: "2026-05-01T10:00:00Z" },
        { eventId: a.id, at: "2026-05-01T23:59:59Z" },
        { eventId: a.id, at: "2026-05-02T00:00:00Z" },
        { eventId: b.id, at: "2026-05-02T12:00:00Z" },
      ]),
    );
    expect(result).toMatchObject({ outcome: "ok", ackAll: true, retryBatch: { retry: false }, retryMessages: [] });
    expect(await viewsOf(a.id)).toEqual({
      total: 3,
      days: [
        { day: "2026-05-01", views: 2 },
        { day: "2026-05-02", views: 1 },
      ],
    });
    expect(await viewsOf(b.id)).toEqual({ total: 1, days: [{ day: "2026-05-02", views: 1 }] });
  });

  it("adds to the day's row and the total a later batch finds there", async () => {
    const event = await anEvent();
    await consume(delivery([{ eventId: event.id }, { eventId: event.id }]));
    await consume(delivery([{ eventId: event.id }, { eventId: event.id, at: "2026-05-03T08:00:00Z" }]));
    expect(await viewsOf(event.id)).toEqual({
      total: 4,
      days: [
        { day: "2026-05-01", views: 3 },
        { day: "2026-05-03", views: 1 },
      ],
    });
  });

  it("counts a redelivered message once: the same batch again, or its messages in a new batch with others", async () => {
    const event = await anEvent();
    const first = [{ eventId: event.id, id: "m-redelivered-1" }, { eventId: event.id, id: "m-redelivered-2" }];
    expect((await consume(delivery(first))).ackAll).toBe(true);
    const again = await consume(delivery(first.map((m) => ({ ...m, attempts: 2 }))));
    expect(again.ackAll).toBe(true);
    expect((await viewsOf(event.id)).total).toBe(2);
    await consume(delivery([{ ...first[1]!, attempts: 3 }, { eventId: event.id, id: "m-redelivered-3" }]));
    expect(await viewsOf(event.id)).toEqual({ total: 3, days: [{ day: "2026-05-01", views: 3 }] });
  });

  it("remembers each counted message for the queue's retention, then lets cleanup purge it", async () => {
    const event = await anEvent();
    const before = Date.now();
    await consume(delivery([{ eventId: event.id, id: "m-remembered" }]));
    const receipt = () => t.db.select().from(queueReceipts).where(and(eq(queueReceipts.queue, EVENT_VIEWS_QUEUE), eq(queueReceipts.messageId, "m-remembered")));
    const [row] = await receipt();
    const memory = row!.expiresAt.getTime() - before;
    expect(memory).toBeGreaterThan(VIEW_MESSAGE_MEMORY_DAYS * DAY - 60_000);
    expect(memory).toBeLessThan(VIEW_MESSAGE_MEMORY_DAYS * DAY + 60_000);
    await cleanup.run(testCtx(t, { now: new Date(before + (VIEW_MESSAGE_MEMORY_DAYS + 1) * DAY) }));
    expect(await receipt()).toEqual([]);
  });

  it("counts a message repeated within one batch once", async () => {
    const event = await anEvent();
    await consume(delivery([{ eventId: event.id, id: "m-twice" }, { eventId: event.id, id: "m-twice" }, { eventId: event.id }]));
    expect((await viewsOf(event.id)).total).toBe(2);
  });

  it("keeps the counters exact when one batch is delivered several times at once", async () => {
    const [a, b] = [await anEvent(), await anEvent()];
    const messages = [
      ...Array.from({ length: 6 }, (_, i) => ({ eventId: a.id, id: `m-race-a-${i}` })),
      ...Array.from({ length: 4 }, (_, i) => ({ eventId: b.id, id: `m-race-b-${i}` })),
    ];
    const results = await Promise.all(Array.from({ length: 4 }, () => consume(delivery(messages))));
    expect(results.every((r) => r.ackAll)).toBe(true);
    expect((await viewsOf(a.id)).total).toBe(6);
    expect((await viewsOf(b.id)).total).toBe(4);
  });

  it("adds concurrent batches over the same events, in any order, without losing a view or deadlocking", async () => {
    const evts = await Promise.all(Array.from({ length: 4 }, () => anEvent()));
    const batches = Array.from({ length: 6 }, (_, i) => {
      const order = i % 2 === 0 ? evts : [...evts].reverse();
      return delivery(order.flatMap((e) => [{ eventId: e.id }, { eventId: e.id, at: "2026-05-02T01:00:00Z" }]));
    });
    const results = await Promise.all(batches.map((batch) => consume(batch)));
    expect(results.every((r) => r.ackAll)).toBe(true);
    for (const e of evts) {
      expect(await viewsOf(e.id)).toEqual({
        total: 12,
        days: [
          { day: "2026-05-01", views: 6 },
          { day: "2026-05-02", views: 6 },
        ],
      });
    }
  });

  it("drops messages that are not views, and views of events deleted since, acknowledging the batch", async () => {
    const [kept, gone] = [await anEvent(), await anEvent()];
    await t.db.delete(events).where(eq(events.id, gone.id));
    const result = await consume(
      delivery([
        { eventId: kept.id },
        { eventId: gone.id },
        { eventId: "12" },
        { eventId: 0 },
        { eventId: 2147483648 },
        { eventId: 1.5 },
        { eventId: null },
      ]),
    );
    expect(result.ackAll).toBe(true);
    expect((await viewsOf(kept.id)).total).toBe(1);
    expect(await t.db.select().from(eventAnalytics).where(eq(eventAnalytics.eventId, gone.id))).toEqual([]);
  });

  it("retries the whole batch, later, when it cannot be counted; the retry counts each view once", async () => {
    const event = await anEvent();
    const messages = [{ eventId: event.id, id: "m-retry-1" }, { eventId: event.id, id: "m-retry-2" }];
    const unreachable = { ...t.env, DATABASE_URL: `${t.env.DATABASE_URL}_missing`, LOG_LEVEL: "silent" };
    const failed = await consume(delivery(messages), unreachable);
    expect(failed).toMatchObject({ ackAll: false, retryBatch: { retry: true } });
    expect(await viewsOf(event.id)).toEqual({ total: 0, days: [] });
    expect((await consume(delivery(messages.map((m) => ({ ...m, attempts: 2 }))))).ackAll).toBe(true);
    expect((await consume(delivery(messages.map((m) => ({ ...m, attempts: 3 }))))).ackAll).toBe(true);
    expect((await viewsOf(event.id)).total).toBe(2);
  });

  it("logs counts, never message bodies or ids", async () => {
    const event = await anEvent();
    const lines: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
    try {
      await consume(delivery([{ eventId: event.id, id: "m-logged-secret" }, { eventId: "bogus" }]), { ...t.env, LOG_LEVEL: "info" });
    } finally {
      spy.mockRestore();
    }
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((l) => l.msg === "event views counted");
    expect(logged).toMatchObject({ queue: EVENT_VIEWS_QUEUE, messages: 2, invalid: 1, received: 1, counted: 1, events: 1 });
    expect(lines.join("\n")).not.toContain("m-logged-secret");
  });

  it("fails a delivery from a queue it has no consumer for, acknowledging nothing", async () => {
    const event = await anEvent();
    const batch = delivery([{ eventId: event.id }], "some-other-queue");
    const ctx = createExecutionContext();
    await expect(worker.queue(batch, t.env)).rejects.toThrow(/No consumer for the queue some-other-queue/);
    expect((await getQueueResult(batch, ctx)).ackAll).toBe(false);
    expect((await viewsOf(event.id)).total).toBe(0);
  });
});

describe("recordEventView", () => {
  it("puts the view on the EVENT_VIEWS queue, whose consumer (this Worker, per wrangler.toml) counts it", async () => {
    // The queue delivers to the Worker with its own bindings, whose database is the suite's
    // shared one (not this file's): the event is made there.
    const env = workerEnv;
    const shared = createDb({ databaseUrl: env.DATABASE_URL, fetchEndpoint: env.NEON_FETCH_ENDPOINT });
    // An id no other file's events have: their detail reads queue views of their own ids, which
    // this same consumer counts in the shared database too.
    const organizer = await createUser(shared);
    const event = await createEvent(shared, { userId: organizer.id, id: 1_000_000_000 + Math.floor(Math.random() * 1_000_000_000) });
    await Promise.all([recordEventView(env, event.id), recordEventView(env, event.id)]);
    await vi.waitFor(
      async () => {
        expect((await viewsOf(event.id, shared)).total).toBe(2);
      },
      { timeout: 25_000, interval: 250 },
    );
    const [row] = await shared.select().from(eventAnalytics).where(inArray(eventAnalytics.eventId, [event.id]));
    expect(row).toMatchObject({ day: new Date().toISOString().slice(0, 10), views: 2 });
  });

  it("never fails the caller: a queue that refuses the view is logged with a code and the event id", async () => {
    const warnings: string[] = [];
    const spy = vi.spyOn(console, "warn").mockImplementation((line: string) => void warnings.push(line));
    const broken = { EVENT_VIEWS: { send: () => Promise.reject(new Error("queue unavailable")) } } as unknown as Env;
    try {
      await expect(recordEventView(broken, 42, createLogger("warn"))).resolves.toBeUndefined();
    } finally {
      spy.mockRestore();
    }
    expect(JSON.parse(warnings[0]!)).toMatchObject({ code: "event_view_not_queued", eventId: 42 });
  });

  it("is wired in wrangler.toml: the EVENT_VIEWS producer and a consumer of the same queue", () => {
    const producer = /\[\[queues\.producers\]\]\s*binding\s*=\s*"EVENT_VIEWS"\s*queue\s*=\s*"([^"]+)"/.exec(wranglerToml);
    const consumer = /\[\[queues\.consumers\]\]\s*queue\s*=\s*"([^"]+)"/.exec(wranglerToml);
    expect(producer?.[1]).toBe(EVENT_VIEWS_QUEUE);
    expect(consumer?.[1]).toBe(EVENT_VIEWS_QUEUE);
  });
});
