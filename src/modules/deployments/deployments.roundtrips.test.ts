import { describe, expect, it } from "vitest";
import { signedIn } from "../../../test/auth";
import { createDeployment, deploymentReport, sendReport, webhookHeaders, WEBHOOK_PATH } from "../../../test/deployments";
import { useTestDatabase } from "../../../test/harness";
import { roundTrips } from "../../../test/roundtrips";

const t = await useTestDatabase();

describe("database round trips", () => {
  it("is one per request for the webhook (create, move, refusals) and none for a bad signature", async () => {
    const report = deploymentReport();
    expect(await roundTrips(() => sendReport(t.api, report))).toEqual({ status: 201, trips: 1 });
    expect(await roundTrips(() => sendReport(t.api, { ...report, status: "success" }))).toEqual({ status: 200, trips: 1 });
    expect(await roundTrips(() => sendReport(t.api, { ...report, status: "building" }))).toEqual({ status: 409, trips: 1 });
    const body = JSON.stringify(deploymentReport());
    const headers = await webhookHeaders(body);
    expect(await roundTrips(() => t.api.post(WEBHOOK_PATH, { body, headers }))).toEqual({ status: 201, trips: 1 });
    expect(await roundTrips(() => t.api.post(WEBHOOK_PATH, { body, headers }))).toEqual({ status: 409, trips: 1 });
    expect(await roundTrips(() => t.api.post(WEBHOOK_PATH, { body, headers: { ...headers, "x-mundo-timestamp": "1" } }))).toEqual({ status: 401, trips: 0 });
  });

  it("is one per request for the admin routes", async () => {
    const admin = await signedIn(t, { role: "super_admin" });
    const done = await createDeployment(t.db, { status: "success" });
    const running = await createDeployment(t.db, { status: "building" });
    expect(await roundTrips(() => t.api.get("/api/admin/deployments?status=success", { token: admin.token }))).toEqual({ status: 200, trips: 1 });
    expect(await roundTrips(() => t.api.get(`/api/admin/deployments/${done.id}`, { token: admin.token }))).toEqual({ status: 200, trips: 1 });
    expect(await roundTrips(() => t.api.post(`/api/admin/deployments/${done.id}/rollback`, { json: {}, token: admin.token }))).toEqual({ status: 201, trips: 1 });
    expect(await roundTrips(() => t.api.post(`/api/admin/deployments/${running.id}/cancel`, { token: admin.token }))).toEqual({ status: 200, trips: 1 });
  });
});
