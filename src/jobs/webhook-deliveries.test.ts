import { createScheduledController } from "cloudflare:test";
import { inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { webhookDeliveries } from "../../drizzle/schema";
import { deploymentReport, sendReport } from "../../test/deployments";
import { unique } from "../../test/factories";
import { testCtx, useTestDatabase } from "../../test/harness";
import worker from "../../workers/api";
import { SCHEDULES } from "./index";
import { createDeliveriesJob, forgetWebhookDeliveries } from "./webhook-deliveries";

const t = await useTestDatabase();
const MINUTE = 60_000;

/** Deliveries received `minutesAgo` before `now`; returns their keys. */
async function deliveries(now: Date, minutesAgo: number[]): Promise<string[]> {
  const keys: string[] = [];
  for (const minutes of minutesAgo) {
    const [row] = await t.db
      .insert(webhookDeliveries)
      .values({ signatureHash: unique("sig"), source: "deployments", receivedAt: new Date(now.getTime() - minutes * MINUTE) })
      .returning();
    keys.push(row!.signatureHash);
  }
  return keys;
}

const remaining = async (keys: string[]) =>
  (await t.db.select().from(webhookDeliveries).where(inArray(webhookDeliveries.signatureHash, keys))).map((r) => r.signatureHash).sort();

describe("webhook deliveries (cron 15 * * * *)", () => {
  it("forgets deliveries older than 10 minutes, keeps the recent ones, and a rerun does nothing", async () => {
    const now = new Date("2031-01-10T12:15:00Z");
    const old = await deliveries(now, [11, 60, 60 * 24]);
    const recent = await deliveries(now, [9, 1, 0]);
    expect(await forgetWebhookDeliveries.run(testCtx(t, { now }))).toMatchObject({ deleted: 3, unfinished: 0 });
    expect(await remaining([...old, ...recent])).toEqual([...recent].sort());
    expect(await forgetWebhookDeliveries.run(testCtx(t, { now }))).toMatchObject({ deleted: 0 });
  });

  it("works in chunks until done, and stops at its time budget", async () => {
    const now = new Date("2030-06-01T08:15:00Z");
    const old = await deliveries(now, [20, 21, 22, 23, 24, 25, 26]);
    expect(await createDeliveriesJob({ chunk: 3, budgetMs: 0 }).run(testCtx(t, { now }))).toMatchObject({ deleted: 3, unfinished: 1 });
    expect(await remaining(old)).toHaveLength(4);
    expect(await createDeliveriesJob({ chunk: 3, budgetMs: 60_000 }).run(testCtx(t, { now }))).toMatchObject({ deleted: 4, chunks: 2, unfinished: 0 });
    expect(await remaining(old)).toEqual([]);
  });

  it("keeps a fresh delivery's replay refused: what the webhook just remembered is not forgotten", async () => {
    const report = deploymentReport();
    expect((await sendReport(t.api, report)).status).toBe(201);
    await forgetWebhookDeliveries.run(testCtx(t, { now: new Date() }));
    const [row] = await t.db.select({ n: sql<number>`count(*)::int` }).from(webhookDeliveries).where(sql`received_at > now() - interval '1 minute'`);
    expect(row!.n).toBeGreaterThanOrEqual(1);
  });

  it("runs on the hourly cleanup trigger", async () => {
    expect(SCHEDULES["15 * * * *"]).toContain(forgetWebhookDeliveries);
    const now = new Date();
    const old = await deliveries(now, [30]);
    await worker.scheduled(createScheduledController({ cron: "15 * * * *", scheduledTime: now }), t.env);
    expect(await remaining(old)).toEqual([]);
  });

  it("finds old deliveries through the received_at index", async () => {
    const [, plan] = await t.db.batch([
      t.db.execute(sql`SET LOCAL enable_seqscan = off`),
      t.db.execute<{ "QUERY PLAN": string }>(
        sql`EXPLAIN SELECT signature_hash FROM webhook_deliveries WHERE received_at < now() - interval '10 minutes' ORDER BY received_at LIMIT 5000`,
      ),
    ]);
    const text = plan.rows.map((r) => r["QUERY PLAN"]).join("\n");
    expect(text).toContain("webhook_deliveries_received_idx");
  });
});
