import { purgeWebhookDeliveries } from "../modules/deployments";
import type { Job } from "./job";

export const DELIVERIES_JOB_LIMITS = {
  /** Deliveries per statement: one short DELETE by the received_at index. */
  chunk: 5000,
  /** Wall time per run (hourly): what is left is taken up by the next run. */
  budgetMs: 60_000,
};

/**
 * Forgets signed webhook deliveries once their timestamps are past the replay window (see
 * WEBHOOK_DELIVERY_RETENTION_MINUTES): a replay of one is then refused as stale, so its record
 * has done its work. Chunked, idempotent (a rerun finds nothing more), counts only in the log.
 */
export function createDeliveriesJob(limits = DELIVERIES_JOB_LIMITS): Job {
  return {
    name: "webhook-deliveries",
    async run(ctx) {
      const started = Date.now();
      const counts = { deleted: 0, chunks: 0, unfinished: 0 };
      for (;;) {
        if (counts.chunks > 0 && Date.now() - started >= limits.budgetMs) return { ...counts, unfinished: 1 };
        const deleted = await purgeWebhookDeliveries(ctx, { limit: limits.chunk });
        counts.deleted += deleted;
        counts.chunks += 1;
        if (deleted < limits.chunk) return counts;
      }
    },
  };
}

export const forgetWebhookDeliveries = createDeliveriesJob();
