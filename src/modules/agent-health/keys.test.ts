import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { agentHealth, agentHealthReports, esaAgents } from "../../../drizzle/schema";
import { auditCount, auditRowsOf, createAgent } from "../../../test/admin";
import { agentWithKey } from "../../../test/agent-health";
import { clearOfRateLimitWindowEdge, signedIn } from "../../../test/auth";
import { useTestDatabase } from "../../../test/harness";
import { roundTrips } from "../../../test/roundtrips";
import { sha256Hex } from "../../lib/crypto";

const t = await useTestDatabase();

let superAdmin: Awaited<ReturnType<typeof signedIn>>;
let admin: Awaited<ReturnType<typeof signedIn>>;

beforeAll(async () => {
  [superAdmin, admin] = await Promise.all([signedIn(t, { role: "super_admin" }), signedIn(t, { role: "admin" })]);
});

const GOOD = { status: "healthy", responseTime: 120, errorCount: 0 };

function report(key: string | undefined, json: unknown = GOOD, headers: Record<string, string> = {}) {
  return t.api.post("/api/agents/health", { json, headers: { ...(key === undefined ? {} : { "x-agent-key": key }), ...headers } });
}

async function agentRow(id: number) {
  const [row] = await t.db.select().from(esaAgents).where(eq(esaAgents.id, id));
  return row!;
}

async function reportsOf(code: string) {
  return t.db.select().from(agentHealthReports).where(eq(agentHealthReports.agentCode, code));
}

describe("POST /api/admin/agents/{id}/api-key", () => {
  it("makes a key, shows it once, stores only its hash and prefix, and audits it without the hash", async () => {
    const agent = await createAgent(t.db);
    const res = await t.api.post(`/api/admin/agents/${agent.id}/api-key`, { token: superAdmin.token });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ agentId: agent.id, apiKey: expect.stringMatching(/^mta_ag_[\w-]{8}_[\w-]{43}$/), prefix: expect.any(String), rotatedAt: expect.any(String) });
    expect(res.body.apiKey.startsWith(`${res.body.prefix}_`)).toBe(true);
    const row = await agentRow(agent.id);
    expect(row.apiKeyHash).toBe(await sha256Hex(res.body.apiKey));
    expect(row.apiKeyPrefix).toBe(res.body.prefix);
    expect(JSON.stringify(row)).not.toContain(res.body.apiKey);
    const audit = await auditRowsOf(t.db, "esa_agent", agent.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: superAdmin.user.id, action: "agent.rotate_key" });
    expect(audit[0]!.before).toMatchObject({ id: agent.id, api_key_prefix: null });
    expect(audit[0]!.after).toMatchObject({ id: agent.id, api_key_prefix: res.body.prefix });
    for (const side of [audit[0]!.before, audit[0]!.after]) expect(side).not.toHaveProperty("api_key_hash");
    expect(JSON.stringify(audit)).not.toContain(row.apiKeyHash!);
  });

  it("rotates: the old key is refused at once, the new one accepted", async () => {
    const agent = await createAgent(t.db, { status: "active" });
    const first = (await t.api.post(`/api/admin/agents/${agent.id}/api-key`, { token: superAdmin.token })).body.apiKey as string;
    expect((await report(first)).status).toBe(201);
    const second = await t.api.post(`/api/admin/agents/${agent.id}/api-key`, { token: superAdmin.token });
    expect(second.status).toBe(201);
    expect(second.body.apiKey).not.toBe(first);
    const old = await report(first);
    expect([old.status, old.body.code]).toEqual([401, "invalid_agent_key"]);
    expect((await report(second.body.apiKey)).status).toBe(201);
    const audit = await auditRowsOf(t.db, "esa_agent", agent.id);
    expect(audit.map((a) => a.action)).toEqual(["agent.rotate_key", "agent.rotate_key"]);
    expect((audit[1]!.before as { api_key_prefix: string }).api_key_prefix).toBe((audit[0]!.after as { api_key_prefix: string }).api_key_prefix);
  });

  it("is 404 for an unknown agent and records nothing; an admin below level 7 is refused", async () => {
    const before = await auditCount(t.db);
    expect((await t.api.post("/api/admin/agents/2147483000/api-key", { token: superAdmin.token })).status).toBe(404);
    const agent = await createAgent(t.db);
    const refused = await t.api.post(`/api/admin/agents/${agent.id}/api-key`, { token: admin.token });
    expect([refused.status, refused.body.code]).toEqual([403, "insufficient_role"]);
    expect((await t.api.post(`/api/admin/agents/${agent.id}/api-key`)).status).toBe(401);
    expect(await auditCount(t.db)).toBe(before);
    expect((await agentRow(agent.id)).apiKeyHash).toBeNull();
  });

  it("takes one round trip", async () => {
    const agent = await createAgent(t.db);
    expect(await roundTrips(() => t.api.post(`/api/admin/agents/${agent.id}/api-key`, { token: superAdmin.token }))).toEqual({ status: 201, trips: 1 });
  });

  it("two rotations racing: each records the key it replaced, and only the last key works", async () => {
    const agent = await createAgent(t.db, { status: "active" });
    const results = await Promise.all([0, 1, 2].map(() => t.api.post(`/api/admin/agents/${agent.id}/api-key`, { token: superAdmin.token })));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    const audit = await auditRowsOf(t.db, "esa_agent", agent.id);
    expect(audit).toHaveLength(3);
    // A chain: each rotation's before is the previous one's after.
    const prefix = (side: unknown) => (side as { api_key_prefix: string | null }).api_key_prefix;
    expect(prefix(audit[0]!.before)).toBeNull();
    expect(prefix(audit[1]!.before)).toBe(prefix(audit[0]!.after));
    expect(prefix(audit[2]!.before)).toBe(prefix(audit[1]!.after));
    const accepted = await Promise.all(results.map((r) => report(r.body.apiKey)));
    const winner = results.findIndex((r) => r.body.prefix === prefix(audit[2]!.after));
    expect(accepted.map((r) => r.status)).toEqual(results.map((_, i) => (i === winner ? 201 : 401)));
  });
});

describe("DELETE /api/admin/agents/{id}/api-key", () => {
  it("revokes: the key is refused from then on; audited once, a second revoke records nothing", async () => {
    const { agent, key } = await agentWithKey(t.db);
    expect((await report(key)).status).toBe(201);
    expect((await t.api.delete(`/api/admin/agents/${agent.id}/api-key`, { token: superAdmin.token })).status).toBe(204);
    const refused = await report(key);
    expect([refused.status, refused.body.code]).toEqual([401, "invalid_agent_key"]);
    expect(await agentRow(agent.id)).toMatchObject({ apiKeyHash: null, apiKeyPrefix: null });
    const audit = await auditRowsOf(t.db, "esa_agent", agent.id);
    expect(audit.map((a) => a.action)).toEqual(["agent.revoke_key"]);
    expect(audit[0]!.before).not.toHaveProperty("api_key_hash");
    expect(audit[0]!.after).toMatchObject({ api_key_prefix: null });
    const count = await auditCount(t.db);
    expect(await roundTrips(() => t.api.delete(`/api/admin/agents/${agent.id}/api-key`, { token: superAdmin.token }))).toEqual({ status: 204, trips: 1 });
    expect(await auditCount(t.db)).toBe(count);
  });

  it("is 404 for an unknown agent, 403 below level 7, and records nothing", async () => {
    const { agent, key } = await agentWithKey(t.db);
    const before = await auditCount(t.db);
    expect((await t.api.delete("/api/admin/agents/2147483000/api-key", { token: superAdmin.token })).status).toBe(404);
    expect((await t.api.delete(`/api/admin/agents/${agent.id}/api-key`, { token: admin.token })).status).toBe(403);
    expect(await auditCount(t.db)).toBe(before);
    expect((await report(key)).status).toBe(201);
  });
});

describe("POST /api/agents/health", () => {
  it("upserts the latest health, keeps the history, moves last activity, in one round trip", async () => {
    const { agent, key } = await agentWithKey(t.db);
    const audits = await auditCount(t.db);
    const first = await roundTrips(() => report(key, { status: "degraded", responseTime: 300, errorCount: 2, errorDetails: { lastError: "timeout", codes: [504, 504] } }));
    expect(first).toEqual({ status: 201, trips: 1 });
    const second = await report(key, GOOD);
    expect(second.body).toEqual({ agentId: agent.id, agentCode: agent.agentCode, status: "healthy", reportedAt: expect.any(String) });
    const latest = await t.db.select().from(agentHealth).where(eq(agentHealth.agentCode, agent.agentCode));
    expect(latest).toHaveLength(1);
    expect(latest[0]).toMatchObject({ status: "healthy", responseTime: 120, errorCount: 0, errorDetails: null });
    const history = (await reportsOf(agent.agentCode)).sort((a, b) => a.id - b.id);
    expect(history.map((r) => [r.status, r.responseTime, r.errorCount, r.errorDetails])).toEqual([
      ["degraded", 300, 2, { lastError: "timeout", codes: [504, 504] }],
      ["healthy", 120, 0, null],
    ]);
    expect((await agentRow(agent.id)).lastActiveAt).not.toBeNull();
    expect(await auditCount(t.db)).toBe(audits);
  });

  it("refuses a missing, malformed, wrong or other agent's-hash key with the same 401, recording nothing", async () => {
    const { agent, key } = await agentWithKey(t.db);
    const hash = (await agentRow(agent.id)).apiKeyHash!;
    for (const bad of [undefined, "", "nonsense", `${key}x`, key.slice(0, -1), hash, `mta_ag_${"x".repeat(200)}`]) {
      const res = await report(bad);
      expect([res.status, res.body.code], String(bad).slice(0, 20)).toEqual([401, "invalid_agent_key"]);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
    expect(await reportsOf(agent.agentCode)).toEqual([]);
    // Not even the shape of a key: refused before the database.
    expect(await roundTrips(() => report("nonsense"))).toEqual({ status: 401, trips: 0 });
    expect(await roundTrips(() => report(`${key}x`))).toEqual({ status: 401, trips: 1 });
  });

  it("never takes a user's token as the agent's credential", async () => {
    const god = await signedIn(t, { role: "god" });
    const withBearer = await t.api.post("/api/agents/health", { json: GOOD, token: god.token });
    expect([withBearer.status, withBearer.body.code]).toEqual([401, "invalid_agent_key"]);
    const asKey = await report(god.token);
    expect([asKey.status, asKey.body.code]).toEqual([401, "invalid_agent_key"]);
    const asBearerKey = await report(`Bearer ${god.token}`);
    expect(asBearerKey.status).toBe(401);
  });

  it("refuses a suspended agent's key with 403 agent_suspended, and takes it again once lifted", async () => {
    const { agent, key } = await agentWithKey(t.db, { status: "suspended", suspendedFrom: "active" });
    const res = await report(key);
    expect([res.status, res.body.code]).toEqual([403, "agent_suspended"]);
    expect(await reportsOf(agent.agentCode)).toEqual([]);
    expect((await agentRow(agent.id)).lastActiveAt).toBeNull();
    await t.db.update(esaAgents).set({ status: "active", suspendedFrom: null }).where(eq(esaAgents.id, agent.id));
    expect((await report(key)).status).toBe(201);
  });

  it("refuses statuses an agent may not claim, bad numbers and oversized or unstorable details with 400", async () => {
    const { agent, key } = await agentWithKey(t.db);
    const bad = [
      { ...GOOD, status: "offline" },
      { ...GOOD, status: "unknown" },
      { ...GOOD, responseTime: -1 },
      { ...GOOD, responseTime: 1.5 },
      { ...GOOD, errorCount: -3 },
      { status: "healthy", errorCount: 0 },
      { ...GOOD, errorDetails: { big: "x".repeat(5000) } },
      { ...GOOD, errorDetails: { nul: "a\u0000b" } },
      { ...GOOD, errorDetails: { "k\u0000": 1 } },
      { ...GOOD, errorDetails: { lone: "\ud800" } },
      { ...GOOD, errorDetails: { a: { b: { c: { d: { e: { f: { g: { h: 1 } } } } } } } } },
      { ...GOOD, errorDetails: ["not", "an", "object"] },
    ];
    for (const json of bad) {
      const res = await report(key, json);
      expect(res.status, JSON.stringify(json).slice(0, 80)).toBe(400);
    }
    expect(await reportsOf(agent.agentCode)).toEqual([]);
  });

  it("is rate-limited per agent: the 31st report in a minute is a 429 with Retry-After, another agent is unaffected", async () => {
    const [one, other] = await Promise.all([agentWithKey(t.db), agentWithKey(t.db)]);
    await clearOfRateLimitWindowEdge();
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await report(one.key, GOOD, { "cf-connecting-ip": `198.51.100.${i + 1}` })).status);
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(201));
    const limited = await report(one.key);
    expect([statuses[30], limited.status, limited.body.code]).toEqual([429, 429, "rate_limited"]);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await report(other.key)).status).toBe(201);
    expect(await reportsOf(one.agent.agentCode)).toHaveLength(30);
  });
});
