import { type SQL, sql } from "drizzle-orm";
import type { Ctx } from "../../lib/context";

/** The job's time as a `timestamp` (UTC) value: jobs are pinned to their trigger's time. */
function at(now: Date): SQL {
  return sql`(${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
}

/**
 * Marks agents `offline` whose last report is older than `AGENT_OFFLINE_MINUTES`, in one
 * statement, and records each move in the history (an `offline` report without a response
 * time, at the job's time), so the history shows when an agent went silent and the daily
 * summaries count it. Idempotent: an agent already offline is not moved again, and a report
 * racing the job wins either way (the UPDATE rechecks `last_check_at` on the row a report just
 * wrote, and a report after the job sets the status back). Agents that never reported have no
 * health row and stay `unknown`. A few hundred agents at most: no chunking needed.
 */
export async function markSilentAgentsOffline({ db, config, now }: Ctx): Promise<{ offline: number }> {
  const { rows } = await db.execute<{ offline: number }>(sql`
    WITH moved AS (
      UPDATE agent_health h SET status = 'offline', updated_at = ${at(now)}
      WHERE h.status <> 'offline' AND h.last_check_at < ${at(now)} - make_interval(mins => ${config.AGENT_OFFLINE_MINUTES}::int)
      RETURNING h.agent_code
    ),
    logged AS (
      INSERT INTO agent_health_reports (agent_code, status, response_time, error_count, reported_at)
      SELECT agent_code, 'offline', NULL, 0, ${at(now)} FROM moved
    )
    SELECT count(*)::int AS offline FROM moved`);
  return { offline: Number(rows[0]?.offline ?? 0) };
}

/** Reports are summarised once their UTC day ended more than this many days before the job. */
export const HEALTH_HISTORY_DAYS = 30;

/**
 * The mean of a daily figure over the day row and the part being added, weighted by their
 * timed reports (null when neither has any). Timed reports are all but the `offline` ones:
 * agents always send a response time, the offline job's rows have none.
 */
function weighted(column: "avg_response_time" | "p50_response_time" | "p95_response_time"): SQL {
  const old = "(d.reports - d.offline)";
  const added = "(excluded.reports - excluded.offline)";
  return sql.raw(
    `CASE WHEN ${old} + ${added} > 0 THEN round((COALESCE(d.${column}, 0)::numeric * ${old} + ` +
      `COALESCE(excluded.${column}, 0)::numeric * ${added}) / (${old} + ${added}))::int END`,
  );
}

/**
 * Summarises up to `limit` health reports of whole UTC days that ended more than 30 days
 * before the job into `agent_health_daily`, and deletes them, in ONE statement: the rows are
 * picked (locked, SKIP LOCKED: an overlapping run takes other rows), deleted with RETURNING,
 * grouped per agent and day, and merged into the day rows. A day row that already exists (a
 * day split over two chunks or runs, or a late report) is added to: counts, error counts and
 * the maximum exactly; the average weighted by timed reports (exact up to rounding to whole
 * milliseconds at each merge); the p50 and p95 as the same weighted mean of the two parts'
 * percentiles, an approximation (percentiles do not merge exactly without the samples). Rows
 * are taken in (agent, time) order, so a chunk splits at most one agent's day, and whole days
 * only (the cutoff is a UTC midnight), so the common case is a day summarised at once, exactly.
 * The error count of a day saturates at the int4 maximum.
 */
export async function summariseReports({ db, now }: Ctx, options: { limit: number }): Promise<{ summarised: number; days: number }> {
  const cutoff = sql`(date_trunc('day', ${at(now)}) - make_interval(days => ${HEALTH_HISTORY_DAYS}))`;
  const { rows } = await db.execute<{ summarised: number; days: number }>(sql`
    WITH picked AS (
      SELECT id FROM agent_health_reports
      WHERE reported_at < ${cutoff}
      ORDER BY agent_code, reported_at, id
      LIMIT ${options.limit}
      FOR UPDATE SKIP LOCKED
    ),
    gone AS (
      DELETE FROM agent_health_reports r USING picked p WHERE r.id = p.id
      RETURNING r.agent_code, r.status, r.response_time, r.error_count, r.reported_at
    ),
    days AS (
      SELECT agent_code, reported_at::date AS day, count(*)::int AS reports,
             count(*) FILTER (WHERE status = 'healthy')::int AS healthy,
             count(*) FILTER (WHERE status = 'degraded')::int AS degraded,
             count(*) FILTER (WHERE status = 'failing')::int AS failing,
             count(*) FILTER (WHERE status = 'offline')::int AS offline,
             count(*) FILTER (WHERE status = 'unknown')::int AS unknown,
             LEAST(COALESCE(sum(error_count), 0), 2147483647)::int AS error_count,
             round(avg(response_time))::int AS avg_response_time,
             round(percentile_cont(0.5) WITHIN GROUP (ORDER BY response_time))::int AS p50_response_time,
             round(percentile_cont(0.95) WITHIN GROUP (ORDER BY response_time))::int AS p95_response_time,
             max(response_time) AS max_response_time
      FROM gone GROUP BY agent_code, reported_at::date
    ),
    merged AS (
      INSERT INTO agent_health_daily AS d (agent_code, day, reports, healthy, degraded, failing, offline, unknown, error_count,
                                           avg_response_time, p50_response_time, p95_response_time, max_response_time)
      SELECT agent_code, day, reports, healthy, degraded, failing, offline, unknown, error_count,
             avg_response_time, p50_response_time, p95_response_time, max_response_time
      FROM days
      ON CONFLICT (agent_code, day) DO UPDATE SET
        reports = d.reports + excluded.reports,
        healthy = d.healthy + excluded.healthy,
        degraded = d.degraded + excluded.degraded,
        failing = d.failing + excluded.failing,
        offline = d.offline + excluded.offline,
        unknown = d.unknown + excluded.unknown,
        error_count = LEAST(d.error_count::bigint + excluded.error_count, 2147483647)::int,
        avg_response_time = ${weighted("avg_response_time")},
        p50_response_time = ${weighted("p50_response_time")},
        p95_response_time = ${weighted("p95_response_time")},
        max_response_time = GREATEST(d.max_response_time, excluded.max_response_time)
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM gone)::int AS summarised, (SELECT count(*) FROM merged)::int AS days`);
  return { summarised: Number(rows[0]?.summarised ?? 0), days: Number(rows[0]?.days ?? 0) };
}
