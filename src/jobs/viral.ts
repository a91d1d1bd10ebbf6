import { markViralRun, pruneViral, refreshTrendingHashtags, scoreViralRange, viralWindow } from "../modules/posts";
import { type ChunkVerb, type JobIo, runChunks } from "./chunks";
import type { Job } from "./job";

export const VIRAL_LIMITS = {
  /** Post ids per statement: each chunk is one short INSERT ... ON CONFLICT, far inside Neon's HTTP timeout. */
  chunk: 2000,
  /**
   * Wall time per run, well inside the 10 minutes between runs: more work than that goes to the
   * queue; without one, what is left keeps its last scores until the next run.
   */
  budgetMs: 4 * 60_000,
};

/** One chunk of viral analytics (the posts module's verb), inline or from the queue: pinned to the run's time. */
export const viralChunk: ChunkVerb = {
  job: "viral-analytics",
  async run(ctx, range) {
    const { scored, viral, stale } = await scoreViralRange(ctx, range);
    return { counts: { scored, viral }, stale };
  },
};

/**
 * Viral analytics, every 10 minutes: marks the run the newest (a queued chunk of an earlier
 * run is then dropped), drops the scores of posts older than 48 hours, replaces the trending
 * hashtags (one statement), then scores the posts of the last 48 hours (the posts module's
 * verbs hold the formula) chunk by chunk of post ids, newest first, so that when the time
 * budget runs out it is the oldest posts, least likely to trend, that wait for the next run.
 * At least one chunk runs inline; more than the budget holds fans out onto the queue
 * (`queued`) when the Worker has one (see runChunks). `unfinished` is 1 when the budget ran
 * out. Pinned to the trigger's time: a rerun writes the same rows. Logs counts, never content.
 */
export function createViralJob(limits = VIRAL_LIMITS): Job {
  return {
    name: "viral-analytics",
    async run(ctx, io: JobIo = {}) {
      const started = Date.now();
      await markViralRun(ctx);
      const { pruned } = await pruneViral(ctx);
      const { tags, dropped } = await refreshTrendingHashtags(ctx);
      const base = { pruned, tags, droppedTags: dropped, scored: 0, viral: 0 };
      const { min, max } = await viralWindow(ctx);
      if (min === null || max === null) return { ...base, chunks: 0, queued: 0, unfinished: 0, stale: 0 };
      const ranges: { lo: number; hi: number }[] = [];
      for (let hi = max; hi >= min; hi -= limits.chunk) ranges.push({ lo: Math.max(hi - limits.chunk + 1, min), hi });
      return runChunks(ctx, io, { verb: viralChunk, ranges, budgetMs: limits.budgetMs, started, counts: base });
    },
  };
}

export const viralAnalytics = createViralJob();
