import { type SQL, sql } from "drizzle-orm";
import { z } from "@hono/zod-openapi";
import type { ActorCtx, Ctx } from "../../lib/context";
import { pgError, PG } from "../../lib/db";
import { badRequest, conflict, notFound } from "../../lib/errors";
import { decodeCursor, encodeCursor, type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import { auditCte, auditRow } from "../audit";
import { illegalTransition, legalMove } from "./agents.policy";
import type { Agent, AgentDetail, AgentListFilters, CreateAgentInput, LatestCheck, TreeNode, UpdateAgentInput } from "./agents.schemas";
import { agentColumns, at, jsonb, SECRET_COLUMNS, textArray, toAgent } from "./agents.columns";

/** How deep the tree route walks: far below any real hierarchy (tiers 1-6), a bound if data ever loops. */
export const MAX_TREE_DEPTH = 32;

/**
 * Serializes every change of an agent's parent, for the rest of the transaction: the first
 * statement of a `db.batch`, so the next statement's snapshot (read committed) sees every
 * parent change committed before it, and its recursive cycle check cannot miss one made at
 * the same moment (A under B racing B under A: the second sees the first and is refused).
 */
const HIERARCHY_LOCK = sql`SELECT pg_advisory_xact_lock(hashtextextended('esa_agents:hierarchy', 0))`;

/** A write refused by a constraint, as the problem the admin can act on. */
function agentWriteError(error: unknown): Error {
  const pg = pgError(error);
  if (pg?.code === PG.uniqueViolation) return conflict("agent_code_taken", "Another agent already has that agent code.");
  if (pg?.code === PG.foreignKeyViolation) return badRequest("unknown_agent", "The parent or division chief is not an agent.");
  return error as Error;
}

const AgentCodeCursor = z.tuple([z.string().max(50), z.number().int().min(1).max(2_147_483_647)]);

/** The registry, by agent code (keyset over `(agent_code, id)`), filtered. */
export async function listAgents({ db }: Ctx, input: AgentListFilters & PageRequest): Promise<Page<Agent>> {
  const filters: SQL[] = [];
  if (input.type) filters.push(sql`a.agent_type = ${input.type}`);
  if (input.status) filters.push(sql`a.status = ${input.status}`);
  if (input.layer !== undefined) filters.push(sql`a.layer_number = ${input.layer}`);
  if (input.tier !== undefined) filters.push(sql`a.tier = ${input.tier}`);
  if (input.parentId !== undefined) filters.push(sql`a.parent_agent_id = ${input.parentId}`);
  if (input.q) {
    filters.push(sql`(strpos(lower(a.agent_code), lower(${input.q})) > 0 OR strpos(lower(a.agent_name), lower(${input.q})) > 0)`);
  }
  return sortedPage(
    input,
    { by: [sql`a.agent_code`, sql`a.id`], direction: "asc", cursor: AgentCodeCursor },
    async (keyset) => {
      const { rows } = await db.execute<Record<string, unknown>>(sql`
        SELECT ${agentColumns("a")} FROM esa_agents a
        WHERE ${sql.join([...filters, keyset.after], sql` AND `)}
        ORDER BY ${keyset.order} LIMIT ${keyset.limit}`);
      return rows;
    },
    { item: toAgent, key: (row) => [String(row.agent_code), Number(row.id)] },
  );
}

/** One agent with the latest result of each of its named validation checks, in one statement. */
export async function getAgent({ db }: Ctx, id: number): Promise<AgentDetail> {
  const { rows } = await db.execute<Record<string, unknown> & { latest_checks: { id: number; checkName: string; result: string; checkedAt: string }[] }>(sql`
    SELECT ${agentColumns("a")},
      (SELECT coalesce(json_agg(json_build_object('id', l.id, 'checkName', l.check_name, 'result', l.result, 'checkedAt', l.checked_at)
                                ORDER BY l.check_name), '[]'::json)
       FROM (SELECT DISTINCT ON (v.check_name) v.id, v.check_name, v.result, v.checked_at
             FROM validation_checks v WHERE v.agent_id = a.id
             ORDER BY v.check_name, v.checked_at DESC, v.id DESC) l) AS latest_checks
    FROM esa_agents a WHERE a.id = ${id}`);
  const row = rows[0];
  if (!row) throw notFound("agent");
  return {
    ...toAgent(row),
    latestChecks: row.latest_checks.map((c) => ({ ...c, result: c.result as LatestCheck["result"], checkedAt: isoUtc(c.checkedAt) })),
  };
}

/** Registers an agent (always `inactive`: its life cycle starts there), audited in the same statement. */
export async function createAgent({ db, actor, now }: ActorCtx, input: CreateAgentInput): Promise<Agent> {
  try {
    const { rows } = await db.execute<Record<string, unknown>>(sql`
      WITH created AS (
        INSERT INTO esa_agents (agent_code, agent_name, agent_type, parent_agent_id, division_chief_id, layer_number, tier,
          description, responsibilities, competencies, certification_level, training_methodology, configuration,
          status, created_at, updated_at)
        VALUES (${input.agentCode}, ${input.agentName}, ${input.agentType}, ${input.parentAgentId ?? null}::int,
          ${input.divisionChiefId ?? null}::int, ${input.layerNumber ?? null}::int, ${input.tier ?? null}::int,
          ${input.description ?? null}, ${textArray(input.responsibilities ?? [])}, ${textArray(input.competencies ?? [])},
          ${input.certificationLevel ?? 0}, ${input.trainingMethodology ?? null}, ${jsonb(input.configuration)},
          'inactive', ${at(now)}, ${at(now)})
        RETURNING *
      ),
      ${auditCte({
        actorId: actor.id,
        action: "agent.create",
        objectType: "esa_agent",
        from: sql`created`,
        objectId: sql`created.id`,
        after: auditRow(sql`created`, SECRET_COLUMNS),
      })}
      SELECT ${agentColumns("created")} FROM created`);
    return toAgent(rows[0]!);
  } catch (error) {
    throw agentWriteError(error);
  }
}

/** The SET list of a PATCH: only the fields given. */
function updates(input: UpdateAgentInput): SQL[] {
  const set: SQL[] = [];
  const column = (name: string, value: SQL) => set.push(sql`${sql.identifier(name)} = ${value}`);
  if (input.agentCode !== undefined) column("agent_code", sql`${input.agentCode}`);
  if (input.agentName !== undefined) column("agent_name", sql`${input.agentName}`);
  if (input.agentType !== undefined) column("agent_type", sql`${input.agentType}`);
  if (input.parentAgentId !== undefined) column("parent_agent_id", sql`${input.parentAgentId}::int`);
  if (input.divisionChiefId !== undefined) column("division_chief_id", sql`${input.divisionChiefId}::int`);
  if (input.layerNumber !== undefined) column("layer_number", sql`${input.layerNumber}::int`);
  if (input.tier !== undefined) column("tier", sql`${input.tier}::int`);
  if (input.description !== undefined) column("description", sql`${input.description}`);
  if (input.responsibilities !== undefined) column("responsibilities", textArray(input.responsibilities));
  if (input.competencies !== undefined) column("competencies", textArray(input.competencies));
  if (input.certificationLevel !== undefined) column("certification_level", sql`${input.certificationLevel}::int`);
  if (input.trainingMethodology !== undefined) column("training_methodology", sql`${input.trainingMethodology}`);
  if (input.configuration !== undefined) column("configuration", jsonb(input.configuration));
  return set;
}

type UpdateOutcome = "ok" | "not_found" | "unknown_agent" | "hierarchy_cycle";

/**
 * Changes an agent's fields (never its status: that is {@link moveStatus}). A new parent is
 * checked in the same statement: it must exist, and the recursive walk up from it must not
 * reach the agent itself (a cycle, 409). The agent's row is locked, and a parent change takes
 * the hierarchy lock first (same round trip), so two changes racing cannot close a loop.
 */
export async function updateAgent({ db, actor, now }: ActorCtx, id: number, input: UpdateAgentInput): Promise<Agent> {
  const parent = input.parentAgentId ?? null;
  const chief = input.divisionChiefId ?? null;
  const statement = db.execute<Record<string, unknown> & { outcome: UpdateOutcome }>(sql`
    WITH RECURSIVE old AS (SELECT * FROM esa_agents WHERE id = ${id} FOR UPDATE),
    chain (id, parent_id) AS (
      SELECT e.id, e.parent_agent_id FROM esa_agents e WHERE e.id = ${parent}::int
      UNION
      SELECT e.id, e.parent_agent_id FROM esa_agents e JOIN chain c ON e.id = c.parent_id
    ),
    verdict AS (
      SELECT CASE
        WHEN NOT EXISTS (SELECT 1 FROM old) THEN 'not_found'
        WHEN ${parent}::int IS NOT NULL AND NOT EXISTS (SELECT 1 FROM chain WHERE id = ${parent}::int) THEN 'unknown_agent'
        WHEN ${chief}::int IS NOT NULL AND NOT EXISTS (SELECT 1 FROM esa_agents WHERE id = ${chief}::int) THEN 'unknown_agent'
        WHEN EXISTS (SELECT 1 FROM chain WHERE id = ${id}) THEN 'hierarchy_cycle'
        ELSE 'ok' END AS outcome
    ),
    changed AS (
      UPDATE esa_agents a SET ${sql.join(updates(input), sql`, `)}, updated_at = ${at(now)}
      FROM old, verdict v
      WHERE a.id = old.id AND v.outcome = 'ok'
      RETURNING ${agentColumns("a")}, ${auditRow(sql`old`, SECRET_COLUMNS)} AS before, ${auditRow(sql`a`, SECRET_COLUMNS)} AS after
    ),
    -- Health is kept by agent code (as the spec's agent_health is): a new code takes it along.
    ${healthRenamed(sql`old`, sql`changed`)},
    ${auditCte({
      actorId: actor.id,
      action: "agent.update",
      objectType: "esa_agent",
      from: sql`changed`,
      objectId: sql`changed.id`,
      before: sql`changed.before`,
      after: sql`changed.after`,
    })}
    SELECT v.outcome, ${agentColumns("c")} FROM verdict v LEFT JOIN changed c ON true`);
  let rows: (Record<string, unknown> & { outcome: UpdateOutcome })[];
  try {
    if (parent === null) rows = (await statement).rows;
    else rows = (await db.batch([db.execute(HIERARCHY_LOCK), statement]))[1].rows;
  } catch (error) {
    throw agentWriteError(error);
  }
  const row = rows[0]!;
  if (row.outcome === "not_found") throw notFound("agent");
  if (row.outcome === "unknown_agent") throw badRequest("unknown_agent", "The parent or division chief is not an agent.");
  if (row.outcome === "hierarchy_cycle") {
    throw conflict("hierarchy_cycle", "That parent is the agent itself or one of the agents under it.");
  }
  return toAgent(row);
}

/** CTEs moving an agent's health, its history and daily summaries from its old code (`old`) to its new one (`changed`). */
function healthRenamed(old: SQL, changed: SQL): SQL {
  const moved = (table: string) => sql`UPDATE ${sql.identifier(table)} h SET agent_code = c.agent_code
    FROM ${old} o, ${changed} c WHERE h.agent_code = o.agent_code AND c.agent_code <> o.agent_code`;
  return sql`health_renamed AS (${moved("agent_health")}),
    reports_renamed AS (${moved("agent_health_reports")}),
    daily_renamed AS (${moved("agent_health_daily")})`;
}

/**
 * Removes an agent (its tasks, messages, checks and health go with it), refused while another agent
 * names it as parent or division chief. One statement; a child added meanwhile is caught by
 * the foreign key and refused the same way.
 */
export async function deleteAgent({ db, actor }: ActorCtx, id: number): Promise<void> {
  let outcome: string | undefined;
  try {
    const { rows } = await db.execute<{ outcome: string }>(sql`
      WITH old AS (SELECT * FROM esa_agents WHERE id = ${id} FOR UPDATE),
      verdict AS (
        SELECT CASE
          WHEN NOT EXISTS (SELECT 1 FROM old) THEN 'not_found'
          WHEN EXISTS (SELECT 1 FROM esa_agents c WHERE (c.parent_agent_id = ${id} OR c.division_chief_id = ${id}) AND c.id <> ${id})
            THEN 'has_children'
          ELSE 'ok' END AS outcome
      ),
      deleted AS (
        DELETE FROM esa_agents a USING old, verdict v
        WHERE a.id = old.id AND v.outcome = 'ok'
        RETURNING a.id, a.agent_code, ${auditRow(sql`old`, SECRET_COLUMNS)} AS before
      ),
      -- Its health (kept by code, with no foreign key) goes with it, so no later agent given the code inherits it.
      health_gone AS (DELETE FROM agent_health WHERE agent_code IN (SELECT agent_code FROM deleted)),
      reports_gone AS (DELETE FROM agent_health_reports WHERE agent_code IN (SELECT agent_code FROM deleted)),
      daily_gone AS (DELETE FROM agent_health_daily WHERE agent_code IN (SELECT agent_code FROM deleted)),
      ${auditCte({ actorId: actor.id, action: "agent.delete", objectType: "esa_agent", from: sql`deleted`, objectId: sql`deleted.id`, before: sql`deleted.before` })}
      SELECT outcome FROM verdict`);
    outcome = rows[0]?.outcome;
  } catch (error) {
    if (pgError(error)?.code === PG.foreignKeyViolation) outcome = "has_children";
    else throw error;
  }
  if (outcome === "not_found") throw notFound("agent");
  if (outcome === "has_children") {
    throw conflict("agent_has_children", "Other agents name this agent as their parent or division chief: move them first.");
  }
}

/**
 * Moves an agent along its life cycle (see agents.policy.ts) in one guarded UPDATE of the
 * locked row, audited in the same statement: two moves racing apply one after the other, and
 * the second is judged against the status the first left.
 */
export async function moveStatus({ db, actor, now }: ActorCtx, id: number, input: { status: string; reason?: string }): Promise<Agent> {
  const to = sql`${input.status}::text`;
  const reason = input.reason === undefined ? sql`'{}'::jsonb` : sql`jsonb_build_object('reason', ${input.reason}::text)`;
  const { rows } = await db.execute<Record<string, unknown> & { from_status: string; id: number | null }>(sql`
    WITH old AS (SELECT * FROM esa_agents WHERE id = ${id} FOR UPDATE),
    changed AS (
      UPDATE esa_agents a SET
        status = ${to},
        suspended_from = CASE WHEN ${to} = 'suspended' THEN old.status END,
        certified_at = CASE WHEN old.status = 'training' AND ${to} = 'certified' THEN ${at(now)} ELSE a.certified_at END,
        training_completed_at = CASE WHEN old.status = 'training' AND ${to} = 'certified' THEN ${at(now)} ELSE a.training_completed_at END,
        updated_at = ${at(now)}
      FROM old
      WHERE a.id = old.id AND ${legalMove(sql`old.status`, to, sql`old.suspended_from`)}
      RETURNING ${agentColumns("a")}, ${auditRow(sql`old`, SECRET_COLUMNS)} AS before,
                ${auditRow(sql`a`, SECRET_COLUMNS)} || ${reason} AS after
    ),
    ${auditCte({
      actorId: actor.id,
      action: "agent.status",
      objectType: "esa_agent",
      from: sql`changed`,
      objectId: sql`changed.id`,
      before: sql`changed.before`,
      after: sql`changed.after`,
    })}
    SELECT old.status AS from_status, ${agentColumns("c")} FROM old LEFT JOIN changed c ON true`);
  const row = rows[0];
  if (!row) throw notFound("agent");
  if (row.id === null) throw illegalTransition(row.from_status, input.status);
  return toAgent(row);
}

const PathCursor = z.array(z.number().int().min(1).max(2_147_483_647)).min(1).max(MAX_TREE_DEPTH + 1);

/**
 * The hierarchy under `rootId` (or under every top-level agent), depth first, flat with each
 * node's depth and path of ids, in ONE recursive statement. Pages are cut by path (arrays
 * compare element by element, which is depth-first order); the walk stops at
 * {@link MAX_TREE_DEPTH} and never revisits an agent on its own path.
 */
export async function agentTree({ db }: Ctx, input: PageRequest & { rootId?: number }): Promise<Page<TreeNode>> {
  const after = decodeCursor(input.cursor, PathCursor);
  const afterPath = after ? sql`${`{${after.join(",")}}`}::int[]` : sql`NULL::int[]`;
  const roots = input.rootId === undefined ? sql`a.parent_agent_id IS NULL` : sql`a.id = ${input.rootId}`;
  const { rows } = await db.execute<{
    known: boolean;
    id: number | null;
    agent_code: string;
    agent_name: string;
    agent_type: string;
    status: string;
    parent_agent_id: number | null;
    division_chief_id: number | null;
    layer_number: number | null;
    tier: number | null;
    depth: number;
    path: number[];
  }>(sql`
    WITH RECURSIVE tree AS (
      SELECT a.id, a.agent_code, a.agent_name, a.agent_type, a.status, a.parent_agent_id, a.division_chief_id,
             a.layer_number, a.tier, 0 AS depth, ARRAY[a.id] AS path
      FROM esa_agents a WHERE ${roots}
      UNION ALL
      SELECT c.id, c.agent_code, c.agent_name, c.agent_type, c.status, c.parent_agent_id, c.division_chief_id,
             c.layer_number, c.tier, t.depth + 1, t.path || c.id
      FROM esa_agents c JOIN tree t ON c.parent_agent_id = t.id
      WHERE t.depth < ${MAX_TREE_DEPTH} AND NOT c.id = ANY (t.path)
    )
    SELECT k.known, n.* FROM (SELECT ${input.rootId === undefined ? sql`true` : sql`EXISTS (SELECT 1 FROM esa_agents WHERE id = ${input.rootId})`} AS known) k
    LEFT JOIN LATERAL (
      SELECT * FROM tree WHERE ${afterPath} IS NULL OR path > ${afterPath} ORDER BY path LIMIT ${input.limit + 1}
    ) n ON true`);
  if (!rows[0]?.known) throw notFound("agent");
  const nodes = rows.filter((row) => row.id !== null);
  const visible = nodes.slice(0, input.limit);
  return {
    items: visible.map((n) => ({
      id: Number(n.id),
      agentCode: n.agent_code,
      agentName: n.agent_name,
      agentType: n.agent_type as TreeNode["agentType"],
      status: n.status as TreeNode["status"],
      parentAgentId: n.parent_agent_id,
      divisionChiefId: n.division_chief_id,
      layerNumber: n.layer_number,
      tier: n.tier,
      depth: Number(n.depth),
      path: n.path.map(Number),
    })),
    nextCursor: nodes.length > input.limit ? encodeCursor(visible.at(-1)!.path.map(Number)) : null,
  };
}
