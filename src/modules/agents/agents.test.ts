import { beforeAll, describe, expect, it } from "vitest";
import { signedIn } from "../../../test/auth";
import { auditCount, auditRowsOf, createAgent } from "../../../test/admin";
import { agentIn, allPages, createAgentTask, createValidationCheck, storedAgent } from "../../../test/agents";
import { unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { encodeCursor } from "../../lib/pagination";
import { esaAgents } from "../../../drizzle/schema";
import { eq, sql } from "drizzle-orm";

const t = await useTestDatabase();

let superAdmin: Awaited<ReturnType<typeof signedIn>>;
let admin: Awaited<ReturnType<typeof signedIn>>;
let community: Awaited<ReturnType<typeof signedIn>>;

beforeAll(async () => {
  [superAdmin, admin, community] = await Promise.all([
    signedIn(t, { role: "super_admin" }),
    signedIn(t, { role: "admin" }),
    signedIn(t, { role: "community" }),
  ]);
});

const code = () => unique("ESA").slice(0, 40);

function create(json: unknown, token = superAdmin.token) {
  return t.api.post("/api/admin/agents", { json, token });
}
function patch(id: number, json: unknown, token = superAdmin.token) {
  return t.api.patch(`/api/admin/agents/${id}`, { json, token });
}
function move(id: number, status: string, token = superAdmin.token, reason?: string) {
  return t.api.post(`/api/admin/agents/${id}/status`, { json: reason ? { status, reason } : { status }, token });
}

describe("POST /api/admin/agents", () => {
  it("registers an inactive agent, never shows a key hash, and audits the create with the row after", async () => {
    const chief = await createAgent(t.db, { agentType: "division" });
    const agentCode = code();
    const res = await create({
      agentCode,
      agentName: "  Feed page agent  ",
      agentType: "page",
      parentAgentId: chief.id,
      divisionChiefId: chief.id,
      layerNumber: 12,
      tier: 3,
      responsibilities: ["Render the feed", "Watch its latency"],
      certificationLevel: 1,
      configuration: { retries: 3 },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      agentCode,
      agentName: "Feed page agent",
      agentType: "page",
      parentAgentId: chief.id,
      divisionChiefId: chief.id,
      layerNumber: 12,
      tier: 3,
      status: "inactive",
      suspendedFrom: null,
      responsibilities: ["Render the feed", "Watch its latency"],
      competencies: [],
      certificationLevel: 1,
      tasksCompleted: 0,
      avgCompletionTime: null,
      configuration: { retries: 3 },
      apiKeyPrefix: null,
    });
    expect(res.body).not.toHaveProperty("apiKeyHash");
    const audit = await auditRowsOf(t.db, "esa_agent", res.body.id);
    expect(audit).toEqual([
      expect.objectContaining({ actorId: superAdmin.user.id, action: "agent.create", before: null, after: expect.objectContaining({ agent_code: agentCode, status: "inactive" }) }),
    ]);
    expect(audit[0]!.after).not.toHaveProperty("api_key_hash");
  });

  it("refuses a taken code with 409 and an unknown parent or chief with 400, recording nothing", async () => {
    const taken = await createAgent(t.db);
    const before = await auditCount(t.db);
    const dup = await create({ agentCode: taken.agentCode, agentName: "Copy", agentType: "component" });
    expect([dup.status, dup.body.code]).toEqual([409, "agent_code_taken"]);
    const orphan = await create({ agentCode: code(), agentName: "Orphan", agentType: "component", parentAgentId: 2_000_000_000 });
    expect([orphan.status, orphan.body.code]).toEqual([400, "unknown_agent"]);
    const chiefless = await create({ agentCode: code(), agentName: "Chiefless", agentType: "component", divisionChiefId: 2_000_000_000 });
    expect([chiefless.status, chiefless.body.code]).toEqual([400, "unknown_agent"]);
    expect(await auditCount(t.db)).toBe(before);
  });

  it("validates the type, layer, tier, certification level and code", async () => {
    for (const body of [
      { agentType: "robot" },
      { layerNumber: 62 },
      { layerNumber: 0 },
      { tier: 7 },
      { certificationLevel: 4 },
      { agentCode: "has space" },
      { status: "active" },
    ]) {
      const res = await create({ agentCode: code(), agentName: "Checked", agentType: "component", ...body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  it("gives the same code to only one of two concurrent creates", async () => {
    const agentCode = code();
    const results = await Promise.all([0, 1].map(() => create({ agentCode, agentName: "Twin", agentType: "component" })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const rows = await t.db.select().from(esaAgents).where(eq(esaAgents.agentCode, agentCode));
    expect(rows).toHaveLength(1);
    expect(await auditRowsOf(t.db, "esa_agent", rows[0]!.id)).toHaveLength(1);
  });
});

describe("role levels", () => {
  it("lets an admin (5) read but not write, and refuses a community leader (4) everything", async () => {
    const agent = await createAgent(t.db);
    expect((await t.api.get(`/api/admin/agents/${agent.id}`, { token: admin.token })).status).toBe(200);
    expect((await t.api.get("/api/admin/agents", { token: admin.token })).status).toBe(200);
    expect((await create({ agentCode: code(), agentName: "X", agentType: "page" }, admin.token)).status).toBe(403);
    expect((await patch(agent.id, { agentName: "X" }, admin.token)).status).toBe(403);
    expect((await move(agent.id, "training", admin.token)).status).toBe(403);
    expect((await t.api.delete(`/api/admin/agents/${agent.id}`, { token: admin.token })).status).toBe(403);
    for (const path of [`/api/admin/agents/${agent.id}`, "/api/admin/agents", "/api/admin/agents/tree"]) {
      expect((await t.api.get(path, { token: community.token })).status).toBe(403);
      expect((await t.api.get(path)).status).toBe(401);
    }
    expect((await storedAgent(t.db, agent.id)).agentName).toBe(agent.agentName);
  });
});

describe("GET /api/admin/agents", () => {
  it("pages the registry by code without gaps or repeats, and filters", async () => {
    const prefix = unique("LIST").slice(0, 20);
    const parent = await createAgent(t.db, { agentCode: `${prefix}-root`, agentType: "division" });
    for (let i = 0; i < 7; i++) {
      await createAgent(t.db, {
        agentCode: `${prefix}-${i}`,
        agentType: i % 2 ? "page" : "algorithm",
        status: i < 3 ? "training" : "inactive",
        layerNumber: 10 + (i % 3),
        tier: 1 + (i % 2),
        parentAgentId: parent.id,
      });
    }
    const { items, pages } = await allPages<{ agentCode: string }>(t.api, `/api/admin/agents?q=${prefix.toLowerCase()}`, admin.token, 3);
    expect(pages).toBe(3);
    expect(items.map((a) => a.agentCode)).toEqual([`${prefix}-0`, ...Array.from({ length: 6 }, (_, i) => `${prefix}-${i + 1}`), `${prefix}-root`]);
    const filtered = await t.api.get(`/api/admin/agents?q=${prefix}&type=page&status=inactive&tier=2`, { token: admin.token });
    expect(filtered.body.items.map((a: { agentCode: string }) => a.agentCode)).toEqual([`${prefix}-3`, `${prefix}-5`]);
    const byParent = await t.api.get(`/api/admin/agents?parentId=${parent.id}&layer=11`, { token: admin.token });
    expect(byParent.body.items.map((a: { agentCode: string }) => a.agentCode)).toEqual([`${prefix}-1`, `${prefix}-4`]);
  });

  it("refuses a forged cursor and bad filters with 400", async () => {
    for (const query of ["cursor=abc", `cursor=${encodeCursor([1, 2])}`, "layer=62", "tier=0", "type=robot", "parentId=x"]) {
      expect((await t.api.get(`/api/admin/agents?${query}`, { token: admin.token })).status, query).toBe(400);
    }
  });
});

describe("GET /api/admin/agents/{id}", () => {
  it("shows the agent with the latest result of each named check", async () => {
    const agent = await createAgent(t.db);
    await createValidationCheck(t.db, agent.id, { checkName: "latency", result: "failed", checkedAt: new Date(Date.now() - 60_000) });
    const latest = await createValidationCheck(t.db, agent.id, { checkName: "latency", result: "passed" });
    const schema = await createValidationCheck(t.db, agent.id, { checkName: "schema", result: "warning" });
    const res = await t.api.get(`/api/admin/agents/${agent.id}`, { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body.latestChecks).toEqual([
      { id: latest.id, checkName: "latency", result: "passed", checkedAt: latest.checkedAt.toISOString() },
      { id: schema.id, checkName: "schema", result: "warning", checkedAt: schema.checkedAt.toISOString() },
    ]);
    expect((await t.api.get("/api/admin/agents/2000000000", { token: admin.token })).status).toBe(404);
  });
});

describe("PATCH /api/admin/agents/{id}", () => {
  it("changes the given fields only and audits the row before and after", async () => {
    const agent = await createAgent(t.db, { layerNumber: 4, description: "Old" });
    const res = await patch(agent.id, { agentName: "Renamed", tier: 2, description: null, competencies: ["sql"] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ agentName: "Renamed", tier: 2, layerNumber: 4, description: null, competencies: ["sql"] });
    const [audit] = await auditRowsOf(t.db, "esa_agent", agent.id);
    expect(audit).toMatchObject({
      action: "agent.update",
      actorId: superAdmin.user.id,
      before: expect.objectContaining({ agent_name: agent.agentName, tier: null, description: "Old" }),
      after: expect.objectContaining({ agent_name: "Renamed", tier: 2, description: null }),
    });
  });

  it("refuses a status change, an empty body, a taken code, an unknown parent, recording nothing", async () => {
    const [agent, other] = await Promise.all([createAgent(t.db), createAgent(t.db)]);
    const before = await auditCount(t.db);
    expect((await patch(agent.id, { status: "active" })).status).toBe(400);
    expect((await patch(agent.id, {})).status).toBe(400);
    const taken = await patch(agent.id, { agentCode: other.agentCode });
    expect([taken.status, taken.body.code]).toEqual([409, "agent_code_taken"]);
    const unknown = await patch(agent.id, { parentAgentId: 2_000_000_000 });
    expect([unknown.status, unknown.body.code]).toEqual([400, "unknown_agent"]);
    expect((await patch(2_000_000_000, { agentName: "Nobody" })).status).toBe(404);
    expect(await auditCount(t.db)).toBe(before);
  });

  it("refuses a parent that would close a loop: itself, a child, a grandchild", async () => {
    const root = await createAgent(t.db);
    const child = await createAgent(t.db, { parentAgentId: root.id });
    const grandchild = await createAgent(t.db, { parentAgentId: child.id });
    const before = await auditCount(t.db);
    for (const parent of [root.id, child.id, grandchild.id]) {
      const res = await patch(root.id, { parentAgentId: parent });
      expect([res.status, res.body.code], String(parent)).toEqual([409, "hierarchy_cycle"]);
    }
    expect(await auditCount(t.db)).toBe(before);
    expect((await storedAgent(t.db, root.id)).parentAgentId).toBeNull();
    // Moving a subtree elsewhere is fine, and detaching it too.
    const other = await createAgent(t.db);
    expect((await patch(child.id, { parentAgentId: other.id })).body.parentAgentId).toBe(other.id);
    expect((await patch(child.id, { parentAgentId: null })).body.parentAgentId).toBeNull();
  });

  it("never lets two changes racing close a loop: A under B and B under A at once, one wins", async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([createAgent(t.db), createAgent(t.db)]);
      const results = await Promise.all([patch(a.id, { parentAgentId: b.id }), patch(b.id, { parentAgentId: a.id })]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const [sa, sb] = await Promise.all([storedAgent(t.db, a.id), storedAgent(t.db, b.id)]);
      expect([sa.parentAgentId === b.id, sb.parentAgentId === a.id].filter(Boolean)).toHaveLength(1);
    }
  });
});

describe("an agent's health, kept by its code", () => {
  async function healthOf(agentCode: string) {
    const { rows } = await t.db.execute<{ latest: number; reports: number; days: number }>(sql`
      SELECT (SELECT count(*) FROM agent_health WHERE agent_code = ${agentCode})::int AS latest,
             (SELECT count(*) FROM agent_health_reports WHERE agent_code = ${agentCode})::int AS reports,
             (SELECT count(*) FROM agent_health_daily WHERE agent_code = ${agentCode})::int AS days`);
    return rows[0]!;
  }
  async function reported(agentCode: string) {
    await t.db.execute(sql`INSERT INTO agent_health (agent_code, status, response_time) VALUES (${agentCode}, 'healthy', 40)`);
    await t.db.execute(sql`INSERT INTO agent_health_reports (agent_code, status, response_time) VALUES (${agentCode}, 'healthy', 40)`);
    await t.db.execute(sql`INSERT INTO agent_health_daily (agent_code, day, reports, healthy) VALUES (${agentCode}, '2026-01-01', 3, 3)`);
  }

  it("follows the agent to its new code", async () => {
    const agent = await createAgent(t.db);
    await reported(agent.agentCode);
    const renamed = code();
    expect((await patch(agent.id, { agentCode: renamed })).status).toBe(200);
    expect(await healthOf(renamed)).toEqual({ latest: 1, reports: 1, days: 1 });
    expect(await healthOf(agent.agentCode)).toEqual({ latest: 0, reports: 0, days: 0 });
  });

  it("goes with the agent when it is deleted, so a later agent given the code starts clean", async () => {
    const agent = await createAgent(t.db);
    await reported(agent.agentCode);
    expect((await t.api.delete(`/api/admin/agents/${agent.id}`, { token: superAdmin.token })).status).toBe(204);
    expect(await healthOf(agent.agentCode)).toEqual({ latest: 0, reports: 0, days: 0 });
  });
});

describe("DELETE /api/admin/agents/{id}", () => {
  it("removes an agent with its tasks and audits the row before; refuses one others name as parent or chief", async () => {
    const chief = await createAgent(t.db);
    const parent = await createAgent(t.db);
    const child = await createAgent(t.db, { parentAgentId: parent.id, divisionChiefId: chief.id });
    await createAgentTask(t.db, child.id);
    const before = await auditCount(t.db);
    for (const id of [chief.id, parent.id]) {
      const res = await t.api.delete(`/api/admin/agents/${id}`, { token: superAdmin.token });
      expect([res.status, res.body.code]).toEqual([409, "agent_has_children"]);
    }
    expect(await auditCount(t.db)).toBe(before);
    expect((await t.api.delete(`/api/admin/agents/${child.id}`, { token: superAdmin.token })).status).toBe(204);
    expect(await auditRowsOf(t.db, "esa_agent", child.id)).toEqual([
      expect.objectContaining({ action: "agent.delete", before: expect.objectContaining({ id: child.id }), after: null }),
    ]);
    expect((await t.api.delete(`/api/admin/agents/${parent.id}`, { token: superAdmin.token })).status).toBe(204);
    expect((await t.api.delete(`/api/admin/agents/${parent.id}`, { token: superAdmin.token })).status).toBe(404);
  });

  it("refuses the delete or the new child when a child is added at the same moment: never a dangling parent", async () => {
    for (let round = 0; round < 5; round++) {
      const parent = await createAgent(t.db);
      const [removed, added] = await Promise.all([
        t.api.delete(`/api/admin/agents/${parent.id}`, { token: superAdmin.token }),
        create({ agentCode: code(), agentName: "Late child", agentType: "component", parentAgentId: parent.id }),
      ]);
      expect([removed.status, added.status].sort()).toEqual(removed.status === 204 ? [204, 400] : [201, 409]);
    }
  });
});

describe("POST /api/admin/agents/{id}/status", () => {
  it("walks the life cycle one step at a time, stamping training and certification", async () => {
    const agent = await createAgent(t.db);
    expect((await move(agent.id, "training")).body.status).toBe("training");
    const certified = await move(agent.id, "certified");
    expect(certified.body).toMatchObject({ status: "certified", certifiedAt: expect.any(String), trainingCompletedAt: expect.any(String) });
    const active = await move(agent.id, "active", superAdmin.token, "Passed review");
    expect(active.body).toMatchObject({ status: "active", certifiedAt: certified.body.certifiedAt });
    const audit = await auditRowsOf(t.db, "esa_agent", agent.id);
    expect(audit.map((a) => [a.action, (a.before as { status: string }).status, (a.after as { status: string }).status])).toEqual([
      ["agent.status", "inactive", "training"],
      ["agent.status", "training", "certified"],
      ["agent.status", "certified", "active"],
    ]);
    expect(audit[2]!.after).toMatchObject({ reason: "Passed review" });
  });

  it("suspends from any state and resumes only to where it was", async () => {
    for (const from of ["inactive", "training", "certified", "active"]) {
      const agent = await createAgent(t.db, { status: from });
      const suspended = await move(agent.id, "suspended");
      expect(suspended.body).toMatchObject({ status: "suspended", suspendedFrom: from });
      for (const other of ["inactive", "training", "certified", "active", "suspended"].filter((s) => s !== from)) {
        const refused = await move(agent.id, other);
        expect([refused.status, refused.body.code], `${from} → ${other}`).toEqual([409, "illegal_transition"]);
        expect(refused.body.detail).toContain(`from suspended to ${other}`);
      }
      expect((await move(agent.id, from)).body).toMatchObject({ status: from, suspendedFrom: null });
    }
  });

  it("refuses skipping, going back and standing still with 409, recording nothing", async () => {
    const before = await auditCount(t.db);
    for (const [from, to] of [
      ["inactive", "certified"],
      ["inactive", "active"],
      ["training", "active"],
      ["certified", "training"],
      ["active", "inactive"],
      ["active", "active"],
    ] as const) {
      const agent = await createAgent(t.db, { status: from });
      const res = await move(agent.id, to);
      expect([res.status, res.body.code, res.body.detail], `${from} → ${to}`).toEqual([409, "illegal_transition", `An agent cannot move from ${from} to ${to}.`]);
      expect((await storedAgent(t.db, agent.id)).status).toBe(from);
    }
    expect(await auditCount(t.db)).toBe(before);
    expect((await move(2_000_000_000, "training")).status).toBe(404);
    expect((await move((await createAgent(t.db)).id, "retired")).status).toBe(400);
  });

  it("lets exactly one of racing moves win: 10 admins moving inactive → training at once", async () => {
    const agent = await createAgent(t.db);
    const results = await Promise.all(Array.from({ length: 10 }, () => move(agent.id, "training")));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(9);
    expect(await auditRowsOf(t.db, "esa_agent", agent.id)).toHaveLength(1);
  });

  it("orders a suspension racing a forward step: whichever is second sees the first", async () => {
    for (let round = 0; round < 5; round++) {
      const agent = await createAgent(t.db, { status: "certified" });
      const [suspend, activate] = await Promise.all([move(agent.id, "suspended"), move(agent.id, "active")]);
      const stored = await storedAgent(t.db, agent.id);
      expect(suspend.status).toBe(200);
      // Activated first, then suspended from active; or suspended first, and the step refused.
      if (activate.status === 200) expect([stored.status, stored.suspendedFrom]).toEqual(["suspended", "active"]);
      else expect([activate.status, stored.status, stored.suspendedFrom]).toEqual([409, "suspended", "certified"]);
    }
  });
});

describe("GET /api/admin/agents/tree", () => {
  it("returns the hierarchy depth first, with depth and path, in pages without gaps or repeats", async () => {
    const root = await createAgent(t.db, { agentType: "board" });
    const a = await createAgent(t.db, { parentAgentId: root.id });
    const b = await createAgent(t.db, { parentAgentId: root.id });
    const a1 = await createAgent(t.db, { parentAgentId: a.id });
    const a2 = await createAgent(t.db, { parentAgentId: a.id });
    const a1x = await createAgent(t.db, { parentAgentId: a1.id });
    const b1 = await createAgent(t.db, { parentAgentId: b.id });
    const { items, pages } = await allPages<{ id: number; depth: number; path: number[] }>(
      t.api,
      `/api/admin/agents/tree?rootId=${root.id}`,
      admin.token,
      2,
    );
    expect(pages).toBe(4);
    expect(items.map((n) => [n.id, n.depth, n.path])).toEqual([
      [root.id, 0, [root.id]],
      [a.id, 1, [root.id, a.id]],
      [a1.id, 2, [root.id, a.id, a1.id]],
      [a1x.id, 3, [root.id, a.id, a1.id, a1x.id]],
      [a2.id, 2, [root.id, a.id, a2.id]],
      [b.id, 1, [root.id, b.id]],
      [b1.id, 2, [root.id, b.id, b1.id]],
    ]);
  });

  it("starts from every top-level agent without rootId, stops on a loop in old data, and 404s an unknown root", async () => {
    const top = await createAgent(t.db);
    const under = await createAgent(t.db, { parentAgentId: top.id });
    const whole = await allPages<{ id: number }>(t.api, "/api/admin/agents/tree", admin.token, 100);
    const ids = whole.items.map((n) => n.id);
    expect(ids.indexOf(under.id)).toBe(ids.indexOf(top.id) + 1);
    // A loop written straight into the table (the API refuses one): the walk from a root in it ends.
    const x = await createAgent(t.db);
    const y = await createAgent(t.db, { parentAgentId: x.id });
    await t.db.execute(sql`UPDATE esa_agents SET parent_agent_id = ${y.id} WHERE id = ${x.id}`);
    const loop = await t.api.get(`/api/admin/agents/tree?rootId=${x.id}`, { token: admin.token });
    expect(loop.body.items.map((n: { id: number }) => n.id)).toEqual([x.id, y.id]);
    await t.db.execute(sql`UPDATE esa_agents SET parent_agent_id = NULL WHERE id = ${x.id}`);
    expect((await t.api.get("/api/admin/agents/tree?rootId=2000000000", { token: admin.token })).status).toBe(404);
    expect((await t.api.get("/api/admin/agents/tree?cursor=bad", { token: admin.token })).status).toBe(400);
  });
});

describe("agents in the status filter", () => {
  it("finds a suspended agent by status", async () => {
    const agent = await agentIn(t.db, "suspended", "training", { agentCode: code() });
    const res = await t.api.get(`/api/admin/agents?status=suspended&q=${agent.agentCode}`, { token: admin.token });
    expect(res.body.items).toEqual([expect.objectContaining({ id: agent.id, suspendedFrom: "training" })]);
  });
});
