import { z } from "@hono/zod-openapi";
import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx } from "../../lib/context";
import type { Db } from "../../lib/db";
import { type Page, PgTimestampText, sortedPage } from "../../lib/pagination";
import { eventVisibleTo, managesEvent } from "../events";
import { groupVisibleTo, hasGroupRole } from "../groups";
import { notificationCtes } from "../notifications";
import { textArray } from "./profiles.service";
import { taskJson } from "./volunteers.cards";
import { organizesTask, PLATFORM_ADMIN_LEVEL, taskVisibleTo } from "./volunteers.conditions";
import { type CreateTaskInput, type TaskListInput, type UpdateTaskInput, VOLUNTEER_LIMITS } from "./volunteers.input";
import { nothingToChange, REFUSALS, refuseUnlessOk } from "./volunteers.policy";
import { type Task, toTask } from "./volunteers.schemas";

/** An instant as the tables keep it: a UTC `timestamp`. */
export const at = (instant: Date): SQL => sql`(${instant.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

/**
 * The first statement of every write to a task's seats, counts or status, or to its
 * applications, in the `db.batch` before the write: the task row locked (FOR NO KEY UPDATE) on
 * its own. Each statement of a batch reads what committed before it began, so the write after
 * the lock sees every change it waited for; a lock taken inside the write's own statement
 * would leave its other reads (the applications, the counters) at the snapshot from before the
 * wait. Writes thus queue per task, which also keeps them from waiting on each other in a circle.
 */
export function lockTask(db: Db, taskId: number | SQL) {
  return db.execute(sql`SELECT id FROM volunteer_tasks WHERE id = ${taskId} FOR NO KEY UPDATE`);
}

const MAX_TASK = `${VOLUNTEER_LIMITS.taskDays} days`;

type Row = { outcome: string; task: Record<string, unknown> | null };

/**
 * Posts a task, in one statement: for an event the caller organizes (404 for an event they may
 * not see, 403 `not_event_organizer` otherwise), for a group they are an active admin of (404
 * for a hidden group, 403 `not_group_admin`), or for neither; a platform admin (level 5 and
 * up) may post any of the three. The times are checked first: an end after the start, at most
 * {@link VOLUNTEER_LIMITS.taskDays} days, a start to come.
 */
export async function createTask(ctx: ActorCtx, input: CreateTaskInput): Promise<Task> {
  const { db, actor, now } = ctx;
  const me = actor.id;
  if (input.endsAt <= input.startsAt) throw REFUSALS.ends_before_start();
  if (input.endsAt.getTime() - input.startsAt.getTime() > VOLUNTEER_LIMITS.taskDays * 86_400_000) throw REFUSALS.task_too_long();
  if (input.startsAt <= now) throw REFUSALS.starts_in_past();
  const admin = actor.level >= PLATFORM_ADMIN_LEVEL;
  const eventId = input.eventId ?? null;
  const groupId = input.groupId ?? null;
  const { rows } = await db.execute<Row>(sql`
    WITH ev AS (SELECT e.id, ${managesEvent(me, sql`e`)} AS manages FROM events e WHERE e.id = ${eventId} AND ${eventVisibleTo(me, sql`e`)}),
    grp AS (SELECT g.id, ${hasGroupRole(me, sql`g.id`, ["admin"])} AS admin FROM groups g WHERE g.id = ${groupId} AND ${groupVisibleTo(me, sql`g`)}),
    verdict AS (
      SELECT CASE
        WHEN ${eventId}::int IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ev) THEN 'event_not_found'
        WHEN ${groupId}::int IS NOT NULL AND NOT EXISTS (SELECT 1 FROM grp) THEN 'group_not_found'
        WHEN ${admin}::boolean THEN 'ok'
        WHEN ${eventId}::int IS NOT NULL THEN CASE WHEN (SELECT manages FROM ev) THEN 'ok' ELSE 'not_event_organizer' END
        WHEN ${groupId}::int IS NOT NULL THEN CASE WHEN (SELECT admin FROM grp) THEN 'ok' ELSE 'not_group_admin' END
        ELSE 'not_allowed_to_post' END AS outcome
    ),
    inserted AS (
      INSERT INTO volunteer_tasks AS t (created_by, event_id, group_id, title, description, skills_needed, starts_at, ends_at,
        timezone, location, city, country, latitude, longitude, seats)
      SELECT ${me}, ${eventId}, ${groupId}, ${input.title}, ${input.description}, ${textArray(input.skillsNeeded)},
        ${at(input.startsAt)}, ${at(input.endsAt)}, ${input.timezone}, ${input.location}, ${input.city}, ${input.country},
        ${input.latitude}, ${input.longitude}, ${input.seats}
      FROM verdict WHERE outcome = 'ok'
      RETURNING t.*
    )
    SELECT verdict.outcome, (SELECT ${taskJson(sql`inserted`, me)} FROM inserted) AS task FROM verdict`);
  refuseUnlessOk(rows[0]!.outcome);
  return toTask(rows[0]!.task!);
}

/** A task the caller may see (404 otherwise). */
export async function getTask({ db, actor }: ActorCtx, input: { taskId: number }): Promise<Task> {
  const { rows } = await db.execute<{ task: Record<string, unknown> }>(sql`
    SELECT ${taskJson(sql`t`, actor.id)} AS task FROM volunteer_tasks t WHERE t.id = ${input.taskId} AND ${taskVisibleTo(actor.id, sql`t`)}`);
  if (!rows[0]) throw REFUSALS.not_found();
  return toTask(rows[0].task);
}

const StartCursor = z.tuple([PgTimestampText, z.number().int().min(1).max(2_147_483_647)]);

/**
 * Open tasks to come that the caller may see, soonest first, by cursor over `(starts_at, id)`
 * (volunteer_tasks_open_idx). Filters: the city (case ignored), a skill needed, the event.
 */
export function listTasks({ db, actor, now }: ActorCtx, input: TaskListInput): Promise<Page<Task>> {
  const filters: SQL[] = [sql`t.status = 'open'`, sql`t.starts_at > ${at(now)}`, taskVisibleTo(actor.id, sql`t`)];
  if (input.city !== undefined) filters.push(sql`lower(t.city) = lower(${input.city})`);
  if (input.skill !== undefined) filters.push(sql`t.skills_needed @> ARRAY[${input.skill}]::text[]`);
  if (input.eventId !== undefined) filters.push(sql`t.event_id = ${input.eventId}`);
  return sortedPage(
    input,
    { by: [sql`t.starts_at`, sql`t.id`], direction: "asc", cursor: StartCursor },
    async (keyset) =>
      (
        await db.execute<{ task: Record<string, unknown>; key: string; id: number }>(sql`
          SELECT ${taskJson(sql`t`, actor.id)} AS task, t.starts_at::text AS key, t.id
          FROM volunteer_tasks t WHERE ${sql.join(filters, sql` AND `)} AND ${keyset.after}
          ORDER BY ${keyset.order} LIMIT ${keyset.limit}`)
      ).rows,
    { item: (row) => toTask(row.task), key: (row) => [row.key, Number(row.id)] as [string, number] },
  );
}

/** The CTE `target`: the task as the caller may see it (locked by {@link lockTask} before), with `organizes`. */
function lockedTask(me: number, taskId: number): SQL {
  return sql`target AS (
      SELECT t.*, ${organizesTask(me, sql`t`)} AS organizes FROM volunteer_tasks t
      WHERE t.id = ${taskId} AND ${taskVisibleTo(me, sql`t`)}
    )`;
}

/**
 * An organizer edits a task, in one `db.batch` after {@link lockTask}: any subset of its fields, checked together on the task as the edit
 * would leave it (an end after the start, 400 `ends_before_start`; at most 7 days, 400
 * `task_too_long`; a new start to come, 400 `starts_in_past`; seats not under the seats taken,
 * 409 `seats_below_taken`). Only an open task takes edits (409 `task_not_open`).
 */
export async function updateTask({ db, actor, now }: ActorCtx, input: { taskId: number } & UpdateTaskInput): Promise<Task> {
  const me = actor.id;
  const given = (field: keyof UpdateTaskInput) => input[field] !== undefined;
  const value = (field: keyof UpdateTaskInput, column: string, bound: SQL) => (given(field) ? bound : sql.raw(`target.${column}`));
  const startsAt = value("startsAt", "starts_at", input.startsAt ? at(input.startsAt) : sql``);
  const endsAt = value("endsAt", "ends_at", input.endsAt ? at(input.endsAt) : sql``);
  const seats = value("seats", "seats", sql`${input.seats ?? null}::smallint`);
  const { taskId: _, ...fields } = input;
  const changes = Object.values(fields).some((v) => v !== undefined);
  const [, { rows }] = await db.batch([
    lockTask(db, input.taskId),
    db.execute<Row>(sql`
    WITH ${lockedTask(me, input.taskId)},
    verdict AS (
      SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM target) THEN 'not_found'
        WHEN NOT (SELECT organizes FROM target) THEN 'not_organizer'
        WHEN (SELECT status FROM target) <> 'open' THEN 'task_not_open'
        WHEN (SELECT ${endsAt} <= ${startsAt} FROM target) THEN 'ends_before_start'
        WHEN (SELECT ${endsAt} - ${startsAt} > ${MAX_TASK}::interval FROM target) THEN 'task_too_long'
        WHEN ${given("startsAt")}::boolean AND (SELECT ${startsAt} <= ${at(now)} FROM target) THEN 'starts_in_past'
        WHEN (SELECT ${seats} < seats_taken FROM target) THEN 'seats_below_taken'
        WHEN NOT ${changes}::boolean THEN 'nothing'
        ELSE 'ok' END AS outcome
    ),
    updated AS (
      UPDATE volunteer_tasks t SET
        title = ${value("title", "title", sql`${input.title ?? null}`)},
        description = ${value("description", "description", sql`${input.description ?? null}`)},
        skills_needed = ${input.skillsNeeded ? textArray(input.skillsNeeded) : sql`target.skills_needed`},
        starts_at = ${startsAt}, ends_at = ${endsAt},
        timezone = ${value("timezone", "timezone", sql`${input.timezone ?? null}`)},
        location = ${value("location", "location", sql`${input.location ?? null}`)},
        city = ${value("city", "city", sql`${input.city ?? null}`)},
        country = ${value("country", "country", sql`${input.country ?? null}`)},
        latitude = ${value("latitude", "latitude", sql`${input.latitude ?? null}::float8`)},
        longitude = ${value("longitude", "longitude", sql`${input.longitude ?? null}::float8`)},
        seats = ${seats}, updated_at = now()
      FROM target JOIN verdict ON verdict.outcome = 'ok' WHERE t.id = target.id
      RETURNING t.*
    )
    SELECT verdict.outcome, (SELECT ${taskJson(sql`updated`, me)} FROM updated) AS task FROM verdict`),
  ]);
  const outcome = rows[0]!.outcome;
  if (outcome === "nothing") throw nothingToChange();
  refuseUnlessOk(outcome);
  return toTask(rows[0]!.task!);
}

/**
 * An organizer cancels a task, in one `db.batch` after {@link lockTask} (so an accept that
 * landed first is among those told): it stays, `cancelled`, and its accepted (and
 * checked-in) volunteers are notified (`volunteer_task_cancelled`). Cancelling it again changes
 * nothing and tells no one twice; a completed task is 409 `task_not_open`.
 */
export async function cancelTask({ db, actor }: ActorCtx, input: { taskId: number }): Promise<Task> {
  const me = actor.id;
  const [, { rows }] = await db.batch([
    lockTask(db, input.taskId),
    db.execute<Row>(sql`
    WITH ${lockedTask(me, input.taskId)},
    verdict AS (
      SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM target) THEN 'not_found'
        WHEN NOT (SELECT organizes FROM target) THEN 'not_organizer'
        WHEN (SELECT status FROM target) = 'completed' THEN 'task_not_open'
        ELSE 'ok' END AS outcome
    ),
    cancelled AS (
      UPDATE volunteer_tasks t SET status = 'cancelled', updated_at = now()
      FROM target JOIN verdict ON verdict.outcome = 'ok' WHERE t.id = target.id AND target.status = 'open'
      RETURNING t.*
    ),
    ${notificationCtes({
      to: { from: sql`(SELECT v.user_id FROM cancelled c JOIN volunteer_assignments a ON a.task_id = c.id
        JOIN volunteers v ON v.id = a.volunteer_id WHERE a.status IN ('accepted', 'checked_in')) helpers` },
      type: "volunteer_task_cancelled",
      actorId: me,
      subjectType: "volunteer_task",
      subjectId: input.taskId,
      data: sql`(SELECT jsonb_build_object('taskId', c.id, 'taskTitle', c.title) FROM cancelled c)`,
    })},
    shown AS (SELECT * FROM cancelled UNION ALL SELECT t.* FROM volunteer_tasks t JOIN target ON t.id = target.id WHERE NOT EXISTS (SELECT 1 FROM cancelled))
    SELECT verdict.outcome, (SELECT ${taskJson(sql`shown`, me)} FROM shown) AS task FROM verdict`),
  ]);
  refuseUnlessOk(rows[0]!.outcome);
  return toTask(rows[0]!.task!);
}
