import { asc, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { agentHealth, agentHealthReports } from "../../../drizzle/schema";
import { agentWithKey } from "../../../test/agent-health";
import { signedIn } from "../../../test/auth";
import { useTestDatabase } from "../../../test/harness";

/**
 * Health reports racing each other and the agent's state (a suspension, a revocation, a
 * rotation). Meaningful on PostgreSQL (real concurrency: `DATABASE_URL=... npx vitest run`);
 * they must hold on PGlite too.
 */

const t = await useTestDatabase();

let superAdmin: Awaited<ReturnType<typeof signedIn>>;
beforeAll(async () => {
  superAdmin = await signedIn(t, { role: "super_admin" });
});

function report(key: string, status = "healthy", ip = "203.0.113.9") {
  return t.api.post("/api/agents/health", { json: { status, responseTime: 10, errorCount: 0 }, headers: { "x-agent-key": key, "cf-connecting-ip": ip } });
}

async function historyOf(code: string) {
  return t.db.select().from(agentHealthReports).where(eq(agentHealthReports.agentCode, code)).orderBy(asc(agentHealthReports.reportedAt), asc(agentHealthReports.id));
}

describe("concurrent health reports", () => {
  it("20 reports of one agent at once: all kept, one latest row, and it is the last report committed", async () => {
    const { agent, key } = await agentWithKey(t.db);
    const statuses = ["healthy", "degraded", "failing"];
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => report(key, statuses[i % 3])));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    const history = await historyOf(agent.agentCode);
    expect(history).toHaveLength(20);
    const latest = await t.db.select().from(agentHealth).where(eq(agentHealth.agentCode, agent.agentCode));
    expect(latest).toHaveLength(1);
    const newest = history.at(-1)!;
    expect([latest[0]!.status, latest[0]!.lastCheckAt.toISOString()]).toEqual([newest.status, newest.reportedAt.toISOString()]);
  });

  it("a report racing a suspension: accepted before it, or refused with nothing recorded", async () => {
    for (let round = 0; round < 8; round++) {
      const { agent, key } = await agentWithKey(t.db);
      const [res, suspended] = await Promise.all([
        report(key),
        t.db.execute<{ at: string }>(sql`
          UPDATE esa_agents SET suspended_from = status, status = 'suspended', updated_at = clock_timestamp()
          WHERE id = ${agent.id} RETURNING updated_at::text AS at`),
      ]);
      const history = await historyOf(agent.agentCode);
      const suspendedAt = new Date(`${suspended.rows[0]!.at.replace(" ", "T")}Z`).getTime();
      if (res.status === 201) {
        expect(history).toHaveLength(1);
        expect(history[0]!.reportedAt.getTime()).toBeLessThanOrEqual(suspendedAt);
      } else {
        expect([401, 403]).toContain(res.status);
        expect(history).toEqual([]);
      }
      // After the suspension, its key is refused whatever the race gave.
      expect((await report(key)).status).toBe(403);
    }
  });

  it("a report racing a revocation or a rotation: accepted before it, or refused with nothing recorded", async () => {
    for (let round = 0; round < 8; round++) {
      const { agent, key } = await agentWithKey(t.db);
      const change = round % 2 === 0 ? "delete" : "post";
      const [res, admin] = await Promise.all([
        report(key),
        t.api.request(change.toUpperCase(), `/api/admin/agents/${agent.id}/api-key`, { token: superAdmin.token }),
      ]);
      expect(admin.status).toBe(change === "delete" ? 204 : 201);
      const history = await historyOf(agent.agentCode);
      if (res.status === 201) expect(history).toHaveLength(1);
      else {
        expect(res.body.code).toBe("invalid_agent_key");
        expect(history).toEqual([]);
      }
      expect((await report(key)).status).toBe(401);
    }
  });
});
