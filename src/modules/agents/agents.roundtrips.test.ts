import { describe, expect, it } from "vitest";
import { signedIn } from "../../../test/auth";
import { createAgent } from "../../../test/admin";
import { createAgentMessage, createAgentTask } from "../../../test/agents";
import { unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { roundTrips } from "../../../test/roundtrips";

const t = await useTestDatabase();

describe("round trips", () => {
  it("makes one database round trip for every agents route (a parent change and a task move: one batch)", async () => {
    const { token } = await signedIn(t, { role: "super_admin" });
    const [parent, agent] = await Promise.all([createAgent(t.db), createAgent(t.db)]);
    const task = await createAgentTask(t.db, agent.id);
    const other = await createAgentTask(t.db, agent.id);
    const message = await createAgentMessage(t.db, agent.id);
    const calls: [string, () => Promise<{ status: number }>, number][] = [
      ["list", () => t.api.get("/api/admin/agents?q=a", { token }), 200],
      ["tree", () => t.api.get(`/api/admin/agents/tree?rootId=${parent.id}`, { token }), 200],
      ["get", () => t.api.get(`/api/admin/agents/${agent.id}`, { token }), 200],
      ["create", () => t.api.post("/api/admin/agents", { json: { agentCode: unique("RT").slice(0, 40), agentName: "R", agentType: "page" }, token }), 201],
      ["patch", () => t.api.patch(`/api/admin/agents/${agent.id}`, { json: { tier: 2 }, token }), 200],
      ["patch parent", () => t.api.patch(`/api/admin/agents/${agent.id}`, { json: { parentAgentId: parent.id }, token }), 200],
      ["status", () => t.api.post(`/api/admin/agents/${agent.id}/status`, { json: { status: "training" }, token }), 200],
      ["assign", () => t.api.post(`/api/admin/agents/${agent.id}/tasks`, { json: { title: "T" }, token }), 201],
      ["tasks", () => t.api.get(`/api/admin/agents/${agent.id}/tasks`, { token }), 200],
      ["task", () => t.api.get(`/api/admin/agent-tasks/${task.id}`, { token }), 200],
      ["start", () => t.api.post(`/api/admin/agent-tasks/${task.id}/start`, { token }), 200],
      ["complete", () => t.api.post(`/api/admin/agent-tasks/${task.id}/complete`, { json: {}, token }), 200],
      ["fail", () => t.api.post(`/api/admin/agent-tasks/${other.id}/fail`, { json: { error: "E" }, token }), 200],
      ["send", () => t.api.post(`/api/admin/agents/${agent.id}/messages`, { json: { threadId: message.id, body: "B" }, token }), 201],
      ["messages", () => t.api.get(`/api/admin/agents/${agent.id}/messages`, { token }), 200],
      ["thread", () => t.api.get(`/api/admin/agent-messages/${message.id}/thread`, { token }), 200],
      ["check", () => t.api.post(`/api/admin/agents/${agent.id}/validation-checks`, { json: { checkName: "c", result: "passed" }, token }), 201],
      ["checks", () => t.api.get(`/api/admin/agents/${agent.id}/validation-checks`, { token }), 200],
      ["delete", () => t.api.delete(`/api/admin/agents/${parent.id}`, { token }), 409],
    ];
    for (const [label, call, status] of calls) {
      expect(await roundTrips(call), label).toEqual({ status, trips: 1 });
    }
  });
});
