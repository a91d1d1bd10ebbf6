import { z } from "@hono/zod-openapi";
import type { Ctx } from "../lib/context";
import { errorFields } from "../lib/logger";
import { INT4_MAX } from "../lib/text";
import type { JobCounts } from "./job";

/** The queue chunks of the long jobs travel on (wrangler.toml, binding JOB_CHUNKS): `batch.queue` of its deliveries. */
export const JOB_CHUNKS_QUEUE = "mundo-tango-job-chunks";

/** Messages per `sendBatch` call: a Queue takes at most 100. */
export const SEND_BATCH_SIZE = 100;

/** A chunk on the queue: which job, its id range, and the trigger time of the run that queued it (ISO). */
export const ChunkMessage = z.object({
  job: z.string().min(1).max(100),
  lo: z.number().int().min(1).max(INT4_MAX),
  hi: z.number().int().min(1).max(INT4_MAX),
  at: z.string().datetime(),
});
export type ChunkMessage = z.infer<typeof ChunkMessage>;

/** What a chunked job may send its chunks to: the JOB_CHUNKS binding, or a stand-in (the benchmark's). */
export interface ChunkQueue {
  sendBatch(messages: Iterable<MessageSendRequest<ChunkMessage>>): Promise<unknown>;
}

/** What the scheduler hands a job besides its context. */
export interface JobIo {
  /** Absent: the job runs everything inline (tests, tools, a Worker without the binding). */
  chunks?: ChunkQueue;
}

/** A chunk's result: the job's counts, and whether a newer run had started (it then wrote nothing). */
export type ChunkResult = { counts: JobCounts; stale: boolean };

/** A job's chunk verb: the same one runs inline in the cron invocation and in the queue's consumer. */
export interface ChunkVerb {
  job: string;
  /** `ctx.now` is the trigger time of the run the chunk belongs to. */
  run(ctx: Ctx, range: { lo: number; hi: number }, inline: boolean): Promise<ChunkResult>;
}

/** Adds `more` into `total`, key by key. */
export function addCounts(total: JobCounts, more: JobCounts): void {
  for (const [key, value] of Object.entries(more)) total[key] = (total[key] ?? 0) + value;
}

/**
 * Runs a job's chunk ranges in order, inline or on the queue, by size. The first chunk always
 * runs inline and is timed; the rest are then estimated at that chunk's time each. When that
 * estimate fits in what is left of `budgetMs` (or there is no queue), they run inline as
 * before, stopping at the budget (`unfinished` 1: the next run takes over). Otherwise they are
 * sent to the queue, 100 messages per call, each carrying the job, the range and the run's
 * time, and the run returns (`queued`: how many). `handedOff(range)` is told the last range
 * sent, so a job that saves its position can save it there. A send that fails is logged
 * (code `job_chunks_not_queued`) and the ranges not sent run inline, within the budget, as if
 * there were no queue. A chunk that finds a newer run started (`stale`) stops the run.
 */
export async function runChunks(
  ctx: Ctx,
  io: JobIo,
  plan: {
    verb: ChunkVerb;
    ranges: { lo: number; hi: number }[];
    budgetMs: number;
    started: number;
    counts: JobCounts;
    handedOff?: (range: { lo: number; hi: number }) => Promise<void>;
  },
): Promise<JobCounts> {
  const { verb, ranges, budgetMs, started } = plan;
  const counts = { ...plan.counts, chunks: 0, queued: 0, unfinished: 0, stale: 0 };
  let queue = io.chunks;
  let firstChunkMs = 0;
  for (let i = 0; i < ranges.length; i++) {
    if (i === 1 && queue) {
      const estimate = (ranges.length - 1) * firstChunkMs;
      if (Date.now() - started + estimate > budgetMs) {
        const sent = await sendChunks(ctx, queue, verb.job, ranges.slice(1));
        counts.queued = sent;
        if (sent > 0) await plan.handedOff?.(ranges[sent]!);
        if (sent === ranges.length - 1) return counts;
        i += sent;
        // The queue failed: what was not sent runs inline, within the budget.
        queue = undefined;
      }
    }
    if (i > 0 && Date.now() - started >= budgetMs) return { ...counts, unfinished: 1 };
    const chunkStarted = Date.now();
    const done = await verb.run(ctx, ranges[i]!, true);
    if (i === 0) firstChunkMs = Date.now() - chunkStarted;
    if (done.stale) {
      ctx.logger.warn("job run superseded by a newer run", { code: "job_run_stale", job: verb.job, chunks: counts.chunks });
      return { ...counts, stale: 1 };
    }
    addCounts(counts, done.counts);
    counts.chunks += 1;
  }
  return counts;
}

/** Sends the ranges as messages, 100 per call; returns how many were sent before a call failed (all, normally). */
async function sendChunks(ctx: Ctx, queue: ChunkQueue, job: string, ranges: { lo: number; hi: number }[]): Promise<number> {
  const at = ctx.now.toISOString();
  let sent = 0;
  for (let i = 0; i < ranges.length; i += SEND_BATCH_SIZE) {
    const slice = ranges.slice(i, i + SEND_BATCH_SIZE);
    try {
      await queue.sendBatch(slice.map(({ lo, hi }) => ({ body: { job, lo, hi, at } satisfies ChunkMessage, contentType: "json" as const })));
    } catch (error) {
      ctx.logger.warn("job chunks not queued", { code: "job_chunks_not_queued", job, sent, unsent: ranges.length - sent, ...errorFields(error) });
      return sent;
    }
    sent += slice.length;
  }
  ctx.logger.info("job chunks queued", { job, queued: sent });
  return sent;
}
