import { closenessProgress, markClosenessRun, recomputeClosenessRange, saveClosenessPosition } from "../modules/graph";
import { type ChunkVerb, type JobIo, runChunks } from "./chunks";
import type { Job } from "./job";

export const CLOSENESS_LIMITS = {
  /** Friendship ids per statement (about half of them start a pair): one short round trip. */
  chunk: 5000,
  /**
   * Wall time per run, well inside a Cron Trigger's 15 minutes: a pass estimated to take longer
   * goes to the queue; without one, what is left is done by the next run, from the saved position.
   */
  budgetMs: 10 * 60_000,
};

/**
 * One chunk of the closeness job, inline or from the queue. Inline, it saves the end of its
 * range as the job's position (0 at the table's end); from the queue it saves none, since the
 * run that queued it saved the position past every range it handed off.
 */
export function closenessChunk(max: number | null): ChunkVerb {
  return {
    job: "recompute-closeness",
    async run(ctx, range, inline) {
      const position = inline ? (range.hi === max ? 0 : range.hi) : null;
      const { pairs, updated, stale } = await recomputeClosenessRange(ctx, range, { position });
      return { counts: { pairs, updated }, stale };
    },
  };
}

/**
 * Recomputes every friendship's closeness score (the graph module's verb), chunk by chunk of
 * friendship ids. Each run marks itself the newest (a queued chunk of an earlier run is then
 * dropped) and makes one full pass starting after the position the last run saved (each
 * inline chunk saves its end in its own statement) and wrapping round to it, so a run cut off
 * by its time budget or by the platform is carried on by the next one instead of starting
 * over. At least one chunk runs inline; a pass that would not fit the budget fans out onto the
 * queue (`queued`) when the Worker has one (see runChunks). `unfinished` is 1 when the budget
 * ran out.
 */
export function createClosenessJob(limits = CLOSENESS_LIMITS): Job {
  return {
    name: "recompute-closeness",
    async run(ctx, io: JobIo = {}) {
      const started = Date.now();
      await markClosenessRun(ctx);
      const { min, max, position } = await closenessProgress(ctx);
      if (min === null || max === null) return { pairs: 0, updated: 0, chunks: 0, queued: 0, unfinished: 0, stale: 0 };
      // The ids after the saved position, then those up to it: one full circle.
      const resumed = position >= min && position < max;
      const segments: [number, number][] = resumed ? [[position + 1, max], [min, position]] : [[min, max]];
      const ranges: { lo: number; hi: number }[] = [];
      for (const [from, to] of segments) {
        for (let lo = from; lo <= to; lo += limits.chunk) ranges.push({ lo, hi: Math.min(lo + limits.chunk - 1, to) });
      }
      return runChunks(ctx, io, {
        verb: closenessChunk(max),
        ranges,
        budgetMs: limits.budgetMs,
        started,
        counts: { pairs: 0, updated: 0 },
        // Handed to the queue up to here: the next run starts after it.
        handedOff: (range) => saveClosenessPosition(ctx, range.hi === max ? 0 : range.hi),
      });
    },
  };
}

export const recomputeCloseness = createClosenessJob();
