import { beforeAll, describe, expect, it } from "vitest";
import { signedIn } from "../../../test/auth";
import { auditCount, auditRowsOf, createAgent } from "../../../test/admin";
import { allPages, createAgentMessage, createValidationCheck } from "../../../test/agents";
import { useTestDatabase } from "../../../test/harness";

const t = await useTestDatabase();

let superAdmin: Awaited<ReturnType<typeof signedIn>>;
let admin: Awaited<ReturnType<typeof signedIn>>;

beforeAll(async () => {
  [superAdmin, admin] = await Promise.all([signedIn(t, { role: "super_admin" }), signedIn(t, { role: "admin" })]);
});

function send(fromId: number, json: unknown, token = superAdmin.token) {
  return t.api.post(`/api/admin/agents/${fromId}/messages`, { json, token });
}

describe("POST /api/admin/agents/{id}/messages", () => {
  it("sends from the agent, to one agent or all, audited; a reply joins the thread", async () => {
    const [a, b] = await Promise.all([createAgent(t.db), createAgent(t.db)]);
    const root = await send(a.id, { toAgentId: b.id, messageType: "handoff", subject: "Feed layer", body: "Yours from now on.\nThanks." });
    expect(root.status).toBe(201);
    expect(root.body).toMatchObject({
      fromAgentId: a.id,
      toAgentId: b.id,
      threadId: null,
      messageType: "handoff",
      subject: "Feed layer",
      body: "Yours from now on.\nThanks.",
      sentBy: superAdmin.user.id,
      readAt: null,
    });
    expect(await auditRowsOf(t.db, "agent_message", root.body.id)).toEqual([
      expect.objectContaining({ action: "message.send", actorId: superAdmin.user.id, after: expect.objectContaining({ body: "Yours from now on.\nThanks." }) }),
    ]);
    const reply = await send(b.id, { toAgentId: a.id, threadId: root.body.id, body: "Got it." });
    expect(reply.body).toMatchObject({ threadId: root.body.id, messageType: "message" });
    const broadcast = await send(a.id, { body: "Deploying at noon." });
    expect(broadcast.body.toAgentId).toBeNull();
  });

  it("refuses a reply to a reply or to nothing, an unknown recipient (400) and an unknown sender (404), recording nothing", async () => {
    const [a, b] = await Promise.all([createAgent(t.db), createAgent(t.db)]);
    const root = await createAgentMessage(t.db, a.id, { toAgentId: b.id });
    const reply = await createAgentMessage(t.db, b.id, { toAgentId: a.id, threadId: root.id });
    const before = await auditCount(t.db);
    for (const threadId of [reply.id, 2_000_000_000]) {
      const res = await send(a.id, { threadId, body: "Hm" });
      expect([res.status, res.body.code]).toEqual([400, "unknown_thread"]);
    }
    const toNobody = await send(a.id, { toAgentId: 2_000_000_000, body: "Hello?" });
    expect([toNobody.status, toNobody.body.code]).toEqual([400, "unknown_agent"]);
    expect((await send(2_000_000_000, { body: "Hello" })).status).toBe(404);
    expect((await send(a.id, { body: "" })).status).toBe(400);
    expect((await send(a.id, { body: "x", messageType: "Not A Type" })).status).toBe(400);
    expect(await auditCount(t.db)).toBe(before);
    expect((await send(a.id, { body: "x" }, admin.token)).status).toBe(403);
  });
});

describe("reading messages", () => {
  it("pages an agent's sent and received messages newest first, and filters the box", async () => {
    const [a, b, c] = await Promise.all([createAgent(t.db), createAgent(t.db), createAgent(t.db)]);
    const m1 = await createAgentMessage(t.db, a.id, { toAgentId: b.id });
    const m2 = await createAgentMessage(t.db, b.id, { toAgentId: a.id });
    await createAgentMessage(t.db, b.id, { toAgentId: c.id });
    const m4 = await createAgentMessage(t.db, a.id);
    const m5 = await createAgentMessage(t.db, c.id, { toAgentId: a.id });
    const { items, pages } = await allPages<{ id: number }>(t.api, `/api/admin/agents/${a.id}/messages`, admin.token, 2);
    expect(pages).toBe(2);
    expect(items.map((m) => m.id)).toEqual([m5.id, m4.id, m2.id, m1.id]);
    const sent = await t.api.get(`/api/admin/agents/${a.id}/messages?box=sent`, { token: admin.token });
    expect(sent.body.items.map((m: { id: number }) => m.id)).toEqual([m4.id, m1.id]);
    const received = await t.api.get(`/api/admin/agents/${a.id}/messages?box=received`, { token: admin.token });
    expect(received.body.items.map((m: { id: number }) => m.id)).toEqual([m5.id, m2.id]);
    expect((await t.api.get(`/api/admin/agents/${a.id}/messages?cursor=zz`, { token: admin.token })).status).toBe(400);
    expect((await t.api.get("/api/admin/agents/2000000000/messages", { token: admin.token })).status).toBe(404);
  });

  it("reads a thread from any of its messages: the root, then the replies in order, in pages", async () => {
    const [a, b] = await Promise.all([createAgent(t.db), createAgent(t.db)]);
    const root = await createAgentMessage(t.db, a.id, { toAgentId: b.id });
    const replies = [];
    for (let i = 0; i < 4; i++) replies.push(await createAgentMessage(t.db, i % 2 ? a.id : b.id, { threadId: root.id }));
    await createAgentMessage(t.db, a.id, { toAgentId: b.id });
    const expected = [root.id, ...replies.map((r) => r.id)];
    for (const from of [root.id, replies[2]!.id]) {
      const { items, pages } = await allPages<{ id: number }>(t.api, `/api/admin/agent-messages/${from}/thread`, admin.token, 2);
      expect(pages).toBe(3);
      expect(items.map((m) => m.id)).toEqual(expected);
    }
    expect((await t.api.get("/api/admin/agent-messages/2000000000/thread", { token: admin.token })).status).toBe(404);
  });
});

describe("validation checks", () => {
  it("records a result, audited, and shows it in the agent's latest checks", async () => {
    const agent = await createAgent(t.db);
    const res = await t.api.post(`/api/admin/agents/${agent.id}/validation-checks`, {
      json: { checkName: "api_contract", result: "warning", details: { missing: ["GET /x"] } },
      token: superAdmin.token,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ agentId: agent.id, checkName: "api_contract", result: "warning", details: { missing: ["GET /x"] }, checkedBy: superAdmin.user.id });
    expect(await auditRowsOf(t.db, "validation_check", res.body.id)).toEqual([expect.objectContaining({ action: "check.record", after: expect.objectContaining({ result: "warning" }) })]);
    const detail = await t.api.get(`/api/admin/agents/${agent.id}`, { token: admin.token });
    expect(detail.body.latestChecks).toEqual([{ id: res.body.id, checkName: "api_contract", result: "warning", checkedAt: res.body.checkedAt }]);
  });

  it("refuses an unknown agent (404) and a result outside passed, failed, warning (400), recording nothing", async () => {
    const agent = await createAgent(t.db);
    const before = await auditCount(t.db);
    const post = (id: number, json: unknown) => t.api.post(`/api/admin/agents/${id}/validation-checks`, { json, token: superAdmin.token });
    expect((await post(2_000_000_000, { checkName: "x", result: "passed" })).status).toBe(404);
    expect((await post(agent.id, { checkName: "x", result: "ok" })).status).toBe(400);
    expect((await post(agent.id, { checkName: "", result: "passed" })).status).toBe(400);
    expect(await auditCount(t.db)).toBe(before);
  });

  it("pages an agent's checks newest first, filtered by result and name", async () => {
    const agent = await createAgent(t.db);
    const made = [];
    for (let i = 0; i < 6; i++) {
      made.push(
        await createValidationCheck(t.db, agent.id, {
          checkName: i % 2 ? "latency" : "schema",
          result: i % 3 === 0 ? "failed" : "passed",
          checkedAt: new Date(Date.now() - (10 - i) * 1000),
        }),
      );
    }
    const { items, pages } = await allPages<{ id: number }>(t.api, `/api/admin/agents/${agent.id}/validation-checks`, admin.token, 4);
    expect(pages).toBe(2);
    expect(items.map((c) => c.id)).toEqual(made.map((c) => c.id).reverse());
    const failed = await t.api.get(`/api/admin/agents/${agent.id}/validation-checks?result=failed`, { token: admin.token });
    expect(failed.body.items.map((c: { id: number }) => c.id)).toEqual([made[3]!.id, made[0]!.id]);
    const latency = await t.api.get(`/api/admin/agents/${agent.id}/validation-checks?checkName=latency&result=passed`, { token: admin.token });
    expect(latency.body.items.map((c: { id: number }) => c.id)).toEqual([made[5]!.id, made[1]!.id]);
    expect((await t.api.get(`/api/admin/agents/${agent.id}/validation-checks?cursor=x`, { token: admin.token })).status).toBe(400);
    expect((await t.api.get("/api/admin/agents/2000000000/validation-checks", { token: admin.token })).status).toBe(404);
  });
});
