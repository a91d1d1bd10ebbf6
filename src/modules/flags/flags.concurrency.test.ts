import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { featureFlags } from "../../../drizzle/schema";
import { auditRowsOf } from "../../../test/admin";
import { signedIn } from "../../../test/auth";
import { unique } from "../../../test/factories";
import { createFlag } from "../../../test/flags";
import { useTestDatabase } from "../../../test/harness";

const t = await useTestDatabase();

async function flagRow(id: number) {
  const [row] = await t.db.select().from(featureFlags).where(eq(featureFlags.id, id));
  return row;
}

describe("feature flags under concurrency", () => {
  it("creates one flag of a key sent six times at once: one 201, five 409, one audit row", async () => {
    const { token } = await signedIn(t, { role: "super_admin" });
    const key = unique("race-").toLowerCase();
    const results = await Promise.all(Array.from({ length: 6 }, () => t.api.post("/api/admin/flags", { token, json: { key, enabled: true } })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === "flag_key_taken")).toBe(true);
    const created = results.find((r) => r.status === 201)!.body;
    expect(await auditRowsOf(t.db, "feature_flag", created.id)).toHaveLength(1);
  });

  it("applies racing edits one after the other, each audit row holding the row it really replaced", async () => {
    const admins = await Promise.all(Array.from({ length: 5 }, () => signedIn(t, { role: "super_admin" })));
    const flag = await createFlag(t.db, { rolloutPercentage: 0 });
    const results = await Promise.all(
      admins.map(({ token }, i) => t.api.patch(`/api/admin/flags/${flag.id}`, { token, json: { rolloutPercentage: (i + 1) * 10 } })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(5).fill(200));
    const audit = await auditRowsOf(t.db, "feature_flag", flag.id);
    expect(audit).toHaveLength(5);
    const chain = audit.map((row) => [(row.before as { rollout_percentage: number }).rollout_percentage, (row.after as { rollout_percentage: number }).rollout_percentage]);
    expect(chain[0]![0]).toBe(0);
    for (let i = 1; i < chain.length; i++) expect(chain[i]![0]).toBe(chain[i - 1]![1]);
    expect((await flagRow(flag.id))!.rolloutPercentage).toBe(chain.at(-1)![1]);
    expect(new Set(results.map((r) => String(r.body.version))).size).toBe(5);
  });

  it("lets one of five edits sent with the same If-Match win: the rest are 412 and record nothing", async () => {
    const admins = await Promise.all(Array.from({ length: 5 }, () => signedIn(t, { role: "super_admin" })));
    const flag = await createFlag(t.db, { rolloutPercentage: 0 });
    const etag = (await t.api.get(`/api/admin/flags/${flag.id}`, { token: admins[0]!.token })).headers.get("etag")!;
    const results = await Promise.all(
      admins.map(({ token }, i) =>
        t.api.patch(`/api/admin/flags/${flag.id}`, { token, json: { rolloutPercentage: (i + 1) * 10 }, headers: { "if-match": etag } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412, 412, 412]);
    const winner = results.find((r) => r.status === 200)!.body;
    expect((await flagRow(flag.id))!.rolloutPercentage).toBe(winner.rolloutPercentage);
    expect(await auditRowsOf(t.db, "feature_flag", flag.id)).toHaveLength(1);
  });

  it("keeps the audit trail true when an edit races a delete", async () => {
    const { token } = await signedIn(t, { role: "super_admin" });
    for (let round = 0; round < 3; round++) {
      const flag = await createFlag(t.db, { rolloutPercentage: 0 });
      const [edit, removal] = await Promise.all([
        t.api.patch(`/api/admin/flags/${flag.id}`, { token, json: { rolloutPercentage: 60 } }),
        t.api.delete(`/api/admin/flags/${flag.id}`, { token }),
      ]);
      expect(removal.status).toBe(204);
      expect([200, 404]).toContain(edit.status);
      const audit = await auditRowsOf(t.db, "feature_flag", flag.id);
      const deleted = audit.find((row) => row.action === "flag.delete")!;
      if (edit.status === 200) {
        // The edit went first: the delete recorded the edited row as its before.
        expect(audit.map((row) => row.action)).toEqual(["flag.update", "flag.delete"]);
        expect(deleted.before).toMatchObject({ rollout_percentage: 60 });
      } else {
        expect(audit.map((row) => row.action)).toEqual(["flag.delete"]);
        expect(deleted.before).toMatchObject({ rollout_percentage: 0 });
      }
      expect(await flagRow(flag.id)).toBeUndefined();
    }
  });
});
