import { type SQL, sql } from "drizzle-orm";
import { z } from "@hono/zod-openapi";
import type { ActorCtx, Ctx } from "../../lib/context";
import { AppError, conflict, notFound } from "../../lib/errors";
import { type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { INT4_MAX } from "../../lib/text";
import { type CreateGoalInput, LIFE_CEO_LIMITS, type UpdateGoalInput } from "./life-ceo.input";
import { type Domain, type Goal, type GoalRow, toGoal } from "./life-ceo.schemas";

/** The time the `timestamp` (UTC) columns hold, for the rows a statement writes. */
export const NOW_UTC = sql`timezone('UTC', now())`;

/**
 * The status moves a goal may make (any other is 409 `illegal_status_move`; staying put is no
 * move): active and paused go anywhere; a completed or abandoned goal is closed and only
 * reopens (back to active), so a finished goal is never quietly abandoned or the reverse.
 */
export const GOAL_MOVES = [
  ["active", "paused"],
  ["active", "completed"],
  ["active", "abandoned"],
  ["paused", "active"],
  ["paused", "completed"],
  ["paused", "abandoned"],
  ["completed", "active"],
  ["abandoned", "active"],
] as const;

const legalMove = (from: SQL, to: SQL) =>
  sql`(${from}, ${to}) IN (${sql.join(GOAL_MOVES.map(([a, b]) => sql`(${a}::varchar, ${b}::varchar)`), sql`, `)})`;

/**
 * The counts a goal's progress comes from, as a LATERAL subquery over the goal row `g`: its
 * milestones, its tasks and how many of them are done. Read in the same statement as the goal,
 * so a read never mixes a goal with counts of another moment.
 */
export function goalCounts(g: SQL): SQL {
  return sql`LATERAL (SELECT
      (SELECT count(*) FROM life_ceo_milestones m WHERE m.goal_id = ${g}.id)::int AS milestone_count,
      (SELECT count(*) FROM life_ceo_tasks t WHERE t.goal_id = ${g}.id)::int AS task_count,
      ((SELECT count(*) FROM life_ceo_milestones m WHERE m.goal_id = ${g}.id AND m.completed_at IS NOT NULL)
        + (SELECT count(*) FROM life_ceo_tasks t WHERE t.goal_id = ${g}.id AND t.completed_at IS NOT NULL))::int AS done_count)`;
}

/**
 * A goal's progress: done / total of its milestones and tasks, rounded, when it has any; else
 * the value set by hand. `c` is the {@link goalCounts} row.
 */
export function goalProgress(g: SQL, c: SQL): { progress: SQL; source: SQL } {
  const derived = sql`${c}.milestone_count + ${c}.task_count > 0`;
  return {
    progress: sql`CASE WHEN ${derived} THEN round(100.0 * ${c}.done_count / (${c}.milestone_count + ${c}.task_count))::int ELSE ${g}.progress END`,
    source: sql`CASE WHEN ${derived} THEN 'milestones' ELSE 'manual' END`,
  };
}

/** The select list of a {@link GoalRow} for a goal row `g` and its {@link goalCounts} row `c`. */
export function goalColumns(g: SQL, c: SQL): SQL {
  const { progress, source } = goalProgress(g, c);
  return sql`${g}.id, ${g}.title, ${g}.description, ${g}.domain_id, ${g}.target_date::date::text AS target_date,
    ${g}.priority, ${g}.status, ${progress} AS progress, ${source} AS progress_source,
    ${c}.milestone_count, ${c}.task_count, ${c}.done_count, ${g}.created_at, ${g}.updated_at, ${g}.completed_at`;
}

/** "The domain `domainId` is known" (true when none is given). */
const domainKnown = (domainId: number | null | undefined) =>
  domainId == null ? sql`true` : sql`EXISTS (SELECT 1 FROM life_ceo_domains d WHERE d.id = ${domainId})`;

export const unknownDomain = () =>
  new AppError(400, "unknown_domain", "No such Life CEO domain: use an id from GET /api/life-ceo/domains.", {
    errors: [{ path: "body.domainId", message: "Unknown domain" }],
  });

/** The 16 domains, in their id order. */
export async function listDomains({ db }: Ctx): Promise<Domain[]> {
  const { rows } = await db.execute<{ id: number; name: string; agent_id: string; description: string | null; icon: string | null; color: string | null }>(
    sql`SELECT id, name, agent_id, description, icon, color FROM life_ceo_domains ORDER BY id`,
  );
  return rows.map((r) => ({ id: Number(r.id), name: r.name, agentId: r.agent_id, description: r.description, icon: r.icon, color: r.color }));
}

/**
 * Serializes one dancer's goal creations for the rest of the transaction: the first statement
 * of a `db.batch`, so the next statement's snapshot (read committed) is taken after the lock
 * and counts every goal the previous creator committed; the limit holds under racing creates.
 */
const goalsLock = (userId: number) => sql`SELECT pg_advisory_xact_lock(hashtextextended('life_ceo_goals:' || ${userId}::int, 0))`;

type CreateRow = Partial<GoalRow> & { domain_ok: boolean; room: boolean };

/**
 * Creates a goal for the caller, in one round trip (a batch: the caller's goals lock, then one
 * statement): the domain checked (400 `unknown_domain`), the limit of goals (409
 * `goal_limit_reached`), `completedAt` set when it starts completed.
 */
export async function createGoal(ctx: ActorCtx, input: CreateGoalInput): Promise<Goal> {
  const { db, actor } = ctx;
  const [, result] = await db.batch([
    db.execute(goalsLock(actor.id)),
    db.execute<CreateRow>(sql`
      WITH checks AS (
        SELECT ${domainKnown(input.domainId)} AS domain_ok,
               (SELECT count(*) FROM life_ceo_goals g WHERE g.user_id = ${actor.id}) < ${LIFE_CEO_LIMITS.goals} AS room
      ),
      created AS (
        INSERT INTO life_ceo_goals (user_id, title, description, domain_id, target_date, priority, status, progress, completed_at)
        SELECT ${actor.id}, ${input.title}, ${input.description ?? null}, ${input.domainId ?? null}::int, ${input.targetDate ?? null}::date,
               ${input.priority}, ${input.status}, ${input.progress}, CASE WHEN ${input.status}::varchar = 'completed' THEN ${NOW_UTC} END
        FROM checks WHERE domain_ok AND room
        RETURNING *
      )
      SELECT checks.domain_ok, checks.room, card.* FROM checks
      LEFT JOIN (SELECT ${goalColumns(sql`g`, sql`c`)} FROM created g CROSS JOIN ${goalCounts(sql`g`)} c) card ON true`),
  ]);
  const row = result.rows[0]!;
  if (!row.domain_ok) throw unknownDomain();
  if (!row.room) throw conflict("goal_limit_reached", `A dancer holds at most ${LIFE_CEO_LIMITS.goals} goals: delete one first.`);
  const goal = toGoal(row as GoalRow);
  ctx.logger.info("life ceo goal created", { code: "life_ceo_goal_created", goalId: goal.id });
  return goal;
}

/** One of the caller's goals, or 404 (another dancer's goal is not there). */
export async function getGoal({ db, actor }: ActorCtx, goalId: number): Promise<Goal> {
  const { rows } = await db.execute<GoalRow>(sql`
    SELECT ${goalColumns(sql`g`, sql`c`)} FROM life_ceo_goals g CROSS JOIN ${goalCounts(sql`g`)} c
    WHERE g.id = ${goalId} AND g.user_id = ${actor.id}`);
  if (!rows[0]) throw notFound("goal");
  return toGoal(rows[0]);
}

/** The fields of an edit, their columns and the SQL type their parameter is read as. */
const GOAL_COLUMNS = {
  title: { column: "title", type: "text" },
  description: { column: "description", type: "text" },
  domainId: { column: "domain_id", type: "int" },
  targetDate: { column: "target_date", type: "date" },
  priority: { column: "priority", type: "varchar" },
  progress: { column: "progress", type: "int" },
} as const;

type UpdateRow = Partial<GoalRow> & { found: boolean; broken: string | null; from_status: string | null };

const UPDATE_ERRORS: Record<string, () => AppError> = {
  unknown_domain: unknownDomain,
  illegal_status_move: () =>
    conflict("illegal_status_move", "A goal moves between active and paused, to completed or abandoned from either, and back to active from those."),
  progress_derived: () =>
    conflict("progress_derived", "This goal's progress comes from its milestones and tasks; mark them done instead of setting it."),
};

/**
 * Edits one of the caller's goals, in one statement: the row locked, the checks made on it
 * (a known domain, a legal status move, progress by hand only without milestones or tasks)
 * and the row written only when they pass, `completedAt` set by the move to completed and
 * cleared by a reopen in the same UPDATE; a new domain moves the goal's tasks with it. Two moves
 * at once take turns on the lock; the second is checked against what the first left.
 */
export async function updateGoal(ctx: ActorCtx, goalId: number, changes: UpdateGoalInput): Promise<Goal> {
  const { db, actor } = ctx;
  const fields = (Object.keys(GOAL_COLUMNS) as (keyof typeof GOAL_COLUMNS)[]).filter((field) => changes[field] !== undefined);
  const set = fields.map((field) => {
    const { column, type } = GOAL_COLUMNS[field];
    return sql`${sql.identifier(column)} = ${changes[field] ?? null}::${sql.raw(type)}`;
  });
  const status = changes.status ?? null;
  const { rows } = await db.execute<UpdateRow>(sql`
    WITH old AS (SELECT g.* FROM life_ceo_goals g WHERE g.id = ${goalId} AND g.user_id = ${actor.id} FOR NO KEY UPDATE),
    verdict AS (
      SELECT o.status AS from_status, CASE
        WHEN NOT ${domainKnown(changes.domainId)} THEN 'unknown_domain'
        WHEN ${status}::varchar IS NOT NULL AND ${status}::varchar <> o.status AND NOT ${legalMove(sql`o.status`, sql`${status}::varchar`)} THEN 'illegal_status_move'
        WHEN ${changes.progress ?? null}::int IS NOT NULL AND (EXISTS (SELECT 1 FROM life_ceo_milestones m WHERE m.goal_id = o.id)
          OR EXISTS (SELECT 1 FROM life_ceo_tasks t WHERE t.goal_id = o.id)) THEN 'progress_derived'
      END AS broken
      FROM old o
    ),
    updated AS (
      UPDATE life_ceo_goals g SET ${set.length ? sql`${sql.join(set, sql`, `)}, ` : sql``}
        status = coalesce(${status}::varchar, g.status),
        completed_at = CASE
          WHEN ${status}::varchar IS NULL OR ${status}::varchar = g.status THEN g.completed_at
          WHEN ${status}::varchar = 'completed' THEN ${NOW_UTC}
        END,
        updated_at = ${NOW_UTC}
      FROM verdict v WHERE g.id = ${goalId} AND v.broken IS NULL AND EXISTS (SELECT 1 FROM old)
      RETURNING g.*
    )${changes.domainId !== undefined ? sql`,
    moved AS (
      UPDATE life_ceo_tasks t SET domain_id = u.domain_id, updated_at = ${NOW_UTC}
      FROM updated u WHERE t.goal_id = u.id AND t.domain_id IS DISTINCT FROM u.domain_id
      RETURNING t.id
    )` : sql``}
    SELECT EXISTS (SELECT 1 FROM old) AS found, v.broken, v.from_status, card.*
    FROM (SELECT 1) one LEFT JOIN verdict v ON true
    LEFT JOIN (SELECT ${goalColumns(sql`g`, sql`c`)} FROM updated g CROSS JOIN ${goalCounts(sql`g`)} c) card ON true`);
  const row = rows[0]!;
  if (!row.found) throw notFound("goal");
  if (row.broken) throw UPDATE_ERRORS[row.broken]!();
  const goal = toGoal(row as GoalRow);
  ctx.logger.info("life ceo goal edited", { code: "life_ceo_goal_edited", goalId, fields: set.length, statusMoved: status !== null && status !== row.from_status });
  return goal;
}

/** Deletes one of the caller's goals with its milestones, tasks and recommendations (the foreign keys cascade); not theirs: 404. */
export async function deleteGoal(ctx: ActorCtx, goalId: number): Promise<void> {
  const { rows } = await ctx.db.execute<{ id: number }>(sql`
    DELETE FROM life_ceo_goals g WHERE g.id = ${goalId} AND g.user_id = ${ctx.actor.id} RETURNING g.id`);
  if (!rows[0]) throw notFound("goal");
  ctx.logger.info("life ceo goal deleted", { code: "life_ceo_goal_deleted", goalId });
}

const GoalCursor = z.tuple([z.number().int().min(1).max(INT4_MAX)]);

/** The caller's goals, newest first, by keyset over the id (on life_ceo_goals_owner_idx with a status). */
export async function listGoals(
  { db, actor }: ActorCtx,
  input: PageRequest & { status?: string; domainId?: number },
): Promise<Page<Goal>> {
  const filters = [
    input.status === undefined ? sql`true` : sql`g.status = ${input.status}`,
    input.domainId === undefined ? sql`true` : sql`g.domain_id = ${input.domainId}`,
  ];
  return sortedPage(input, { by: [sql`g.id`], direction: "desc", cursor: GoalCursor }, async (keyset) => {
    const { rows } = await db.execute<GoalRow>(sql`
      SELECT ${goalColumns(sql`g`, sql`c`)} FROM life_ceo_goals g CROSS JOIN ${goalCounts(sql`g`)} c
      WHERE g.user_id = ${actor.id} AND ${sql.join(filters, sql` AND `)} AND ${keyset.after}
      ORDER BY ${keyset.order} LIMIT ${keyset.limit}`);
    return rows;
  }, { item: toGoal, key: (row) => [Number(row.id)] as z.infer<typeof GoalCursor> });
}
