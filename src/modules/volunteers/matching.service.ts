import { z } from "@hono/zod-openapi";
import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx } from "../../lib/context";
import { type Keyset, type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { notBlockedBetween } from "../blocks";
import { accountUsable } from "../users";
import { at } from "./tasks.service";
import { taskJson, userCardJson } from "./volunteers.cards";
import { matchColumns, organizesTask, taskVisibleTo } from "./volunteers.conditions";
import { refuseUnlessOk } from "./volunteers.policy";
import { type Match, type TaskMatch, toComponents, toTask } from "./volunteers.schemas";

/** A ranking's cursor: the last score (six decimals, exact as numeric) and the id that breaks ties. */
const ScoreCursor = z.tuple([z.number().min(0).max(1), z.number().int().min(1).max(2_147_483_647)]);

type Ranked = Record<string, unknown> & { outcome: string; rank_id: number | null; score: string | null };

/** Has an application to the task that still counts (any but a withdrawn one). */
const hasApplied = (volunteer: SQL, task: SQL) => sql`EXISTS (SELECT 1 FROM volunteer_assignments x
  WHERE x.task_id = ${task}.id AND x.volunteer_id = ${volunteer}.id AND x.status <> 'withdrawn')`;

/**
 * One page of a ranking, best first, by cursor over `(score, id)`: `statement` gives the whole
 * query (verdict first, then the page's rows), the outcome is checked after.
 */
async function rankedPage<Item>(
  page: PageRequest,
  statement: (keyset: Keyset) => SQL,
  db: ActorCtx["db"],
  item: (row: Ranked) => Item,
): Promise<Page<Item>> {
  let outcome = "ok";
  const result = await sortedPage(
    page,
    { by: [sql`r.score`, sql`r.rank_id`], direction: "desc", cursor: ScoreCursor },
    async (keyset) => {
      const { rows } = await db.execute<Ranked>(statement(keyset));
      outcome = rows[0]?.outcome ?? "ok";
      return rows.filter((row) => row.rank_id !== null);
    },
    { item, key: (row) => [Number(row.score), Number(row.rank_id)] as [number, number] },
  );
  refuseUnlessOk(outcome);
  return result;
}

/**
 * The volunteers who fit a task best, for its organizers only (404 for a task the caller may
 * not see, 403 `not_task_organizer` otherwise), ranked in one statement by `matchColumns`
 * (volunteers.conditions.ts). Candidates have at least one of the needed skills (the GIN index
 * on skills), a usable account, no block with the caller or the task's creator, may see the
 * task, do not organize it, and have not applied already (a withdrawn application aside).
 */
export function taskMatches({ db, actor }: ActorCtx, input: { taskId: number } & PageRequest): Promise<Page<Match>> {
  const me = actor.id;
  return rankedPage(
    input,
    (keyset) => sql`
      WITH task AS (
        SELECT t.*, ${organizesTask(me, sql`t`)} AS organizes FROM volunteer_tasks t
        WHERE t.id = ${input.taskId} AND ${taskVisibleTo(me, sql`t`)}
      ),
      verdict AS (
        SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM task) THEN 'not_found' WHEN NOT (SELECT organizes FROM task) THEN 'not_organizer'
          ELSE 'ok' END AS outcome
      ),
      ranked AS (
        SELECT v.id AS rank_id, ${matchColumns(sql`v`, sql`t`)}
        FROM task t JOIN verdict ON verdict.outcome = 'ok'
        JOIN volunteers v ON v.skills && t.skills_needed
        JOIN users u ON u.id = v.user_id
        WHERE ${accountUsable(sql`u`)} AND v.user_id <> ${me}
          AND ${notBlockedBetween(me, sql`v.user_id`)} AND ${notBlockedBetween(sql`t.created_by`, sql`v.user_id`)}
          AND NOT ${organizesTask(sql`v.user_id`, sql`t`)} AND NOT ${hasApplied(sql`v`, sql`t`)}
          AND ${taskVisibleTo(sql`v.user_id`, sql`t`)}
      ),
      page AS (SELECT r.* FROM ranked r WHERE ${keyset.after} ORDER BY ${keyset.order} LIMIT ${keyset.limit})
      SELECT verdict.outcome, r.*, jsonb_build_object('id', v.id, 'user', ${userCardJson(sql`u`)}, 'skills', to_jsonb(v.skills),
        'city', v.city, 'country', v.country, 'tasksCompleted', v.tasks_completed, 'noShows', v.no_shows,
        'minutesLogged', v.minutes_logged) AS volunteer
      FROM verdict LEFT JOIN page r ON true LEFT JOIN volunteers v ON v.id = r.rank_id LEFT JOIN users u ON u.id = v.user_id
      ORDER BY r.score DESC, r.rank_id DESC`,
    db,
    (row) => ({ volunteer: row.volunteer as Match["volunteer"], components: toComponents(row), score: Number(row.score) }),
  );
}

/**
 * The open tasks to come that fit the caller, ranked the same way (409 `no_volunteer_profile`
 * without a profile): tasks they may see, with at least one of their skills and a free seat,
 * that they do not organize and have not applied to.
 */
export function matchingTasks({ db, actor, now }: ActorCtx, input: PageRequest): Promise<Page<TaskMatch>> {
  const me = actor.id;
  return rankedPage(
    input,
    (keyset) => sql`
      WITH me AS (SELECT v.* FROM volunteers v WHERE v.user_id = ${me}),
      verdict AS (SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM me) THEN 'no_profile' ELSE 'ok' END AS outcome),
      ranked AS (
        SELECT t.id AS rank_id, ${matchColumns(sql`v`, sql`t`)}
        FROM me v JOIN volunteer_tasks t ON t.skills_needed && v.skills
        WHERE t.status = 'open' AND t.starts_at > ${at(now)} AND t.seats_taken < t.seats
          AND ${taskVisibleTo(me, sql`t`)} AND NOT ${organizesTask(me, sql`t`)} AND NOT ${hasApplied(sql`v`, sql`t`)}
      ),
      page AS (SELECT r.* FROM ranked r WHERE ${keyset.after} ORDER BY ${keyset.order} LIMIT ${keyset.limit})
      SELECT verdict.outcome, r.*, ${taskJson(sql`t`, me)} AS task
      FROM verdict LEFT JOIN page r ON true LEFT JOIN volunteer_tasks t ON t.id = r.rank_id
      ORDER BY r.score DESC, r.rank_id DESC`,
    db,
    (row) => ({ task: toTask(row.task as Record<string, unknown>), components: toComponents(row), score: Number(row.score) }),
  );
}
