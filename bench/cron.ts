/**
 * The cron jobs on the generated world, run through their own code as the Worker runs them:
 * closeness, viral analytics, event reminders and event series (`job.run(ctx, io)` from
 * src/jobs, loaded by computed path). Per job: total time, the largest round trip (each chunk
 * is one; the job's other statements count too), chunks and rows touched (the job's own
 * counts). Target: each chunk 5 s or less (Neon's HTTP timeout is about 15 s).
 *
 * At the main scale, closeness both ways on the same data and the same trigger time, every
 * score reset first so both rewrite every row: inline (one invocation, chunks one after
 * another) and fanned out (the first chunk inline, the rest sent to a stand-in for the
 * JOB_CHUNKS queue and drained by N concurrent consumers, N = the queue's `max_concurrency`
 * in wrangler.toml, each taking batches of its `max_batch_size` and calling the Worker's own
 * consumer, `consumeJobChunks`, driven from Node rather than through Miniflare's queue).
 *
 * The jobs write to the world (scores, reminders, occurrences): this bench runs last.
 */
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { neonConfig } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import { createDb, type Db } from "../src/lib/db";
import type { BenchContext, WorldBench, WorldRole } from "./context";
import { percentile } from "./lib";
import { loadApi } from "./routes";
import type { World } from "./world";

type Counts = Record<string, number>;
interface JobCtx {
  db: Db;
  config: unknown;
  logger: unknown;
  now: Date;
  actor: null;
}
interface ChunkMessage {
  job: string;
  lo: number;
  hi: number;
  at: string;
}
interface Io {
  chunks?: { sendBatch(messages: Iterable<{ body: ChunkMessage }>): Promise<unknown> };
}
interface Job {
  name: string;
  run(ctx: JobCtx, io?: Io): Promise<Counts>;
}
interface Limits {
  chunk: number;
  budgetMs: number;
}
interface Message {
  id: string;
  timestamp: Date;
  attempts: number;
  body: unknown;
  ack(): void;
  retry(): void;
}
interface Jobs {
  createClosenessJob(limits: Limits): Job;
  CLOSENESS_LIMITS: Limits;
  createViralJob(limits: Limits): Job;
  VIRAL_LIMITS: Limits;
  eventReminders: Job;
  extendEventSeries: Job;
  consumeJobChunks(batch: { queue: string; messages: Message[]; ackAll(): void; retryAll(): void }, env: unknown): Promise<void>;
  JOB_CHUNKS_QUEUE: string;
  createLogger(level: string): unknown;
  loadConfig(env: unknown): unknown;
}

let jobs: Promise<Jobs> | undefined;

/** The jobs and the consumer, after the API (loadApi registers the Node stand-in for `cloudflare:workers`). */
function loadJobs(): Promise<Jobs> {
  jobs ??= (async () => {
    await loadApi();
    const load = (path: string) => import(path) as Promise<Record<string, unknown>>;
    const modules: Record<string, unknown>[] = [];
    for (const path of [
      "../src/jobs/closeness.ts",
      "../src/jobs/viral.ts",
      "../src/jobs/event-reminders.ts",
      "../src/jobs/event-series.ts",
      "../src/jobs/chunks.consumer.ts",
      "../src/lib/logger.ts",
      "../src/lib/env.ts",
    ])
      modules.push(await load(path));
    return Object.assign({}, ...modules) as Jobs;
  })();
  return jobs;
}

/** The chunks queue's consumer settings, from wrangler.toml. */
function queueSettings(): { batchSize: number; concurrency: number } {
  const wranglerToml = readFileSync(new URL("../wrangler.toml", import.meta.url), "utf8");
  const block = /\[\[queues\.consumers\]\]\s*queue = "mundo-tango-job-chunks"([^[]*)/.exec(wranglerToml)?.[1] ?? "";
  const read = (key: string) => Number(new RegExp(`${key} = (\\d+)`).exec(block)?.[1]);
  const settings = { batchSize: read("max_batch_size"), concurrency: read("max_concurrency") };
  if (!(settings.batchSize > 0 && settings.concurrency > 0)) throw new Error("cron: wrangler.toml has no job chunks consumer with max_batch_size and max_concurrency");
  return settings;
}

/** Times every request the driver sends while `work` runs (each a statement or a batch: one round trip). */
let recording: number[] | null = null;
let installed = false;
async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; trips: number[] }> {
  if (!installed) {
    installed = true;
    const previous = neonConfig.fetchFunction as typeof fetch | undefined;
    neonConfig.fetchFunction = (async (url: string, init?: RequestInit) => {
      const started = performance.now();
      try {
        return await (previous ?? fetch)(url, init);
      } finally {
        recording?.push(performance.now() - started);
      }
    }) as typeof fetch;
  }
  const trips: number[] = [];
  recording = trips;
  const started = performance.now();
  try {
    const result = await work();
    return { result, ms: performance.now() - started, trips };
  } finally {
    recording = null;
  }
}

/**
 * The first request after a pause can meet a keep-alive socket the local endpoint has just
 * closed ("fetch failed"): one try more, after saying why, before anything is timed.
 */
async function warmUp(db: Db): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.execute(sql`SELECT 1`);
      return;
    } catch (error) {
      let cause: unknown = error;
      const chain: string[] = [];
      while (cause instanceof Error) {
        chain.push(`${cause.name}: ${cause.message}${"code" in cause && typeof cause.code === "string" ? ` (${cause.code})` : ""}`);
        cause = cause.cause ?? ("sourceError" in cause ? cause.sourceError : undefined);
      }
      console.warn(`cron: the database did not answer (${chain.join(" <- ")})${attempt < 3 ? "; trying again" : ""}`);
      if (attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

interface Row {
  job: string;
  how: string;
  totalMs: number;
  maxTripMs: number;
  p50TripMs: number;
  trips: number;
  counts: Counts;
}

const fmtCounts = (counts: Counts) =>
  Object.entries(counts)
    .filter(([, v]) => v !== 0)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");

export const cronBench: WorldBench = {
  name: "cron",
  async run(ctx: BenchContext, world: World, role: WorldRole) {
    const j = await loadJobs();
    const env = {
      APP_ENV: "development",
      // The consumer's log lines carry its counts ("job chunks consumed"): read below, not printed.
      LOG_LEVEL: "info",
      AI_PROVIDER: "none",
      DATABASE_URL: world.databaseUrl,
      NEON_FETCH_ENDPOINT: world.fetchEndpoint,
      JWT_SECRET: "bench-jwt-secret-0123456789abcdef0123456789",
      ENCRYPTION_KEY: "bench-encryption-key-0123456789abcdef01234",
    };
    const config = j.loadConfig(env);
    const db = createDb({ databaseUrl: world.databaseUrl, fetchEndpoint: world.fetchEndpoint });
    await warmUp(db);
    const jobCtx = (now: Date): JobCtx => ({ db, config, logger: j.createLogger("silent"), now, actor: null });
    const { batchSize, concurrency } = queueSettings();
    const rows: Row[] = [];
    const row = (job: string, how: string, run: { ms: number; trips: number[] }, counts: Counts): Row => {
      const r = { job, how, totalMs: run.ms, maxTripMs: Math.max(0, ...run.trips), p50TripMs: percentile(run.trips, 50), trips: run.trips.length, counts };
      rows.push(r);
      return r;
    };

    /** A stand-in for the JOB_CHUNKS binding: keeps what the job sends. */
    const collecting = () => {
      const pending: ChunkMessage[] = [];
      const io: Io = {
        chunks: {
          sendBatch: (messages) => {
            for (const m of messages) pending.push(m.body);
            return Promise.resolve();
          },
        },
      };
      return { io, pending };
    };
    /**
     * N consumers take batches off `pending` and run the Worker's consumer on each; retried
     * messages go back (3 tries). Gives the consumer's own counts, summed from its log lines.
     */
    const drain = async (pending: ChunkMessage[]): Promise<Counts> => {
      const queue = pending.map((body, i) => ({ body, attempts: 1, id: `m${i}` }));
      let failed = 0;
      const consumed: Counts = {};
      const log = console.log;
      console.log = (line: unknown) => {
        const entry = typeof line === "string" && line.startsWith("{") ? (JSON.parse(line) as Record<string, unknown>) : null;
        if (entry?.msg !== "job chunks consumed") return log(line);
        for (const [key, value] of Object.entries(entry)) if (typeof value === "number") consumed[key] = (consumed[key] ?? 0) + value;
      };
      const consumer = async () => {
        for (let taken = queue.splice(0, batchSize); taken.length; taken = queue.splice(0, batchSize)) {
          const messages: Message[] = taken.map((m) => ({
            id: m.id,
            timestamp: new Date(),
            attempts: m.attempts,
            body: m.body,
            ack: () => undefined,
            retry: () => {
              if (m.attempts < 4) queue.push({ ...m, attempts: m.attempts + 1 });
              else failed += 1;
            },
          }));
          await j.consumeJobChunks({ queue: j.JOB_CHUNKS_QUEUE, messages, ackAll: () => undefined, retryAll: () => undefined }, env);
        }
      };
      try {
        await Promise.all(Array.from({ length: concurrency }, consumer));
      } finally {
        console.log = log;
      }
      if (failed) throw new Error(`cron: ${failed} chunk(s) failed on every try`);
      return consumed;
    };
    /** The run's counts and its consumers' (messages, done, stale, failed, and the verb's counts), as "queue: ..." keys. */
    const withConsumed = (counts: Counts, consumed: Counts): Counts => {
      const out = { ...counts };
      for (const [key, value] of Object.entries(consumed)) out[`queue ${key}`] = value;
      return out;
    };
    const resetCloseness = async () => {
      await db.execute(sql`UPDATE friendships SET closeness_score = 0 WHERE closeness_score <> 0`);
      await db.execute(sql`DELETE FROM job_cursors WHERE job LIKE 'recompute-closeness%'`);
      if (world.engine === "PostgreSQL") await db.execute(sql`VACUUM ANALYZE friendships`);
    };
    const scoresDigest = async () =>
      String(((await db.execute(sql`SELECT sum(id::bigint * closeness_score)::text AS d FROM friendships`)).rows[0] as { d: string | null }).d);

    // Closeness inline: one invocation, every chunk in turn (no budget, no queue).
    const now = new Date();
    await resetCloseness();
    const inlineRun = await timed(() => j.createClosenessJob({ ...j.CLOSENESS_LIMITS, budgetMs: Number.POSITIVE_INFINITY }).run(jobCtx(now), {}));
    const inline = row("closeness", "inline", inlineRun, inlineRun.result);
    const inlineDigest = await scoresDigest();
    // The job's own pick with its limits: its first chunk's time (after the marker and the progress reads) times its chunks.
    const firstChunkMs = inlineRun.trips[2] ?? 0;
    const chunks = inlineRun.result.chunks ?? 0;
    const estimateMs = firstChunkMs * chunks;
    const picks = chunks > 1 && estimateMs > j.CLOSENESS_LIMITS.budgetMs ? "the queue" : "inline";
    ctx.report.grow("closeness job", world.scale, inline.totalMs / 1000, "s");

    // Viral analytics as the Worker runs it: its limits, the queue there if it picks it.
    const viralQueue = collecting();
    const viralRun = await timed(async () => {
      const counts = await j.createViralJob(j.VIRAL_LIMITS).run(jobCtx(new Date()), viralQueue.io);
      return withConsumed(counts, await drain(viralQueue.pending));
    });
    const viral = row("viral analytics", viralRun.result.queued ? `queued ${viralRun.result.queued}, ${concurrency} consumers` : "inline", viralRun, viralRun.result);
    ctx.report.grow("viral job", world.scale, viral.totalMs / 1000, "s");
    if (role === "growth") return;

    let fan: Row | undefined;
    let sameRows = "";
    if (role === "main") {
      // Closeness fanned out: budget 0 sends every chunk after the first to the queue.
      await resetCloseness();
      const fanQueue = collecting();
      const fanRun = await timed(async () => {
        const counts = await j.createClosenessJob({ ...j.CLOSENESS_LIMITS, budgetMs: 0 }).run(jobCtx(now), fanQueue.io);
        return withConsumed(counts, await drain(fanQueue.pending));
      });
      fan = row("closeness", `fanned out, ${concurrency} consumers`, fanRun, fanRun.result);
      sameRows = (await scoresDigest()) === inlineDigest ? "the same" : "DIFFERENT";
    }

    const remindersRun = await timed(() => j.eventReminders.run(jobCtx(new Date())));
    row("event reminders", "inline", remindersRun, remindersRun.result);
    const seriesRun = await timed(() => j.extendEventSeries.run(jobCtx(new Date())));
    row("event series", "inline", seriesRun, seriesRun.result);

    const section = ctx.report.section(role === "pglite" ? `Cron jobs (PGlite, ${world.scale} dancers)` : "Cron jobs");
    section.text(
      `Each job run through its own code (src/jobs, \`job.run(ctx, io)\`) on the world at ${world.scale} dancers ` +
        `(${world.counts.friendships ?? 0} friendship rows, ${world.counts.posts ?? 0} posts, ${world.counts.events ?? 0} events), ` +
        `timed from Node; each round trip to the database (a chunk is one; so are the marker, the progress read, the viral job's prune ` +
        `and trending statements) timed at the driver. Rows touched are the job's own counts.`,
    );
    section.table(
      ["job", "how", "total (s)", "largest round trip (ms)", "round trip p50 (ms)", "round trips", "counts"],
      rows.map((r) => [r.job, r.how, (r.totalMs / 1000).toFixed(2), r.maxTripMs.toFixed(0), r.p50TripMs.toFixed(0), String(r.trips), fmtCounts(r.counts)]),
    );
    if (role !== "main") return;

    const chunkTarget = { op: "<=" as const, value: 5 };
    section.figure("cron.closeness.inline.total", inline.totalMs / 1000, "s");
    section.figure("cron.closeness.chunk.max", Math.max(inline.maxTripMs, fan!.maxTripMs) / 1000, "s", { target: chunkTarget });
    section.figure("cron.closeness.fanout.total", fan!.totalMs / 1000, "s", { note: `${concurrency} concurrent consumers` });
    section.figure("cron.closeness.fanout.speedup", inline.totalMs / fan!.totalMs, "x", { note: "inline total / fanned-out total" });
    section.figure("cron.viral.total", viral.totalMs / 1000, "s");
    section.figure("cron.viral.chunk.max", viral.maxTripMs / 1000, "s", { target: chunkTarget });
    const reminders = rows.find((r) => r.job === "event reminders")!;
    const series = rows.find((r) => r.job === "event series")!;
    section.figure("cron.reminders.total", reminders.totalMs / 1000, "s");
    section.figure("cron.reminders.chunk.max", reminders.maxTripMs / 1000, "s", { target: chunkTarget });
    section.figure("cron.series.total", series.totalMs / 1000, "s");
    section.figure("cron.series.chunk.max", series.maxTripMs / 1000, "s", { target: chunkTarget });
    const slow = rows.filter((r) => r.maxTripMs > 5000);
    section.text(
      `Closeness both ways, on the same data at the same trigger time, every score reset first: inline ${(inline.totalMs / 1000).toFixed(1)} s ` +
        `(${inline.counts.chunks} chunks one after another, in one invocation) against fanned out ${(fan!.totalMs / 1000).toFixed(1)} s ` +
        `(the first chunk inline, the other ${fan!.counts.queued} sent to a stand-in for the JOB_CHUNKS queue and run by ${concurrency} ` +
        `concurrent consumers, batches of ${batchSize}, through the Worker's consumer \`consumeJobChunks\`, driven from Node, not Miniflare's queue): ` +
        `${(inline.totalMs / fan!.totalMs).toFixed(2)}x. The rows both wrote are ${sameRows}. ` +
        `With its limits the job itself picks ${picks}: first chunk ${firstChunkMs.toFixed(0)} ms × ${chunks} chunks = ` +
        `${(estimateMs / 1000).toFixed(0)} s against a budget of ${j.CLOSENESS_LIMITS.budgetMs / 1000} s. The speed-up is bounded by the ` +
        `database's cores (this machine has ${cpus().length}, shared), not by the consumers.` +
        (slow.length
          ? ` Over the 5 s chunk target: ${slow.map((r) => `${r.job} (${r.how}) ${(r.maxTripMs / 1000).toFixed(1)} s, ${((r.maxTripMs / 5000 - 1) * 100).toFixed(0)}% over`).join("; ")}.`
          : " Every round trip was within the 5 s chunk target."),
    );
  },
};
