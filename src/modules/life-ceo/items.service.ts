import { type SQL, sql } from "drizzle-orm";
import { z } from "@hono/zod-openapi";
import type { ActorCtx } from "../../lib/context";
import { PG, pgError } from "../../lib/db";
import { conflict, notFound } from "../../lib/errors";
import { type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { INT4_MAX } from "../../lib/text";
import { NOW_UTC, unknownDomain } from "./goals.service";
import {
  type CreateMilestoneInput,
  type CreateTaskInput,
  LIFE_CEO_LIMITS,
  type TaskOrderInput,
  type UpdateMilestoneInput,
  type UpdateTaskInput,
} from "./life-ceo.input";
import { type AgendaItem, type Milestone, type MilestoneRow, type Task, type TaskRow, toMilestone, toTask } from "./life-ceo.schemas";

/**
 * Serializes one dancer's milestone and task creations for the rest of the transaction (the
 * first statement of a `db.batch`), so the next statement's snapshot sees every row a previous
 * creator committed: positions are appended without ties and a goal's limit of milestones holds.
 */
const itemsLock = (userId: number) => sql`SELECT pg_advisory_xact_lock(hashtextextended('life_ceo_items:' || ${userId}::int, 0))`;

const intArray = (ids: number[]) => sql`ARRAY[${sql.join(ids.map((id) => sql`${id}::int`), sql`, `)}]::int[]`;

/** A goal deleted between the lock and the insert: its foreign key refuses the row; that is the 404 a later request would get. */
function goalGone(error: unknown): never {
  if (pgError(error)?.code === PG.foreignKeyViolation) throw notFound("goal");
  throw error;
}

const milestoneColumns = (m: SQL) =>
  sql`${m}.id, ${m}.goal_id, ${m}.title, ${m}.due_date::text AS due_date, ${m}.position, ${m}.completed_at, ${m}.created_at, ${m}.updated_at`;

const taskColumns = (t: SQL) =>
  sql`${t}.id, ${t}.goal_id, ${t}.domain_id, ${t}.title, ${t}.notes, ${t}.due_date::text AS due_date, ${t}.priority, ${t}.position,
    ${t}.completed_at, ${t}.recommendation_id, ${t}.created_at, ${t}.updated_at`;

/** `completed_at` after an edit's `done`: kept when absent or unchanged, now when newly done, cleared when undone. */
const completedAfter = (done: boolean | undefined, column: SQL) =>
  done === undefined ? column : done ? sql`coalesce(${column}, ${NOW_UTC})` : sql`NULL`;

const PositionCursor = z.tuple([z.number().int().min(0).max(INT4_MAX), z.number().int().min(1).max(INT4_MAX)]);

/**
 * Adds a milestone at the end of one of the caller's goals, in one round trip (the caller's
 * items lock, then one statement that locks the goal against a delete): not theirs or gone,
 * 404; at most {@link LIFE_CEO_LIMITS.milestones} per goal, 409 `milestone_limit_reached`.
 */
export async function createMilestone(ctx: ActorCtx, goalId: number, input: CreateMilestoneInput): Promise<Milestone> {
  const { db, actor } = ctx;
  const [, result] = await db
    .batch([
      db.execute(itemsLock(actor.id)),
      db.execute<Partial<MilestoneRow> & { found: boolean; room: boolean }>(sql`
        WITH goal AS (SELECT g.id FROM life_ceo_goals g WHERE g.id = ${goalId} AND g.user_id = ${actor.id} FOR KEY SHARE),
        room AS (
          SELECT count(*) < ${LIFE_CEO_LIMITS.milestones} AS ok, coalesce(max(m.position) + 1, 0) AS next
          FROM life_ceo_milestones m WHERE m.goal_id = ${goalId}
        ),
        created AS (
          INSERT INTO life_ceo_milestones (goal_id, user_id, title, due_date, position)
          SELECT goal.id, ${actor.id}, ${input.title}, ${input.dueDate ?? null}::date, room.next FROM goal, room WHERE room.ok
          RETURNING *
        )
        SELECT EXISTS (SELECT 1 FROM goal) AS found, room.ok AS room, ${milestoneColumns(sql`c`)}
        FROM room LEFT JOIN created c ON true`),
    ])
    .catch(goalGone);
  const row = result.rows[0]!;
  if (!row.found) throw notFound("goal");
  if (!row.room) throw conflict("milestone_limit_reached", `A goal has at most ${LIFE_CEO_LIMITS.milestones} milestones.`);
  ctx.logger.info("life ceo milestone created", { code: "life_ceo_milestone_created", goalId, milestoneId: Number(row.id) });
  return toMilestone(row as MilestoneRow);
}

/** A goal's milestones in their order (position, then id), by keyset; not the caller's goal: 404. */
export async function listMilestones({ db, actor }: ActorCtx, goalId: number, input: PageRequest): Promise<Page<Milestone>> {
  let found = false;
  const page = await sortedPage(input, { by: [sql`m.position`, sql`m.id`], direction: "asc", cursor: PositionCursor }, async (keyset) => {
    const { rows } = await db.execute<Partial<MilestoneRow> & { found: boolean }>(sql`
      SELECT goal.id IS NOT NULL AS found, page.*
      FROM (SELECT 1) one
      LEFT JOIN (SELECT g.id FROM life_ceo_goals g WHERE g.id = ${goalId} AND g.user_id = ${actor.id}) goal ON true
      LEFT JOIN LATERAL (
        SELECT ${milestoneColumns(sql`m`)} FROM life_ceo_milestones m
        WHERE m.goal_id = goal.id AND ${keyset.after} ORDER BY ${keyset.order} LIMIT ${keyset.limit}
      ) page ON true
      ORDER BY page.position, page.id`);
    found = rows[0]?.found ?? false;
    return rows.filter((row) => row.id !== null && row.id !== undefined) as MilestoneRow[];
  }, { item: toMilestone, key: (row) => [Number(row.position), Number(row.id)] as z.infer<typeof PositionCursor> });
  if (!found) throw notFound("goal");
  return page;
}

/** Edits one of the caller's milestones in one UPDATE (`done` sets or clears `completedAt`); not theirs: 404. */
export async function updateMilestone(ctx: ActorCtx, milestoneId: number, changes: UpdateMilestoneInput): Promise<Milestone> {
  const set = [
    changes.title === undefined ? null : sql`title = ${changes.title}`,
    changes.dueDate === undefined ? null : sql`due_date = ${changes.dueDate}::date`,
    sql`completed_at = ${completedAfter(changes.done, sql`m.completed_at`)}`,
    sql`updated_at = ${NOW_UTC}`,
  ].filter((part): part is SQL => part !== null);
  const { rows } = await ctx.db.execute<MilestoneRow>(sql`
    UPDATE life_ceo_milestones m SET ${sql.join(set, sql`, `)}
    WHERE m.id = ${milestoneId} AND m.user_id = ${ctx.actor.id}
    RETURNING ${milestoneColumns(sql`m`)}`);
  if (!rows[0]) throw notFound("milestone");
  ctx.logger.info("life ceo milestone edited", { code: "life_ceo_milestone_edited", milestoneId, done: changes.done ?? null });
  return toMilestone(rows[0]);
}

export async function deleteMilestone(ctx: ActorCtx, milestoneId: number): Promise<void> {
  const { rows } = await ctx.db.execute(sql`
    DELETE FROM life_ceo_milestones m WHERE m.id = ${milestoneId} AND m.user_id = ${ctx.actor.id} RETURNING m.id`);
  if (!rows[0]) throw notFound("milestone");
  ctx.logger.info("life ceo milestone deleted", { code: "life_ceo_milestone_deleted", milestoneId });
}

export const orderMismatch = () =>
  conflict("order_mismatch", "Give every item of the list exactly once: the ids differ from what it holds now.");

/**
 * Puts items in the order of `ids`, in one statement: the scope (`scope`, a CTE body selecting
 * the ids of the items being ordered, locked) compared with the ids given, and every position
 * rewritten (0, 1, ...) only when they are exactly the same set. `found` is false when the
 * goal (`owner`, a condition) is not the caller's.
 */
async function reorder<Row>(ctx: ActorCtx, table: "life_ceo_milestones" | "life_ceo_tasks", owner: SQL, scope: SQL, ids: number[], columns: (r: SQL) => SQL) {
  const { rows } = await ctx.db.execute<Row & { found: boolean; ok: boolean }>(sql`
    WITH owner AS (SELECT ${owner} AS found),
    current AS (${scope} FOR NO KEY UPDATE),
    given AS (SELECT x.id, x.ord FROM unnest(${intArray(ids)}) WITH ORDINALITY AS x(id, ord)),
    verdict AS (
      SELECT (SELECT found FROM owner)
        AND (SELECT count(DISTINCT id) FROM given) = ${ids.length}
        AND (SELECT count(*) FROM current) = ${ids.length}
        AND NOT EXISTS (SELECT 1 FROM given WHERE id NOT IN (SELECT id FROM current)) AS ok
    ),
    updated AS (
      UPDATE ${sql.identifier(table)} r SET position = given.ord - 1, updated_at = ${NOW_UTC}
      FROM given, verdict WHERE r.id = given.id AND verdict.ok AND r.id IN (SELECT id FROM current)
      RETURNING r.*
    )
    SELECT (SELECT found FROM owner) AS found, verdict.ok, ${columns(sql`u`)}
    FROM verdict LEFT JOIN updated u ON true
    ORDER BY u.position, u.id`);
  if (!rows[0]?.found) return null;
  if (!rows[0].ok) throw orderMismatch();
  return rows;
}

/** Reorders a goal's milestones (`ids`: all of them, each once); 404 not the caller's goal, 409 `order_mismatch`. */
export async function orderMilestones(ctx: ActorCtx, goalId: number, ids: number[]): Promise<Milestone[]> {
  const owned = sql`EXISTS (SELECT 1 FROM life_ceo_goals g WHERE g.id = ${goalId} AND g.user_id = ${ctx.actor.id})`;
  const rows = await reorder<MilestoneRow>(
    ctx,
    "life_ceo_milestones",
    owned,
    sql`SELECT m.id FROM life_ceo_milestones m WHERE m.goal_id = ${goalId} AND m.user_id = ${ctx.actor.id}`,
    ids,
    milestoneColumns,
  );
  if (!rows) throw notFound("goal");
  ctx.logger.info("life ceo milestones ordered", { code: "life_ceo_milestones_ordered", goalId, count: ids.length });
  return rows.map(toMilestone);
}

/**
 * Adds a task at the end of its list (the goal's, or the domain's tasks outside goals), in one
 * round trip (the items lock, then one statement): a goal's task takes the goal's domain; a
 * goal not the caller's is 404, an unknown domain 400 `unknown_domain`.
 */
export async function createTask(ctx: ActorCtx, input: CreateTaskInput): Promise<Task> {
  const { db, actor } = ctx;
  const goalId = input.goalId ?? null;
  const domainId = input.domainId ?? null;
  const [, result] = await db
    .batch([
      db.execute(itemsLock(actor.id)),
      db.execute<Partial<TaskRow> & { found: boolean }>(sql`
        WITH home AS (
          ${goalId !== null
            ? sql`SELECT g.id AS goal_id, g.domain_id FROM life_ceo_goals g WHERE g.id = ${goalId} AND g.user_id = ${actor.id} FOR KEY SHARE`
            : sql`SELECT NULL::int AS goal_id, d.id AS domain_id FROM life_ceo_domains d WHERE d.id = ${domainId}`}
        ),
        next AS (
          SELECT coalesce(max(t.position) + 1, 0) AS position FROM life_ceo_tasks t
          WHERE ${goalId !== null ? sql`t.goal_id = ${goalId}` : sql`t.user_id = ${actor.id} AND t.domain_id = ${domainId} AND t.goal_id IS NULL`}
        ),
        created AS (
          INSERT INTO life_ceo_tasks (user_id, goal_id, domain_id, title, notes, due_date, priority, position)
          SELECT ${actor.id}, home.goal_id, home.domain_id, ${input.title}, ${input.notes ?? null}, ${input.dueDate ?? null}::date, ${input.priority}, next.position
          FROM home, next
          RETURNING *
        )
        SELECT EXISTS (SELECT 1 FROM home) AS found, ${taskColumns(sql`c`)} FROM (SELECT 1) one LEFT JOIN created c ON true`),
    ])
    .catch(goalGone);
  const row = result.rows[0]!;
  if (!row.found) throw goalId !== null ? notFound("goal") : unknownDomain();
  ctx.logger.info("life ceo task created", { code: "life_ceo_task_created", taskId: Number(row.id), goalId });
  return toTask(row as TaskRow);
}

/** The caller's tasks in list order (position, then id), by keyset, filtered by goal, domain and done. */
export async function listTasks(
  { db, actor }: ActorCtx,
  input: PageRequest & { goalId?: number; domainId?: number; done?: boolean },
): Promise<Page<Task>> {
  const filters = [
    input.goalId === undefined ? sql`true` : sql`t.goal_id = ${input.goalId}`,
    input.domainId === undefined ? sql`true` : sql`t.domain_id = ${input.domainId}`,
    input.done === undefined ? sql`true` : input.done ? sql`t.completed_at IS NOT NULL` : sql`t.completed_at IS NULL`,
  ];
  return sortedPage(input, { by: [sql`t.position`, sql`t.id`], direction: "asc", cursor: PositionCursor }, async (keyset) => {
    const { rows } = await db.execute<TaskRow>(sql`
      SELECT ${taskColumns(sql`t`)} FROM life_ceo_tasks t
      WHERE t.user_id = ${actor.id} AND ${sql.join(filters, sql` AND `)} AND ${keyset.after}
      ORDER BY ${keyset.order} LIMIT ${keyset.limit}`);
    return rows;
  }, { item: toTask, key: (row) => [Number(row.position), Number(row.id)] as z.infer<typeof PositionCursor> });
}

/** Edits one of the caller's tasks in one UPDATE (`done` sets or clears `completedAt`); not theirs: 404. */
export async function updateTask(ctx: ActorCtx, taskId: number, changes: UpdateTaskInput): Promise<Task> {
  const set = [
    changes.title === undefined ? null : sql`title = ${changes.title}`,
    changes.notes === undefined ? null : sql`notes = ${changes.notes}`,
    changes.dueDate === undefined ? null : sql`due_date = ${changes.dueDate}::date`,
    changes.priority === undefined ? null : sql`priority = ${changes.priority}`,
    sql`completed_at = ${completedAfter(changes.done, sql`t.completed_at`)}`,
    sql`updated_at = ${NOW_UTC}`,
  ].filter((part): part is SQL => part !== null);
  const { rows } = await ctx.db.execute<TaskRow>(sql`
    UPDATE life_ceo_tasks t SET ${sql.join(set, sql`, `)}
    WHERE t.id = ${taskId} AND t.user_id = ${ctx.actor.id}
    RETURNING ${taskColumns(sql`t`)}`);
  if (!rows[0]) throw notFound("task");
  ctx.logger.info("life ceo task edited", { code: "life_ceo_task_edited", taskId, done: changes.done ?? null });
  return toTask(rows[0]);
}

export async function deleteTask(ctx: ActorCtx, taskId: number): Promise<void> {
  const { rows } = await ctx.db.execute(sql`DELETE FROM life_ceo_tasks t WHERE t.id = ${taskId} AND t.user_id = ${ctx.actor.id} RETURNING t.id`);
  if (!rows[0]) throw notFound("task");
  ctx.logger.info("life ceo task deleted", { code: "life_ceo_task_deleted", taskId });
}

/**
 * Reorders a goal's tasks, or a domain's tasks outside goals (`ids`: all of them, each once);
 * a goal not the caller's, or an unknown domain, is 404; other ids 409 `order_mismatch`.
 */
export async function orderTasks(ctx: ActorCtx, input: TaskOrderInput): Promise<Task[]> {
  const me = ctx.actor.id;
  const byGoal = input.goalId !== undefined;
  const owner = byGoal
    ? sql`EXISTS (SELECT 1 FROM life_ceo_goals g WHERE g.id = ${input.goalId} AND g.user_id = ${me})`
    : sql`EXISTS (SELECT 1 FROM life_ceo_domains d WHERE d.id = ${input.domainId})`;
  const scope = byGoal
    ? sql`SELECT t.id FROM life_ceo_tasks t WHERE t.goal_id = ${input.goalId} AND t.user_id = ${me}`
    : sql`SELECT t.id FROM life_ceo_tasks t WHERE t.user_id = ${me} AND t.domain_id = ${input.domainId} AND t.goal_id IS NULL`;
  const rows = await reorder<TaskRow>(ctx, "life_ceo_tasks", owner, scope, input.ids, taskColumns);
  if (!rows) throw byGoal ? notFound("goal") : notFound("domain");
  ctx.logger.info("life ceo tasks ordered", { code: "life_ceo_tasks_ordered", count: input.ids.length });
  return rows.map(toTask);
}

const AgendaCursor = z.tuple([z.iso.date(), z.number().int().min(0).max(1), z.number().int().min(1).max(INT4_MAX)]);

type AgendaRow = {
  kind: "task" | "milestone";
  id: number | string;
  goal_id: number | string | null;
  domain_id: number | string | null;
  title: string;
  due_date: string;
  rank: number | string;
  done: boolean;
  overdue: boolean;
};

const toAgendaItem = (row: AgendaRow): AgendaItem => ({
  kind: row.kind,
  id: Number(row.id),
  goalId: row.goal_id === null ? null : Number(row.goal_id),
  domainId: row.domain_id === null ? null : Number(row.domain_id),
  title: row.title,
  dueDate: row.due_date,
  done: row.done,
  overdue: row.overdue,
});

/**
 * The caller's day: milestones and tasks due on `date` (done or not) and the overdue ones (due
 * before it, not done), oldest first (due date, milestones before tasks, id), by keyset, in one
 * statement.
 */
export async function agenda({ db, actor }: ActorCtx, input: PageRequest & { date: string }): Promise<Page<AgendaItem>> {
  const day = sql`${input.date}::date`;
  const due = (x: SQL) => sql`${x}.user_id = ${actor.id} AND (${x}.due_date = ${day} OR (${x}.due_date < ${day} AND ${x}.completed_at IS NULL))`;
  return sortedPage(input, { by: [sql`a.due_date`, sql`a.rank`, sql`a.id`], direction: "asc", cursor: AgendaCursor }, async (keyset) => {
    const { rows } = await db.execute<AgendaRow>(sql`
      SELECT a.kind, a.id, a.goal_id, a.domain_id, a.title, a.due_date::text AS due_date, a.rank, a.done, a.overdue FROM (
        SELECT 'milestone' AS kind, 0 AS rank, m.id, m.goal_id, g.domain_id, m.title, m.due_date,
               m.completed_at IS NOT NULL AS done, m.due_date < ${day} AS overdue
        FROM life_ceo_milestones m JOIN life_ceo_goals g ON g.id = m.goal_id WHERE ${due(sql`m`)}
        UNION ALL
        SELECT 'task', 1, t.id, t.goal_id, t.domain_id, t.title, t.due_date, t.completed_at IS NOT NULL, t.due_date < ${day}
        FROM life_ceo_tasks t WHERE ${due(sql`t`)}
      ) a
      WHERE ${keyset.after}
      ORDER BY ${keyset.order} LIMIT ${keyset.limit}`);
    return rows;
  }, { item: toAgendaItem, key: (row) => [row.due_date, Number(row.rank), Number(row.id)] as z.infer<typeof AgendaCursor> });
}
