import { beforeAll, describe, expect, it } from "vitest";
import { agentHealthDaily } from "../../../drizzle/schema";
import { createAgent } from "../../../test/admin";
import { agentWithKey, insertReports, setLatestHealth } from "../../../test/agent-health";
import { signedIn } from "../../../test/auth";
import { useTestDatabase } from "../../../test/harness";
import { roundTrips } from "../../../test/roundtrips";
import { encodeCursor } from "../../lib/pagination";

// A database of this file's own: the dashboard's counts are over every agent in it.
const t = await useTestDatabase();

let admin: Awaited<ReturnType<typeof signedIn>>;
let community: Awaited<ReturnType<typeof signedIn>>;

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** An item of any of the module's lists, as the tests read it. */
interface Item {
  agentId: number;
  [field: string]: unknown;
}

/** Every page of a list, following nextCursor. */
async function allPages(path: string, token: string, limit: number) {
  const items: Item[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: any = await t.api.get(`${path}?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { token });
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages += 1;
  } while (cursor && pages < 50);
  return { items, pages };
}

let agents: Record<string, Awaited<ReturnType<typeof createAgent>>>;

beforeAll(async () => {
  [admin, community] = await Promise.all([signedIn(t, { role: "admin" }), signedIn(t, { role: "community" })]);
  // Created in an order that is not the dashboard's: healthy first, failing last.
  const names = ["healthy1", "never1", "degraded1", "offline1", "failing1", "healthy2", "degraded2", "failing2", "never2"];
  agents = {};
  for (const name of names) agents[name] = await createAgent(t.db, { status: name === "never2" ? "suspended" : "active", ...(name === "never2" ? { suspendedFrom: "active" } : {}) });
  const now = Date.now();
  for (const name of names) {
    const status = name.replace(/\d$/, "");
    if (status !== "never") await setLatestHealth(t.db, agents[name]!.agentCode, { status, at: new Date(now - MINUTE), responseTime: 42 });
  }
});

describe("GET /api/admin/agent-health", () => {
  it("lists every agent failing first, then degraded, offline, unknown, healthy, with the counts, in one round trip", async () => {
    expect(await roundTrips(() => t.api.get("/api/admin/agent-health", { token: admin.token }))).toEqual({ status: 200, trips: 1 });
    const res = await t.api.get("/api/admin/agent-health", { token: admin.token });
    expect(res.body.counts).toEqual({ total: 9, failing: 2, degraded: 2, offline: 1, unknown: 2, healthy: 2 });
    const id = (name: string) => agents[name]!.id;
    expect(res.body.items.map((i: { agentId: number }) => i.agentId)).toEqual(
      ["failing1", "failing2", "degraded1", "degraded2", "offline1", "never1", "never2", "healthy1", "healthy2"].map(id),
    );
    const never = res.body.items.find((i: { agentId: number }) => i.agentId === id("never2"));
    expect(never).toMatchObject({ status: "unknown", agentStatus: "suspended", lastCheckAt: null, responseTime: null, hasApiKey: false });
    const failing = res.body.items[0];
    expect(failing).toMatchObject({ agentCode: agents.failing1!.agentCode, status: "failing", responseTime: 42, lastCheckAt: expect.any(String) });
  });

  it("pages without gaps or repeats, each page carrying the counts; a bad cursor is a 400", async () => {
    const { items, pages } = await allPages("/api/admin/agent-health", admin.token, 2);
    expect(pages).toBe(5);
    const ids = items.map((i) => i.agentId);
    expect(new Set(ids).size).toBe(9);
    const full = await t.api.get("/api/admin/agent-health", { token: admin.token });
    expect(ids).toEqual(full.body.items.map((i: { agentId: number }) => i.agentId));
    const past = await t.api.get(`/api/admin/agent-health?cursor=${encodeCursor([4, 2147483647])}`, { token: admin.token });
    expect(past.body).toMatchObject({ items: [], nextCursor: null, counts: { total: 9 } });
    for (const bad of ["garbage", encodeCursor([9, 1]), encodeCursor(["x", 1]), encodeCursor([1])]) {
      const res = await t.api.get(`/api/admin/agent-health?cursor=${encodeURIComponent(bad)}`, { token: admin.token });
      expect([res.status, res.body.code]).toEqual([400, "invalid_cursor"]);
    }
  });

  it("refuses a level-4 dancer and an anonymous caller", async () => {
    expect((await t.api.get("/api/admin/agent-health", { token: community.token })).status).toBe(403);
    expect((await t.api.get("/api/admin/agent-health")).status).toBe(401);
  });

  it("shows a report at once: the agent moves to its new place", async () => {
    const { agent, key } = await agentWithKey(t.db);
    expect((await t.api.post("/api/agents/health", { json: { status: "failing", responseTime: 900, errorCount: 3 }, headers: { "x-agent-key": key } })).status).toBe(201);
    const res = await t.api.get("/api/admin/agent-health?limit=3", { token: admin.token });
    expect(res.body.counts).toMatchObject({ total: 10, failing: 3 });
    expect(res.body.items.map((i: { agentId: number }) => i.agentId)).toContain(agent.id);
    expect(res.body.items.find((i: { agentId: number }) => i.agentId === agent.id)).toMatchObject({ status: "failing", errorCount: 3, hasApiKey: true });
  });
});

describe("GET /api/admin/agent-health/percentiles", () => {
  it("gives p50, p95, p99 and max per agent over the last 24 hours only, null without reports, in one round trip", async () => {
    const [fast, none] = await Promise.all([createAgent(t.db), createAgent(t.db)]);
    const now = Date.now();
    // 1..100 ms in the window, plus an old slow report and an offline move (no time) that must not count.
    await insertReports(t.db, fast.agentCode, [
      ...Array.from({ length: 100 }, (_, i) => ({ responseTime: i + 1, at: new Date(now - (i + 1) * MINUTE) })),
      { responseTime: 99_999, at: new Date(now - 25 * HOUR) },
      { status: "offline", responseTime: null, at: new Date(now - 2 * HOUR) },
    ]);
    const { items } = await allPages("/api/admin/agent-health/percentiles", admin.token, 100);
    const mine = items.find((i) => i.agentId === fast.id)!;
    expect(mine.reports).toBe(100);
    expect(mine.p50).toBeCloseTo(50.5, 6);
    expect(mine.p95).toBeCloseTo(95.05, 6);
    expect(mine.p99).toBeCloseTo(99.01, 6);
    expect(mine.max).toBe(100);
    expect(items.find((i) => i.agentId === none.id)).toEqual({ agentId: none.id, agentCode: none.agentCode, reports: 0, p50: null, p95: null, p99: null, max: null });
    expect(await roundTrips(() => t.api.get("/api/admin/agent-health/percentiles", { token: admin.token }))).toEqual({ status: 200, trips: 1 });
  });

  it("pages by agent id without gaps or repeats; a bad cursor is a 400; level 4 refused", async () => {
    const { items } = await allPages("/api/admin/agent-health/percentiles", admin.token, 3);
    const ids = items.map((i) => i.agentId);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(11);
    const res = await t.api.get(`/api/admin/agent-health/percentiles?cursor=${encodeCursor(["x"])}`, { token: admin.token });
    expect(res.status).toBe(400);
    expect((await t.api.get("/api/admin/agent-health/percentiles", { token: community.token })).status).toBe(403);
  });
});

describe("GET /api/admin/agents/{id}/health", () => {
  it("lists the reports newest first, then the summarised days, in pages without gaps or repeats", async () => {
    const agent = await createAgent(t.db);
    const now = Date.now();
    await insertReports(t.db, agent.agentCode, [
      { status: "healthy", responseTime: 10, at: new Date(now - 3 * HOUR) },
      { status: "failing", responseTime: 20, errorCount: 4, at: new Date(now - 2 * HOUR) },
      // Two reports at the same instant: the id breaks the tie.
      { status: "degraded", responseTime: 30, at: new Date(now - HOUR) },
      { status: "healthy", responseTime: 40, at: new Date(now - HOUR) },
    ]);
    await t.db.insert(agentHealthDaily).values([
      { agentCode: agent.agentCode, day: "2026-01-02", reports: 10, healthy: 9, failing: 1, errorCount: 3, avgResponseTime: 50, p50ResponseTime: 45, p95ResponseTime: 90, maxResponseTime: 99 },
      { agentCode: agent.agentCode, day: "2026-01-01", reports: 5, healthy: 5, errorCount: 0, avgResponseTime: 20 },
    ]);
    const { items, pages } = await allPages(`/api/admin/agents/${agent.id}/health`, admin.token, 2);
    expect(pages).toBe(3);
    expect(items.map((i) => [i.kind, i.status, i.responseTime])).toEqual([
      ["report", "healthy", 40],
      ["report", "degraded", 30],
      ["report", "failing", 20],
      ["report", "healthy", 10],
      ["day", null, 50],
      ["day", null, 20],
    ]);
    expect(items[4]).toMatchObject({
      at: "2026-01-02T00:00:00.000Z",
      errorCount: 3,
      day: { reports: 10, healthy: 9, failing: 1, degraded: 0, offline: 0, unknown: 0, p50ResponseTime: 45, p95ResponseTime: 90, maxResponseTime: 99 },
    });
    expect(items[2]).toMatchObject({ errorCount: 4, day: null });
    expect(await roundTrips(() => t.api.get(`/api/admin/agents/${agent.id}/health`, { token: admin.token }))).toEqual({ status: 200, trips: 1 });
  });

  it("is an empty page for an agent with no history, 404 for an unknown one, 400 for a bad cursor, 403 at level 4", async () => {
    const agent = await createAgent(t.db);
    expect((await t.api.get(`/api/admin/agents/${agent.id}/health`, { token: admin.token })).body).toEqual({ items: [], nextCursor: null });
    expect((await t.api.get("/api/admin/agents/2147483000/health", { token: admin.token })).status).toBe(404);
    for (const bad of ["nope", encodeCursor(["2026-01-01", 1]), encodeCursor(["2026-01-01 00:00:00", -1])]) {
      const res = await t.api.get(`/api/admin/agents/${agent.id}/health?cursor=${encodeURIComponent(bad)}`, { token: admin.token });
      expect([res.status, res.body.code]).toEqual([400, "invalid_cursor"]);
    }
    expect((await t.api.get(`/api/admin/agents/${agent.id}/health`, { token: community.token })).status).toBe(403);
    expect((await t.api.get(`/api/admin/agents/${agent.id}/health`)).status).toBe(401);
  });
});
