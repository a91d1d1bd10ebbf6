import { sql } from "drizzle-orm";
import type { Ctx } from "../../lib/context";

/**
 * How long a webhook delivery is remembered: past the timestamp window (5 minutes either way),
 * a replay is refused as stale anyway, so its record is no longer needed.
 */
export const WEBHOOK_DELIVERY_RETENTION_MINUTES = 10;

/**
 * Forgets webhook deliveries older than the retention, up to `limit` per call (oldest first, by
 * the received_at index); returns how many. Received times are the database's clock, the job's
 * is the trigger's: the retention leaves twice the window between them.
 */
export async function purgeWebhookDeliveries({ db, now }: Ctx, input: { limit: number }): Promise<number> {
  const cutoff = sql`(${now.toISOString()}::timestamptz AT TIME ZONE 'UTC') - make_interval(mins => ${WEBHOOK_DELIVERY_RETENTION_MINUTES})`;
  const { rows } = await db.execute<{ n: number }>(sql`
    WITH gone AS (
      DELETE FROM webhook_deliveries WHERE signature_hash IN (
        SELECT signature_hash FROM webhook_deliveries WHERE received_at < ${cutoff} ORDER BY received_at LIMIT ${input.limit}
      )
      RETURNING 1
    )
    SELECT count(*)::int AS n FROM gone`);
  return Number(rows[0]?.n ?? 0);
}
