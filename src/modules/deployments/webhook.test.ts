import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { deployments, webhookDeliveries } from "../../../drizzle/schema";
import { auditCount } from "../../../test/admin";
import { createDeployment, deploymentReport, sendReport, signWebhook, unixNow, WEBHOOK_PATH, webhookHeaders } from "../../../test/deployments";
import { unique } from "../../../test/factories";
import { createApi, useTestDatabase } from "../../../test/harness";
import { deliveryKey } from "./deployments.signature";

const t = await useTestDatabase();

async function rowOf(externalId: string) {
  const [row] = await t.db.select().from(deployments).where(eq(deployments.externalId, externalId));
  return row;
}

async function deploymentCount(): Promise<number> {
  const [row] = await t.db.select({ n: sql<number>`count(*)::int` }).from(deployments);
  return row!.n;
}

async function deliveryCount(): Promise<number> {
  const [row] = await t.db.select({ n: sql<number>`count(*)::int` }).from(webhookDeliveries);
  return row!.n;
}

/** Sends a report and expects it refused with `status` and `code`, writing nothing at all. */
async function expectRefusedUnwritten(send: () => Promise<{ status: number; body: any }>, status: number, code: string) {
  const before = { deployments: await deploymentCount(), deliveries: await deliveryCount(), audit: await auditCount(t.db) };
  const res = await send();
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.code).toBe(code);
  expect({ deployments: await deploymentCount(), deliveries: await deliveryCount(), audit: await auditCount(t.db) }).toEqual(before);
}

describe("POST /api/deployments/webhook: the signature", () => {
  it("accepts a well-signed first report: 201 with the deployment, and remembers the delivery", async () => {
    const report = deploymentReport({
      gitCommitSha: "A".repeat(40),
      gitCommitMessage: "Milonga mode\nwith two lines",
      triggeredBy: "ci-bot",
      type: "preview",
    });
    const body = JSON.stringify(report);
    const headers = await webhookHeaders(body);
    const res = await t.api.post(WEBHOOK_PATH, { body, headers });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      externalId: report.externalId,
      type: "preview",
      status: "pending",
      gitCommitSha: "a".repeat(40),
      gitBranch: "main",
      gitCommitMessage: "Milonga mode\nwith two lines",
      triggeredBy: "ci-bot",
      recordedBy: null,
      rollbackOfId: null,
      completedAt: null,
      durationSeconds: null,
    });
    expect(res.body.startedAt).toEqual(expect.any(String));
    const [delivery] = await t.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.signatureHash, await deliveryKey(headers["x-mundo-signature"]!)));
    expect(delivery).toMatchObject({ source: "deployments" });
  });

  it("records no audit row for CI's reports (no admin acted)", async () => {
    const before = await auditCount(t.db);
    expect((await sendReport(t.api, deploymentReport())).status).toBe(201);
    expect(await auditCount(t.db)).toBe(before);
  });

  it("refuses a wrong signature, and one made with another secret", async () => {
    const body = JSON.stringify(deploymentReport());
    const headers = await webhookHeaders(body);
    const flipped = headers["x-mundo-signature"]!.replace(/.$/, (c) => (c === "0" ? "1" : "0"));
    await expectRefusedUnwritten(() => t.api.post(WEBHOOK_PATH, { body, headers: { ...headers, "x-mundo-signature": flipped } }), 401, "invalid_signature");
    await expectRefusedUnwritten(
      () => sendReport(t.api, deploymentReport(), { secret: "another-secret-0123456789abcdef0123456789" }),
      401,
      "invalid_signature",
    );
  });

  it.each<[string, Record<string, string> | "strip-prefix"]>([
    ["no signature", { "x-mundo-signature": "" }],
    ["no timestamp", { "x-mundo-timestamp": "" }],
    ["a signature without its sha256= prefix", "strip-prefix"],
    ["a signature of the wrong length", { "x-mundo-signature": `sha256=${"ab".repeat(31)}` }],
    ["a signature that is not hex", { "x-mundo-signature": `sha256=${"zz".repeat(32)}` }],
    ["a timestamp that is not a number", { "x-mundo-timestamp": "soon" }],
  ])("refuses %s (401 invalid_signature)", async (_label, change) => {
    const body = JSON.stringify(deploymentReport());
    const headers = await webhookHeaders(body);
    const changed =
      change === "strip-prefix" ? { ...headers, "x-mundo-signature": headers["x-mundo-signature"]!.slice("sha256=".length) } : { ...headers, ...change };
    const sent = Object.fromEntries(Object.entries(changed).filter(([, v]) => v !== "")) as Record<string, string>;
    await expectRefusedUnwritten(() => t.api.post(WEBHOOK_PATH, { body, headers: sent }), 401, "invalid_signature");
  });

  it("refuses a signature made for another timestamp (the timestamp is signed too)", async () => {
    const body = JSON.stringify(deploymentReport());
    const headers = await webhookHeaders(body, { timestamp: unixNow(-10) });
    await expectRefusedUnwritten(() => t.api.post(WEBHOOK_PATH, { body, headers: { ...headers, "x-mundo-timestamp": String(unixNow()) } }), 401, "invalid_signature");
  });

  it("refuses a body changed after signing", async () => {
    const report = deploymentReport({ status: "pending" });
    const headers = await webhookHeaders(JSON.stringify(report));
    const tampered = JSON.stringify({ ...report, status: "success" });
    await expectRefusedUnwritten(() => t.api.post(WEBHOOK_PATH, { body: tampered, headers }), 401, "invalid_signature");
    // Even a change of whitespace only: the raw bytes are signed, not the parsed JSON.
    await expectRefusedUnwritten(() => t.api.post(WEBHOOK_PATH, { body: `${JSON.stringify(report)} `, headers }), 401, "invalid_signature");
  });

  it.each([
    ["more than 5 minutes old", -301],
    ["more than 5 minutes ahead", 301],
  ])("refuses a well-signed report %s (401 stale_webhook)", async (_label, offset) => {
    await expectRefusedUnwritten(() => sendReport(t.api, deploymentReport(), { timestamp: unixNow(offset) }), 401, "stale_webhook");
  });

  it("accepts a timestamp within the window, either way", async () => {
    expect((await sendReport(t.api, deploymentReport(), { timestamp: unixNow(-280) })).status).toBe(201);
    expect((await sendReport(t.api, deploymentReport(), { timestamp: unixNow(280) })).status).toBe(201);
  });

  it("refuses a replay (409 webhook_replayed) and writes nothing", async () => {
    const report = deploymentReport();
    const body = JSON.stringify(report);
    const headers = await webhookHeaders(body);
    expect((await t.api.post(WEBHOOK_PATH, { body, headers })).status).toBe(201);
    const before = await rowOf(report.externalId as string);
    await expectRefusedUnwritten(() => t.api.post(WEBHOOK_PATH, { body, headers }), 409, "webhook_replayed");
    // The same signature in capitals is the same delivery.
    const upper = { ...headers, "x-mundo-signature": `sha256=${headers["x-mundo-signature"]!.slice(7).toUpperCase()}` };
    await expectRefusedUnwritten(() => t.api.post(WEBHOOK_PATH, { body, headers: upper }), 409, "webhook_replayed");
    expect(await rowOf(report.externalId as string)).toEqual(before);
  });

  it("refuses a replayed move without applying it a second time", async () => {
    const report = deploymentReport();
    expect((await sendReport(t.api, report)).status).toBe(201);
    const building = JSON.stringify({ ...report, status: "building", errorMessage: "first" });
    const headers = await webhookHeaders(building);
    expect((await t.api.post(WEBHOOK_PATH, { body: building, headers })).status).toBe(200);
    const moved = await rowOf(report.externalId as string);
    await expectRefusedUnwritten(() => t.api.post(WEBHOOK_PATH, { body: building, headers }), 409, "webhook_replayed");
    expect(await rowOf(report.externalId as string)).toEqual(moved);
  });

  it("lets only one of two identical deliveries racing through", async () => {
    const body = JSON.stringify(deploymentReport());
    const headers = await webhookHeaders(body);
    const results = await Promise.all(Array.from({ length: 6 }, () => t.api.post(WEBHOOK_PATH, { body, headers })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === "webhook_replayed")).toBe(true);
  });

  it("refuses a non-JSON body only after its signature: signed, 400 (or 415); unsigned, 401", async () => {
    const body = "event=deployment&status=pending";
    await expectRefusedUnwritten(() => t.api.post(WEBHOOK_PATH, { body, headers: { "content-type": "application/json" } }), 401, "invalid_signature");
    const headers = await webhookHeaders(body);
    await expectRefusedUnwritten(() => t.api.post(WEBHOOK_PATH, { body, headers }), 400, "malformed_json");
    const text = await webhookHeaders(body);
    await expectRefusedUnwritten(() => t.api.post(WEBHOOK_PATH, { body, headers: { ...text, "content-type": "text/plain" } }), 415, "unsupported_media_type");
  });

  it.each([
    ["another event", { event: "push" }, "body.event"],
    ["an unknown status", { status: "done" }, "body.status"],
    ["an unknown type", { type: "staging" }, "body.type"],
    ["a short commit sha", { gitCommitSha: "abc123" }, "body.gitCommitSha"],
    ["no branch", { gitBranch: undefined }, "body.gitBranch"],
    ["a terminal escape in the logs", { buildLogs: "\u001b[31mred\u001b[0m" }, "body.buildLogs"],
    ["logs over 64 KiB", { buildLogs: "x".repeat(65_537) }, "body.buildLogs"],
    ["an unknown field", { vercelUrl: "https://x.example" }, "body"],
  ])("refuses a signed report with %s (400 naming the field)", async (_label, change, path) => {
    const res = await sendReport(t.api, deploymentReport(change));
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it("answers 503 webhook_not_configured without a secret, whatever is sent", async () => {
    const api = createApi({ ...t.env, DEPLOY_WEBHOOK_SECRET: "" });
    const before = await deploymentCount();
    const res = await sendReport(api, deploymentReport());
    expect(res.status).toBe(503);
    expect(res.body.code).toBe("webhook_not_configured");
    expect(await deploymentCount()).toBe(before);
  });

  it("is signed over the exact bytes: a signature computed by hand matches", async () => {
    const body = JSON.stringify(deploymentReport());
    const timestamp = unixNow();
    const headers = { "content-type": "application/json", "x-mundo-timestamp": String(timestamp), "x-mundo-signature": await signWebhook(body, timestamp) };
    expect((await t.api.post(WEBHOOK_PATH, { body, headers })).status).toBe(201);
  });
});

describe("POST /api/deployments/webhook: status moves", () => {
  it("moves a deployment forward, setting each step's time once, and computes the duration at the end", async () => {
    const report = deploymentReport();
    const id = report.externalId as string;
    expect((await sendReport(t.api, report)).status).toBe(201);
    // Started 95 seconds ago, as if CI had reported `pending` then.
    await t.db.execute(sql`UPDATE deployments SET started_at = started_at - interval '95 seconds' WHERE external_id = ${id}`);
    const building = await sendReport(t.api, { ...report, status: "building" });
    expect(building.status).toBe(200);
    expect(building.body.buildingAt).toEqual(expect.any(String));
    const again = await sendReport(t.api, { ...report, status: "building", buildLogs: "step 1 ok" });
    expect(again.status).toBe(200);
    expect(again.body.buildingAt).toBe(building.body.buildingAt);
    const deploying = await sendReport(t.api, { ...report, status: "deploying", versionId: "v-123" });
    expect(deploying.body).toMatchObject({ status: "deploying", versionId: "v-123", completedAt: null, durationSeconds: null });
    const success = await sendReport(t.api, { ...report, status: "success", url: "https://mundotango.life" });
    expect(success.status).toBe(200);
    expect(success.body).toMatchObject({ status: "success", versionId: "v-123", url: "https://mundotango.life" });
    expect(success.body.durationSeconds).toBeGreaterThanOrEqual(95);
    expect(success.body.durationSeconds).toBeLessThan(95 + 30);
    const row = (await rowOf(id))!;
    expect(row.buildLogs).toBe("step 1 ok");
    expect(row.durationSeconds).toBe(Math.floor((row.completedAt!.getTime() - row.startedAt!.getTime()) / 1000));
    expect(row.buildingAt!.getTime()).toBeLessThanOrEqual(row.deployingAt!.getTime());
  });

  it.each([
    ["pending", "building"],
    ["pending", "deploying"],
    ["pending", "success"],
    ["pending", "failed"],
    ["pending", "cancelled"],
    ["building", "deploying"],
    ["building", "success"],
    ["building", "failed"],
    ["building", "cancelled"],
    ["deploying", "success"],
    ["deploying", "failed"],
    ["deploying", "cancelled"],
  ])("allows %s → %s", async (from, to) => {
    const row = await createDeployment(t.db, { status: from });
    const res = await sendReport(t.api, deploymentReport({ externalId: row.externalId, status: to }));
    expect(res.status).toBe(200);
    expect(res.body.status).toBe(to);
  });

  it.each([
    ["building", "pending"],
    ["deploying", "pending"],
    ["deploying", "building"],
    ["success", "pending"],
    ["success", "deploying"],
    ["success", "failed"],
    ["failed", "success"],
    ["failed", "building"],
    ["cancelled", "success"],
    ["cancelled", "deploying"],
  ])("refuses %s → %s (409 illegal_transition), changing nothing", async (from, to) => {
    const row = await createDeployment(t.db, { status: from, errorMessage: null });
    const res = await sendReport(t.api, deploymentReport({ externalId: row.externalId, status: to, errorMessage: "late" }));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("illegal_transition");
    expect(res.body.detail).toContain(from);
    expect(await rowOf(row.externalId!)).toEqual(row);
  });

  it("takes a repeated end state as a no-op that may add details, never erase them", async () => {
    const report = deploymentReport({ status: "success", url: "https://one.example" });
    const first = await sendReport(t.api, report);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: "success", durationSeconds: 0 });
    const again = await sendReport(t.api, { ...report, url: undefined, versionId: "v-9" });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: "success", url: "https://one.example", versionId: "v-9", completedAt: first.body.completedAt });
  });

  it("keeps the branch, type and start of the first report", async () => {
    const report = deploymentReport({ type: "preview", gitBranch: "feature/abrazo" });
    await sendReport(t.api, report);
    const res = await sendReport(t.api, { ...report, status: "building", type: "production", gitBranch: "main" });
    expect(res.body).toMatchObject({ type: "preview", gitBranch: "feature/abrazo", status: "building" });
  });

  it("creates a deployment first reported past pending (a prebuilt artifact), its start the first report", async () => {
    const res = await sendReport(t.api, deploymentReport({ status: "deploying" }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "deploying", buildingAt: null });
    expect(res.body.deployingAt).toBe(res.body.startedAt);
  });

  it("does not move back or touch the timing when reports arrive out of order", async () => {
    const report = deploymentReport();
    await sendReport(t.api, report);
    const id = report.externalId as string;
    await t.db.execute(sql`UPDATE deployments SET started_at = started_at - interval '60 seconds' WHERE external_id = ${id}`);
    const success = await sendReport(t.api, { ...report, status: "success" });
    expect(success.body.status).toBe("success");
    const ended = (await rowOf(id))!;
    for (const late of ["building", "deploying", "pending"]) {
      const res = await sendReport(t.api, { ...report, status: late, triggeredBy: `late-${late}` });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe("illegal_transition");
    }
    expect(await rowOf(id)).toEqual(ended);
    expect(ended.buildingAt).toBeNull();
    expect(ended.durationSeconds).toBeGreaterThanOrEqual(60);
  });

  it("applies racing reports of one deployment one at a time: the end wins, nothing moves back, one row", async () => {
    for (let round = 0; round < 8; round++) {
      const report = deploymentReport();
      const statuses = ["pending", "building", "deploying", "success", "building", "deploying"];
      // Each report differs (triggeredBy), so none is a replay of another.
      const results = await Promise.all(statuses.map((status, i) => sendReport(t.api, { ...report, status, triggeredBy: `racer-${i}` })));
      for (const res of results) expect([200, 201, 409], JSON.stringify(res.body)).toContain(res.status);
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      const rows = await t.db.select().from(deployments).where(eq(deployments.externalId, report.externalId as string));
      expect(rows).toHaveLength(1);
      const row = rows[0]!;
      expect(row.status).toBe("success");
      expect(row.completedAt).not.toBeNull();
      expect(row.durationSeconds).toBe(Math.floor((row.completedAt!.getTime() - row.startedAt!.getTime()) / 1000));
      // The steps' times follow their order, whichever report's transaction started first.
      const times = [row.startedAt, row.buildingAt, row.deployingAt, row.completedAt].filter((time) => time !== null).map((time) => time.getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
      // Every refusal is a late report, never a lost one: each 200 or 201 saw a status no later than success.
      for (const res of results.filter((r) => r.status === 409)) expect(res.body.code).toBe("illegal_transition");
    }
  });

  it("lets exactly one of two racing different end reports win", async () => {
    const report = deploymentReport({ status: "deploying" });
    await sendReport(t.api, report);
    const [a, b] = await Promise.all([sendReport(t.api, { ...report, status: "success" }), sendReport(t.api, { ...report, status: "failed" })]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? "success" : "failed";
    expect((await rowOf(report.externalId as string))!.status).toBe(winner);
  });

  it("keeps an external id to one deployment whatever its reports say", async () => {
    const externalId = unique("run-");
    await sendReport(t.api, deploymentReport({ externalId }));
    await sendReport(t.api, deploymentReport({ externalId, status: "building" }));
    expect(await t.db.select().from(deployments).where(eq(deployments.externalId, externalId))).toHaveLength(1);
  });
});
