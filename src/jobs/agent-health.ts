import { markSilentAgentsOffline, summariseReports } from "../modules/agent-health";
import type { Job } from "./job";

/**
 * Every minute: agents silent for longer than AGENT_OFFLINE_MINUTES are marked `offline`, in
 * one statement (see markSilentAgentsOffline). Idempotent: a rerun moves no one twice.
 */
export const agentsOffline: Job = {
  name: "agents-offline",
  run: (ctx) => markSilentAgentsOffline(ctx),
};

export const HEALTH_SUMMARY_LIMITS = {
  /** Reports per statement: one DELETE ... RETURNING feeding the day rows' upsert. */
  chunk: 5000,
  /** Wall time per run (hourly): what is left is summarised by the next run. */
  budgetMs: 30_000,
};

/**
 * Hourly, on the cleanup trigger: health reports of UTC days that ended more than 30 days ago
 * are summarised into daily rows and deleted, a chunk per statement, until none is left or the
 * time budget is spent (`unfinished` 1). Idempotent: summarised rows are gone, so a rerun adds
 * nothing, and overlapping runs take different rows (SKIP LOCKED). Logs counts only.
 */
export function createHealthSummaryJob(limits = HEALTH_SUMMARY_LIMITS): Job {
  return {
    name: "agent-health-summary",
    async run(ctx) {
      const started = Date.now();
      const counts = { summarised: 0, days: 0, chunks: 0, unfinished: 0 };
      for (;;) {
        if (counts.chunks > 0 && Date.now() - started >= limits.budgetMs) return { ...counts, unfinished: 1 };
        const done = await summariseReports(ctx, { limit: limits.chunk });
        counts.summarised += done.summarised;
        counts.days += done.days;
        counts.chunks += 1;
        if (done.summarised < limits.chunk) return counts;
      }
    },
  };
}

export const summariseAgentHealth = createHealthSummaryJob();
