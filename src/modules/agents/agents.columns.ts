import { type SQL, sql } from "drizzle-orm";
import { esaAgents } from "../../../drizzle/schema";
import { mapRow } from "../../lib/db";
import { isoUtc } from "../../lib/time";
import type { Agent } from "./agents.schemas";

/** The request's time as the `timestamp` (UTC) columns hold it. */
export const at = (now: Date): SQL => sql`(${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

/** A list of strings as a `text[]` value (drizzle would spread a JS array into separate parameters). */
export const textArray = (values: readonly string[]): SQL =>
  sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))::text[]`;

/** A JSON value as `jsonb` (null stays SQL null). */
export const jsonb = (value: unknown): SQL => (value === null || value === undefined ? sql`NULL::jsonb` : sql`${JSON.stringify(value)}::jsonb`);

/** Columns the key hash is left out of: the secret never leaves the database, nor goes into the audit log. */
export const SECRET_COLUMNS = ["api_key_hash"] as const;

/** Every column of an agent row but its key hash, for RETURNING and SELECT lists. */
export function agentColumns(alias: string): SQL {
  const a = sql.raw(alias);
  return sql`${a}.id, ${a}.agent_code, ${a}.agent_name, ${a}.agent_type, ${a}.parent_agent_id, ${a}.division_chief_id,
    ${a}.layer_number, ${a}.tier, ${a}.description, ${a}.responsibilities, ${a}.competencies, ${a}.status, ${a}.suspended_from,
    ${a}.certification_level, ${a}.certified_at, ${a}.training_methodology, ${a}.training_completed_at, ${a}.tasks_completed,
    ${a}.tasks_success, ${a}.tasks_failed, ${a}.avg_completion_time, ${a}.last_active_at, ${a}.configuration,
    ${a}.api_key_prefix, ${a}.api_key_rotated_at, ${a}.created_at, ${a}.updated_at`;
}

/** A raw agent row (from {@link agentColumns}) as the API shows it. */
export function toAgent(raw: Record<string, unknown>): Agent {
  const row = mapRow(esaAgents, raw);
  return {
    id: row.id,
    agentCode: row.agentCode,
    agentName: row.agentName,
    agentType: row.agentType as Agent["agentType"],
    parentAgentId: row.parentAgentId,
    divisionChiefId: row.divisionChiefId,
    layerNumber: row.layerNumber,
    tier: row.tier,
    description: row.description,
    responsibilities: row.responsibilities ?? [],
    competencies: row.competencies ?? [],
    status: row.status as Agent["status"],
    suspendedFrom: row.suspendedFrom as Agent["suspendedFrom"],
    certificationLevel: row.certificationLevel ?? 0,
    certifiedAt: isoUtc(row.certifiedAt),
    trainingMethodology: row.trainingMethodology,
    trainingCompletedAt: isoUtc(row.trainingCompletedAt),
    tasksCompleted: row.tasksCompleted ?? 0,
    tasksSuccess: row.tasksSuccess ?? 0,
    tasksFailed: row.tasksFailed ?? 0,
    avgCompletionTime: row.avgCompletionTime,
    lastActiveAt: isoUtc(row.lastActiveAt),
    configuration: (row.configuration as Record<string, unknown> | null) ?? null,
    apiKeyPrefix: row.apiKeyPrefix,
    apiKeyRotatedAt: isoUtc(row.apiKeyRotatedAt),
    createdAt: isoUtc(row.createdAt),
    updatedAt: isoUtc(row.updatedAt),
  };
}
