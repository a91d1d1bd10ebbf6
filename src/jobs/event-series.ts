import { extendSeriesWindows } from "../modules/events";
import type { Job } from "./job";

export const SERIES_JOB_LIMITS = {
  /** Series per chunk: one read and one INSERT of their new occurrences (a few each a day). */
  chunk: 500,
  /** Wall time per run (hourly): what is left is extended by the next run. */
  budgetMs: 5 * 60_000,
};

/**
 * Keeps every published series' occurrences 90 days ahead, hourly: chunk by chunk of series
 * ids, the events module's verb makes the occurrences each series is missing up to the
 * window's end (computed in the series' time zone) and moves its `materialized_until`.
 * Idempotent: a rerun, or an overlapping run, makes nothing twice (unique (series_id,
 * occurrence_on)). At least one chunk runs per run; `unfinished` is 1 when the budget ran out.
 */
export function createSeriesJob(limits = SERIES_JOB_LIMITS): Job {
  return {
    name: "event-series",
    async run(ctx) {
      const started = Date.now();
      const counts = { series: 0, extended: 0, occurrences: 0, chunks: 0, unfinished: 0 };
      let afterId = 0;
      for (;;) {
        if (counts.chunks > 0 && Date.now() - started >= limits.budgetMs) return { ...counts, unfinished: 1 };
        const done = await extendSeriesWindows(ctx, { afterId, limit: limits.chunk });
        if (done.lastId === null) return counts;
        counts.series += done.series;
        counts.extended += done.extended;
        counts.occurrences += done.occurrences;
        counts.chunks += 1;
        if (done.series < limits.chunk) return counts;
        afterId = done.lastId;
      }
    },
  };
}

export const extendEventSeries = createSeriesJob();
