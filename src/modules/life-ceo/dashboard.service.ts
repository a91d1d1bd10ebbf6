import { sql } from "drizzle-orm";
import type { ActorCtx } from "../../lib/context";
import { isoUtc } from "../../lib/time";
import { goalCounts, goalProgress } from "./goals.service";
import { goalPath } from "./life-ceo.schemas";
import type { Dashboard } from "./life-ceo.schemas";

type DashboardRow = {
  domains: {
    domain: { id: number; name: string; agentId: string; description: string | null; icon: string | null; color: string | null } | null;
    goals: { id: number; title: string; status: string; priority: string; targetDate: string | null; progress: number; progressSource: string }[];
    openTasks: number;
    doneTasks: number;
    dueToday: number;
    overdue: number;
  }[];
  recommendations: { id: number; title: string; status: string; goalId: number; createdAt: string }[];
};

/** The number of recommendations the dashboard shows, newest first. */
export const DASHBOARD_RECOMMENDATIONS = 5;

/**
 * The caller's dashboard, in ONE statement: per domain they have goals or tasks in (and one
 * group, `domain: null`, for those without a domain), the goals with their progress, the
 * counts of open and done tasks, what is due `today` and what is overdue (tasks and
 * milestones, open ones), and the latest recommendations.
 */
export async function dashboard({ db, actor }: ActorCtx, today: string): Promise<Dashboard> {
  const day = sql`${today}::date`;
  const { progress, source } = goalProgress(sql`g`, sql`c`);
  const { rows } = await db.execute<DashboardRow>(sql`
    WITH goals AS (
      SELECT g.domain_id, g.id, json_build_object('id', g.id, 'title', g.title, 'status', g.status, 'priority', g.priority,
        'targetDate', g.target_date::date::text, 'progress', ${progress}, 'progressSource', ${source}) AS card
      FROM life_ceo_goals g CROSS JOIN ${goalCounts(sql`g`)} c WHERE g.user_id = ${actor.id}
    ),
    items AS (
      SELECT t.domain_id, t.completed_at, t.due_date, true AS is_task FROM life_ceo_tasks t WHERE t.user_id = ${actor.id}
      UNION ALL
      SELECT g.domain_id, m.completed_at, m.due_date, false FROM life_ceo_milestones m JOIN life_ceo_goals g ON g.id = m.goal_id
      WHERE m.user_id = ${actor.id}
    ),
    tallies AS (
      SELECT i.domain_id,
        count(*) FILTER (WHERE i.is_task AND i.completed_at IS NULL)::int AS open_tasks,
        count(*) FILTER (WHERE i.is_task AND i.completed_at IS NOT NULL)::int AS done_tasks,
        count(*) FILTER (WHERE i.completed_at IS NULL AND i.due_date = ${day})::int AS due_today,
        count(*) FILTER (WHERE i.completed_at IS NULL AND i.due_date < ${day})::int AS overdue
      FROM items i GROUP BY i.domain_id
    ),
    keys AS (SELECT domain_id FROM goals UNION SELECT domain_id FROM items)
    SELECT
      (SELECT coalesce(json_agg(json_build_object(
          'domain', CASE WHEN d.id IS NULL THEN NULL ELSE json_build_object('id', d.id, 'name', d.name, 'agentId', d.agent_id,
            'description', d.description, 'icon', d.icon, 'color', d.color) END,
          'goals', (SELECT coalesce(json_agg(goals.card ORDER BY goals.id DESC), '[]'::json) FROM goals WHERE goals.domain_id IS NOT DISTINCT FROM k.domain_id),
          'openTasks', coalesce(tl.open_tasks, 0), 'doneTasks', coalesce(tl.done_tasks, 0),
          'dueToday', coalesce(tl.due_today, 0), 'overdue', coalesce(tl.overdue, 0)
        ) ORDER BY k.domain_id NULLS LAST), '[]'::json)
       FROM keys k LEFT JOIN life_ceo_domains d ON d.id = k.domain_id
       LEFT JOIN tallies tl ON tl.domain_id IS NOT DISTINCT FROM k.domain_id) AS domains,
      (SELECT coalesce(json_agg(json_build_object('id', r.id, 'title', r.title, 'status', r.status, 'goalId', r.goal_id,
          'createdAt', r.created_at) ORDER BY r.created_at DESC, r.id DESC), '[]'::json)
       FROM (SELECT * FROM life_ceo_recommendations r WHERE r.user_id = ${actor.id}
             ORDER BY r.created_at DESC, r.id DESC LIMIT ${DASHBOARD_RECOMMENDATIONS}) r) AS recommendations`);
  const row = rows[0]!;
  return {
    date: today,
    domains: row.domains.map((group) => ({
      ...group,
      goals: group.goals.map((goal) => ({
        ...goal,
        path: goalPath(goal.id),
        status: goal.status as Dashboard["domains"][number]["goals"][number]["status"],
        priority: goal.priority as Dashboard["domains"][number]["goals"][number]["priority"],
        progressSource: goal.progressSource as "milestones" | "manual",
      })),
    })),
    recommendations: row.recommendations.map((r) => ({
      ...r,
      status: r.status as Dashboard["recommendations"][number]["status"],
      createdAt: isoUtc(r.createdAt),
    })),
  };
}
