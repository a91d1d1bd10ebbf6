import { COMPLETION_CHUNK, completeDueStays } from "../modules/housing";
import type { Job } from "./job";

export const STAYS_JOB_LIMITS = {
  /** Stays per statement: one short UPDATE with its notices. */
  chunk: COMPLETION_CHUNK,
  /** Wall time per run (hourly): what is left is completed by the next run. */
  budgetMs: 60_000,
};

/**
 * Completes stays, hourly: approved stays whose checkout day has come become `completed`, a
 * chunk at a time, and both sides are told they may review (`booking_completed`). Idempotent:
 * a rerun, or an overlapping run, completes and notifies nothing twice (each chunk's rows are
 * locked with SKIP LOCKED and rechecked as approved). At least one chunk runs per run;
 * `unfinished` is 1 when the budget ran out. Logs counts only.
 */
export function createStaysJob(limits = STAYS_JOB_LIMITS): Job {
  return {
    name: "housing-stays",
    async run(ctx) {
      const started = Date.now();
      const counts = { completed: 0, notified: 0, chunks: 0, unfinished: 0 };
      for (;;) {
        if (counts.chunks > 0 && Date.now() - started >= limits.budgetMs) return { ...counts, unfinished: 1 };
        const done = await completeDueStays(ctx, { limit: limits.chunk });
        counts.completed += done.completed;
        counts.notified += done.notified;
        counts.chunks += 1;
        if (done.completed < limits.chunk) return counts;
      }
    },
  };
}

export const completeHousingStays = createStaysJob();
