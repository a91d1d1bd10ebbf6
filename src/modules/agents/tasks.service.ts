import { type SQL, sql } from "drizzle-orm";
import { z } from "@hono/zod-openapi";
import { agentTasks } from "../../../drizzle/schema";
import type { ActorCtx, Ctx } from "../../lib/context";
import { mapRow } from "../../lib/db";
import { conflict, notFound } from "../../lib/errors";
import { type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import { auditCte } from "../audit";
import { at, jsonb } from "./agents.columns";
import type { AgentTask, AssignTaskInput } from "./tasks.schemas";

function toTask(raw: Record<string, unknown>): AgentTask {
  const row = mapRow(agentTasks, raw);
  return {
    id: row.id,
    agentId: row.agentId,
    title: row.title,
    description: row.description,
    priority: row.priority as AgentTask["priority"],
    status: row.status as AgentTask["status"],
    input: (row.input as Record<string, unknown> | null) ?? null,
    result: (row.result as Record<string, unknown> | null) ?? null,
    errorMessage: row.errorMessage,
    assignedBy: row.assignedBy,
    assignedAt: isoUtc(row.assignedAt),
    startedAt: isoUtc(row.startedAt),
    completedAt: isoUtc(row.completedAt),
    durationSeconds: row.durationSeconds,
  };
}

/**
 * Locks the agent a task belongs to, for the rest of the transaction: the first statement of
 * the `db.batch` of every task move. Moves of one agent's tasks thus apply one after the other,
 * the next statement's snapshot (read committed) sees every task finished before it (so the
 * mean duration is computed over all of them), and the lock order is always agent, then task.
 */
const lockAgentOfTask = (taskId: number): SQL =>
  sql`SELECT a.id FROM esa_agents a WHERE a.id = (SELECT t.agent_id FROM agent_tasks t WHERE t.id = ${taskId}) FOR UPDATE`;

/**
 * Gives an agent a task, refused while the agent is suspended. The agent's row is share-locked
 * so a suspension at the same moment is ordered before (the task is refused) or after it.
 */
export async function assignTask({ db, actor, now }: ActorCtx, agentId: number, input: AssignTaskInput): Promise<AgentTask> {
  const { rows } = await db.execute<Record<string, unknown> & { agent_status: string }>(sql`
    WITH agent AS (SELECT id, status FROM esa_agents WHERE id = ${agentId} FOR SHARE),
    created AS (
      INSERT INTO agent_tasks (agent_id, title, description, priority, input, assigned_by, assigned_at, created_at, updated_at)
      SELECT agent.id, ${input.title}, ${input.description ?? null}, ${input.priority}, ${jsonb(input.input)}, ${actor.id},
             ${at(now)}, ${at(now)}, ${at(now)}
      FROM agent WHERE agent.status <> 'suspended'
      RETURNING *
    ),
    ${auditCte({ actorId: actor.id, action: "task.assign", objectType: "agent_task", from: sql`created`, objectId: sql`created.id`, after: sql`to_jsonb(created)` })}
    SELECT agent.status AS agent_status, created.* FROM agent LEFT JOIN created ON true`);
  const row = rows[0];
  if (!row) throw notFound("agent");
  if (row.id === null) throw conflict("agent_suspended", "The agent is suspended: it takes no new tasks until it is resumed.");
  return toTask(row);
}

/** One task. */
export async function getTask({ db }: Ctx, id: number): Promise<AgentTask> {
  const { rows } = await db.execute<Record<string, unknown>>(sql`SELECT * FROM agent_tasks WHERE id = ${id}`);
  if (!rows[0]) throw notFound("task");
  return toTask(rows[0]);
}

const IdCursor = z.tuple([z.number().int().min(1).max(2_147_483_647)]);

/** An agent's tasks, newest first (keyset over id), optionally of one status; an unknown agent is a 404. */
export async function listTasks({ db }: Ctx, input: PageRequest & { agentId: number; status?: string }): Promise<Page<AgentTask>> {
  let known = false;
  const page = await sortedPage(
    input,
    { by: [sql`t.id`], direction: "desc", cursor: IdCursor },
    async (keyset) => {
      const { rows } = await db.execute<Record<string, unknown>>(sql`
        SELECT t.* FROM esa_agents a
        LEFT JOIN LATERAL (
          SELECT t.* FROM agent_tasks t
          WHERE t.agent_id = a.id AND ${input.status ? sql`t.status = ${input.status}` : sql`true`} AND ${keyset.after}
          ORDER BY ${keyset.order} LIMIT ${keyset.limit}
        ) t ON true
        WHERE a.id = ${input.agentId}`);
      known = rows.length > 0;
      return rows.filter((row) => row.id !== null);
    },
    { item: toTask, key: (row) => [Number(row.id)] },
  );
  if (!known) throw notFound("agent");
  return page;
}

/** The 404 or 409 of a task move that changed nothing. */
function refusedMove(fromStatus: string | undefined, to: string): Error {
  if (fromStatus === undefined) return notFound("task");
  return conflict("illegal_transition", `A task cannot move from ${fromStatus} to ${to}.`);
}

/** assigned → in_progress; the agent's lastActiveAt moves in the same statement. */
export async function startTask({ db, actor, now }: ActorCtx, id: number): Promise<AgentTask> {
  const [, { rows }] = await db.batch([
    db.execute(lockAgentOfTask(id)),
    db.execute<Record<string, unknown> & { from_status: string }>(sql`
      WITH old AS (SELECT * FROM agent_tasks WHERE id = ${id} FOR UPDATE),
      changed AS (
        UPDATE agent_tasks t SET status = 'in_progress', started_at = ${at(now)}, updated_at = ${at(now)}
        FROM old WHERE t.id = old.id AND old.status = 'assigned'
        RETURNING t.*
      ),
      touched AS (UPDATE esa_agents a SET last_active_at = ${at(now)} FROM changed c WHERE a.id = c.agent_id RETURNING a.id),
      ${auditCte({
        actorId: actor.id,
        action: "task.start",
        objectType: "agent_task",
        from: sql`changed JOIN old ON old.id = changed.id`,
        objectId: sql`changed.id`,
        before: sql`to_jsonb(old)`,
        after: sql`to_jsonb(changed)`,
      })}
      SELECT old.status AS from_status, changed.* FROM old LEFT JOIN changed ON true`),
  ]);
  const row = rows[0];
  if (!row || row.id === null) throw refusedMove(row?.from_status, "in_progress");
  return toTask(row);
}

/**
 * Ends a task (from assigned or in_progress) as completed or failed, and in the same
 * statement moves the agent's counters: tasksCompleted counts every finished task (success
 * plus failed), and avgCompletionTime is the mean duration over all of them, computed from
 * the tasks themselves (exact whatever order concurrent ends commit in: the agent's lock,
 * taken first in the same round trip, makes each end see all those before it). Two ends of
 * one task racing: the second finds it finished (409) and counts nothing.
 */
export async function finishTask(
  { db, actor, now }: ActorCtx,
  id: number,
  end: { status: "completed"; result?: Record<string, unknown> } | { status: "failed"; error: string },
): Promise<AgentTask> {
  const outcome = end.status === "completed" ? sql`result = ${jsonb(end.result)}` : sql`error_message = ${end.error}`;
  const success = end.status === "completed" ? 1 : 0;
  const [, { rows }] = await db.batch([
    db.execute(lockAgentOfTask(id)),
    db.execute<Record<string, unknown> & { from_status: string }>(sql`
      WITH old AS (SELECT * FROM agent_tasks WHERE id = ${id} FOR UPDATE),
      finished AS (
        UPDATE agent_tasks t SET status = ${end.status}, ${outcome}, completed_at = ${at(now)}, updated_at = ${at(now)},
          duration_seconds = greatest(0, round(extract(epoch FROM ${at(now)} - coalesce(old.started_at, old.assigned_at))))::int
        FROM old WHERE t.id = old.id AND old.status IN ('assigned', 'in_progress')
        RETURNING t.*
      ),
      counted AS (
        UPDATE esa_agents a SET
          tasks_completed = coalesce(a.tasks_completed, 0) + 1,
          tasks_success = coalesce(a.tasks_success, 0) + ${success},
          tasks_failed = coalesce(a.tasks_failed, 0) + ${1 - success},
          avg_completion_time = (
            SELECT round((coalesce(sum(d.duration_seconds), 0) + f.duration_seconds)::numeric / (count(d.duration_seconds) + 1))::int
            FROM agent_tasks d
            WHERE d.agent_id = a.id AND d.status IN ('completed', 'failed') AND d.duration_seconds IS NOT NULL AND d.id <> f.id
          ),
          last_active_at = ${at(now)}
        FROM finished f WHERE a.id = f.agent_id
        RETURNING a.id
      ),
      ${auditCte({
        actorId: actor.id,
        action: end.status === "completed" ? "task.complete" : "task.fail",
        objectType: "agent_task",
        from: sql`finished JOIN old ON old.id = finished.id`,
        objectId: sql`finished.id`,
        before: sql`to_jsonb(old)`,
        after: sql`to_jsonb(finished)`,
      })}
      SELECT old.status AS from_status, finished.* FROM old LEFT JOIN finished ON true`),
  ]);
  const row = rows[0];
  if (!row || row.id === null) throw refusedMove(row?.from_status, end.status);
  return toTask(row);
}
