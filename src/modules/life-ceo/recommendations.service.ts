import { type SQL, sql } from "drizzle-orm";
import type { RECOMMENDATION_SOURCES } from "../../../drizzle/ai";
import { AiProviderError, aiFailure, collectReply, estimateTokens, requireAi } from "../../lib/ai";
import { reserveAiTokens, settleAiTokens } from "../../lib/ai-quota";
import type { ActorCtx, Ctx } from "../../lib/context";
import { PG, pgError } from "../../lib/db";
import { AppError, conflict, notFound } from "../../lib/errors";
import { keysetPage, type Page, type PageRequest } from "../../lib/pagination";
import { accountUsable } from "../users";
import { type TaskRow, toTask } from "./life-ceo.schemas";
import {
  type ActivityContext,
  type GoalContext,
  parseRecommendations,
  recommendationPrompt,
  replyTokensFor,
} from "./recommendations.prompt";
import {
  RECOMMENDATION_LIMITS,
  type Recommendation,
  type RecommendationRow,
  toRecommendation,
} from "./recommendations.schemas";

type Source = (typeof RECOMMENDATION_SOURCES)[number];

/** How far back "recent activity" looks in a prompt, and what makes a dancer active for the weekly job. */
const PROMPT_ACTIVITY_DAYS = 14;
const ACTIVE_DANCER_DAYS = 30;

/** The Monday (UTC) of `now`'s ISO week, as `YYYY-MM-DD`: the `week` of a recommendation made then. */
export function weekOf(now: Date): string {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
  return day.toISOString().slice(0, 10);
}

/** `now` minus `days`, as a value for the `timestamp` (UTC, no zone) columns. */
const daysBefore = (now: Date, days: number) => sql`(${new Date(now.getTime() - days * 86_400_000).toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
const utc = (now: Date) => sql`(${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

/** A recommendation's API columns, from `r` (life_ceo_recommendations), `g` (its goal) and `d` (its domain). */
const recommendationColumns = sql`r.id, r.goal_id, g.title AS goal_title, r.domain_id, d.name AS domain_name, r.week::text AS week,
  r.title, r.body, r.status, r.source, r.task_id, r.created_at::text AS created_at, r.responded_at::text AS responded_at`;

/** `rows` (a CTE or table of recommendations, aliased `r`) with their goal and domain. */
const withGoal = (rows: SQL) => sql`${rows} r JOIN life_ceo_goals g ON g.id = r.goal_id LEFT JOIN life_ceo_domains d ON d.id = r.domain_id`;

interface GenerationContext {
  goals: GoalContext[];
  /** Asked-for goal ids that are not the dancer's. */
  missing: number;
  activity: ActivityContext;
}

/**
 * What one generation reads, in one statement: the dancer's active goals that have no
 * recommendation for this week yet (high priority and nearest target first, a batch at most),
 * each with its domain and persona and its open milestones and tasks, and the dancer's own
 * activity of the last 14 days (RSVPs, posts, tasks completed) with their next events. Nothing
 * of any other dancer's.
 */
async function readGenerationContext(ctx: Ctx, userId: number, week: string, goalIds: number[] | undefined): Promise<GenerationContext> {
  const { db, now } = ctx;
  const asked = goalIds ? sql`${`{${goalIds.join(",")}}`}::int[]` : null;
  const since = daysBefore(now, PROMPT_ACTIVITY_DAYS);
  const { rows } = await db.execute<{ goals: GoalContext[]; missing: number | string; activity: ActivityContext }>(sql`
    WITH goals AS (
      SELECT g.id, g.title, g.description, g.priority, g.progress, g.target_date, d.name AS domain, d.persona
      FROM life_ceo_goals g LEFT JOIN life_ceo_domains d ON d.id = g.domain_id
      WHERE g.user_id = ${userId} AND g.status = 'active' ${asked ? sql`AND g.id = ANY(${asked})` : sql``}
        AND NOT EXISTS (SELECT 1 FROM life_ceo_recommendations r WHERE r.goal_id = g.id AND r.week = ${week}::date)
      ORDER BY CASE g.priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, g.target_date NULLS LAST, g.id
      LIMIT ${RECOMMENDATION_LIMITS.goalsPerCall}
    )
    SELECT
      (SELECT coalesce(json_agg(json_build_object(
          'goalId', g.id, 'title', left(g.title, 200), 'description', left(g.description, 500), 'domain', g.domain,
          'persona', g.persona, 'priority', g.priority, 'progress', g.progress, 'targetDate', g.target_date::date::text,
          'openMilestones', (SELECT coalesce(json_agg(json_build_object('title', left(m.title, 200), 'dueDate', m.due_date::text)
                               ORDER BY m.position, m.id), '[]'::json)
                             FROM (SELECT * FROM life_ceo_milestones m WHERE m.goal_id = g.id AND m.completed_at IS NULL
                                   ORDER BY m.position, m.id LIMIT 5) m),
          'openTasks', (SELECT coalesce(json_agg(json_build_object('title', left(t.title, 200), 'dueDate', t.due_date::text)
                          ORDER BY t.position, t.id), '[]'::json)
                        FROM (SELECT * FROM life_ceo_tasks t WHERE t.goal_id = g.id AND t.completed_at IS NULL
                              ORDER BY t.position, t.id LIMIT 5) t)
        ) ORDER BY CASE g.priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, g.target_date NULLS LAST, g.id), '[]'::json)
        FROM goals g) AS goals,
      ${asked ? sql`(SELECT count(*) FROM unnest(${asked}) a(id) WHERE NOT EXISTS (SELECT 1 FROM life_ceo_goals g WHERE g.id = a.id AND g.user_id = ${userId}))` : sql`0`} AS missing,
      json_build_object(
        'rsvps', (SELECT count(*) FROM event_rsvps v WHERE v.user_id = ${userId} AND v.status IN ('going', 'interested')
                  AND coalesce(v.updated_at, v.created_at) >= ${since}),
        'posts', (SELECT count(*) FROM posts p WHERE p.user_id = ${userId} AND p.created_at >= ${since}),
        'tasksCompleted', (SELECT count(*) FROM life_ceo_tasks t WHERE t.user_id = ${userId} AND t.completed_at >= ${since}),
        'nextEvents', (SELECT coalesce(json_agg(json_build_object('title', left(e.title, 200), 'city', e.city,
                          'startsAt', to_char(e.start_date, 'YYYY-MM-DD"T"HH24:MI"Z"')) ORDER BY e.start_date, e.id), '[]'::json)
                       FROM (SELECT e.* FROM event_rsvps v JOIN events e ON e.id = v.event_id
                             WHERE v.user_id = ${userId} AND v.status IN ('going', 'interested') AND e.start_date >= ${utc(now)}
                               AND e.status = 'published' AND e.hidden_at IS NULL AND e.cancelled_at IS NULL
                             ORDER BY e.start_date, e.id LIMIT 3) e)
      ) AS activity`);
  const row = rows[0]!;
  return { goals: row.goals, missing: Number(row.missing), activity: row.activity };
}

export interface Generated {
  created: Recommendation[];
  /** Model calls made (0 when there was nothing to recommend for). */
  modelCalls: number;
}

/**
 * Recommends a next step for a batch of the dancer's active goals that have none this week,
 * from one model call: reads the goals and the dancer's activity (one statement), reserves the
 * call's worst case against the daily quota (429 `ai_quota_exceeded`), asks the model for JSON,
 * keeps the entries that name a goal it was shown, and stores them with `ON CONFLICT (goal_id,
 * week) DO NOTHING`, so an on-demand request and the weekly job, or two requests, racing end with
 * one per goal and week (the loser's are simply not new). The quota is settled with what the
 * model used (nothing when the call failed). A provider failure or an unusable reply is the
 * `aiFailure` problem, with nothing stored. Nothing to recommend for: no model call, no provider
 * needed.
 */
export async function generateRecommendations(ctx: Ctx, userId: number, options: { goalIds?: number[]; source: Source }): Promise<Generated> {
  const week = weekOf(ctx.now);
  const goalIds = options.goalIds ? [...new Set(options.goalIds)] : undefined;
  const context = await readGenerationContext(ctx, userId, week, goalIds);
  if (context.missing > 0) throw notFound("goal");
  if (!context.goals.length) return { created: [], modelCalls: 0 };
  const ai = requireAi(ctx.ai);
  const messages = recommendationPrompt({ week, goals: context.goals, activity: context.activity });
  const maxTokens = replyTokensFor(context.goals.length);
  const prompt = messages.reduce((sum, m) => sum + estimateTokens(m.content) + 4, 0);
  const reservation = await reserveAiTokens(ctx, userId, prompt + maxTokens);
  let used = 0;
  try {
    const reply = await collectReply(ai.chat({ messages, maxTokens, json: true, temperature: 0.4 }));
    used = reply.usage.inputTokens + reply.usage.outputTokens;
    const proposed = parseRecommendations(reply.text, new Set(context.goals.map((g) => g.goalId)));
    const metadata = { provider: ai.name, model: reply.model, usage: reply.usage };
    // The insert and the settlement go out together; the settlement is made whatever the insert does.
    const [inserted, settled] = await Promise.allSettled([
      insertRecommendations(ctx, userId, { week, source: options.source, metadata, proposed }),
      settleAiTokens(ctx, reservation, used),
    ]);
    if (inserted.status === "rejected") throw inserted.reason;
    if (settled.status === "rejected") throw settled.reason;
    const created = inserted.value;
    ctx.logger.info("recommendations generated", { code: "recommendations_generated", userId, asked: context.goals.length, created: created.length });
    return { created, modelCalls: 1 };
  } catch (error) {
    if (!(error instanceof AiProviderError)) throw error;
    await settleAiTokens(ctx, reservation, used);
    ctx.logger.warn("recommendations failed", { code: `ai_${error.kind}`, userId, goals: context.goals.length });
    throw aiFailure(error);
  }
}

/** Stores the proposed recommendations for goals still the dancer's and active; one per goal and week, whoever wins a race. */
async function insertRecommendations(
  { db }: Ctx,
  userId: number,
  input: { week: string; source: Source; metadata: unknown; proposed: Array<{ goalId: number; title: string; body: string }> },
): Promise<Recommendation[]> {
  const proposed = JSON.stringify(input.proposed.map((p) => ({ goal_id: p.goalId, title: p.title, body: p.body })));
  const { rows } = await db
    .execute<RecommendationRow>(sql`
      WITH proposed AS (SELECT * FROM jsonb_to_recordset(${proposed}::jsonb) AS p(goal_id int, title text, body text)),
      created AS (
        INSERT INTO life_ceo_recommendations AS r (user_id, goal_id, domain_id, week, title, body, source, metadata)
        SELECT g.user_id, g.id, g.domain_id, ${input.week}::date, p.title, p.body, ${input.source}, ${JSON.stringify(input.metadata)}::jsonb
        FROM proposed p JOIN life_ceo_goals g ON g.id = p.goal_id AND g.user_id = ${userId} AND g.status = 'active'
        ON CONFLICT (goal_id, week) DO NOTHING
        RETURNING r.*
      )
      SELECT ${recommendationColumns} FROM ${withGoal(sql`created`)} ORDER BY r.id`)
    .catch((error: unknown) => {
      // The goal was deleted between the read and this insert.
      if (pgError(error)?.code === PG.foreignKeyViolation) throw conflict("goal_changed", "A goal changed while its recommendation was written; try again.");
      throw error;
    });
  return rows.map(toRecommendation);
}

/** The dancer's recommendations, newest first, by cursor; optionally of one status or one goal. */
export async function listRecommendations(
  { db, actor }: ActorCtx,
  query: PageRequest & { status?: string; goalId?: number },
): Promise<Page<Recommendation>> {
  return keysetPage(
    query,
    { time: sql`r.created_at`, id: sql`r.id` },
    async (keyset) => {
      const { rows } = await db.execute<RecommendationRow & { key: string }>(sql`
        SELECT ${recommendationColumns}, r.created_at::text AS key
        FROM ${withGoal(sql`life_ceo_recommendations`)}
        WHERE r.user_id = ${actor.id} AND ${keyset.after}
          ${query.status ? sql`AND r.status = ${query.status}` : sql``}
          ${query.goalId ? sql`AND r.goal_id = ${query.goalId}` : sql``}
        ORDER BY ${keyset.order} LIMIT ${keyset.limit}`);
      return rows;
    },
    { item: toRecommendation, key: (row) => [row.key, Number(row.id)] },
  );
}

const recommendationNotPending = (status: string | null) =>
  conflict("recommendation_not_pending", `This recommendation is ${status === "pending" || !status ? "no longer pending" : status}: only a pending one may be accepted or dismissed.`);

/** `task` is `to_jsonb` of the new life_ceo_tasks row: its columns, as the tasks routes select them. */
type ChangeRow = RecommendationRow & { found: boolean; was_status: string | null; task: TaskRow | null };

/**
 * Accepts a pending recommendation of the caller's, in one statement: its row is locked (`FOR
 * UPDATE`: of two accepts, or an accept and a dismiss, racing, the second sees what the first
 * left), the task made from it (title, notes = its body, its goal and domain, last in the goal's
 * order) and the recommendation marked accepted with the task's id. The task's unique
 * `recommendation_id` is the second guard: one task per recommendation, whatever happens.
 * Another dancer's or unknown: 404; not pending: 409.
 */
export async function acceptRecommendation({ db, actor }: ActorCtx, input: { id: number }) {
  const { rows } = await db.execute<ChangeRow>(sql`
    WITH rec AS (
      SELECT r.id, r.status, r.user_id, r.goal_id, r.title, r.body FROM life_ceo_recommendations r
      WHERE r.id = ${input.id} AND r.user_id = ${actor.id}
      FOR UPDATE
    ),
    task AS (
      INSERT INTO life_ceo_tasks (user_id, domain_id, goal_id, title, notes, priority, position, recommendation_id)
      SELECT r.user_id, g.domain_id, r.goal_id, r.title, r.body, coalesce(g.priority, 'medium'),
             coalesce((SELECT max(t.position) + 1 FROM life_ceo_tasks t WHERE t.goal_id = r.goal_id), 0), r.id
      FROM rec r JOIN life_ceo_goals g ON g.id = r.goal_id
      WHERE r.status = 'pending'
      ON CONFLICT (recommendation_id) DO NOTHING
      RETURNING *
    ),
    accepted AS (
      UPDATE life_ceo_recommendations r SET status = 'accepted', task_id = t.id, responded_at = now()
      FROM task t WHERE r.id = t.recommendation_id AND r.status = 'pending'
      RETURNING r.*
    )
    SELECT EXISTS (SELECT 1 FROM rec) AS found, (SELECT status FROM rec) AS was_status,
           (SELECT to_jsonb(t) FROM task t) AS task, changed.*
    FROM (SELECT 1) one LEFT JOIN (SELECT ${recommendationColumns} FROM ${withGoal(sql`accepted`)}) changed ON true`);
  const row = rows[0]!;
  if (!row.found) throw notFound("recommendation");
  if (row.id === null || !row.task) throw recommendationNotPending(row.was_status);
  return { recommendation: toRecommendation(row), task: toTask(row.task) };
}

/** Dismisses a pending recommendation of the caller's (a guarded UPDATE). Another dancer's or unknown: 404; not pending: 409. */
export async function dismissRecommendation({ db, actor }: ActorCtx, input: { id: number }): Promise<Recommendation> {
  const { rows } = await db.execute<ChangeRow>(sql`
    WITH rec AS (SELECT r.status FROM life_ceo_recommendations r WHERE r.id = ${input.id} AND r.user_id = ${actor.id}),
    dismissed AS (
      UPDATE life_ceo_recommendations r SET status = 'dismissed', responded_at = now()
      WHERE r.id = ${input.id} AND r.user_id = ${actor.id} AND r.status = 'pending'
      RETURNING r.*
    )
    SELECT EXISTS (SELECT 1 FROM rec) AS found, (SELECT status FROM rec) AS was_status, changed.*
    FROM (SELECT 1) one LEFT JOIN (SELECT ${recommendationColumns} FROM ${withGoal(sql`dismissed`)}) changed ON true`);
  const row = rows[0]!;
  if (!row.found) throw notFound("recommendation");
  if (row.id === null) throw recommendationNotPending(row.was_status);
  return toRecommendation(row);
}

/**
 * The weekly job's next dancers after `afterUserId`, by user id: usable accounts with an active
 * goal still without this week's recommendation, and some activity in the last 30 days (a login,
 * a post, an RSVP, a task made or done). Driven by the goals' `(user_id, status, id)` index.
 */
export async function dancersDueRecommendations(ctx: Ctx, input: { afterUserId: number; limit: number }): Promise<number[]> {
  const { db, now } = ctx;
  const week = weekOf(now);
  const since = daysBefore(now, ACTIVE_DANCER_DAYS);
  const { rows } = await db.execute<{ user_id: number | string }>(sql`
    SELECT DISTINCT g.user_id FROM life_ceo_goals g JOIN users u ON u.id = g.user_id
    WHERE g.status = 'active' AND g.user_id > ${input.afterUserId} AND ${accountUsable(sql`u`)}
      AND NOT EXISTS (SELECT 1 FROM life_ceo_recommendations r WHERE r.goal_id = g.id AND r.week = ${week}::date)
      AND (u.last_login_at >= ${since}
        OR EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.id AND p.created_at >= ${since})
        OR EXISTS (SELECT 1 FROM event_rsvps v WHERE v.user_id = u.id AND coalesce(v.updated_at, v.created_at) >= ${since})
        OR EXISTS (SELECT 1 FROM life_ceo_tasks t WHERE t.user_id = u.id AND (t.created_at >= ${since} OR t.completed_at >= ${since})))
    ORDER BY g.user_id LIMIT ${input.limit}`);
  return rows.map((r) => Number(r.user_id));
}

/** True when `error` is the daily quota's refusal (the weekly job skips that dancer). */
export function isQuotaRefusal(error: unknown): boolean {
  return error instanceof AppError && error.code === "ai_quota_exceeded";
}
