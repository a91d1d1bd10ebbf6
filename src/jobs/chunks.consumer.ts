import { createCtx } from "../lib/context";
import { errorFields } from "../lib/logger";
import { addCounts, ChunkMessage, type ChunkVerb, JOB_CHUNKS_QUEUE } from "./chunks";
import { closenessChunk } from "./closeness";
import type { JobCounts } from "./job";
import { viralChunk } from "./viral";

export { JOB_CHUNKS_QUEUE };

/** How long a chunk that failed waits before the queue delivers it again. */
export const CHUNK_RETRY_DELAY_SECONDS = 30;

/** The chunk verbs the consumer runs (a queued closeness chunk saves no position: see closenessChunk). */
export const CHUNK_VERBS: ChunkVerb[] = [closenessChunk(null), viralChunk];

/**
 * The job chunks queue's consumer: runs each message's chunk with the same verb the cron run
 * uses, pinned to the time of the run that queued it, one after another. Idempotent: a chunk
 * delivered twice, or run both inline and from the queue, writes the same rows; a chunk of a
 * run older than the job's newest is dropped by its own statement (`stale`, counted). Each
 * message is settled alone: acknowledged when done, stale or unreadable (a message that is not
 * a chunk of a known job can never become one), retried after {@link CHUNK_RETRY_DELAY_SECONDS}
 * when its chunk failed, so one failing range never repeats the others. Logs codes, ids, counts.
 * The verbs are injectable for tests; the Worker uses {@link consumeJobChunks}.
 */
export function createJobChunksConsumer(verbs: ChunkVerb[] = CHUNK_VERBS) {
  const byJob = new Map(verbs.map((verb) => [verb.job, verb]));
  return (batch: MessageBatch<unknown>, env: Env) => consume(byJob, batch, env);
}

export const consumeJobChunks = createJobChunksConsumer();

async function consume(verbs: Map<string, ChunkVerb>, batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const base = createCtx(env, { logFields: { queue: batch.queue } });
  const summary = { messages: batch.messages.length, done: 0, stale: 0, invalid: 0, failed: 0 };
  const counts: JobCounts = {};
  for (const message of batch.messages) {
    const parsed = ChunkMessage.safeParse(message.body);
    const verb = parsed.success ? verbs.get(parsed.data.job) : undefined;
    if (!parsed.success || !verb) {
      summary.invalid += 1;
      message.ack();
      continue;
    }
    const { job, lo, hi, at } = parsed.data;
    try {
      const done = await verb.run({ ...base, now: new Date(at), logger: base.logger.child({ job }) }, { lo, hi }, false);
      if (done.stale) summary.stale += 1;
      else {
        summary.done += 1;
        addCounts(counts, done.counts);
      }
      message.ack();
    } catch (error) {
      summary.failed += 1;
      base.logger.warn("job chunk failed", { code: "job_chunk_failed", job, lo, hi, attempts: message.attempts, ...errorFields(error) });
      message.retry({ delaySeconds: CHUNK_RETRY_DELAY_SECONDS });
    }
  }
  base.logger.info("job chunks consumed", { ...summary, ...counts });
}
