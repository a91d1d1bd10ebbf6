import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { featureFlags, users } from "../../../drizzle/schema";
import { actorOf, signedIn } from "../../../test/auth";
import { createFlag } from "../../../test/flags";
import { createApi, testCtx, useTestDatabase } from "../../../test/harness";
import { countRoundTrips, roundTrips } from "../../../test/roundtrips";
import { cachedRules, forgetFlags, type LoadedFlags } from "./flags.cache";
import type { FlagRule } from "./flags.evaluate";
import { isFlagOn } from "./index";

const t = await useTestDatabase();

/** Another isolate's write: straight to the database, so this isolate's cache never hears of it. */
async function setEnabled(id: number, enabled: boolean) {
  await t.db.update(featureFlags).set({ enabled }).where(eq(featureFlags.id, id));
}

const at = (base: Date, seconds: number) => new Date(base.getTime() + seconds * 1000);

beforeEach(() => forgetFlags(testCtx(t)));

describe("GET /api/flags: round trips", () => {
  it("makes one round trip cold (flags and the caller's city together) and none warm", async () => {
    const { token } = await signedIn(t, { city: "Berlin" });
    const flag = await createFlag(t.db, { cities: ["Berlin"], rolloutPercentage: 100 });
    const cold = await countRoundTrips(() => t.api.get("/api/flags", { token }));
    expect([cold.result.status, cold.trips]).toEqual([200, 1]);
    expect(cold.result.body.flags[flag.key]).toBe(true);
    const warm = await countRoundTrips(() => t.api.get("/api/flags", { token }));
    expect([warm.result.status, warm.trips]).toEqual([200, 0]);
    expect(warm.result.body.flags[flag.key]).toBe(true);
    expect(await roundTrips(() => t.api.get("/api/flags"))).toEqual({ status: 200, trips: 0 });
  });

  it("looks up another dancer's city once (one round trip), then remembers it", async () => {
    const flag = await createFlag(t.db, { cities: ["Rome"] });
    await t.api.get("/api/flags");
    const { token } = await signedIn(t, { city: "Rome" });
    const first = await countRoundTrips(() => t.api.get("/api/flags", { token }));
    expect([first.trips, first.result.body.flags[flag.key]]).toEqual([1, true]);
    expect(await roundTrips(() => t.api.get("/api/flags", { token }))).toEqual({ status: 200, trips: 0 });
  });

  it("never looks a city up when no flag targets cities", async () => {
    await t.db.update(featureFlags).set({ cities: [] });
    await createFlag(t.db);
    await t.api.get("/api/flags");
    const { token } = await signedIn(t);
    expect(await roundTrips(() => t.api.get("/api/flags", { token }))).toEqual({ status: 200, trips: 0 });
  });

  it("shares one load between concurrent cold requests", async () => {
    await createFlag(t.db);
    const dancers = await Promise.all(Array.from({ length: 3 }, () => signedIn(t)));
    await t.db.update(featureFlags).set({ cities: [] });
    const { result, trips } = await countRoundTrips(() =>
      Promise.all([t.api.get("/api/flags"), t.api.get("/api/flags"), ...dancers.map(({ token }) => t.api.get("/api/flags", { token }))]),
    );
    expect(result.map((r) => r.status)).toEqual(Array(5).fill(200));
    expect(trips).toBe(1);
  });
});

describe("the admin routes: round trips", () => {
  it("makes one round trip for each", async () => {
    const { token } = await signedIn(t, { role: "super_admin" });
    const created = await countRoundTrips(() => t.api.post("/api/admin/flags", { token, json: { key: `rt-${Date.now()}`, enabled: true } }));
    expect([created.result.status, created.trips]).toEqual([201, 1]);
    const id = created.result.body.id as number;
    expect(await roundTrips(() => t.api.get("/api/admin/flags", { token }))).toEqual({ status: 200, trips: 1 });
    expect(await roundTrips(() => t.api.get(`/api/admin/flags/${id}`, { token }))).toEqual({ status: 200, trips: 1 });
    expect(await roundTrips(() => t.api.patch(`/api/admin/flags/${id}`, { token, json: { rolloutPercentage: 5 } }))).toEqual({ status: 200, trips: 1 });
    expect(await roundTrips(() => t.api.delete(`/api/admin/flags/${id}`, { token }))).toEqual({ status: 204, trips: 1 });
  });
});

describe("the cache's load", () => {
  const rules = (key: string): LoadedFlags => ({
    rules: [{ key, enabled: true, rolloutPercentage: 100, allow: new Set(), deny: new Set(), minLevel: null, cities: new Set() } satisfies FlagRule],
  });

  it("does not keep what a load read when a write came during it", async () => {
    const ctx = testCtx(t);
    let finish!: (loaded: LoadedFlags) => void;
    const slow = cachedRules(ctx, null, () => new Promise<LoadedFlags>((resolve) => (finish = resolve)));
    forgetFlags(ctx);
    finish(rules("before-the-write"));
    expect((await slow).map((r) => r.key)).toEqual(["before-the-write"]);
    const next = await cachedRules(ctx, null, () => Promise.resolve(rules("after-the-write")));
    expect(next.map((r) => r.key)).toEqual(["after-the-write"]);
  });

  it("lets a waiting request load for itself when the shared load fails", async () => {
    const ctx = testCtx(t);
    let fail!: (error: Error) => void;
    const first = cachedRules(ctx, null, () => new Promise<LoadedFlags>((_, reject) => (fail = reject)));
    const second = cachedRules(ctx, null, () => Promise.resolve(rules("own-load")));
    fail(new Error("cancelled"));
    await expect(first).rejects.toThrow("cancelled");
    expect((await second).map((r) => r.key)).toEqual(["own-load"]);
  });
});

describe("GET /api/flags: how changes arrive", () => {
  it("shows another isolate's change only after FLAG_CACHE_SECONDS", async () => {
    const quick = createApi({ ...t.env, FLAG_CACHE_SECONDS: "1" });
    const flag = await createFlag(t.db);
    expect((await quick.get("/api/flags")).body.flags[flag.key]).toBe(true);
    await setEnabled(flag.id, false);
    expect((await quick.get("/api/flags")).body.flags[flag.key]).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await quick.get("/api/flags")).body.flags[flag.key]).toBe(false);
  });

  it("shows a write made through this isolate at once", async () => {
    const { token: admin } = await signedIn(t, { role: "super_admin" });
    const flag = await createFlag(t.db);
    expect((await t.api.get("/api/flags")).body.flags[flag.key]).toBe(true);
    expect((await t.api.patch(`/api/admin/flags/${flag.id}`, { token: admin, json: { enabled: false } })).status).toBe(200);
    expect((await t.api.get("/api/flags")).body.flags[flag.key]).toBe(false);
    expect((await t.api.delete(`/api/admin/flags/${flag.id}`, { token: admin })).status).toBe(204);
    expect(flag.key in (await t.api.get("/api/flags")).body.flags).toBe(false);
    const created = await t.api.post("/api/admin/flags", { token: admin, json: { key: `${flag.key}-2`, enabled: true } });
    expect((await t.api.get("/api/flags")).body.flags[created.body.key]).toBe(true);
  });
});

describe("isFlagOn", () => {
  it("answers from the cache until the TTL (30 s) has passed, by the context's clock", async () => {
    const flag = await createFlag(t.db);
    const now = new Date();
    const ctx = (seconds: number) => testCtx(t, { now: at(now, seconds) });
    expect(await isFlagOn(ctx(0), flag.key)).toBe(true);
    await setEnabled(flag.id, false);
    expect(await isFlagOn(ctx(29), flag.key)).toBe(true);
    expect(await isFlagOn(ctx(30), flag.key)).toBe(false);
  });

  it("remembers a dancer's city as long, then reads it again", async () => {
    const { user } = await signedIn(t, { city: "Lisbon" });
    const flag = await createFlag(t.db, { cities: ["lisbon"] });
    const now = new Date();
    const ctx = (seconds: number) => testCtx(t, { now: at(now, seconds), actor: actorOf(user) });
    expect(await isFlagOn(ctx(0), flag.key)).toBe(true);
    await t.db.update(users).set({ city: "Porto" }).where(eq(users.id, user.id));
    const { result, trips } = await countRoundTrips(() => isFlagOn(ctx(20), flag.key));
    expect([result, trips]).toEqual([true, 0]);
    expect(await isFlagOn(ctx(31), flag.key)).toBe(false);
  });

  it("decides for the actor (level from the actor), for no one in a cron job, and an unknown key is off", async () => {
    const { user } = await signedIn(t, { role: "admin" });
    const flag = await createFlag(t.db, { minLevel: 5 });
    expect(await isFlagOn(testCtx(t, { actor: actorOf(user) }), flag.key)).toBe(true);
    expect(await isFlagOn(testCtx(t, { actor: { ...actorOf(user), level: 4 } }), flag.key)).toBe(false);
    expect(await isFlagOn(testCtx(t), flag.key)).toBe(false);
    expect(await isFlagOn(testCtx(t), "no-such-flag")).toBe(false);
  });

  it("agrees with GET /api/flags for every dancer", async () => {
    const flag = await createFlag(t.db, { rolloutPercentage: 50 });
    const dancers = await Promise.all(Array.from({ length: 10 }, () => signedIn(t)));
    for (const { user, token } of dancers) {
      const served = (await t.api.get("/api/flags", { token })).body.flags[flag.key];
      expect(await isFlagOn(testCtx(t, { actor: actorOf(user) }), flag.key)).toBe(served);
    }
  });
});
