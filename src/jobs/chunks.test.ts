import wranglerToml from "../../wrangler.toml?raw";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { asc, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { friendships, jobCursors, viralAnalytics } from "../../drizzle/schema";
import { addFriendshipActivity, befriend, createPost, createUser, likePost } from "../../test/factories";
import { testCtx, useTestDatabase } from "../../test/harness";
import { createLogger } from "../lib/logger";
import worker from "../../workers/api";
import { CLOSENESS_CURSOR } from "../modules/graph/closeness.statement";
import type { ChunkMessage, ChunkQueue, ChunkVerb } from "./chunks";
import { CHUNK_VERBS, createJobChunksConsumer, JOB_CHUNKS_QUEUE } from "./chunks.consumer";
import { createClosenessJob } from "./closeness";
import { createViralJob } from "./viral";

const t = await useTestDatabase();
const DAY = 86_400_000;
const HOUR = 3_600_000;
const now = new Date();
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);
/** A run 200 days later: every score decays, so its rows differ from the first run's. */
const later = new Date(now.getTime() + 200 * DAY);

/** A queue that keeps what it is sent; `failFrom` makes the n-th call (0-based) and later ones throw. */
function fakeQueue(failFrom = Infinity) {
  const sent: ChunkMessage[] = [];
  let calls = 0;
  const queue: ChunkQueue = {
    sendBatch: (messages) => {
      if (calls++ >= failFrom) return Promise.reject(new Error("queue unavailable"));
      for (const message of messages) sent.push(message.body);
      return Promise.resolve();
    },
  };
  return { queue, sent };
}

/** A delivery of the chunks queue as the runtime makes it (`id`s fresh unless given). */
function delivery(bodies: unknown[], options: { ids?: string[]; attempts?: number } = {}) {
  return createMessageBatch(
    JOB_CHUNKS_QUEUE,
    bodies.map((body, i) => ({
      id: options.ids?.[i] ?? crypto.randomUUID().replaceAll("-", ""),
      timestamp: new Date(),
      attempts: options.attempts ?? 1,
      body,
    })),
  );
}

/** Runs the Worker's own queue handler (or a consumer made with other verbs) and returns what it settled. */
async function consume(batch: MessageBatch<unknown>, env: Env = t.env, handler: (b: MessageBatch<unknown>, e: Env) => Promise<void> = (b, e) => worker.queue(b, e)) {
  const ctx = createExecutionContext();
  await handler(batch, env);
  return getQueueResult(batch, ctx);
}

const scores = async () =>
  (await t.db.select({ id: friendships.id, score: friendships.closenessScore, last: friendships.lastInteractionAt }).from(friendships).orderBy(asc(friendships.id))).map(
    (row) => [row.id, row.score, row.last?.getTime() ?? null],
  );
const resetScores = () => t.db.update(friendships).set({ closenessScore: 0 });
const cursor = async () => (await t.db.select().from(jobCursors).where(eq(jobCursors.job, CLOSENESS_CURSOR)))[0]?.position ?? 0;
const setCursor = (position: number) =>
  t.db.insert(jobCursors).values({ job: CLOSENESS_CURSOR, position }).onConflictDoUpdate({ target: jobCursors.job, set: { position } });

const inline = createClosenessJob({ chunk: 2, budgetMs: 60_000 });
const fanning = createClosenessJob({ chunk: 2, budgetMs: 0 });

describe("the job chunks queue binding", () => {
  it("is declared in wrangler.toml as producer and consumer of the queue the Worker dispatches on", () => {
    const producer = /\[\[queues\.producers\]\]\s*binding = "JOB_CHUNKS"\s*queue = "([^"]+)"/.exec(wranglerToml)?.[1];
    const consumer = /\[\[queues\.consumers\]\]\s*queue = "mundo-tango-job-chunks"\s*max_batch_size = (\d+)\s*max_batch_timeout = \d+\s*max_concurrency = (\d+)/.exec(wranglerToml);
    expect(producer).toBe(JOB_CHUNKS_QUEUE);
    expect(consumer).not.toBeNull();
    expect(Number(consumer![2])).toBeGreaterThan(0);
    expect(t.env.JOB_CHUNKS).toBeDefined();
  });
});

describe("closeness, inline or fanned out onto the queue", () => {
  let reference: Awaited<ReturnType<typeof scores>>;

  beforeAll(async () => {
    // Six pairs, forward and reverse ids adjacent: ids f .. f+11, so six chunks of two ids.
    for (let i = 0; i < 6; i++) {
      const [a, b] = [await createUser(t.db), await createUser(t.db)];
      const pair = await befriend(t.db, a.id, b.id, { lastInteractionAt: daysAgo(10 + i * 20) });
      if (i % 2 === 0) await addFriendshipActivity(t.db, pair.forward.id, "dance_together", daysAgo(2 + i));
      if (i % 3 === 0) await likePost(t.db, (await createPost(t.db, { userId: b.id })).id, a.id, daysAgo(1));
    }
    await inline.run(testCtx(t, { now }));
    reference = await scores();
  });

  it("runs every chunk inline when the estimate fits the budget, sending nothing", async () => {
    await resetScores();
    const { queue, sent } = fakeQueue();
    const counts = await inline.run(testCtx(t, { now }), { chunks: queue });
    expect(counts).toEqual({ pairs: 6, updated: 12, chunks: 6, queued: 0, unfinished: 0, stale: 0 });
    expect(sent).toEqual([]);
    expect(await scores()).toEqual(reference);
  });

  it("above the budget runs the first chunk and queues the rest, and the consumer's rows equal the inline run's", async () => {
    await resetScores();
    await setCursor(0);
    const { queue, sent } = fakeQueue();
    const counts = await fanning.run(testCtx(t, { now }), { chunks: queue });
    expect(counts).toEqual({ pairs: 1, updated: 2, chunks: 1, queued: 5, unfinished: 0, stale: 0 });
    const first = reference[0]![0] as number;
    expect(sent).toEqual([1, 2, 3, 4, 5].map((k) => ({ job: "recompute-closeness", lo: first + 2 * k, hi: first + 2 * k + 1, at: now.toISOString() })));
    // The whole pass was handed off: the next run starts over.
    expect(await cursor()).toBe(0);

    const result = await consume(delivery(sent));
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks.length).toBe(5);
    expect(await scores()).toEqual(reference);
    // A queued chunk saves no position.
    expect(await cursor()).toBe(0);
  });

  it("resuming from a saved position, queues round the circle and saves the position it began at", async () => {
    const first = reference[0]![0] as number;
    await setCursor(first + 3);
    const { queue, sent } = fakeQueue();
    await fanning.run(testCtx(t, { now }), { chunks: queue });
    // First chunk inline: (f+4, f+5); queued: the rest up to max, then from min to f+3.
    expect(sent.map((m) => [m.lo - first, m.hi - first])).toEqual([
      [6, 7],
      [8, 9],
      [10, 11],
      [0, 1],
      [2, 3],
    ]);
    expect(await cursor()).toBe(first + 3);
  });

  it("writes the same rows when a message is delivered twice", async () => {
    await resetScores();
    await setCursor(0);
    const { queue, sent } = fakeQueue();
    await fanning.run(testCtx(t, { now }), { chunks: queue });
    const ids = sent.map((_, i) => `chunk-${i}`);
    await consume(delivery(sent, { ids }));
    const once = await scores();
    const again = await consume(delivery(sent, { ids, attempts: 2 }));
    expect(again.explicitAcks.length).toBe(5);
    expect(await scores()).toEqual(once);
    expect(once).toEqual(reference);
  });

  it("drops (acknowledges) a chunk of a run older than the job's newest, writing nothing", async () => {
    await setCursor(0);
    const { queue, sent } = fakeQueue();
    await fanning.run(testCtx(t, { now }), { chunks: queue });
    // A newer run, inline, before the queue delivers the older one's chunks.
    await inline.run(testCtx(t, { now: later }));
    const newer = await scores();
    expect(newer).not.toEqual(reference);

    const lines: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
    let result;
    try {
      result = await consume(delivery(sent), { ...t.env, LOG_LEVEL: "info" });
    } finally {
      spy.mockRestore();
    }
    expect(result.explicitAcks.length).toBe(5);
    expect(result.retryMessages).toEqual([]);
    expect(await scores()).toEqual(newer);
    const summary = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === "job chunks consumed");
    expect(summary).toMatchObject({ messages: 5, done: 0, stale: 5, invalid: 0, failed: 0 });
  });

  it("retries a failing chunk alone, acknowledges the others, and the retry succeeds", async () => {
    // Back to the first time's rows: an inline run at `now` is the newest again.
    await inline.run(testCtx(t, { now }));
    await resetScores();
    await setCursor(0);
    const { queue, sent } = fakeQueue();
    await fanning.run(testCtx(t, { now }), { chunks: queue });
    const flaky = sent[2]!;
    let failures = 0;
    const verbs: ChunkVerb[] = CHUNK_VERBS.map((verb) => ({
      job: verb.job,
      run: (ctx, range, isInline) => {
        if (range.lo === flaky.lo && failures === 0) {
          failures += 1;
          return Promise.reject(new Error("connection reset"));
        }
        return verb.run(ctx, range, isInline);
      },
    }));
    const consumer = createJobChunksConsumer(verbs);
    const ids = sent.map((_, i) => `flaky-${i}`);
    const first = await consume(delivery(sent, { ids }), t.env, consumer);
    expect(first.retryMessages.map((m) => m.msgId)).toEqual(["flaky-2"]);
    expect(first.explicitAcks.sort()).toEqual(["flaky-0", "flaky-1", "flaky-3", "flaky-4"]);
    expect(await scores()).not.toEqual(reference);

    const retried = await consume(delivery([flaky], { ids: ["flaky-2"], attempts: 2 }), t.env, consumer);
    expect(retried.explicitAcks).toEqual(["flaky-2"]);
    expect(await scores()).toEqual(reference);
  });

  it("acknowledges and drops a message that is not a chunk of a known job", async () => {
    const before = await scores();
    const result = await consume(delivery([{ job: "no-such-job", lo: 1, hi: 2, at: now.toISOString() }, { job: "recompute-closeness", lo: "1" }, null]));
    expect(result.explicitAcks.length).toBe(3);
    expect(await scores()).toEqual(before);
  });

  it("when the queue cannot take the chunks, carries on inline within the budget and the next run resumes from the saved position", async () => {
    await resetScores();
    await setCursor(0);
    const broken = fakeQueue(0);
    const lines: string[] = [];
    const spy = vi.spyOn(console, "warn").mockImplementation((line: string) => void lines.push(line));
    let counts;
    try {
      counts = await fanning.run({ ...testCtx(t, { now }), logger: createLogger("info") }, { chunks: broken.queue });
    } finally {
      spy.mockRestore();
    }
    // Nothing queued; the budget (0) allowed only the first chunk, whose end is the position.
    expect(counts).toEqual({ pairs: 1, updated: 2, chunks: 1, queued: 0, unfinished: 1, stale: 0 });
    const first = reference[0]![0] as number;
    expect(await cursor()).toBe(first + 1);
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ code: "job_chunks_not_queued", job: "recompute-closeness", sent: 0, unsent: 5 }),
    );
    // The next run, with a working queue, queues what is left after that position.
    const { queue, sent } = fakeQueue();
    await fanning.run(testCtx(t, { now }), { chunks: queue });
    expect(sent.map((m) => m.lo - first)).toEqual([4, 6, 8, 10, 0]);
    await consume(delivery(sent));
    expect(await scores()).toEqual(reference);
  });

  it("a chunk of an older run racing a newer inline run never lands over it", async () => {
    await inline.run(testCtx(t, { now: later }));
    const newer = await scores();
    await inline.run(testCtx(t, { now }));
    await setCursor(0);
    const { queue, sent } = fakeQueue();
    await fanning.run(testCtx(t, { now }), { chunks: queue });
    await Promise.all([consume(delivery(sent)), inline.run(testCtx(t, { now: later }))]);
    expect(await scores()).toEqual(newer);
  });
});

describe("viral analytics, inline or fanned out onto the queue", () => {
  const viralRows = async () =>
    (await t.db.select().from(viralAnalytics).orderBy(asc(viralAnalytics.postId))).map((row) => [row.postId, row.score, row.uniqueEngagers, row.computedAt?.getTime()]);
  let reference: Awaited<ReturnType<typeof viralRows>>;

  beforeAll(async () => {
    const author = await createUser(t.db);
    const fans = await Promise.all([1, 2, 3].map(() => createUser(t.db)));
    for (let i = 0; i < 6; i++) {
      const post = await createPost(t.db, { userId: author.id, createdAt: new Date(now.getTime() - (i + 1) * HOUR) });
      for (const fan of fans.slice(0, i % 4)) await likePost(t.db, post.id, fan.id, new Date(now.getTime() - i * HOUR));
    }
    await createViralJob({ chunk: 2, budgetMs: 60_000 }).run(testCtx(t, { now }));
    reference = await viralRows();
    expect(reference.length).toBe(6);
  });

  it("queues what exceeds the budget; the consumer writes the inline run's rows, and a stale delivery writes nothing", async () => {
    await t.db.execute(sql`DELETE FROM viral_analytics`);
    const { queue, sent } = fakeQueue();
    const counts = await createViralJob({ chunk: 2, budgetMs: 0 }).run(testCtx(t, { now }), { chunks: queue });
    expect(counts).toMatchObject({ scored: 2, chunks: 1, queued: 2, unfinished: 0, stale: 0 });
    expect(sent.every((m) => m.job === "viral-analytics" && m.at === now.toISOString())).toBe(true);
    await consume(delivery(sent));
    expect(await viralRows()).toEqual(reference);

    // Delivered again after a newer run started: dropped.
    await createViralJob({ chunk: 2, budgetMs: 60_000 }).run(testCtx(t, { now: new Date(now.getTime() + 10 * 60_000) }));
    const newer = await viralRows();
    expect(newer).not.toEqual(reference);
    await consume(delivery(sent));
    expect(await viralRows()).toEqual(newer);
  });
});
