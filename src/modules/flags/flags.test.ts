import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { featureFlags } from "../../../drizzle/schema";
import { auditCount, auditRowsOf } from "../../../test/admin";
import { signedIn } from "../../../test/auth";
import { createUser, unique } from "../../../test/factories";
import { createFlag } from "../../../test/flags";
import { createApi, useTestDatabase } from "../../../test/harness";
import { allPages } from "../../../test/pages";
import { encodeCursor } from "../../lib/pagination";

const t = await useTestDatabase();
/** The API with no flag cache (TTL 0): flags written straight to the database show at once. */
const uncached = createApi({ ...t.env, FLAG_CACHE_SECONDS: "0" });

type Evaluated = { flags: Record<string, boolean> };

const key = () => unique("f-").toLowerCase();
const superAdmin = () => signedIn(t, { role: "super_admin" });

async function flagRow(id: number) {
  const [row] = await t.db.select().from(featureFlags).where(eq(featureFlags.id, id));
  return row;
}

describe("POST /api/admin/flags", () => {
  it("creates a flag (201, ETag) and records it in the audit log in the same statement", async () => {
    const { user: admin, token } = await superAdmin();
    const [ana, bruno] = await Promise.all([createUser(t.db), createUser(t.db)]);
    const res = await t.api.post("/api/admin/flags", {
      token,
      json: {
        key: "checkout.v2-beta_1",
        description: "The new checkout",
        enabled: true,
        rolloutPercentage: 25,
        allowUserIds: [bruno.id, ana.id, ana.id],
        denyUserIds: [],
        minLevel: 3,
        cities: ["Buenos Aires", "buenos aires", "Berlin"],
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      key: "checkout.v2-beta_1",
      description: "The new checkout",
      enabled: true,
      rolloutPercentage: 25,
      allowUserIds: [ana.id, bruno.id].sort((a, b) => a - b),
      denyUserIds: [],
      minLevel: 3,
      cities: ["Buenos Aires", "Berlin"],
      createdBy: admin.id,
      updatedBy: admin.id,
      createdAt: expect.stringMatching(/Z$/),
      updatedAt: expect.stringMatching(/Z$/),
      version: expect.stringMatching(/^\d+$/),
    });
    expect(res.headers.get("etag")).toBe(`"${res.body.version}"`);
    const audit = await auditRowsOf(t.db, "feature_flag", res.body.id);
    expect(audit).toEqual([
      expect.objectContaining({ actorId: admin.id, action: "flag.create", before: null, after: expect.objectContaining({ key: "checkout.v2-beta_1", rollout_percentage: 25 }) }),
    ]);
  });

  it("defaults to a disabled, untargeted 100% flag", async () => {
    const { token } = await superAdmin();
    const res = await t.api.post("/api/admin/flags", { token, json: { key: key() } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ enabled: false, rolloutPercentage: 100, allowUserIds: [], denyUserIds: [], minLevel: null, cities: [], description: null });
  });

  it("refuses a taken key with 409 flag_key_taken and records nothing", async () => {
    const { token } = await superAdmin();
    const taken = await createFlag(t.db);
    const before = await auditCount(t.db);
    const res = await t.api.post("/api/admin/flags", { token, json: { key: taken.key, enabled: true } });
    expect([res.status, res.body.code]).toEqual([409, "flag_key_taken"]);
    expect(await auditCount(t.db)).toBe(before);
  });

  it("refuses listed users who do not exist with 400 unknown_users and writes nothing", async () => {
    const { token } = await superAdmin();
    const ana = await createUser(t.db);
    const before = await auditCount(t.db);
    const wanted = key();
    const res = await t.api.post("/api/admin/flags", { token, json: { key: wanted, allowUserIds: [ana.id], denyUserIds: [2_000_000_000] } });
    expect([res.status, res.body.code]).toEqual([400, "unknown_users"]);
    expect(res.body.detail).toContain("2000000000");
    expect(await t.db.select().from(featureFlags).where(eq(featureFlags.key, wanted))).toEqual([]);
    expect(await auditCount(t.db)).toBe(before);
  });

  it.each([
    ["an uppercase key", { key: "New-Feed" }, "body.key"],
    ["a key with a space", { key: "new feed" }, "body.key"],
    ["a key starting with a dot", { key: ".feed" }, "body.key"],
    ["a 65-character key", { key: "k".repeat(65) }, "body.key"],
    ["a rollout over 100", { key: "ok", rolloutPercentage: 101 }, "body.rolloutPercentage"],
    ["a fractional rollout", { key: "ok", rolloutPercentage: 12.5 }, "body.rolloutPercentage"],
    ["a level 9", { key: "ok", minLevel: 9 }, "body.minLevel"],
    ["a level 0", { key: "ok", minLevel: 0 }, "body.minLevel"],
    ["1001 allowed users", { key: "ok", allowUserIds: Array.from({ length: 1001 }, (_, i) => i + 1) }, "body.allowUserIds"],
    ["1001 denied users", { key: "ok", denyUserIds: Array.from({ length: 1001 }, (_, i) => i + 1) }, "body.denyUserIds"],
    ["a user id 0", { key: "ok", allowUserIds: [0] }, "body.allowUserIds.0"],
    ["101 cities", { key: "ok", cities: Array.from({ length: 101 }, (_, i) => `City ${i}`) }, "body.cities"],
    ["an empty city", { key: "ok", cities: [" "] }, "body.cities.0"],
    ["an unknown field", { key: "ok", owner: 1 }, "body"],
  ])("refuses %s with 400", async (_label, json, path) => {
    const { token } = await superAdmin();
    const res = await t.api.post("/api/admin/flags", { token, json });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
  });
});

describe("GET /api/admin/flags and /api/admin/flags/{id}", () => {
  it("reads a flag with its ETag; an unknown one is a 404", async () => {
    const { token } = await signedIn(t, { role: "admin" });
    const flag = await createFlag(t.db, { rolloutPercentage: 40, cities: ["Berlin"] });
    const res = await t.api.get(`/api/admin/flags/${flag.id}`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: flag.id, key: flag.key, rolloutPercentage: 40, cities: ["Berlin"], createdBy: null });
    expect(res.headers.get("etag")).toBe(`"${res.body.version}"`);
    expect((await t.api.get("/api/admin/flags/2000000000", { token })).status).toBe(404);
  });

  it("lists flags by key in byte order, page by page without gaps or repeats", async () => {
    const { token } = await signedIn(t, { role: "admin" });
    const prefix = `list-${Date.now()}-`;
    // Punctuation sorts by its byte ("-" < "." < digits < "_" < letters), not as a locale would skip it.
    await Promise.all(["a_b", "b", "a", "a.c", "a-d", "a1"].map((suffix) => createFlag(t.db, { key: `${prefix}${suffix}` })));
    const pages = await allPages<{ id: number; key: string }>(t.api, "/api/admin/flags?limit=2", token);
    const keys = pages.flatMap((page) => page.items.map((item) => item.key));
    expect(keys).toEqual([...keys].sort());
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.filter((k) => k.startsWith(prefix))).toEqual(["a", "a-d", "a.c", "a1", "a_b", "b"].map((s) => `${prefix}${s}`));
    expect(pages.slice(0, -1).every((page) => page.items.length === 2)).toBe(true);
  });

  it.each([
    ["not ours", "garbage"],
    ["with a key that is not one", encodeCursor(["Not A Key", 1])],
    ["with an id out of range", encodeCursor(["a", 1e12])],
    ["of another list's shape", encodeCursor(["2026-01-01 00:00:00", 1])],
  ])("refuses a cursor %s with 400", async (_label, cursor) => {
    const { token } = await signedIn(t, { role: "admin" });
    const res = await t.api.get(`/api/admin/flags?cursor=${encodeURIComponent(cursor)}`, { token });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "query.cursor" })]);
  });
});

describe("PATCH /api/admin/flags/{id}", () => {
  it("changes the given fields and records the true before and after", async () => {
    const { user: admin, token } = await superAdmin();
    const flag = await createFlag(t.db, { rolloutPercentage: 10, cities: ["Berlin"] });
    const read = await t.api.get(`/api/admin/flags/${flag.id}`, { token });
    const res = await t.api.patch(`/api/admin/flags/${flag.id}`, { token, json: { rolloutPercentage: 30, minLevel: 5, description: "Half way" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ rolloutPercentage: 30, minLevel: 5, description: "Half way", cities: ["Berlin"], enabled: true, updatedBy: admin.id });
    expect(res.body.version).not.toBe(read.body.version);
    expect(BigInt(res.body.version) > BigInt(read.body.version)).toBe(true);
    expect(res.headers.get("etag")).toBe(`"${res.body.version}"`);
    const [audit] = await auditRowsOf(t.db, "feature_flag", flag.id);
    expect(audit).toMatchObject({ actorId: admin.id, action: "flag.update" });
    expect(audit!.before).toMatchObject({ rollout_percentage: 10, min_level: null, description: null, cities: ["Berlin"] });
    expect(audit!.after).toMatchObject({ rollout_percentage: 30, min_level: 5, description: "Half way", cities: ["Berlin"] });
  });

  it("clears the level and the description with null, and replaces lists whole", async () => {
    const { token } = await superAdmin();
    const ana = await createUser(t.db);
    const flag = await createFlag(t.db, { minLevel: 5, description: "x", cities: ["Berlin", "Paris"], denyUserIds: [ana.id] });
    const res = await t.api.patch(`/api/admin/flags/${flag.id}`, { token, json: { minLevel: null, description: null, cities: ["Rome"], denyUserIds: [] } });
    expect(res.body).toMatchObject({ minLevel: null, description: null, cities: ["Rome"], denyUserIds: [] });
    expect(await flagRow(flag.id)).toMatchObject({ minLevel: null, description: null, cities: ["Rome"], denyUserIds: [] });
  });

  it("records nothing for an edit that changes nothing", async () => {
    const { token } = await superAdmin();
    const flag = await createFlag(t.db, { rolloutPercentage: 50 });
    const read = await t.api.get(`/api/admin/flags/${flag.id}`, { token });
    const res = await t.api.patch(`/api/admin/flags/${flag.id}`, { token, json: { rolloutPercentage: 50, enabled: true } });
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(read.body.version);
    expect(await auditRowsOf(t.db, "feature_flag", flag.id)).toEqual([]);
  });

  it("with If-Match: applies on the version read, refuses a stale one with 412 and writes nothing", async () => {
    const { token } = await superAdmin();
    const flag = await createFlag(t.db, { rolloutPercentage: 10 });
    const read = await t.api.get(`/api/admin/flags/${flag.id}`, { token });
    const etag = read.headers.get("etag")!;
    const first = await t.api.patch(`/api/admin/flags/${flag.id}`, { token, json: { rolloutPercentage: 20 }, headers: { "if-match": etag } });
    expect(first.status).toBe(200);
    const stale = await t.api.patch(`/api/admin/flags/${flag.id}`, { token, json: { rolloutPercentage: 90 }, headers: { "if-match": etag } });
    expect([stale.status, stale.body.code]).toEqual([412, "flag_changed"]);
    expect((await flagRow(flag.id))!.rolloutPercentage).toBe(20);
    expect(await auditRowsOf(t.db, "feature_flag", flag.id)).toHaveLength(1);
    const fresh = await t.api.patch(`/api/admin/flags/${flag.id}`, { token, json: { rolloutPercentage: 30 }, headers: { "if-match": first.headers.get("etag")! } });
    expect(fresh.status).toBe(200);
  });

  it.each([
    ["a weak tag", (etag: string) => `W/${etag}`, 412],
    ["garbage", () => "whatever", 412],
    ["a list holding the current tag", (etag: string) => `"1", ${etag}`, 200],
    ["*", () => "*", 200],
  ])("reads If-Match %s", async (_label, header, status) => {
    const { token } = await superAdmin();
    const flag = await createFlag(t.db, { rolloutPercentage: 10 });
    const etag = (await t.api.get(`/api/admin/flags/${flag.id}`, { token })).headers.get("etag")!;
    const res = await t.api.patch(`/api/admin/flags/${flag.id}`, { token, json: { rolloutPercentage: 11 }, headers: { "if-match": header(etag) } });
    expect(res.status).toBe(status);
  });

  it("refuses an unknown flag (404), unknown users (400), an empty edit and a key change (400), recording nothing", async () => {
    const { token } = await superAdmin();
    const flag = await createFlag(t.db);
    const before = await auditCount(t.db);
    expect((await t.api.patch("/api/admin/flags/2000000000", { token, json: { enabled: false } })).status).toBe(404);
    const unknown = await t.api.patch(`/api/admin/flags/${flag.id}`, { token, json: { allowUserIds: [2_000_000_000] } });
    expect([unknown.status, unknown.body.code]).toEqual([400, "unknown_users"]);
    expect((await t.api.patch(`/api/admin/flags/${flag.id}`, { token, json: {} })).status).toBe(400);
    expect((await t.api.patch(`/api/admin/flags/${flag.id}`, { token, json: { key: "renamed" } })).status).toBe(400);
    expect(await auditCount(t.db)).toBe(before);
    expect(await flagRow(flag.id)).toMatchObject({ key: flag.key, allowUserIds: [] });
  });
});

describe("DELETE /api/admin/flags/{id}", () => {
  it("deletes (204) and records the row before; again is a 404 that records nothing", async () => {
    const { user: admin, token } = await superAdmin();
    const flag = await createFlag(t.db, { rolloutPercentage: 5 });
    expect((await t.api.delete(`/api/admin/flags/${flag.id}`, { token })).status).toBe(204);
    expect(await flagRow(flag.id)).toBeUndefined();
    const audit = await auditRowsOf(t.db, "feature_flag", flag.id);
    expect(audit).toEqual([
      expect.objectContaining({ actorId: admin.id, action: "flag.delete", before: expect.objectContaining({ key: flag.key, rollout_percentage: 5 }), after: null }),
    ]);
    const count = await auditCount(t.db);
    expect((await t.api.delete(`/api/admin/flags/${flag.id}`, { token })).status).toBe(404);
    expect(await auditCount(t.db)).toBe(count);
  });
});

describe("flag admin: role levels", () => {
  it.each(["community", "admin", "volunteer"] as const)("refuses every write to a %s (level 4, 5, 6) with 403, recording nothing", async (role) => {
    const { token } = await signedIn(t, { role });
    const flag = await createFlag(t.db);
    const before = await auditCount(t.db);
    const writes = await Promise.all([
      t.api.post("/api/admin/flags", { token, json: { key: key() } }),
      t.api.patch(`/api/admin/flags/${flag.id}`, { token, json: { enabled: false } }),
      t.api.delete(`/api/admin/flags/${flag.id}`, { token }),
    ]);
    expect(writes.map((r): [number, string] => [r.status, String(r.body.code)])).toEqual(Array(3).fill([403, "insufficient_role"]));
    expect(await auditCount(t.db)).toBe(before);
    expect((await flagRow(flag.id))!.enabled).toBe(true);
  });

  it("lets level 5 and 6 read but not level 4", async () => {
    const flag = await createFlag(t.db);
    for (const [role, status] of [["community", 403], ["admin", 200], ["volunteer", 200]] as const) {
      const { token } = await signedIn(t, { role });
      expect((await t.api.get("/api/admin/flags", { token })).status, role).toBe(status);
      expect((await t.api.get(`/api/admin/flags/${flag.id}`, { token })).status, role).toBe(status);
    }
  });

  it("refuses anonymous callers with 401", async () => {
    expect((await t.api.get("/api/admin/flags")).status).toBe(401);
    expect((await t.api.post("/api/admin/flags", { json: { key: key() } })).status).toBe(401);
  });
});

describe("GET /api/flags", () => {
  it("answers the caller's flags by the rules: allow, deny, level, city (from the profile, any case), rollout", async () => {
    const { user: ana, token } = await signedIn(t, { role: "community", city: "BUENOS AIRES" });
    const [on, off, allowed, denied, levelled, tooHigh, inCity, elsewhere, none, disabled] = await Promise.all([
      createFlag(t.db),
      createFlag(t.db, { rolloutPercentage: 0 }),
      createFlag(t.db, { rolloutPercentage: 0, minLevel: 8, cities: ["Paris"], allowUserIds: [ana.id] }),
      createFlag(t.db, { allowUserIds: [ana.id], denyUserIds: [ana.id] }),
      createFlag(t.db, { minLevel: 4 }),
      createFlag(t.db, { minLevel: 5 }),
      createFlag(t.db, { cities: ["Berlin", "buenos aires"] }),
      createFlag(t.db, { cities: ["Berlin"] }),
      createFlag(t.db, { enabled: false, rolloutPercentage: 100 }),
      createFlag(t.db, { enabled: false, allowUserIds: [ana.id] }),
    ]);
    const res = await uncached.get("/api/flags", { token });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(res.body.flags).toMatchObject({
      [on.key]: true,
      [off.key]: false,
      [allowed.key]: true,
      [denied.key]: false,
      [levelled.key]: true,
      [tooHigh.key]: false,
      [inCity.key]: true,
      [elsewhere.key]: false,
      [none.key]: false,
      [disabled.key]: false,
    });
  });

  it("gives an anonymous caller only untargeted 100% flags", async () => {
    const [open, partial, levelled, located] = await Promise.all([
      createFlag(t.db),
      createFlag(t.db, { rolloutPercentage: 99 }),
      createFlag(t.db, { minLevel: 1 }),
      createFlag(t.db, { cities: ["Berlin"] }),
    ]);
    const res = await uncached.get("/api/flags");
    expect(res.status).toBe(200);
    expect(res.body.flags).toMatchObject({ [open.key]: true, [partial.key]: false, [levelled.key]: false, [located.key]: false });
  });

  it("answers a rollout by the dancer's bucket, the same every time", async () => {
    const flag = await createFlag(t.db, { rolloutPercentage: 50 });
    const dancers = await Promise.all(Array.from({ length: 12 }, () => signedIn(t)));
    const first = await Promise.all(dancers.map(async ({ token }) => (await uncached.get<Evaluated>("/api/flags", { token })).body.flags[flag.key]));
    const again = await Promise.all(dancers.map(async ({ token }) => (await t.api.get<Evaluated>("/api/flags", { token })).body.flags[flag.key]));
    expect(again).toEqual(first);
  });

  it("refuses a bad token with 401", async () => {
    expect((await t.api.get("/api/flags", { token: "not-a-token" })).status).toBe(401);
  });
});
