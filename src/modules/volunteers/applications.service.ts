import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx } from "../../lib/context";
import { PG, pgError } from "../../lib/db";
import { keysetPage, type Page, type PageRequest } from "../../lib/pagination";
import { type NotificationType, notificationCtes } from "../notifications";
import { at, lockTask } from "./tasks.service";
import { applicationJson } from "./volunteers.cards";
import { organizesTask, taskVisibleTo } from "./volunteers.conditions";
import { CHECK_IN_OPENS_MINUTES, REFUSALS, refuseUnlessOk } from "./volunteers.policy";
import { type Application, toApplication } from "./volunteers.schemas";

/*
 * Every write here is one `db.batch` (one round trip, one transaction): the task row locked
 * first on its own (tasks.service.ts `lockTask`), then one statement that decides on the rows
 * as they are after any change it waited for and moves the status, the task's counters and the
 * volunteer's in the same statement. Locks are taken in one order everywhere (the task, then
 * the application, then the volunteer's row), so no two writes wait on each other in a circle.
 */

type Row = { outcome: string; application: Record<string, unknown> | null };

const taskData = (task: SQL) => sql`(SELECT jsonb_build_object('taskId', tk.id, 'taskTitle', tk.title) FROM ${task} tk)`;

/**
 * A volunteer applies to a task, once, in one batch: 404 for a task they may not see, 409
 * `no_volunteer_profile` without a profile, 403 for its organizers, 409 `task_not_open` /
 * `task_started`, 409 `already_applied` for a second application (also when two arrive at
 * once). A withdrawn application may be made again. The task's pending count moves with it,
 * and its creator is notified (`volunteer_application`).
 */
export async function apply({ db, actor, now }: ActorCtx, input: { taskId: number; message?: string }): Promise<Application> {
  const me = actor.id;
  try {
    const [, { rows }] = await db.batch([
      lockTask(db, input.taskId),
      db.execute<Row>(sql`
      WITH task AS (
        SELECT t.*, ${organizesTask(me, sql`t`)} AS organizes FROM volunteer_tasks t
        WHERE t.id = ${input.taskId} AND ${taskVisibleTo(me, sql`t`)}
      ),
      vol AS (SELECT v.id FROM volunteers v WHERE v.user_id = ${me}),
      verdict AS (
        SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM task) THEN 'not_found'
          WHEN NOT EXISTS (SELECT 1 FROM vol) THEN 'no_profile'
          WHEN (SELECT organizes FROM task) THEN 'organizer_cannot_apply'
          WHEN (SELECT status FROM task) <> 'open' THEN 'task_not_open'
          WHEN (SELECT starts_at FROM task) <= ${at(now)} THEN 'task_started'
          ELSE 'ok' END AS outcome
      ),
      applied AS (
        INSERT INTO volunteer_assignments AS a (task_id, volunteer_id, message)
        SELECT task.id, vol.id, ${input.message || null}::text FROM task, vol, verdict WHERE verdict.outcome = 'ok'
        ON CONFLICT (task_id, volunteer_id) DO UPDATE SET status = 'applied', message = excluded.message, responded_at = NULL,
          checked_in_at = NULL, minutes_logged = NULL, created_at = now(), updated_at = now()
        WHERE a.status = 'withdrawn'
        RETURNING a.*
      ),
      counted AS (UPDATE volunteer_tasks t SET application_count = t.application_count + 1 FROM applied WHERE t.id = applied.task_id),
      ${notificationCtes({
        to: { from: sql`(SELECT task.created_by AS user_id FROM task JOIN applied ON true) creator` },
        type: "volunteer_application",
        actorId: me,
        subjectType: "volunteer_task",
        subjectId: input.taskId,
        data: taskData(sql`task`),
      })}
      SELECT verdict.outcome, (SELECT ${applicationJson(sql`c`, sql`t`, sql`v`, sql`u`)} FROM applied c JOIN task t ON true
        JOIN volunteers v ON v.id = c.volunteer_id JOIN users u ON u.id = v.user_id) AS application
      FROM verdict`),
    ]);
    refuseUnlessOk(rows[0]!.outcome);
    if (!rows[0]!.application) throw REFUSALS.already_applied();
    return toApplication(rows[0]!.application);
  } catch (error) {
    // The profile deleted while the application was being written.
    if (pgError(error)?.code === PG.foreignKeyViolation) throw REFUSALS.no_profile();
    throw error;
  }
}

/**
 * The CTEs of a change to one application: `task` (with `organizes`) and `app` (its row locked,
 * with `mine`: the caller is its volunteer), as the caller may see it (its volunteer or the
 * task's organizers; 404 for anyone else).
 */
function lockedApplication(me: number, where: SQL): SQL {
  return sql`found AS (SELECT a.id, a.task_id FROM volunteer_assignments a JOIN volunteers v ON v.id = a.volunteer_id WHERE ${where}),
    task AS (
      SELECT t.*, ${organizesTask(me, sql`t`)} AS organizes FROM volunteer_tasks t WHERE t.id = (SELECT task_id FROM found)
    ),
    app AS (
      SELECT a.*, v.user_id = ${me} AS mine, task.organizes
      FROM volunteer_assignments a JOIN task ON task.id = a.task_id JOIN volunteers v ON v.id = a.volunteer_id
      WHERE a.id = (SELECT id FROM found) AND (task.organizes OR v.user_id = ${me})
      FOR UPDATE OF a
    )`;
}

interface Transition {
  /** The refusals in order, as `WHEN ... THEN 'outcome'` lines reading `app` and `task`. */
  refusals: SQL;
  /** The application's new columns. */
  set: SQL;
  /** The task's counters as they move (`seats_taken = t.seats_taken + 1`), if they do. */
  task?: SQL;
  /** The volunteer's counters as they move, if they do. */
  volunteer?: SQL;
  /** Who is told: the application's volunteer. */
  notify?: NotificationType;
}

/** Runs one change of an application's status with what moves with it, in one batch after its task's lock. */
async function transition(ctx: ActorCtx, where: SQL, change: Transition): Promise<Application> {
  const me = ctx.actor.id;
  const { db } = ctx;
  const taskId = sql`(SELECT a.task_id FROM volunteer_assignments a JOIN volunteers v ON v.id = a.volunteer_id WHERE ${where})`;
  const [, { rows }] = await db.batch([
    lockTask(db, taskId),
    db.execute<Row>(sql`
    WITH ${lockedApplication(me, where)},
    verdict AS (
      SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM app) THEN 'application_not_found' ${change.refusals} ELSE 'ok' END AS outcome
    ),
    changed AS (
      UPDATE volunteer_assignments a SET ${change.set}, updated_at = now()
      FROM app JOIN verdict ON verdict.outcome = 'ok' WHERE a.id = app.id
      RETURNING a.*
    ),
    ${change.task ? sql`task_moved AS (UPDATE volunteer_tasks t SET ${change.task} FROM changed WHERE t.id = changed.task_id),` : sql``}
    ${change.volunteer ? sql`volunteer_moved AS (UPDATE volunteers v SET ${change.volunteer} FROM changed WHERE v.id = changed.volunteer_id),` : sql``}
    ${
      change.notify
        ? sql`${notificationCtes({
            to: { from: sql`(SELECT v.user_id FROM changed c JOIN volunteers v ON v.id = c.volunteer_id) helper` },
            type: change.notify,
            actorId: me,
            subjectType: "volunteer_task",
            subjectId: sql`(SELECT id FROM task)`,
            data: taskData(sql`task`),
          })},`
        : sql``
    }
    shown AS (SELECT ${applicationJson(sql`c`, sql`t`, sql`v`, sql`u`)} AS application
      FROM changed c JOIN task t ON true JOIN volunteers v ON v.id = c.volunteer_id JOIN users u ON u.id = v.user_id)
    SELECT verdict.outcome, (SELECT application FROM shown) AS application FROM verdict`),
  ]);
  refuseUnlessOk(rows[0]!.outcome);
  return toApplication(rows[0]!.application!);
}

const byId = (id: number) => sql`a.id = ${id}`;

/** What an application gives back when it ends early: its seat if it was accepted, else its place among the pending. */
const releaseHeld = sql`seats_taken = t.seats_taken - (CASE WHEN (SELECT status FROM app) = 'accepted' THEN 1 ELSE 0 END),
  application_count = t.application_count - (CASE WHEN (SELECT status FROM app) = 'applied' THEN 1 ELSE 0 END), updated_at = now()`;

/** The organizer refusals every organizer action starts with: the volunteer is 403, then the task must be open. */
const organizerOnly = sql`WHEN NOT (SELECT organizes FROM app) THEN 'not_organizer'`;
const openTask = sql`WHEN (SELECT status FROM task) <> 'open' THEN 'task_not_open'`;

/**
 * An organizer accepts an application, taking a seat in the same guarded UPDATE of the task:
 * when every seat is taken, 409 `task_full`, so however many accepts arrive at once the task
 * never holds more than its seats. The volunteer is notified (`volunteer_accepted`).
 */
export function accept(ctx: ActorCtx, input: { applicationId: number }): Promise<Application> {
  return transition(ctx, byId(input.applicationId), {
    refusals: sql`${organizerOnly} ${openTask}
      WHEN (SELECT ends_at FROM task) <= ${at(ctx.now)} THEN 'task_ended'
      WHEN (SELECT status FROM app) <> 'applied' THEN 'wrong_status'
      WHEN (SELECT seats_taken >= seats FROM task) THEN 'task_full'`,
    set: sql`status = 'accepted', responded_at = now()`,
    task: sql`seats_taken = t.seats_taken + 1, application_count = t.application_count - 1, updated_at = now()`,
    notify: "volunteer_accepted",
  });
}

/**
 * An organizer declines an application, pending or accepted (an accepted one gives its seat
 * back). The volunteer is notified (`volunteer_declined`).
 */
export function decline(ctx: ActorCtx, input: { applicationId: number }): Promise<Application> {
  return transition(ctx, byId(input.applicationId), {
    refusals: sql`${organizerOnly} ${openTask}
      WHEN (SELECT status FROM app) NOT IN ('applied', 'accepted') THEN 'wrong_status'`,
    set: sql`status = 'declined', responded_at = now()`,
    task: releaseHeld,
    notify: "volunteer_declined",
  });
}

/**
 * Check-in: the volunteer, from {@link CHECK_IN_OPENS_MINUTES} minutes before the start to the
 * end; or an organizer, from the same time on (so a late check-in can still be recorded).
 */
export function checkIn(ctx: ActorCtx, input: { applicationId: number }): Promise<Application> {
  const now = at(ctx.now);
  return transition(ctx, byId(input.applicationId), {
    refusals: sql`${openTask}
      WHEN (SELECT status FROM app) <> 'accepted' THEN 'wrong_status'
      WHEN (SELECT starts_at - ${CHECK_IN_OPENS_MINUTES} * interval '1 minute' FROM task) > ${now} THEN 'check_in_not_open'
      WHEN NOT (SELECT organizes FROM app) AND (SELECT ends_at FROM task) < ${now} THEN 'check_in_not_open'`,
    set: sql`status = 'checked_in', checked_in_at = now()`,
  });
}

/**
 * An organizer logs a checked-in volunteer's minutes: the application is completed, and the
 * volunteer's completed tasks and minutes move in the same statement (once: a second log is 409).
 */
export function logHours(ctx: ActorCtx, input: { applicationId: number; minutes: number }): Promise<Application> {
  return transition(ctx, byId(input.applicationId), {
    refusals: sql`${organizerOnly} WHEN (SELECT status FROM app) <> 'checked_in' THEN 'wrong_status'`,
    set: sql`status = 'completed', minutes_logged = ${input.minutes}`,
    volunteer: sql`tasks_completed = v.tasks_completed + 1, minutes_logged = v.minutes_logged + ${input.minutes}, updated_at = now()`,
  });
}

/**
 * An organizer marks an accepted volunteer who never checked in as a no-show, once the task has
 * started: their seat is given back and their no-shows counted, in the same statement.
 */
export function noShow(ctx: ActorCtx, input: { applicationId: number }): Promise<Application> {
  return transition(ctx, byId(input.applicationId), {
    refusals: sql`${organizerOnly}
      WHEN (SELECT status FROM app) <> 'accepted' THEN 'wrong_status'
      WHEN (SELECT starts_at FROM task) > ${at(ctx.now)} THEN 'task_not_started'`,
    set: sql`status = 'no_show'`,
    task: sql`seats_taken = t.seats_taken - 1, updated_at = now()`,
    volunteer: sql`no_shows = v.no_shows + 1, updated_at = now()`,
  });
}

/**
 * The volunteer withdraws their application to a task, pending or accepted (an accepted one
 * gives its seat back). 404 without one; 409 once checked in, completed, declined or withdrawn.
 */
export async function withdraw(ctx: ActorCtx, input: { taskId: number }): Promise<void> {
  await transition(ctx, sql`a.task_id = ${input.taskId} AND v.user_id = ${ctx.actor.id}`, {
    refusals: sql`WHEN (SELECT status FROM app) NOT IN ('applied', 'accepted') THEN 'wrong_status'`,
    set: sql`status = 'withdrawn'`,
    task: releaseHeld,
  });
}

type ListRow = { outcome: string; application: Record<string, unknown> | null; key: string | null; id: number | null };

/** A task's applications, newest first, by cursor: for its organizers (404 for a task the caller may not see, else 403). */
export async function listTaskApplications({ db, actor }: ActorCtx, input: { taskId: number } & PageRequest): Promise<Page<Application>> {
  const me = actor.id;
  let outcome = "ok";
  const page = await keysetPage(
    input,
    { time: sql`a.created_at`, id: sql`a.id` },
    async (keyset) => {
      const { rows } = await db.execute<ListRow>(sql`
        WITH task AS (
          SELECT t.*, ${organizesTask(me, sql`t`)} AS organizes FROM volunteer_tasks t
          WHERE t.id = ${input.taskId} AND ${taskVisibleTo(me, sql`t`)}
        ),
        verdict AS (
          SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM task) THEN 'not_found' WHEN NOT (SELECT organizes FROM task) THEN 'not_organizer'
            ELSE 'ok' END AS outcome
        ),
        page AS (
          SELECT ${applicationJson(sql`a`, sql`t`, sql`v`, sql`u`)} AS application, a.created_at::text AS key, a.id
          FROM task t JOIN verdict ON verdict.outcome = 'ok' JOIN volunteer_assignments a ON a.task_id = t.id
          JOIN volunteers v ON v.id = a.volunteer_id JOIN users u ON u.id = v.user_id
          WHERE ${keyset.after} ORDER BY ${keyset.order} LIMIT ${keyset.limit}
        )
        SELECT verdict.outcome, page.* FROM verdict LEFT JOIN page ON true ORDER BY page.key::timestamp DESC, page.id DESC`);
      outcome = rows[0]?.outcome ?? "ok";
      return rows.filter((row) => row.id !== null);
    },
    { item: (row) => toApplication(row.application!), key: (row) => [row.key!, Number(row.id)] },
  );
  refuseUnlessOk(outcome);
  return page;
}

/** The caller's own applications, newest first, by cursor (volunteer_assignments_volunteer_idx); none without a profile. */
export function listMyApplications({ db, actor }: ActorCtx, input: PageRequest): Promise<Page<Application>> {
  return keysetPage(
    input,
    { time: sql`a.created_at`, id: sql`a.id` },
    async (keyset) =>
      (
        await db.execute<ListRow>(sql`
          SELECT ${applicationJson(sql`a`, sql`t`, sql`v`, sql`u`)} AS application, a.created_at::text AS key, a.id
          FROM volunteers v JOIN volunteer_assignments a ON a.volunteer_id = v.id JOIN volunteer_tasks t ON t.id = a.task_id
          JOIN users u ON u.id = v.user_id
          WHERE v.user_id = ${actor.id} AND ${keyset.after} ORDER BY ${keyset.order} LIMIT ${keyset.limit}`)
      ).rows,
    { item: (row) => toApplication(row.application!), key: (row) => [row.key!, Number(row.id)] },
  );
}
