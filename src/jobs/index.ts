import type { AiProviderFactory } from "../lib/ai-providers";
import { createCtx } from "../lib/context";
import { errorFields } from "../lib/logger";
import { withLiveNotifications } from "../modules/live";
import { agentsOffline, summariseAgentHealth } from "./agent-health";
import { analyticsRollup } from "./analytics-rollup";
import { cleanup } from "./cleanup";
import { recomputeCloseness } from "./closeness";
import { drainEmailQueue } from "./email-queue";
import { eventReminders } from "./event-reminders";
import { extendEventSeries } from "./event-series";
import { completeHousingStays } from "./housing-stays";
import type { Job } from "./job";
import { viralAnalytics } from "./viral";
import { weeklyRecommendations } from "./weekly-recommendations";
import { forgetWebhookDeliveries } from "./webhook-deliveries";

export { consumeJobChunks, JOB_CHUNKS_QUEUE } from "./chunks.consumer";

/** Each Cron Trigger of wrangler.toml and the jobs it runs (a test keeps the two in step). */
export const SCHEDULES: Record<string, Job[]> = {
  // Reminders first: the emails they queue go out in the same run.
  "* * * * *": [eventReminders, drainEmailQueue, agentsOffline],
  // Cleanup has its own trigger: a long closeness run can never starve it.
  "15 * * * *": [cleanup, summariseAgentHealth, forgetWebhookDeliveries],
  "0 3 * * *": [recomputeCloseness],
  "*/10 * * * *": [viralAnalytics, analyticsRollup],
  "45 * * * *": [extendEventSeries, completeHousingStays],
  // Monday mornings (UTC), hourly from 05:30 to 08:30: the first run does the bulk, the later
  // ones what a run's budget or a failed model call left (a rerun adds nothing twice).
  "30 5-8 * * 1": [weeklyRecommendations],
};

/**
 * Runs the jobs of one cron schedule in order, logging counts and durations. A failing job
 * does not stop the others; the run fails at the end so the trigger shows as failed. The
 * dancers the run notified who have a live channel open are told at the end.
 */
export async function runScheduled(cron: string, env: Env, now: Date, options: { aiProvider?: AiProviderFactory } = {}): Promise<void> {
  const ctx = createCtx(env, { now, logFields: { cron }, aiProvider: options.aiProvider });
  const { logger } = ctx;
  const jobs = SCHEDULES[cron];
  if (!jobs) {
    logger.warn("no jobs for this cron schedule");
    return;
  }
  const failures: unknown[] = [];
  // The notifications the jobs write (event reminders...) reach the live channels after the run.
  await withLiveNotifications(
    env,
    async () => {
      for (const job of jobs) {
        const started = Date.now();
        try {
          const counts = await job.run({ ...ctx, logger: logger.child({ job: job.name }) }, { chunks: env.JOB_CHUNKS });
          logger.info("job finished", { job: job.name, durationMs: Date.now() - started, ...counts });
        } catch (error) {
          failures.push(error);
          logger.error("job failed", { job: job.name, durationMs: Date.now() - started, ...errorFields(error) });
        }
      }
    },
    logger,
  );
  if (failures.length) throw new AggregateError(failures, `${failures.length} job(s) failed for cron ${cron}`);
}
