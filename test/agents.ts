import { and, eq } from "drizzle-orm";
import { agentCommunications, agentTasks, esaAgents, validationChecks } from "../drizzle/schema";
import type { Db } from "../src/lib/db";
import { createAgent } from "./admin";
import type { Api } from "./harness";

/**
 * A task of an agent, written directly (not through the API): `assigned`, medium priority.
 *
 * @example
 * const task = await createAgentTask(t.db, agent.id, { status: "in_progress", startedAt: minutesAgo(5) });
 */
export async function createAgentTask(db: Db, agentId: number, overrides: Partial<typeof agentTasks.$inferInsert> = {}) {
  const [task] = await db
    .insert(agentTasks)
    .values({ agentId, title: "Index the milongas of Buenos Aires", ...overrides })
    .returning();
  return task!;
}

/** A message from one agent, written directly: to `toAgentId` if given, in `threadId` if given. */
export async function createAgentMessage(db: Db, fromAgentId: number, overrides: Partial<typeof agentCommunications.$inferInsert> = {}) {
  const [message] = await db
    .insert(agentCommunications)
    .values({ fromAgentId, body: "Handing over the feed layer.", ...overrides })
    .returning();
  return message!;
}

/** A validation check result of an agent, written directly. */
export async function createValidationCheck(db: Db, agentId: number, overrides: Partial<typeof validationChecks.$inferInsert> = {}) {
  const [check] = await db
    .insert(validationChecks)
    .values({ agentId, checkName: "schema_conformance", result: "passed", ...overrides })
    .returning();
  return check!;
}

/** An agent in a given status, moved there directly (a suspended one remembers `from`). */
export async function agentIn(db: Db, status: string, from = "active", overrides: Partial<typeof esaAgents.$inferInsert> = {}) {
  return createAgent(db, { status, suspendedFrom: status === "suspended" ? from : null, ...overrides });
}

/** The agent row as stored (counters, status, timestamps). */
export async function storedAgent(db: Db, id: number) {
  const [row] = await db.select().from(esaAgents).where(eq(esaAgents.id, id));
  return row!;
}

/** An agent's stored tasks in one status. */
export async function tasksIn(db: Db, agentId: number, status: string) {
  return db.select().from(agentTasks).where(and(eq(agentTasks.agentId, agentId), eq(agentTasks.status, status)));
}

/** Every item of a cursor-paginated list, page by page, with the pages' sizes. */
export async function allPages<T = any>(api: Api, path: string, token: string, limit: number): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const res: { status: number; body: { items: T[]; nextCursor: string | null } } = await api.get(
      `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      { token },
    );
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor !== null && pages < 100);
  return { items, pages };
}
