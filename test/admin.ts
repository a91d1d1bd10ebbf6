import { and, asc, eq, sql } from "drizzle-orm";
import { auditLog, esaAgents } from "../drizzle/schema";
import { unique } from "./factories";
import type { Db } from "../src/lib/db";

/**
 * An ESA agent row, written directly (not through the API): `inactive`, type `component`, with a
 * unique code unless given.
 *
 * @example
 * const agent = await createAgent(t.db, { status: "active", parentAgentId: chief.id });
 */
export async function createAgent(db: Db, overrides: Partial<typeof esaAgents.$inferInsert> = {}) {
  const code = overrides.agentCode ?? unique("A").slice(0, 40);
  const [agent] = await db
    .insert(esaAgents)
    .values({ agentCode: code, agentName: `Agent ${code}`, agentType: "component", ...overrides })
    .returning();
  return agent!;
}

/** The audit rows written about one object, oldest first. */
export async function auditRowsOf(db: Db, objectType: string, objectId: string | number) {
  return db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.objectType, objectType), eq(auditLog.objectId, String(objectId))))
    .orderBy(asc(auditLog.id));
}

/** How many audit rows there are in all: a refused write must not add one. */
export async function auditCount(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(auditLog);
  return row!.n;
}
