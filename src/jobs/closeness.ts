import { closenessProgress, recomputeClosenessRange } from "../modules/graph";
import type { Job } from "./job";

export const CLOSENESS_LIMITS = {
  /** Friendship ids per statement (about half of them start a pair): one short round trip. */
  chunk: 5000,
  /**
   * Wall time per run, well inside a Cron Trigger's 15 minutes: what is left is done by the
   * next run, from the saved position.
   */
  budgetMs: 10 * 60_000,
};

/**
 * Recomputes every friendship's closeness score (the graph module's verb), chunk by chunk of
 * friendship ids. Each run makes one full pass starting after the position the last run
 * saved (each chunk saves its end in its own statement) and wrapping round to it, so a run
 * cut off by its time budget or by the platform is carried on by the next one instead of
 * starting over. At least one chunk runs per run; `unfinished` is 1 when the budget ran out.
 */
export function createClosenessJob(limits = CLOSENESS_LIMITS): Job {
  return {
    name: "recompute-closeness",
    async run(ctx) {
      const started = Date.now();
      const counts = { pairs: 0, updated: 0, chunks: 0, unfinished: 0 };
      const { min, max, position } = await closenessProgress(ctx);
      if (min === null || max === null) return counts;
      // The ids after the saved position, then those up to it: one full circle.
      const resumed = position >= min && position < max;
      const segments: [number, number][] = resumed ? [[position + 1, max], [min, position]] : [[min, max]];
      for (const [from, to] of segments) {
        for (let lo = from; lo <= to; lo += limits.chunk) {
          if (counts.chunks > 0 && Date.now() - started >= limits.budgetMs) return { ...counts, unfinished: 1 };
          const hi = Math.min(lo + limits.chunk - 1, to);
          const done = await recomputeClosenessRange(ctx, { lo, hi }, { position: hi === max ? 0 : hi });
          counts.pairs += done.pairs;
          counts.updated += done.updated;
          counts.chunks += 1;
        }
      }
      return counts;
    },
  };
}

export const recomputeCloseness = createClosenessJob();
