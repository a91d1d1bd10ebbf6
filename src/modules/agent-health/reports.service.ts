import { sql } from "drizzle-orm";
import type { Ctx } from "../../lib/context";
import { type AppError, forbidden, unauthorized } from "../../lib/errors";
import { isoUtc } from "../../lib/time";
import type { HealthReportInput, REPORTABLE_STATUSES } from "./agent-health.schemas";

/** The one answer for a missing, wrong, rotated or revoked key: which it was is no one's business. */
export function invalidAgentKey(): AppError {
  return unauthorized("A valid X-Agent-Key is required.", "invalid_agent_key");
}

export interface AcceptedReport {
  agentId: number;
  agentCode: string;
  status: (typeof REPORTABLE_STATUSES)[number];
  reportedAt: string;
}

/**
 * Records an agent's health report, in one statement: the agent is found by its key's hash
 * and its `last_active_at` moved (an UPDATE, so its row is locked and the key and status are
 * rechecked on the latest row: a report racing a rotation, a revocation or a suspension is
 * refused if that committed first), and from that row its latest health is upserted (one row
 * per agent code) and the report kept in the history. The report's time is the clock once the
 * agent's row is locked (not the transaction's start), so one agent's reports are timed in the
 * order they commit, and the latest health never goes back to an older report. A suspended agent's key is refused with
 * 403 `agent_suspended` and nothing is recorded: a suspended agent should not be running, and
 * the refusal says so to whoever runs it (only the holder of a valid key learns it). Not an
 * admin write, so no audit row.
 */
export async function recordReport({ db }: Ctx, keyHash: string, report: HealthReportInput): Promise<AcceptedReport> {
  const details = report.errorDetails === undefined ? null : JSON.stringify(report.errorDetails);
  const { rows } = await db.execute<{ agent_id: number | null; agent_code: string | null; reported_at: string | null; suspended: boolean }>(sql`
    WITH touched AS (
      UPDATE esa_agents a SET last_active_at = clock_timestamp()
      WHERE a.api_key_hash = ${keyHash} AND a.status <> 'suspended'
      RETURNING a.id, a.agent_code, a.last_active_at AS at
    ),
    latest AS (
      INSERT INTO agent_health AS h (agent_code, status, last_check_at, response_time, error_count, error_details, updated_at)
      SELECT agent_code, ${report.status}, at, ${report.responseTime}, ${report.errorCount}, ${details}::jsonb, at FROM touched
      ON CONFLICT (agent_code) DO UPDATE SET
        status = excluded.status, last_check_at = excluded.last_check_at, response_time = excluded.response_time,
        error_count = excluded.error_count, error_details = excluded.error_details, updated_at = excluded.updated_at
      WHERE h.last_check_at <= excluded.last_check_at
    ),
    logged AS (
      INSERT INTO agent_health_reports (agent_code, status, response_time, error_count, error_details, reported_at)
      SELECT agent_code, ${report.status}, ${report.responseTime}, ${report.errorCount}, ${details}::jsonb, at FROM touched
      RETURNING reported_at::text AS reported_at
    )
    SELECT (SELECT id FROM touched) AS agent_id, (SELECT agent_code FROM touched) AS agent_code,
           (SELECT reported_at FROM logged) AS reported_at,
           EXISTS (SELECT 1 FROM esa_agents WHERE api_key_hash = ${keyHash} AND status = 'suspended') AS suspended`);
  const row = rows[0];
  if (row?.agent_id != null && row.agent_code !== null && row.reported_at !== null) {
    return { agentId: Number(row.agent_id), agentCode: row.agent_code, status: report.status, reportedAt: isoUtc(row.reported_at) };
  }
  if (row?.suspended) throw forbidden("This agent is suspended: its reports are refused until the suspension is lifted.", "agent_suspended");
  throw invalidAgentKey();
}
