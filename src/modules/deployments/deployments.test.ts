import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { deployments } from "../../../drizzle/schema";
import { auditCount, auditRowsOf } from "../../../test/admin";
import { signedIn } from "../../../test/auth";
import { createDeployment, deploymentReport, sendReport } from "../../../test/deployments";
import { unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { encodeCursor } from "../../lib/pagination";

const t = await useTestDatabase();

let admin: Awaited<ReturnType<typeof signedIn>>;
let superAdmin: Awaited<ReturnType<typeof signedIn>>;

beforeAll(async () => {
  admin = await signedIn(t, { role: "admin" });
  superAdmin = await signedIn(t, { role: "super_admin" });
});

async function rowOf(id: number) {
  const [row] = await t.db.select().from(deployments).where(eq(deployments.id, id));
  return row;
}

describe("GET /api/admin/deployments", () => {
  const branch = unique("release/");
  const ids: number[] = [];

  beforeAll(async () => {
    const tie = new Date("2026-06-01T10:00:00.5Z");
    const rows: Partial<typeof deployments.$inferInsert>[] = [
      { status: "success", type: "production", createdAt: new Date("2026-05-01T10:00:00Z") },
      { status: "failed", type: "production", createdAt: tie },
      { status: "success", type: "preview", createdAt: tie },
      { status: "building", type: "production", createdAt: new Date("2026-07-01T10:00:00Z") },
      { status: "success", type: "production", createdAt: new Date("2026-08-01T10:00:00Z") },
    ];
    for (const values of rows) ids.push((await createDeployment(t.db, { gitBranch: branch, ...values })).id);
    await createDeployment(t.db, { gitBranch: unique("other/"), status: "success" });
  });

  const list = (query: string, token = admin.token) => t.api.get(`/api/admin/deployments?branch=${encodeURIComponent(branch)}&${query}`, { token });

  it("lists a branch's deployments newest first, page by page without gaps or repeats", async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await list(`limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((d: { id: number }) => d.id));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    // Ties on created_at go by id, highest first.
    expect(seen).toEqual([ids[4], ids[3], ids[2], ids[1], ids[0]]);
  });

  it("filters by status and by type, and combines the filters", async () => {
    expect((await list("status=success")).body.items.map((d: { id: number }) => d.id)).toEqual([ids[4], ids[2], ids[0]]);
    expect((await list("type=preview")).body.items.map((d: { id: number }) => d.id)).toEqual([ids[2]]);
    expect((await list("status=success&type=production")).body.items.map((d: { id: number }) => d.id)).toEqual([ids[4], ids[0]]);
    expect((await list("status=cancelled")).body).toEqual({ items: [], nextCursor: null });
  });

  it("shapes each deployment without its logs", async () => {
    const res = await list("limit=1");
    expect(res.body.items[0]).toMatchObject({ id: ids[4], gitBranch: branch, status: "success", type: "production", createdAt: "2026-08-01T10:00:00.000Z" });
    expect(res.body.items[0]).not.toHaveProperty("buildLogs");
  });

  it("lists every branch without the filter", async () => {
    const res = await t.api.get("/api/admin/deployments?limit=100", { token: admin.token });
    expect(res.body.items.length).toBeGreaterThanOrEqual(6);
  });

  it.each([
    ["an invalid cursor", "cursor=bm9wZQ"],
    ["a forged cursor", `cursor=${encodeCursor(["garbage", 1])}`],
    ["an unknown status", "status=done"],
    ["an unknown type", "type=staging"],
    ["a limit of 0", "limit=0"],
    ["a limit of 101", "limit=101"],
  ])("rejects %s with 400", async (_label, query) => {
    const res = await list(query);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toMatch(/^query\./);
  });

  it("is 401 anonymous and 403 below Admin", async () => {
    expect((await t.api.get("/api/admin/deployments")).status).toBe(401);
    const community = await signedIn(t, { role: "community" });
    const res = await t.api.get("/api/admin/deployments", { token: community.token });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("insufficient_role");
  });
});

describe("GET /api/admin/deployments/{id}", () => {
  it("shows one deployment with its build logs", async () => {
    const row = await createDeployment(t.db, { status: "failed", buildLogs: "npm ERR! tango", errorMessage: "build failed" });
    const res = await t.api.get(`/api/admin/deployments/${row.id}`, { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: row.id, externalId: row.externalId, status: "failed", buildLogs: "npm ERR! tango", errorMessage: "build failed" });
  });

  it("is 404 for an unknown deployment, 401 anonymous, 403 below Admin", async () => {
    expect((await t.api.get("/api/admin/deployments/2147483647", { token: admin.token })).status).toBe(404);
    const row = await createDeployment(t.db);
    expect((await t.api.get(`/api/admin/deployments/${row.id}`)).status).toBe(401);
    const dancer = await signedIn(t);
    expect((await t.api.get(`/api/admin/deployments/${row.id}`, { token: dancer.token })).status).toBe(403);
  });
});

describe("POST /api/admin/deployments/{id}/rollback", () => {
  const rollback = (id: number | string, json: unknown, token = superAdmin.token) =>
    t.api.post(`/api/admin/deployments/${id}/rollback`, { json, token });

  it("records a pending rollback to an earlier success, with its audit row, and CI then moves it", async () => {
    const target = await createDeployment(t.db, {
      status: "success",
      gitBranch: "main",
      gitCommitSha: "b".repeat(40),
      versionId: "v-good",
      completedAt: new Date(),
    });
    const res = await rollback(target.id, { reason: "  Checkout broken in v-bad  " });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      type: "rollback",
      status: "pending",
      rollbackOfId: target.id,
      recordedBy: superAdmin.user.id,
      gitBranch: "main",
      gitCommitSha: "b".repeat(40),
      versionId: "v-good",
      externalId: `rollback-${res.body.id}`,
    });
    const audit = await auditRowsOf(t.db, "deployment", res.body.id);
    expect(audit).toEqual([
      expect.objectContaining({ actorId: superAdmin.user.id, action: "deployment.rollback", before: null }),
    ]);
    expect(audit[0]!.after).toMatchObject({ id: res.body.id, type: "rollback", rollback_of_id: target.id, reason: "Checkout broken in v-bad" });
    expect(audit[0]!.after).not.toHaveProperty("build_logs");

    // CI reports the rollback's moves under its external id.
    const moved = await sendReport(t.api, deploymentReport({ externalId: res.body.externalId, status: "success", type: "production" }));
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: res.body.id, type: "rollback", status: "success", rollbackOfId: target.id, recordedBy: superAdmin.user.id });
  });

  it("takes no body at all, recording a null reason", async () => {
    const target = await createDeployment(t.db, { status: "success" });
    const res = await t.api.post(`/api/admin/deployments/${target.id}/rollback`, { token: superAdmin.token });
    expect(res.status).toBe(201);
    const [audit] = await auditRowsOf(t.db, "deployment", res.body.id);
    expect(audit!.after).toMatchObject({ reason: null });
  });

  it.each(["pending", "building", "deploying", "failed", "cancelled"])("refuses a %s target (409 not_rollback_target), writing nothing", async (status) => {
    const target = await createDeployment(t.db, { status });
    const before = { audit: await auditCount(t.db), rows: (await t.db.select().from(deployments)).length };
    const res = await rollback(target.id, {});
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("not_rollback_target");
    expect({ audit: await auditCount(t.db), rows: (await t.db.select().from(deployments)).length }).toEqual(before);
  });

  it("is 404 for an unknown deployment, recording nothing", async () => {
    const before = await auditCount(t.db);
    const res = await rollback(2147483647, {});
    expect(res.status).toBe(404);
    expect(await auditCount(t.db)).toBe(before);
  });

  it("refuses a reason over 500 characters and unknown fields (400)", async () => {
    const target = await createDeployment(t.db, { status: "success" });
    expect((await rollback(target.id, { reason: "x".repeat(501) })).status).toBe(400);
    expect((await rollback(target.id, { reason: "ok", force: true })).status).toBe(400);
  });

  it("is 401 anonymous and 403 for an Admin (level 5) and a volunteer (level 6)", async () => {
    const target = await createDeployment(t.db, { status: "success" });
    expect((await t.api.post(`/api/admin/deployments/${target.id}/rollback`, { json: {} })).status).toBe(401);
    for (const role of ["admin", "volunteer"]) {
      const caller = await signedIn(t, { role });
      const res = await rollback(target.id, {}, caller.token);
      expect(res.status).toBe(403);
    }
  });

  it("records two racing rollbacks of one target as two records, each audited", async () => {
    const target = await createDeployment(t.db, { status: "success" });
    const results = await Promise.all([rollback(target.id, {}), rollback(target.id, {})]);
    expect(results.map((r) => r.status)).toEqual([201, 201]);
    expect(results[0].body.id).not.toBe(results[1].body.id);
    for (const res of results) expect(await auditRowsOf(t.db, "deployment", res.body.id)).toHaveLength(1);
  });
});

describe("POST /api/admin/deployments/{id}/cancel", () => {
  const cancel = (id: number | string, token = superAdmin.token) => t.api.post(`/api/admin/deployments/${id}/cancel`, { token });

  it.each(["pending", "building", "deploying"])("cancels a %s deployment, with its times and its audit row", async (status) => {
    const startedAt = new Date(Date.now() - 42_000);
    const row = await createDeployment(t.db, { status, startedAt, buildLogs: "long log" });
    const res = await cancel(row.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: row.id, status: "cancelled" });
    expect(res.body.durationSeconds).toBeGreaterThanOrEqual(42);
    expect(res.body.completedAt).toEqual(expect.any(String));
    const audit = await auditRowsOf(t.db, "deployment", row.id);
    expect(audit).toEqual([expect.objectContaining({ actorId: superAdmin.user.id, action: "deployment.cancel" })]);
    expect(audit[0]!.before).toMatchObject({ id: row.id, status });
    expect(audit[0]!.after).toMatchObject({ id: row.id, status: "cancelled" });
    expect(audit[0]!.before).not.toHaveProperty("build_logs");
  });

  it.each(["success", "failed", "cancelled"])("refuses a %s deployment (409 illegal_transition), recording nothing", async (status) => {
    const row = await createDeployment(t.db, { status });
    const before = await auditCount(t.db);
    const res = await cancel(row.id);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("illegal_transition");
    expect(await rowOf(row.id)).toEqual(row);
    expect(await auditCount(t.db)).toBe(before);
  });

  it("is 404 for an unknown deployment, 401 anonymous, 403 for an Admin", async () => {
    expect((await cancel(2147483647)).status).toBe(404);
    const row = await createDeployment(t.db);
    expect((await t.api.post(`/api/admin/deployments/${row.id}/cancel`)).status).toBe(401);
    expect((await cancel(row.id, admin.token)).status).toBe(403);
    expect((await rowOf(row.id))!.status).toBe("pending");
  });

  it("cancels once when two cancels race: one 200 and one audit row", async () => {
    const row = await createDeployment(t.db, { status: "building" });
    const results = await Promise.all([cancel(row.id), cancel(row.id), cancel(row.id)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    expect(await auditRowsOf(t.db, "deployment", row.id)).toHaveLength(1);
  });

  it("races CI's success: whichever lands first wins, the other is refused, and the audit matches", async () => {
    for (let round = 0; round < 6; round++) {
      const row = await createDeployment(t.db, { status: "deploying" });
      const [cancelled, reported] = await Promise.all([cancel(row.id), sendReport(t.api, deploymentReport({ externalId: row.externalId, status: "success" }))]);
      expect([cancelled.status, reported.status].sort()).toEqual([200, 409]);
      const final = (await rowOf(row.id))!;
      const audit = await auditRowsOf(t.db, "deployment", row.id);
      if (cancelled.status === 200) {
        expect(final.status).toBe("cancelled");
        expect(reported.body.code).toBe("illegal_transition");
        expect(audit).toHaveLength(1);
      } else {
        expect(final.status).toBe("success");
        expect(cancelled.body.code).toBe("illegal_transition");
        expect(audit).toHaveLength(0);
      }
    }
  });
});

describe("OpenAPI", () => {
  it("documents the deployment routes, the webhook signed and not behind a token", async () => {
    const { paths } = (await t.api.get("/openapi.json")).body;
    expect(paths["/api/deployments/webhook"].post.security).toBeUndefined();
    expect(paths["/api/deployments/webhook"].post["x-signed-webhook"]).toBe("deployments");
    expect(paths["/api/deployments/webhook"].post.parameters.map((p: { name: string }) => p.name).sort()).toEqual(["x-mundo-signature", "x-mundo-timestamp"]);
    expect(paths["/api/admin/deployments"].get["x-min-level"]).toBe(5);
    expect(paths["/api/admin/deployments/{id}/rollback"].post["x-min-level"]).toBe(7);
    expect(paths["/api/admin/deployments/{id}/cancel"].post["x-object"]).toBe("deployment");
  });
});
