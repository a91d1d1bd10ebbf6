import { addDays, pruneEvents, rollUpDay, utcDay } from "../modules/analytics";
import type { Job } from "./job";

export const ROLLUP_LIMITS = {
  /** Raw events deleted per statement: one short DELETE over the `occurred_at` index. */
  pruneChunk: 5000,
  /** Wall time per run for the pruning (every 10 minutes): what is left goes at the next run. */
  budgetMs: 60_000,
};

/**
 * The platform's daily figures, every 10 minutes: yesterday's and today's (UTC, from the
 * trigger's time) are computed again and upserted, one statement a day, so yesterday's last
 * hours are counted once the day is over; then client events older than 90 days are deleted a
 * chunk at a time (at least one chunk per run; `unfinished` is 1 when the budget ran out).
 * Idempotent: a rerun writes the same figures. Logs counts only.
 */
export function createRollupJob(limits = ROLLUP_LIMITS): Job {
  return {
    name: "analytics-rollup",
    async run(ctx) {
      const started = Date.now();
      const today = utcDay(ctx.now);
      const counts = { rows: 0, removed: 0, pruned: 0, chunks: 0, unfinished: 0 };
      for (const day of [addDays(today, -1), today]) {
        const done = await rollUpDay(ctx, day);
        counts.rows += done.rows;
        counts.removed += done.removed;
      }
      for (;;) {
        if (counts.chunks > 0 && Date.now() - started >= limits.budgetMs) return { ...counts, unfinished: 1 };
        const pruned = await pruneEvents(ctx, { limit: limits.pruneChunk });
        counts.pruned += pruned;
        counts.chunks += 1;
        if (pruned < limits.pruneChunk) return counts;
      }
    },
  };
}

export const analyticsRollup = createRollupJob();
