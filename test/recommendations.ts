import { lifeCeoDomains, type lifeCeoGoals, type lifeCeoMilestones, lifeCeoRecommendations, type lifeCeoTasks } from "../drizzle/schema";
import type { AiChatRequest } from "../src/lib/ai";
import type { Db } from "../src/lib/db";
import type { ScriptedTurn } from "./ai";
import * as lifeCeo from "./life-ceo";

/**
 * Row factories for the Life CEO recommendation tests, inserted directly with overridable
 * fields; goals, milestones and tasks are test/life-ceo.ts's, with titles of their own here.
 */

let sequence = 0;
const unique = (prefix: string) => `${prefix} ${++sequence}-${crypto.randomUUID().slice(0, 6)}`;

/** The id of a seeded domain (migration 0019), by name. */
export async function domainId(db: Db, name = "Learning & Education"): Promise<number> {
  const rows = await db.select().from(lifeCeoDomains);
  return rows.find((d) => d.name === name)!.id;
}

/** An active goal of `userId` (in "Learning & Education" unless told), with a title of its own. */
export async function createGoal(db: Db, overrides: Partial<typeof lifeCeoGoals.$inferInsert> & { userId: number }) {
  return lifeCeo.createGoal(db, { title: unique("Dance a clean ocho cortado"), domainId: overrides.domainId ?? (await domainId(db)), ...overrides });
}

export const createMilestone = (db: Db, overrides: Partial<typeof lifeCeoMilestones.$inferInsert> & { goalId: number; userId: number }) =>
  lifeCeo.createMilestone(db, { title: unique("Milestone"), ...overrides });

/** A task under a goal (`goalId` given) or in a domain. */
export const createGoalTask = (db: Db, overrides: Partial<typeof lifeCeoTasks.$inferInsert> & { userId: number }) =>
  lifeCeo.createTask(db, { title: unique("Task"), ...overrides });

/** A pending recommendation for `goalId` in `week` (a Monday). */
export async function createRecommendation(
  db: Db,
  overrides: Partial<typeof lifeCeoRecommendations.$inferInsert> & { userId: number; goalId: number; week: string },
) {
  const [row] = await db
    .insert(lifeCeoRecommendations)
    .values({ title: unique("Practise giros"), body: "Twice this week, ten minutes each.", source: "on_demand", ...overrides })
    .returning();
  return row!;
}

/** The data the app put in a recommendation prompt (its user message, JSON). */
export function promptData(request: AiChatRequest) {
  return JSON.parse(request.messages.find((m) => m.role === "user")!.content) as {
    week: string;
    goals: Array<{ goalId: number; title: string } & Record<string, unknown>>;
    recentActivity: Record<string, unknown>;
  };
}

/** A model turn that recommends one step for every goal the prompt names (as the app asks). */
export const recommendEveryGoal: ScriptedTurn = (request) => ({
  text: JSON.stringify({
    recommendations: promptData(request).goals.map((g) => ({ goalId: g.goalId, title: `Next step: ${g.title}`.slice(0, 120), body: `This week, for "${g.title}": practise twice.` })),
  }),
});
