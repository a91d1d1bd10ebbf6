import { pruneViral, refreshTrendingHashtags, scoreViralRange, viralWindow } from "../modules/posts";
import type { Job } from "./job";

export const VIRAL_LIMITS = {
  /** Post ids per statement: each chunk is one short INSERT ... ON CONFLICT, far inside Neon's HTTP timeout. */
  chunk: 2000,
  /**
   * Wall time per run, well inside the 10 minutes between runs: what is left keeps its last
   * scores until the next run.
   */
  budgetMs: 4 * 60_000,
};

/**
 * Viral analytics, every 10 minutes: drops the scores of posts older than 48 hours, replaces
 * the trending hashtags (one statement), then scores the posts of the last 48 hours (the
 * posts module's verbs hold the formula) chunk by chunk of post ids, newest first, so that
 * when the time budget runs out it is the oldest posts, least likely to trend, that wait for
 * the next run. At least one chunk runs per run; `unfinished` is 1 when the budget ran out.
 * Pinned to the trigger's time: a rerun writes the same rows. Logs counts, never content.
 */
export function createViralJob(limits = VIRAL_LIMITS): Job {
  return {
    name: "viral-analytics",
    async run(ctx) {
      const started = Date.now();
      const { pruned } = await pruneViral(ctx);
      const { tags, dropped } = await refreshTrendingHashtags(ctx);
      const counts = { pruned, tags, droppedTags: dropped, scored: 0, viral: 0, chunks: 0, unfinished: 0 };
      const { min, max } = await viralWindow(ctx);
      if (min === null || max === null) return counts;
      for (let hi = max; hi >= min; hi -= limits.chunk) {
        if (counts.chunks > 0 && Date.now() - started >= limits.budgetMs) return { ...counts, unfinished: 1 };
        const done = await scoreViralRange(ctx, { lo: Math.max(hi - limits.chunk + 1, min), hi });
        counts.scored += done.scored;
        counts.viral += done.viral;
        counts.chunks += 1;
      }
      return counts;
    },
  };
}

export const viralAnalytics = createViralJob();
