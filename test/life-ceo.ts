import { lifeCeoGoals, lifeCeoMilestones, lifeCeoTasks } from "../drizzle/ai";
import type { Db } from "../src/lib/db";

/**
 * Row factories for the Life CEO tests, inserted directly, with overridable fields. Domain
 * ids are the migration's (1 to 16, in LIFE_CEO_DOMAINS order).
 */

/** A goal (active, medium, in the first domain). */
export async function createGoal(db: Db, overrides: Partial<typeof lifeCeoGoals.$inferInsert> & { userId: number }) {
  const [goal] = await db.insert(lifeCeoGoals).values({ title: "Dance a full tanda of vals", domainId: 1, ...overrides }).returning();
  return goal!;
}

/** A milestone of `goalId` (open, no due date). */
export async function createMilestone(db: Db, overrides: Partial<typeof lifeCeoMilestones.$inferInsert> & { goalId: number; userId: number }) {
  const [milestone] = await db.insert(lifeCeoMilestones).values({ title: "Practise the ocho cortado", ...overrides }).returning();
  return milestone!;
}

/** A task (open, in the first domain unless a goal or another domain is given). */
export async function createTask(db: Db, overrides: Partial<typeof lifeCeoTasks.$inferInsert> & { userId: number }) {
  const [task] = await db
    .insert(lifeCeoTasks)
    .values({ title: "Book a private lesson", domainId: overrides.goalId ? null : 1, ...overrides })
    .returning();
  return task!;
}
