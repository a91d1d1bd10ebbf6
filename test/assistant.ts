import { lifeCeoConversations, lifeCeoDomains, mrBlueConversations, mrBlueMessages } from "../drizzle/schema";
import type { Db } from "../src/lib/db";

/** A Mr. Blue conversation of `userId` (`lastMessageAt` set for ordering tests). */
export async function createMrBlueConversation(db: Db, userId: number, overrides: Partial<typeof mrBlueConversations.$inferInsert> = {}) {
  const [row] = await db.insert(mrBlueConversations).values({ userId, ...overrides }).returning();
  return row!;
}

/** A stored Mr. Blue message (default: the dancer's). */
export async function addMrBlueMessage(db: Db, conversationId: number, overrides: Partial<typeof mrBlueMessages.$inferInsert> = {}) {
  const [row] = await db.insert(mrBlueMessages).values({ conversationId, role: "user", content: "Hola", ...overrides }).returning();
  return row!;
}

/** A domain's id by its agent (P66 ... P81): the migration inserts the 16 domains. */
export async function domainId(db: Db, agentId = "P70"): Promise<number> {
  const rows = await db.select({ id: lifeCeoDomains.id, agentId: lifeCeoDomains.agentId }).from(lifeCeoDomains);
  return rows.find((r) => r.agentId === agentId)!.id;
}

/** A Life CEO domain conversation of `userId`. */
export async function createDomainConversation(db: Db, userId: number, overrides: Partial<typeof lifeCeoConversations.$inferInsert> = {}) {
  const [row] = await db
    .insert(lifeCeoConversations)
    .values({ userId, domainId: overrides.domainId ?? (await domainId(db)), ...overrides })
    .returning();
  return row!;
}
