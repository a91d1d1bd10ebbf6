import { beforeAll, describe, expect, it } from "vitest";
import { signedIn } from "../../../test/auth";
import { auditCount, auditRowsOf, createAgent } from "../../../test/admin";
import { agentIn, allPages, createAgentTask, storedAgent } from "../../../test/agents";
import { useTestDatabase } from "../../../test/harness";

const t = await useTestDatabase();

let superAdmin: Awaited<ReturnType<typeof signedIn>>;
let admin: Awaited<ReturnType<typeof signedIn>>;

beforeAll(async () => {
  [superAdmin, admin] = await Promise.all([signedIn(t, { role: "super_admin" }), signedIn(t, { role: "admin" })]);
});

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

function assign(agentId: number, json: unknown, token = superAdmin.token) {
  return t.api.post(`/api/admin/agents/${agentId}/tasks`, { json, token });
}
function act(taskId: number, verb: "start" | "complete" | "fail", json?: unknown, token = superAdmin.token) {
  return t.api.post(`/api/admin/agent-tasks/${taskId}/${verb}`, { json: json ?? (verb === "fail" ? { error: "Timed out" } : undefined), token });
}

describe("POST /api/admin/agents/{id}/tasks", () => {
  it("assigns a task, audited, to an agent of any status but suspended", async () => {
    const agent = await createAgent(t.db, { status: "active" });
    const res = await assign(agent.id, { title: "Re-index the events", priority: "high", input: { city: "Rosario" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      agentId: agent.id,
      title: "Re-index the events",
      priority: "high",
      status: "assigned",
      input: { city: "Rosario" },
      assignedBy: superAdmin.user.id,
      startedAt: null,
      durationSeconds: null,
    });
    expect(await auditRowsOf(t.db, "agent_task", res.body.id)).toEqual([
      expect.objectContaining({ action: "task.assign", actorId: superAdmin.user.id, before: null, after: expect.objectContaining({ status: "assigned" }) }),
    ]);
    expect((await assign(agent.id, { title: "Default priority" })).body.priority).toBe("medium");
  });

  it("refuses a suspended agent (409), an unknown one (404) and bad input (400), recording nothing", async () => {
    const suspended = await agentIn(t.db, "suspended");
    const before = await auditCount(t.db);
    const res = await assign(suspended.id, { title: "Anything" });
    expect([res.status, res.body.code]).toEqual([409, "agent_suspended"]);
    expect((await assign(2_000_000_000, { title: "Nobody" })).status).toBe(404);
    expect((await assign(suspended.id, { title: "" })).status).toBe(400);
    expect((await assign(suspended.id, { title: "x", priority: "urgent" })).status).toBe(400);
    expect(await auditCount(t.db)).toBe(before);
    expect((await assign(suspended.id, { title: "x" }, admin.token)).status).toBe(403);
  });

  it("orders an assignment racing a suspension: the task exists only if it came first", async () => {
    for (let round = 0; round < 5; round++) {
      const agent = await createAgent(t.db, { status: "active" });
      const [task, suspension] = await Promise.all([
        assign(agent.id, { title: "Race" }),
        t.api.post(`/api/admin/agents/${agent.id}/status`, { json: { status: "suspended" }, token: superAdmin.token }),
      ]);
      expect(suspension.status).toBe(200);
      expect([201, 409]).toContain(task.status);
      const tasks = await t.api.get(`/api/admin/agents/${agent.id}/tasks`, { token: admin.token });
      expect(tasks.body.items).toHaveLength(task.status === 201 ? 1 : 0);
    }
  });
});

describe("task moves", () => {
  it("starts, then completes: the task's duration and the agent's counters, lastActiveAt and audit rows", async () => {
    const agent = await createAgent(t.db, { status: "active" });
    const task = await createAgentTask(t.db, agent.id, { assignedAt: minutesAgo(30) });
    const started = await act(task.id, "start");
    expect(started.body).toMatchObject({ status: "in_progress", startedAt: expect.any(String) });
    expect((await storedAgent(t.db, agent.id)).lastActiveAt).not.toBeNull();
    const done = await act(task.id, "complete", { result: { indexed: 120 } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: "completed", result: { indexed: 120 }, completedAt: expect.any(String) });
    expect(done.body.durationSeconds).toBeLessThan(60);
    const stored = await storedAgent(t.db, agent.id);
    expect(stored).toMatchObject({ tasksCompleted: 1, tasksSuccess: 1, tasksFailed: 0, avgCompletionTime: done.body.durationSeconds });
    expect((await auditRowsOf(t.db, "agent_task", task.id)).map((a) => [a.action, (a.before as { status: string }).status, (a.after as { status: string }).status])).toEqual([
      ["task.start", "assigned", "in_progress"],
      ["task.complete", "in_progress", "completed"],
    ]);
  });

  it("fails a task never started, timing it from its assignment, and keeps a running mean", async () => {
    const agent = await createAgent(t.db);
    const first = await createAgentTask(t.db, agent.id, { assignedAt: minutesAgo(10) });
    const second = await createAgentTask(t.db, agent.id, { status: "in_progress", assignedAt: minutesAgo(60), startedAt: minutesAgo(20) });
    const failed = await act(first.id, "fail", { error: "Upstream 503" });
    expect(failed.body).toMatchObject({ status: "failed", errorMessage: "Upstream 503" });
    expect(failed.body.durationSeconds).toBeGreaterThanOrEqual(599);
    expect(failed.body.durationSeconds).toBeLessThanOrEqual(602);
    const completed = await act(second.id, "complete");
    expect(completed.body.durationSeconds).toBeGreaterThanOrEqual(1199);
    expect(await storedAgent(t.db, agent.id)).toMatchObject({
      tasksCompleted: 2,
      tasksSuccess: 1,
      tasksFailed: 1,
      avgCompletionTime: Math.round((failed.body.durationSeconds + completed.body.durationSeconds) / 2),
    });
  });

  it("refuses moves the task's status does not allow with 409, counting and recording nothing", async () => {
    const agent = await createAgent(t.db);
    const done = await createAgentTask(t.db, agent.id, { status: "completed" });
    const running = await createAgentTask(t.db, agent.id, { status: "in_progress", startedAt: new Date() });
    const before = await auditCount(t.db);
    for (const [id, verb] of [
      [done.id, "start"],
      [done.id, "complete"],
      [done.id, "fail"],
      [running.id, "start"],
    ] as const) {
      const res = await act(id, verb);
      expect([res.status, res.body.code], `${verb}`).toEqual([409, "illegal_transition"]);
    }
    expect(await auditCount(t.db)).toBe(before);
    expect(await storedAgent(t.db, agent.id)).toMatchObject({ tasksCompleted: 0, lastActiveAt: null });
    expect((await act(2_000_000_000, "start")).status).toBe(404);
    expect((await act(running.id, "fail", {})).status).toBe(400);
    expect((await act(running.id, "complete", undefined, admin.token)).status).toBe(403);
  });
});

describe("reading tasks", () => {
  it("pages an agent's tasks newest first without gaps or repeats, filters by status, 404s an unknown agent", async () => {
    const agent = await createAgent(t.db);
    const made = [];
    for (let i = 0; i < 7; i++) made.push(await createAgentTask(t.db, agent.id, { status: i % 3 === 0 ? "completed" : "assigned" }));
    const { items, pages } = await allPages<{ id: number }>(t.api, `/api/admin/agents/${agent.id}/tasks`, admin.token, 3);
    expect(pages).toBe(3);
    expect(items.map((x) => x.id)).toEqual(made.map((x) => x.id).reverse());
    const done = await t.api.get(`/api/admin/agents/${agent.id}/tasks?status=completed`, { token: admin.token });
    expect(done.body.items.map((x: { id: number }) => x.id)).toEqual([made[6]!.id, made[3]!.id, made[0]!.id]);
    expect((await t.api.get(`/api/admin/agents/${agent.id}/tasks?cursor=xyz`, { token: admin.token })).status).toBe(400);
    expect((await t.api.get(`/api/admin/agents/${agent.id}/tasks?status=lost`, { token: admin.token })).status).toBe(400);
    expect((await t.api.get("/api/admin/agents/2000000000/tasks", { token: admin.token })).status).toBe(404);
    const one = await t.api.get(`/api/admin/agent-tasks/${made[1]!.id}`, { token: admin.token });
    expect(one.body).toMatchObject({ id: made[1]!.id, agentId: agent.id, status: "assigned" });
    expect((await t.api.get("/api/admin/agent-tasks/2000000000", { token: admin.token })).status).toBe(404);
  });
});
