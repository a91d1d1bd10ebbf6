import { createScheduledController } from "cloudflare:test";
import { and, asc, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { agentHealth, agentHealthDaily, agentHealthReports } from "../../../drizzle/schema";
import { createAgent } from "../../../test/admin";
import { agentWithKey, insertReports, setLatestHealth } from "../../../test/agent-health";
import { testCtx, useTestDatabase } from "../../../test/harness";
import worker from "../../../workers/api";
import { createHealthSummaryJob, summariseAgentHealth } from "../../jobs/agent-health";
import { SCHEDULES } from "../../jobs/index";
import { markSilentAgentsOffline } from "./index";

const t = await useTestDatabase();

const MINUTE = 60_000;
const DAY = 86_400_000;

async function healthOf(code: string) {
  const [row] = await t.db.select().from(agentHealth).where(eq(agentHealth.agentCode, code));
  return row;
}

async function historyOf(code: string) {
  return t.db.select().from(agentHealthReports).where(eq(agentHealthReports.agentCode, code)).orderBy(asc(agentHealthReports.id));
}

async function daysOf(code: string) {
  return t.db.select().from(agentHealthDaily).where(eq(agentHealthDaily.agentCode, code)).orderBy(asc(agentHealthDaily.day));
}

describe("the offline job (every minute)", () => {
  it("marks agents silent for longer than AGENT_OFFLINE_MINUTES offline, records the move once, and a rerun does nothing", async () => {
    const now = new Date("2031-04-01T12:00:00Z");
    const [silent, fresh, edge, already, degraded] = await Promise.all([0, 1, 2, 3, 4].map(() => createAgent(t.db, { status: "active" })));
    const never = await createAgent(t.db, { status: "active" });
    await setLatestHealth(t.db, silent!.agentCode, { status: "healthy", at: new Date(now.getTime() - 11 * MINUTE) });
    await setLatestHealth(t.db, fresh!.agentCode, { status: "healthy", at: new Date(now.getTime() - 9 * MINUTE) });
    await setLatestHealth(t.db, edge!.agentCode, { status: "failing", at: new Date(now.getTime() - 10 * MINUTE) });
    await setLatestHealth(t.db, already!.agentCode, { status: "offline", at: new Date(now.getTime() - 60 * MINUTE) });
    await setLatestHealth(t.db, degraded!.agentCode, { status: "degraded", at: new Date(now.getTime() - 3 * DAY) });
    const counts = await markSilentAgentsOffline(testCtx(t, { now }));
    expect(counts.offline).toBe(2);
    expect((await healthOf(silent!.agentCode))!.status).toBe("offline");
    expect((await healthOf(degraded!.agentCode))!.status).toBe("offline");
    expect((await healthOf(fresh!.agentCode))!.status).toBe("healthy");
    expect((await healthOf(edge!.agentCode))!.status).toBe("failing");
    expect(await healthOf(never.agentCode)).toBeUndefined();
    // The last check stays the last report's time: the move is in the history, at the job's time.
    expect((await healthOf(silent!.agentCode))!.lastCheckAt.toISOString()).toBe(new Date(now.getTime() - 11 * MINUTE).toISOString());
    expect((await historyOf(silent!.agentCode)).map((r) => [r.status, r.responseTime, r.reportedAt.toISOString()])).toEqual([
      ["offline", null, now.toISOString()],
    ]);
    expect(await historyOf(already!.agentCode)).toEqual([]);
    expect(await markSilentAgentsOffline(testCtx(t, { now }))).toEqual({ offline: 0 });
    // Five minutes on, the two that were just inside the threshold go; the silent one is not moved again.
    expect(await markSilentAgentsOffline(testCtx(t, { now: new Date(now.getTime() + 5 * MINUTE) }))).toEqual({ offline: 2 });
    expect((await healthOf(edge!.agentCode))!.status).toBe("offline");
    expect(await historyOf(silent!.agentCode)).toHaveLength(1);
  });

  it("an agent that reports again is healthy; a report racing the job always ends healthy", async () => {
    for (let round = 0; round < 5; round++) {
      const { agent, key } = await agentWithKey(t.db);
      await setLatestHealth(t.db, agent.agentCode, { status: "healthy", at: new Date(Date.now() - 30 * MINUTE) });
      const [job, res] = await Promise.all([
        markSilentAgentsOffline(testCtx(t, { now: new Date() })),
        t.api.post("/api/agents/health", { json: { status: "healthy", responseTime: 5, errorCount: 0 }, headers: { "x-agent-key": key } }),
      ]);
      expect(res.status).toBe(201);
      expect(job.offline).toBeLessThanOrEqual(1);
      // Whichever committed first, the report is the newest word: the agent is healthy.
      expect((await healthOf(agent.agentCode))!.status).toBe("healthy");
      expect(await markSilentAgentsOffline(testCtx(t, { now: new Date() }))).toEqual({ offline: 0 });
    }
  });

  it("two overlapping runs move each agent once", async () => {
    const now = new Date("2031-06-01T08:00:00Z");
    const agents = await Promise.all(Array.from({ length: 6 }, () => createAgent(t.db)));
    for (const a of agents) await setLatestHealth(t.db, a.agentCode, { status: "healthy", at: new Date(now.getTime() - 20 * MINUTE) });
    const runs = await Promise.all([0, 1, 2].map(() => markSilentAgentsOffline(testCtx(t, { now }))));
    expect(runs.reduce((sum, r) => sum + r.offline, 0)).toBeGreaterThanOrEqual(6);
    const logged = await t.db
      .select()
      .from(agentHealthReports)
      .where(inArray(agentHealthReports.agentCode, agents.map((a) => a.agentCode)));
    expect(logged).toHaveLength(6);
  });

  it("runs on the every-minute trigger", async () => {
    expect(SCHEDULES["* * * * *"]!.map((job) => job.name)).toContain("agents-offline");
    const now = new Date("2031-08-01T10:00:00Z");
    const agent = await createAgent(t.db);
    await setLatestHealth(t.db, agent.agentCode, { status: "degraded", at: new Date(now.getTime() - 15 * MINUTE) });
    await worker.scheduled(createScheduledController({ cron: "* * * * *", scheduledTime: now.getTime() }), t.env);
    expect((await healthOf(agent.agentCode))!.status).toBe("offline");
  });
});

describe("the health summary job (hourly, on the cleanup trigger)", () => {
  const now = new Date("2032-03-15T00:15:00Z");
  // 30 days before the run's UTC midnight (15 Mar) is 14 Feb 00:00: 13 Feb is the last whole day summarised.
  const day = (d: string, hour: number, minute = 0) => new Date(`${d}T${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}:00Z`);

  it("summarises whole UTC days older than 30 days exactly, deletes them in the same statement, and a rerun adds nothing", async () => {
    const agent = await createAgent(t.db);
    const code = agent.agentCode;
    await insertReports(t.db, code, [
      { status: "healthy", responseTime: 100, errorCount: 0, at: day("2032-02-10", 1) },
      { status: "healthy", responseTime: 200, errorCount: 1, at: day("2032-02-10", 2) },
      { status: "degraded", responseTime: 300, errorCount: 2, at: day("2032-02-10", 3) },
      { status: "failing", responseTime: 400, errorCount: 5, at: day("2032-02-10", 23, 59) },
      { status: "offline", responseTime: null, errorCount: 0, at: day("2032-02-10", 12) },
      { status: "healthy", responseTime: 50, errorCount: 0, at: day("2032-02-13", 23, 59) },
      // 14 Feb ended less than 30 days before: kept whole, though its first hours are more than 30 days old.
      { status: "healthy", responseTime: 70, errorCount: 0, at: day("2032-02-14", 0, 5) },
      { status: "healthy", responseTime: 80, errorCount: 0, at: day("2032-03-14", 12) },
    ]);
    // Other tests' old rows may be summarised by the same run: this agent's are checked below.
    const counts = await summariseAgentHealth.run(testCtx(t, { now }));
    expect(counts.summarised).toBeGreaterThanOrEqual(6);
    expect(counts).toMatchObject({ unfinished: 0 });
    expect((await daysOf(code)).map((d) => ({ ...d }))).toEqual([
      {
        agentCode: code, day: "2032-02-10", reports: 5, healthy: 2, degraded: 1, failing: 1, offline: 1, unknown: 0, errorCount: 8,
        avgResponseTime: 250, p50ResponseTime: 250, p95ResponseTime: 385, maxResponseTime: 400,
      },
      {
        agentCode: code, day: "2032-02-13", reports: 1, healthy: 1, degraded: 0, failing: 0, offline: 0, unknown: 0, errorCount: 0,
        avgResponseTime: 50, p50ResponseTime: 50, p95ResponseTime: 50, maxResponseTime: 50,
      },
    ]);
    expect((await historyOf(code)).map((r) => r.responseTime)).toEqual([70, 80]);
    const rerun = await summariseAgentHealth.run(testCtx(t, { now }));
    expect(rerun).toMatchObject({ summarised: 0, days: 0 });
    expect(await daysOf(code)).toHaveLength(2);
  });

  it("a day split over chunks and runs adds up: counts, errors and maximum exact, the average weighted", async () => {
    const agent = await createAgent(t.db);
    const code = agent.agentCode;
    // Ten reports of one day, response times 10..100; statuses alternate; one offline move in the middle.
    const rows = Array.from({ length: 10 }, (_, i) => ({
      status: i % 2 === 0 ? "healthy" : "degraded",
      responseTime: (i + 1) * 10,
      errorCount: i,
      at: day("2032-01-20", i + 1),
    }));
    await insertReports(t.db, code, [...rows, { status: "offline", responseTime: null, errorCount: 0, at: day("2032-01-20", 15) }]);
    // Chunks of 3: other agents' old rows may come first, so run until this agent's day is done.
    const job = createHealthSummaryJob({ chunk: 3, budgetMs: 60_000 });
    const counts = await job.run(testCtx(t, { now }));
    expect(counts.chunks).toBeGreaterThanOrEqual(4);
    const [summary] = await daysOf(code);
    expect(summary).toMatchObject({ reports: 11, healthy: 5, degraded: 5, offline: 1, errorCount: 45, maxResponseTime: 100 });
    // Chunks of 3 of the sorted day: [10,20,30], [40,50,60], [70,80,90], [100, offline]: weighted averages stay exact here.
    expect(summary!.avgResponseTime).toBe(55);
    expect(summary!.p50ResponseTime).toBeGreaterThanOrEqual(40);
    expect(summary!.p50ResponseTime).toBeLessThanOrEqual(70);
    expect(await historyOf(code)).toEqual([]);
    // A late report of the same day, summarised in a later run, is added to the same row.
    await insertReports(t.db, code, [{ status: "failing", responseTime: 550, errorCount: 5, at: day("2032-01-20", 23) }]);
    await job.run(testCtx(t, { now }));
    const [merged] = await daysOf(code);
    expect(merged).toMatchObject({ reports: 12, failing: 1, errorCount: 50, maxResponseTime: 550, avgResponseTime: 100 });
  });

  it("two overlapping runs summarise each report once", async () => {
    const agents = await Promise.all([0, 1, 2].map(() => createAgent(t.db)));
    for (const a of agents) {
      await insertReports(t.db, a.agentCode, Array.from({ length: 20 }, (_, i) => ({ responseTime: 10, errorCount: 1, at: day("2032-01-05", Math.floor(i / 2), (i % 2) * 30) })));
    }
    await Promise.all([0, 1].map(() => createHealthSummaryJob({ chunk: 7, budgetMs: 60_000 }).run(testCtx(t, { now }))));
    for (const a of agents) {
      expect(await daysOf(a.agentCode)).toEqual([expect.objectContaining({ reports: 20, healthy: 20, errorCount: 20, avgResponseTime: 10 })]);
      expect(await historyOf(a.agentCode)).toEqual([]);
    }
  });

  it("stops at its time budget, after at least one chunk, and says so", async () => {
    const agent = await createAgent(t.db);
    await insertReports(t.db, agent.agentCode, Array.from({ length: 5 }, (_, i) => ({ at: day("2032-01-02", i) })));
    const counts = await createHealthSummaryJob({ chunk: 2, budgetMs: 0 }).run(testCtx(t, { now }));
    expect(counts).toMatchObject({ chunks: 1, unfinished: 1, summarised: 2 });
  });

  it("runs on the 15 * * * * trigger, after the cleanup", async () => {
    const names = SCHEDULES["15 * * * *"]!.map((job) => job.name);
    expect(names).toContain("agent-health-summary");
    expect(names.indexOf("cleanup")).toBeLessThan(names.indexOf("agent-health-summary"));
    const agent = await createAgent(t.db);
    await insertReports(t.db, agent.agentCode, [{ at: day("2032-01-01", 6) }]);
    await worker.scheduled(createScheduledController({ cron: "15 * * * *", scheduledTime: now.getTime() }), t.env);
    expect(await daysOf(agent.agentCode)).toEqual([expect.objectContaining({ day: "2032-01-01", reports: 1 })]);
    expect(await t.db.select().from(agentHealthReports).where(and(eq(agentHealthReports.agentCode, agent.agentCode)))).toEqual([]);
  });
});
