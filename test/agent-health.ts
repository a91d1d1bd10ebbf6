import { agentHealth, agentHealthReports, esaAgents } from "../drizzle/schema";
import { randomToken, sha256Hex } from "../src/lib/crypto";
import type { Db } from "../src/lib/db";
import { createAgent } from "./admin";
import { eq } from "drizzle-orm";

/**
 * An agent with an API key of the module's shape, written directly: the key (to send as
 * `X-Agent-Key`) and the agent row.
 *
 * @example
 * const { agent, key } = await agentWithKey(t.db, { status: "active" });
 */
export async function agentWithKey(db: Db, overrides: Parameters<typeof createAgent>[1] = {}) {
  const agent = await createAgent(db, { status: "active", ...overrides });
  const prefix = `mta_ag_${randomToken(6)}`;
  const key = `${prefix}_${randomToken(32)}`;
  await db
    .update(esaAgents)
    .set({ apiKeyHash: await sha256Hex(key), apiKeyPrefix: prefix, apiKeyRotatedAt: new Date() })
    .where(eq(esaAgents.id, agent.id));
  return { agent, key };
}

/** History rows written directly (times as given, UTC), for the jobs and the percentiles. */
export async function insertReports(
  db: Db,
  agentCode: string,
  rows: { status?: string; responseTime?: number | null; errorCount?: number; at: Date }[],
) {
  if (rows.length === 0) return [];
  return db
    .insert(agentHealthReports)
    .values(
      rows.map((row) => ({
        agentCode,
        status: row.status ?? "healthy",
        responseTime: row.responseTime === undefined ? 100 : row.responseTime,
        errorCount: row.errorCount ?? 0,
        reportedAt: row.at,
      })),
    )
    .returning();
}

/** An agent's latest health row, written directly (as if its last report came at `at`). */
export async function setLatestHealth(db: Db, agentCode: string, values: { status: string; at: Date; responseTime?: number }) {
  const [row] = await db
    .insert(agentHealth)
    .values({ agentCode, status: values.status, lastCheckAt: values.at, responseTime: values.responseTime ?? 100, errorCount: 0 })
    .onConflictDoUpdate({ target: agentHealth.agentCode, set: { status: values.status, lastCheckAt: values.at } })
    .returning();
  return row!;
}
