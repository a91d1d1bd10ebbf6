import { beforeAll, describe, expect, it } from "vitest";
import { signedIn } from "../../../test/auth";
import { auditRowsOf, createAgent } from "../../../test/admin";
import { createAgentTask, storedAgent, tasksIn } from "../../../test/agents";
import { useTestDatabase } from "../../../test/harness";

/**
 * Task ends racing each other. Meaningful on PostgreSQL (real concurrency:
 * `DATABASE_URL=... npx vitest run`); they must hold on PGlite too.
 */

const t = await useTestDatabase();
let superAdmin: Awaited<ReturnType<typeof signedIn>>;

beforeAll(async () => {
  superAdmin = await signedIn(t, { role: "super_admin" });
});

const act = (taskId: number, verb: "complete" | "fail") =>
  t.api.post(`/api/admin/agent-tasks/${taskId}/${verb}`, { json: verb === "fail" ? { error: "Lost the race" } : {}, token: superAdmin.token });

describe("agent counters under concurrency", () => {
  it("counts 20 concurrent ends of 20 tasks of one agent exactly, with the exact mean duration", async () => {
    const agent = await createAgent(t.db, { status: "active" });
    // Durations 1 to 20 minutes and some odd seconds, so a mean that lost or rounded an end along the way shows.
    const tasks = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        createAgentTask(t.db, agent.id, { status: "in_progress", startedAt: new Date(Date.now() - (i + 1) * 60_000 - i * 7_000) }),
      ),
    );
    const results = await Promise.all(tasks.map((task, i) => act(task.id, i % 4 === 0 ? "fail" : "complete")));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const finished = [...(await tasksIn(t.db, agent.id, "completed")), ...(await tasksIn(t.db, agent.id, "failed"))];
    expect(finished).toHaveLength(20);
    const durations = finished.map((task) => task.durationSeconds!);
    const stored = await storedAgent(t.db, agent.id);
    expect(stored).toMatchObject({
      tasksCompleted: 20,
      tasksSuccess: 15,
      tasksFailed: 5,
      avgCompletionTime: Math.round(durations.reduce((a, b) => a + b, 0) / 20),
    });
    expect(stored.lastActiveAt).not.toBeNull();
    for (const task of tasks) expect(await auditRowsOf(t.db, "agent_task", task.id)).toHaveLength(1);
  });

  it("lets one of a completion and a failure of the same task win, counted once", async () => {
    for (let round = 0; round < 5; round++) {
      const agent = await createAgent(t.db);
      const task = await createAgentTask(t.db, agent.id, { status: "in_progress", startedAt: new Date(Date.now() - 90_000) });
      const [completed, failed] = await Promise.all([act(task.id, "complete"), act(task.id, "fail")]);
      expect([completed.status, failed.status].sort()).toEqual([200, 409]);
      const winner = completed.status === 200 ? completed : failed;
      const stored = await storedAgent(t.db, agent.id);
      expect(stored).toMatchObject({
        tasksCompleted: 1,
        tasksSuccess: completed.status === 200 ? 1 : 0,
        tasksFailed: failed.status === 200 ? 1 : 0,
        avgCompletionTime: winner.body.durationSeconds,
      });
      expect(await auditRowsOf(t.db, "agent_task", task.id)).toHaveLength(1);
    }
  });

  it("keeps starts, completions and new assignments of one agent from deadlocking each other", async () => {
    const agent = await createAgent(t.db, { status: "active" });
    const waiting = await Promise.all(Array.from({ length: 6 }, () => createAgentTask(t.db, agent.id)));
    const running = await Promise.all(Array.from({ length: 6 }, () => createAgentTask(t.db, agent.id, { status: "in_progress", startedAt: new Date() })));
    const results = await Promise.all([
      ...waiting.map((task) => t.api.post(`/api/admin/agent-tasks/${task.id}/start`, { token: superAdmin.token })),
      ...running.map((task) => act(task.id, "complete")),
      ...waiting.map((task) => act(task.id, "complete")),
      ...Array.from({ length: 4 }, () => t.api.post(`/api/admin/agents/${agent.id}/tasks`, { json: { title: "More" }, token: superAdmin.token })),
    ]);
    expect(results.filter((r) => r.status >= 500).map((r): unknown => r.body)).toEqual([]);
    const stored = await storedAgent(t.db, agent.id);
    expect(stored.tasksCompleted).toBe(12);
    expect(stored.tasksSuccess).toBe(12);
  });
});
