import { AppError } from "../lib/errors";
import { dancersDueRecommendations, generateRecommendations, isQuotaRefusal } from "../modules/life-ceo";
import type { Job } from "./job";

export const RECOMMENDATIONS_JOB_LIMITS = {
  /** Dancers per statement that finds them (by user id). */
  chunk: 50,
  /** Model calls per run (one per dancer): bounds a run's cost; the next run goes on. */
  maxModelCalls: 500,
  /** Wall time per run: what is left waits for the next run. */
  budgetMs: 10 * 60_000,
};

/**
 * This week's recommendations for active dancers (an active goal, some activity in the last 30
 * days, a usable account), Monday mornings: dancers by user id in chunks, one model call each for
 * a batch of their goals without one this week, within each dancer's daily quota (a dancer over
 * it is skipped and counted). Idempotent: one per goal and week (the unique index), and a dancer
 * whose goals all have this week's is not even read again, so a rerun, or the next trigger of the
 * morning, does only what is left (a budget run out, a failed call). A model failure is logged
 * with its code and the job goes on with the next dancer. Without a provider it does nothing.
 */
export function createRecommendationsJob(limits = RECOMMENDATIONS_JOB_LIMITS): Job {
  return {
    name: "weekly-recommendations",
    async run(ctx) {
      const counts = { dancers: 0, created: 0, modelCalls: 0, overQuota: 0, failed: 0, chunks: 0, unfinished: 0 };
      if (!ctx.ai) {
        ctx.logger.warn("no model provider: no recommendations", { code: "ai_unavailable" });
        return counts;
      }
      const started = Date.now();
      let after = 0;
      for (;;) {
        const dancers = await dancersDueRecommendations(ctx, { afterUserId: after, limit: limits.chunk });
        counts.chunks += 1;
        for (const userId of dancers) {
          if (counts.modelCalls >= limits.maxModelCalls || Date.now() - started >= limits.budgetMs) return { ...counts, unfinished: 1 };
          after = userId;
          counts.dancers += 1;
          try {
            const generated = await generateRecommendations(ctx, userId, { source: "weekly" });
            counts.created += generated.created.length;
            counts.modelCalls += generated.modelCalls;
          } catch (error) {
            if (isQuotaRefusal(error)) counts.overQuota += 1;
            else if (error instanceof AppError) {
              // After the model call: its failure (logged with its code by the service), or a goal
              // deleted while its recommendation was written. The next run retries this dancer.
              if (!error.code.startsWith("ai_")) ctx.logger.warn("recommendations failed", { code: error.code, userId });
              counts.modelCalls += 1;
              counts.failed += 1;
            } else throw error;
          }
        }
        if (dancers.length < limits.chunk) return counts;
      }
    },
  };
}

export const weeklyRecommendations = createRecommendationsJob();
