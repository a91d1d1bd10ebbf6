import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, notifications, trips } from "../../../drizzle/schema";
import { signedIn, tokenFor } from "../../../test/auth";
import { befriend, createUser, unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { BAD_IDEMPOTENCY_KEYS, expectBadKey, expectKeyReused, expectOneCreated, expectReplay, keyHeaders } from "../../../test/idempotency";
import { roundTrips } from "../../../test/roundtrips";
import { createTrip } from "../../../test/travel";
import { encodeCursor } from "../../lib/pagination";

const t = await useTestDatabase();

/** A day `days` from today (UTC), as `YYYY-MM-DD`. */
const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

const body = (overrides: Record<string, unknown> = {}) => ({ city: `Rosario ${unique()}`, country: "Argentina", startsOn: "2030-03-01", endsOn: "2030-03-08", ...overrides });

const create = (token: string, json: unknown, key?: string) => t.api.post("/api/trips", { token, json, headers: keyHeaders(key) });

async function tripsOf(userId: number) {
  return t.db.select().from(trips).where(eq(trips.userId, userId));
}

async function friendTripNotices(userId: number) {
  return t.db.select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.type, "friend_trip")));
}

describe("POST /api/trips: happy paths", () => {
  it("publishes a trip (201), friends-only by default, and answers its card", async () => {
    const { user, token } = await signedIn(t);
    const json = body({ latitude: -32.95, longitude: -60.65, note: "Milongas, please" });
    const res = await create(token, json);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      path: `/api/trips/${res.body.id}`,
      traveller: { id: user.id, username: user.username, name: user.name, profileImage: null },
      city: json.city,
      country: "Argentina",
      latitude: -32.95,
      longitude: -60.65,
      startsOn: "2030-03-01",
      endsOn: "2030-03-08",
      note: "Milongas, please",
      visibility: "friends",
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect((await t.api.get(`/api/trips/${res.body.id}`, { token })).body).toEqual(res.body);
  });

  it("takes a one-day trip and a trip of exactly 365 days", async () => {
    const { token } = await signedIn(t);
    expect((await create(token, body({ startsOn: "2030-03-01", endsOn: "2030-03-01" }))).status).toBe(201);
    expect((await create(token, body({ startsOn: "2030-01-01", endsOn: "2030-12-31" }))).status).toBe(201);
  });

  it("answers in one database round trip (create, read, edit, delete)", async () => {
    const { token } = await signedIn(t);
    const created = await roundTrips(() => create(token, body()));
    expect(created).toEqual({ status: 201, trips: 1 });
    const [trip] = (await t.api.get("/api/users/me/trips", { token })).body.items;
    expect(await roundTrips(() => t.api.get(`/api/trips/${trip.id}`, { token }))).toEqual({ status: 200, trips: 1 });
    expect(await roundTrips(() => t.api.patch(`/api/trips/${trip.id}`, { token, json: { note: "x" } }))).toEqual({ status: 200, trips: 1 });
    expect(await roundTrips(() => t.api.delete(`/api/trips/${trip.id}`, { token }))).toEqual({ status: 204, trips: 1 });
  });
});

describe("POST /api/trips: friends there are notified", () => {
  async function world() {
    const city = `Medellin ${unique()}`;
    const traveller = await signedIn(t);
    const [local, visitor, laterVisitor, elsewhere, strangerThere, offNotices] = await Promise.all([
      createUser(t.db, { city }),
      createUser(t.db, { city: "Cali" }),
      createUser(t.db, { city: "Cali" }),
      createUser(t.db, { city: "Bogota" }),
      createUser(t.db, { city }),
      createUser(t.db, { city }),
    ]);
    for (const friend of [local, visitor, laterVisitor, elsewhere, offNotices]) await befriend(t.db, traveller.user.id, friend.id);
    // Their own trips there: one overlapping the new trip's dates (even a private one: the notice is theirs alone), one after them.
    await createTrip(t.db, { userId: visitor.id, city, startsOn: "2030-03-07", endsOn: "2030-03-20", visibility: "private" });
    await createTrip(t.db, { userId: laterVisitor.id, city, startsOn: "2030-03-09", endsOn: "2030-03-20" });
    await t.db.execute(sql`INSERT INTO user_settings (user_id, notification_preferences)
      VALUES (${offNotices.id}, '{"friend_trip": {"inApp": false}}'::jsonb)`);
    return { city, traveller, local, visitor, laterVisitor, elsewhere, strangerThere, offNotices };
  }

  it("tells the friends who live there or travel there then, and no one else, in the same statement", async () => {
    const w = await world();
    const res = await create(w.traveller.token, body({ city: w.city, visibility: "friends" }));
    expect(res.status).toBe(201);
    for (const told of [w.local, w.visitor]) {
      expect(await friendTripNotices(told.id)).toEqual([
        expect.objectContaining({
          actorId: w.traveller.user.id,
          subjectType: "trip",
          subjectId: res.body.id,
          data: { city: w.city, startsOn: "2030-03-01", endsOn: "2030-03-08" },
        }),
      ]);
    }
    for (const untold of [w.laterVisitor, w.elsewhere, w.strangerThere, w.offNotices, w.traveller.user]) {
      expect(await friendTripNotices(untold.id)).toEqual([]);
    }
  });

  it("tells no one of a private trip", async () => {
    const w = await world();
    expect((await create(w.traveller.token, body({ city: w.city, visibility: "private" }))).status).toBe(201);
    for (const friend of [w.local, w.visitor]) expect(await friendTripNotices(friend.id)).toEqual([]);
  });

  it("tells them of a public trip too, and of each new trip", async () => {
    const w = await world();
    await create(w.traveller.token, body({ city: w.city, visibility: "public" }));
    await create(w.traveller.token, body({ city: w.city, startsOn: "2030-03-02" }));
    expect(await friendTripNotices(w.local.id)).toHaveLength(2);
  });

  it("tells no one across a block", async () => {
    const w = await world();
    await t.db.insert(blockedUsers).values({ blockerId: w.local.id, blockedId: w.traveller.user.id });
    await create(w.traveller.token, body({ city: w.city }));
    expect(await friendTripNotices(w.local.id)).toEqual([]);
  });
});

describe("GET /api/trips/{id}: who sees a trip", () => {
  it("shows public trips to anyone, friends-only to friends, private to the traveller alone", async () => {
    const traveller = await signedIn(t);
    const [friend, stranger, blocker, blocked] = await Promise.all(Array.from({ length: 4 }, () => createUser(t.db)));
    await befriend(t.db, traveller.user.id, friend!.id);
    await t.db.insert(blockedUsers).values([
      { blockerId: blocker!.id, blockedId: traveller.user.id },
      { blockerId: traveller.user.id, blockedId: blocked!.id },
    ]);
    const pub = await createTrip(t.db, { userId: traveller.user.id, visibility: "public" });
    const friendsOnly = await createTrip(t.db, { userId: traveller.user.id, visibility: "friends" });
    const priv = await createTrip(t.db, { userId: traveller.user.id, visibility: "private" });
    const viewers: [string, string | undefined, number[]][] = [
      ["the traveller", traveller.token, [pub.id, friendsOnly.id, priv.id]],
      ["a friend", await tokenFor(t, friend!), [pub.id, friendsOnly.id]],
      ["a stranger", await tokenFor(t, stranger!), [pub.id]],
      ["an anonymous caller", undefined, [pub.id]],
      ["a dancer who blocked the traveller", await tokenFor(t, blocker!), []],
      ["a dancer the traveller blocked", await tokenFor(t, blocked!), []],
    ];
    for (const [label, token, sees] of viewers) {
      for (const trip of [pub, friendsOnly, priv]) {
        const res = await t.api.get(`/api/trips/${trip.id}`, { token });
        expect(res.status, `${label} / ${trip.visibility}`).toBe(sees.includes(trip.id) ? 200 : 404);
      }
    }
    await t.db.execute(sql`UPDATE users SET suspended = true WHERE id = ${traveller.user.id}`);
    expect((await t.api.get(`/api/trips/${pub.id}`)).status).toBe(404);
    expect((await t.api.get(`/api/trips/${pub.id}`, { token: await tokenFor(t, friend!) })).status).toBe(404);
  });

  it("is 404 for an unknown trip", async () => {
    const res = await t.api.get("/api/trips/2147483647");
    expect([res.status, res.body.code]).toEqual([404, "not_found"]);
  });
});

describe("PATCH and DELETE /api/trips/{id}", () => {
  it("edits the traveller's trip: given fields only, null clears, an empty body changes nothing", async () => {
    const { user, token } = await signedIn(t);
    const trip = await createTrip(t.db, { userId: user.id, note: "old", latitude: 1, longitude: 2 });
    const res = await t.api.patch(`/api/trips/${trip.id}`, { token, json: { endsOn: "2030-03-20", note: null, visibility: "public", latitude: null, longitude: null } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ startsOn: "2030-03-01", endsOn: "2030-03-20", note: null, visibility: "public", latitude: null, longitude: null, city: "Buenos Aires" });
    const same = await t.api.patch(`/api/trips/${trip.id}`, { token, json: {} });
    expect(same.body).toEqual(res.body);
  });

  it("holds an edit to the rules on the trip as it would be (an end moved before the stored start)", async () => {
    const { user, token } = await signedIn(t);
    const trip = await createTrip(t.db, { userId: user.id, startsOn: "2030-03-10", endsOn: "2030-03-12" });
    for (const [json, code] of [
      [{ endsOn: "2030-03-09" }, "trip_dates_reversed"],
      [{ startsOn: "2029-03-10" }, "trip_too_long"],
      [{ latitude: 10 }, "coordinates_incomplete"],
    ] as const) {
      const res = await t.api.patch(`/api/trips/${trip.id}`, { token, json });
      expect([res.status, res.body.code], JSON.stringify(json)).toEqual([400, code]);
    }
    const [stored] = await tripsOf(user.id);
    expect([stored!.startsOn, stored!.endsOn, stored!.latitude]).toEqual(["2030-03-10", "2030-03-12", null]);
  });

  it("refuses others: 403 when they may see the trip, 404 when they may not, 401 anonymous; nothing changes", async () => {
    const owner = await signedIn(t);
    const other = await signedIn(t);
    const pub = await createTrip(t.db, { userId: owner.user.id, visibility: "public" });
    const priv = await createTrip(t.db, { userId: owner.user.id, visibility: "private" });
    for (const call of [
      () => t.api.patch(`/api/trips/${pub.id}`, { token: other.token, json: { note: "mine now" } }),
      () => t.api.delete(`/api/trips/${pub.id}`, { token: other.token }),
    ]) {
      const res = await call();
      expect([res.status, res.body.code]).toEqual([403, "not_trip_owner"]);
    }
    for (const call of [
      () => t.api.patch(`/api/trips/${priv.id}`, { token: other.token, json: { note: "mine now" } }),
      () => t.api.delete(`/api/trips/${priv.id}`, { token: other.token }),
    ]) {
      expect((await call()).status).toBe(404);
    }
    expect((await t.api.patch(`/api/trips/${pub.id}`, { json: { note: "x" } })).status).toBe(401);
    expect((await t.api.delete(`/api/trips/${pub.id}`)).status).toBe(401);
    expect((await tripsOf(owner.user.id)).map((trip) => trip.note)).toEqual([null, null]);
  });

  it("deletes the traveller's trip (204), then it is gone (404)", async () => {
    const { user, token } = await signedIn(t);
    const trip = await createTrip(t.db, { userId: user.id });
    expect((await t.api.delete(`/api/trips/${trip.id}`, { token })).status).toBe(204);
    expect((await t.api.get(`/api/trips/${trip.id}`, { token })).status).toBe(404);
    expect((await t.api.delete(`/api/trips/${trip.id}`, { token })).status).toBe(404);
  });

  it("holds racing edits to the rules on the row as each leaves it: each valid alone, reversed together, one is refused", async () => {
    const { user, token } = await signedIn(t);
    for (let round = 0; round < 3; round++) {
      const trip = await createTrip(t.db, { userId: user.id, startsOn: "2030-03-10", endsOn: "2030-03-12" });
      const results = await Promise.all([
        t.api.patch(`/api/trips/${trip.id}`, { token, json: { endsOn: "2030-03-10" } }),
        t.api.patch(`/api/trips/${trip.id}`, { token, json: { startsOn: "2030-03-11" } }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
      expect(results.find((r) => r.status === 400)!.body.code).toBe("trip_dates_reversed");
      const [stored] = await t.db.select().from(trips).where(eq(trips.id, trip.id));
      expect(stored!.endsOn >= stored!.startsOn).toBe(true);
    }
  });

  it("lets two deletes of one trip race: one row gone, both answered 204 or 404", async () => {
    const { user, token } = await signedIn(t);
    const trip = await createTrip(t.db, { userId: user.id });
    const results = await Promise.all([t.api.delete(`/api/trips/${trip.id}`, { token }), t.api.delete(`/api/trips/${trip.id}`, { token })]);
    expect(results.every((r) => [204, 404].includes(r.status))).toBe(true);
    expect(results.some((r) => r.status === 204)).toBe(true);
    expect(await tripsOf(user.id)).toEqual([]);
  });
});

describe("trip lists", () => {
  /** Every page of a list, following nextCursor. */
  async function allPages(path: string, token: string | undefined, limit: number) {
    const ids: number[][] = [];
    let cursor: string | null = null;
    do {
      const sep = path.includes("?") ? "&" : "?";
      const res: { status: number; body: { items: { id: number }[]; nextCursor: string | null } } = await t.api.get(
        `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { token },
      );
      expect(res.status).toBe(200);
      ids.push(res.body.items.map((item) => item.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    return ids;
  }

  it("lists a dancer's visible trips, upcoming soonest first, page by page without gaps or repeats; past ones latest first", async () => {
    const traveller = await signedIn(t);
    const stranger = await signedIn(t);
    const trip = (startsOn: string, endsOn: string, visibility = "public") => createTrip(t.db, { userId: traveller.user.id, startsOn, endsOn, visibility });
    const a = await trip(day(10), day(12));
    const b = await trip(day(3), day(5));
    const c = await trip(day(3), day(4)); // ties with b on the first day: the id decides
    const ongoing = await trip(day(-2), day(1)); // not over yet: upcoming
    const secret = await trip(day(6), day(7), "private");
    const old1 = await trip(day(-30), day(-20));
    const old2 = await trip(day(-10), day(-1));
    const path = `/api/users/${traveller.user.id}/trips`;
    expect(await allPages(path, stranger.token, 2)).toEqual([[ongoing.id, b.id], [c.id, a.id]]);
    expect(await allPages(`${path}?past=true`, undefined, 1)).toEqual([[old2.id], [old1.id]]);
    expect((await allPages(path, traveller.token, 10)).flat()).toEqual([ongoing.id, b.id, c.id, secret.id, a.id]);
    expect((await allPages("/api/users/me/trips", traveller.token, 3)).flat()).toEqual([ongoing.id, b.id, c.id, secret.id, a.id]);
    expect((await allPages("/api/users/me/trips?past=true", traveller.token, 3)).flat()).toEqual([old2.id, old1.id]);
  });

  it("is 404 for an unknown dancer, a suspended one, or across a block", async () => {
    const viewer = await signedIn(t);
    const [suspended, blocker] = await Promise.all([createUser(t.db, { suspended: true }), createUser(t.db)]);
    await t.db.insert(blockedUsers).values({ blockerId: blocker.id, blockedId: viewer.user.id });
    for (const id of [2147483647, suspended.id, blocker.id]) {
      expect((await t.api.get(`/api/users/${id}/trips`, { token: viewer.token })).status).toBe(404);
    }
  });

  it.each([
    ["a cursor that is not ours", "not-a-cursor"],
    ["a cursor with a day that is not one", encodeCursor(["2030-02-30x", 1])],
    ["a cursor with an id out of range", encodeCursor(["2030-01-01", 1e12])],
  ])("rejects %s with 400", async (_label, cursor) => {
    const { user, token } = await signedIn(t);
    for (const path of [`/api/users/${user.id}/trips`, "/api/users/me/trips"]) {
      const res = await t.api.get(`${path}?cursor=${encodeURIComponent(cursor)}`, { token });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ path: "query.cursor" })]);
    }
  });

  it("refuses an anonymous caller on the caller's own list (401)", async () => {
    expect((await t.api.get("/api/users/me/trips")).status).toBe(401);
  });
});

describe("POST /api/trips: bad input", () => {
  it.each([
    ["reversed dates", { startsOn: "2030-03-08", endsOn: "2030-03-01" }, "trip_dates_reversed"],
    ["a trip over 365 days", { startsOn: "2030-01-01", endsOn: "2031-01-02" }, "trip_too_long"],
    ["one coordinate only", { latitude: 10 }, "coordinates_incomplete"],
  ])("refuses %s (400 %s) and stores nothing", async (_label, overrides, code) => {
    const { user, token } = await signedIn(t);
    const res = await create(token, body(overrides));
    expect([res.status, res.body.code]).toEqual([400, code]);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await tripsOf(user.id)).toEqual([]);
  });

  it.each([
    ["a visibility that is not one", { visibility: "group" }, "body.visibility"],
    ["a control character in the city", { city: "Ros\u0007ario" }, "body.city"],
    ["a NUL in the note", { note: "a\u0000b" }, "body.note"],
    ["a day that does not exist", { startsOn: "2030-02-30" }, "body.startsOn"],
    ["a date and time", { endsOn: "2030-03-08T10:00:00Z" }, "body.endsOn"],
    ["a year out of range", { startsOn: "1800-01-01" }, "body.startsOn"],
    ["an empty city", { city: "  " }, "body.city"],
    ["a latitude out of range", { latitude: 91, longitude: 0 }, "body.latitude"],
  ])("refuses %s (400 naming the field)", async (_label, overrides, path) => {
    const { user, token } = await signedIn(t);
    const res = await create(token, body(overrides));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    expect(await tripsOf(user.id)).toEqual([]);
  });

  it("refuses a body without the required fields", async () => {
    const { token } = await signedIn(t);
    const res = await create(token, { city: "Rosario" });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(["body.country", "body.endsOn", "body.startsOn"]);
  });
});

describe("POST /api/trips with an Idempotency-Key", () => {
  it("answers a repeat with the first response, creating and telling nothing more", async () => {
    const city = `Lima ${unique()}`;
    const { user, token } = await signedIn(t);
    const friend = await createUser(t.db, { city });
    await befriend(t.db, user.id, friend.id);
    const key = unique("key");
    const json = body({ city });
    expectReplay(await create(token, json, key), await create(token, json, key));
    expect(await tripsOf(user.id)).toHaveLength(1);
    expect(await friendTripNotices(friend.id)).toEqual([expect.objectContaining({ count: 1 })]);
    expectKeyReused(await create(token, body({ city, startsOn: "2030-03-02" }), key));
    expect(await tripsOf(user.id)).toHaveLength(1);
  });

  it("creates one trip and one notice when the same request races itself", async () => {
    const city = `Quito ${unique()}`;
    const { user, token } = await signedIn(t);
    const friend = await createUser(t.db, { city });
    await befriend(t.db, user.id, friend.id);
    const key = unique("key");
    const json = body({ city });
    expectOneCreated(await Promise.all(Array.from({ length: 5 }, () => create(token, json, key))));
    expect(await tripsOf(user.id)).toHaveLength(1);
    expect(await friendTripNotices(friend.id)).toEqual([expect.objectContaining({ count: 1 })]);
  });

  it.each(BAD_IDEMPOTENCY_KEYS)("refuses a key that is %s (400) and creates nothing", async (_label, key) => {
    const { user, token } = await signedIn(t);
    expectBadKey(await create(token, body(), key));
    expect(await tripsOf(user.id)).toEqual([]);
  });

  it("creates as many trips as requests without a key", async () => {
    const { user, token } = await signedIn(t);
    const json = body();
    const results = await Promise.all([create(token, json), create(token, json)]);
    expect(results.map((r) => r.status)).toEqual([201, 201]);
    expect(await tripsOf(user.id)).toHaveLength(2);
  });
});

describe("OpenAPI", () => {
  it("documents the trip routes", async () => {
    const { paths } = (await t.api.get("/openapi.json")).body;
    expect(Object.keys(paths["/api/trips/{id}"]).sort()).toEqual(["delete", "get", "patch"]);
    expect(paths["/api/trips"].post).toBeDefined();
    expect(paths["/api/users/{id}/trips"].get).toBeDefined();
    expect(paths["/api/users/me/trips"].get).toBeDefined();
    expect(paths["/api/travel"].get).toBeDefined();
  });
});
