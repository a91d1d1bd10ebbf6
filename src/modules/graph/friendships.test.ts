import { and, eq, or, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, friendRequests, friendshipActivities, friendshipMedia, friendships, userSettings } from "../../../drizzle/schema";
import { signedIn, tokenFor } from "../../../test/auth";
import { befriend, createEvent, createUser, mediaUrl } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { encodeCursor } from "../../lib/pagination";
import { friendshipActivityCtes, recordFriendshipActivity } from "./index";

const t = await useTestDatabase();

type Item = { id: number } & Record<string, unknown>;

/** Every page of a list, following nextCursor. */
async function allPages(path: string, token: string | undefined, limit: number) {
  const pages: { items: Item[]; nextCursor: string | null }[] = [];
  let cursor: string | null = null;
  const join = path.includes("?") ? "&" : "?";
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const res = await t.api.get(`${path}${join}limit=${limit}${query}`, token ? { token } : {});
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    pages.push(res.body);
    cursor = res.body.nextCursor;
    expect(pages.length).toBeLessThan(50);
  } while (cursor);
  return pages;
}

const ids = (pages: { items: Item[] }[]) => pages.flatMap((p) => p.items.map((i) => i.id));

async function rowsBetween(a: number, b: number) {
  return t.db
    .select()
    .from(friendships)
    .where(or(and(eq(friendships.userId, a), eq(friendships.friendId, b)), and(eq(friendships.userId, b), eq(friendships.friendId, a))));
}

describe("GET /api/friends", () => {
  it("lists the caller's friends with score, tier, since and last interaction", async () => {
    const { user, token } = await signedIn(t);
    const scores = [0, 40, 41, 70, 71, 85, 86, 100];
    const friends = await Promise.all(scores.map((_, i) => createUser(t.db, { name: `Tier ${i}` })));
    for (const [i, friend] of friends.entries()) {
      await befriend(t.db, user.id, friend.id, {
        closenessScore: scores[i],
        createdAt: new Date("2026-01-02T03:04:05.678Z"),
        lastInteractionAt: new Date("2026-02-01T00:00:00Z"),
      });
    }
    const res = await t.api.get("/api/friends?limit=100", { token });
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { closenessScore: number; tier: string }) => [i.closenessScore, i.tier])).toEqual([
      [100, "best_friend"],
      [86, "best_friend"],
      [85, "close_friend"],
      [71, "close_friend"],
      [70, "friend"],
      [41, "friend"],
      [40, "acquaintance"],
      [0, "acquaintance"],
    ]);
    expect(res.body.items[0]).toEqual({
      id: friends[7]!.id,
      username: friends[7]!.username,
      name: "Tier 7",
      profileImage: null,
      closenessScore: 100,
      tier: "best_friend",
      since: "2026-01-02T03:04:05.678Z",
      lastInteractionAt: "2026-02-01T00:00:00.000Z",
    });
  });

  it("leaves out suspended and deactivated friends, and other people's friendships", async () => {
    const { user, token } = await signedIn(t);
    const [ok, suspended, gone, stranger] = await Promise.all([
      createUser(t.db),
      createUser(t.db, { suspended: true }),
      createUser(t.db, { isActive: false }),
      createUser(t.db),
    ]);
    for (const friend of [ok, suspended, gone]) await befriend(t.db, user.id, friend.id);
    await befriend(t.db, stranger.id, ok.id);
    expect(ids(await allPages("/api/friends", token, 10))).toEqual([ok.id]);
  });

  describe("each sort pages through every friend exactly once, in order", () => {
    async function setUp() {
      const { user, token } = await signedIn(t);
      const names = ["bea", "Ana", "carla", "ana", "Dora", "ana", "eva"];
      const scores = [50, 90, 50, 75, 50, 10, 90];
      const tie = new Date("2026-03-01T20:00:00.123456Z");
      const dates = [tie, new Date("2026-01-01T00:00:00Z"), tie, new Date("2026-05-01T00:00:00Z"), tie, new Date("2026-04-01T00:00:00Z"), new Date("2026-02-01T00:00:00Z")];
      const friends = [];
      for (const [i, name] of names.entries()) {
        const friend = await createUser(t.db, { name });
        const rows = await befriend(t.db, user.id, friend.id, { closenessScore: scores[i], createdAt: dates[i] });
        friends.push({ id: friend.id, name, score: scores[i]!, date: dates[i]!, rowId: rows.forward.id });
      }
      return { token, friends };
    }

    it.each([1, 2, 3, 7])("closeness (default), score then newest row first, %i per page", async (limit) => {
      const { token, friends } = await setUp();
      const expected = [...friends].sort((a, b) => b.score - a.score || b.rowId - a.rowId).map((f) => f.id);
      expect(ids(await allPages("/api/friends", token, limit))).toEqual(expected);
      expect(ids(await allPages("/api/friends?sort=closeness", token, limit))).toEqual(expected);
    });

    it.each([1, 2, 3, 7])("recent, newest friendship first, %i per page", async (limit) => {
      const { token, friends } = await setUp();
      const expected = [...friends].sort((a, b) => b.date.getTime() - a.date.getTime() || b.rowId - a.rowId).map((f) => f.id);
      expect(ids(await allPages("/api/friends?sort=recent", token, limit))).toEqual(expected);
    });

    it.each([1, 2, 3, 7])("name, A to Z ignoring case, then by id, %i per page", async (limit) => {
      const { token, friends } = await setUp();
      const expected = [...friends]
        .sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : a.id - b.id))
        .map((f) => f.id);
      expect(ids(await allPages("/api/friends?sort=name", token, limit))).toEqual(expected);
    });
  });

  it("serves the closeness order from the (user_id, closeness_score) index", async () => {
    const user = await createUser(t.db);
    for (let i = 0; i < 30; i++) await befriend(t.db, user.id, (await createUser(t.db)).id, { closenessScore: i * 3 });
    await t.db.execute(sql`ANALYZE friendships`);
    const [, result] = await t.db.batch([
      t.db.execute(sql`SET LOCAL enable_seqscan = off`),
      t.db.execute(sql`EXPLAIN (FORMAT TEXT)
        SELECT f.id FROM friendships f JOIN users u ON u.id = f.friend_id
        WHERE f.user_id = ${user.id} AND f.status = 'active' AND (f.closeness_score, f.id) < (60, 2147483647)
        ORDER BY f.closeness_score DESC, f.id DESC LIMIT 21`),
    ]);
    const plan = (result.rows as { "QUERY PLAN": string }[]).map((r) => r["QUERY PLAN"]).join("\n");
    expect(plan).toContain("friendships_user_closeness_idx");
  });

  it("finds a friendless dancer's city through users_city_idx, not a scan of every dancer", async () => {
    await t.db.execute(sql`ANALYZE users`);
    const [, result] = await t.db.batch([
      t.db.execute(sql`SET LOCAL enable_seqscan = off`),
      t.db.execute(sql`EXPLAIN (FORMAT TEXT)
        SELECT u.id FROM users me JOIN users u ON u.city = me.city AND u.id <> me.id WHERE me.id = 1`),
    ]);
    const plan = (result.rows as { "QUERY PLAN": string }[]).map((r) => r["QUERY PLAN"]).join("\n");
    expect(plan).toContain("users_city_idx");
  });

  it.each([
    ["not ours", "nope"],
    ["a name cursor on the closeness sort", encodeCursor(["ana", 1])],
    ["a score out of range", encodeCursor([5000, 1])],
  ])("refuses a cursor %s with 400", async (_label, cursor) => {
    const { token } = await signedIn(t);
    const res = await t.api.get(`/api/friends?cursor=${encodeURIComponent(cursor)}`, { token });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "query.cursor" })]);
  });

  it("refuses an unknown sort with 400, and an anonymous caller with 401", async () => {
    const { token } = await signedIn(t);
    expect((await t.api.get("/api/friends?sort=age", { token })).status).toBe(400);
    expect((await t.api.get("/api/friends")).status).toBe(401);
  });
});

describe("GET /api/users/{id}/friends", () => {
  async function dancerWithFriends(visibility?: "public" | "friends" | "private") {
    const owner = await createUser(t.db);
    if (visibility) await t.db.insert(userSettings).values({ userId: owner.id, profileVisibility: visibility });
    const friends = [];
    for (let i = 0; i < 5; i++) {
      const friend = await createUser(t.db);
      await befriend(t.db, owner.id, friend.id, { createdAt: new Date(Date.UTC(2026, 0, 1 + (i % 3))) });
      friends.push(friend);
    }
    return { owner, friends };
  }

  it("shows a public dancer's friends as cards, without scores, to anyone, every one exactly once", async () => {
    const { owner, friends } = await dancerWithFriends();
    const pages = await allPages(`/api/users/${owner.id}/friends`, undefined, 2);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(new Set(ids(pages))).toEqual(new Set(friends.map((f) => f.id)));
    expect(ids(pages)).toHaveLength(5);
    expect(Object.keys(pages[0]!.items[0]!).sort()).toEqual(["id", "name", "profileImage", "username"]);
    const rows = await t.db.select().from(friendships).where(eq(friendships.userId, owner.id));
    const expected = rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id).map((r) => r.friendId);
    expect(ids(pages)).toEqual(expected);
  });

  it("refuses a private dancer's list to a stranger and a friend (403), not to the owner", async () => {
    const { owner, friends } = await dancerWithFriends("private");
    const stranger = await signedIn(t);
    const res = await t.api.get(`/api/users/${owner.id}/friends`, { token: stranger.token });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("profile_restricted");
    expect((await t.api.get(`/api/users/${owner.id}/friends`)).status).toBe(403);
    expect((await t.api.get(`/api/users/${owner.id}/friends`, { token: await tokenFor(t, friends[0]!) })).status).toBe(403);
    const own = await t.api.get(`/api/users/${owner.id}/friends?limit=100`, { token: await tokenFor(t, owner) });
    expect(own.status).toBe(200);
    expect(own.body.items).toHaveLength(5);
  });

  it("opens a friends-only list to friends, not to strangers", async () => {
    const { owner, friends } = await dancerWithFriends("friends");
    const friend = await t.api.get(`/api/users/${owner.id}/friends?limit=100`, { token: await tokenFor(t, friends[1]!) });
    expect(friend.status).toBe(200);
    expect(friend.body.items).toHaveLength(5);
    const stranger = await signedIn(t);
    expect((await t.api.get(`/api/users/${owner.id}/friends`, { token: stranger.token })).status).toBe(403);
  });

  it("is 404 across a block either way and for unusable dancers; leaves out friends blocked with the viewer", async () => {
    const { owner, friends } = await dancerWithFriends();
    const viewer = await signedIn(t);
    await t.db.insert(blockedUsers).values({ blockerId: friends[0]!.id, blockedId: viewer.user.id });
    const listed = ids(await allPages(`/api/users/${owner.id}/friends`, viewer.token, 100));
    expect(listed).toHaveLength(4);
    expect(listed).not.toContain(friends[0]!.id);

    await t.db.insert(blockedUsers).values({ blockerId: owner.id, blockedId: viewer.user.id });
    expect((await t.api.get(`/api/users/${owner.id}/friends`, { token: viewer.token })).status).toBe(404);
    const other = await dancerWithFriends();
    await t.db.insert(blockedUsers).values({ blockerId: viewer.user.id, blockedId: other.owner.id });
    expect((await t.api.get(`/api/users/${other.owner.id}/friends`, { token: viewer.token })).status).toBe(404);
    const suspended = await createUser(t.db, { suspended: true });
    expect((await t.api.get(`/api/users/${suspended.id}/friends`)).status).toBe(404);
    expect((await t.api.get(`/api/users/2147483647/friends`)).status).toBe(404);
  });
});

describe("DELETE /api/friends/{userId}", () => {
  it("removes both rows, and is idempotent; other friendships stay", async () => {
    const { user, token } = await signedIn(t);
    const [bruno, carla] = await Promise.all([createUser(t.db), createUser(t.db)]);
    await befriend(t.db, user.id, bruno.id);
    await befriend(t.db, user.id, carla.id);
    expect((await t.api.delete(`/api/friends/${bruno.id}`, { token })).status).toBe(204);
    expect(await rowsBetween(user.id, bruno.id)).toEqual([]);
    expect((await t.api.delete(`/api/friends/${bruno.id}`, { token })).status).toBe(204);
    expect(await rowsBetween(user.id, carla.id)).toHaveLength(2);
  });

  it("refuses an anonymous caller (401) and a bad id (400)", async () => {
    const { token } = await signedIn(t);
    expect((await t.api.delete("/api/friends/1")).status).toBe(401);
    expect((await t.api.delete("/api/friends/abc", { token })).status).toBe(400);
  });
});

describe("GET /api/friends/mutual/{userId}", () => {
  it("answers the friends in common, A to Z, with their count, page by page", async () => {
    const { user, token } = await signedIn(t);
    const target = await createUser(t.db);
    const names = ["Zoe", "ana", "Bruno", "ana"];
    const mutual = [];
    for (const name of names) {
      const m = await createUser(t.db, { name });
      await befriend(t.db, user.id, m.id);
      await befriend(t.db, target.id, m.id);
      mutual.push(m);
    }
    const onlyMine = await createUser(t.db);
    await befriend(t.db, user.id, onlyMine.id);
    const suspended = await createUser(t.db, { suspended: true });
    await befriend(t.db, user.id, suspended.id);
    await befriend(t.db, target.id, suspended.id);

    const pages = await allPages(`/api/friends/mutual/${target.id}`, token, 1);
    expect(pages.every((p) => (p as unknown as { count: number }).count === 4)).toBe(true);
    const anas = mutual.filter((m) => m.name === "ana").map((m) => m.id).sort((a, b) => a - b);
    expect(ids(pages)).toEqual([...anas, mutual[2]!.id, mutual[0]!.id]);
  });

  it("is 404 for a blocked or unusable dancer, and 400 for yourself", async () => {
    const { user, token } = await signedIn(t);
    const [blocked, gone] = await Promise.all([createUser(t.db), createUser(t.db, { isActive: false })]);
    await t.db.insert(blockedUsers).values({ blockerId: blocked.id, blockedId: user.id });
    expect((await t.api.get(`/api/friends/mutual/${blocked.id}`, { token })).status).toBe(404);
    expect((await t.api.get(`/api/friends/mutual/${gone.id}`, { token })).status).toBe(404);
    expect((await t.api.get(`/api/friends/mutual/${user.id}`, { token })).status).toBe(400);
  });
});

describe("GET /api/friends/suggestions", () => {
  it("ranks friends of friends by mutual count, then by the strength of those friendships, every one exactly once", async () => {
    const { user, token } = await signedIn(t);
    const [f1, f2, f3] = await Promise.all([createUser(t.db), createUser(t.db), createUser(t.db)]);
    await befriend(t.db, user.id, f1.id, { closenessScore: 90 });
    await befriend(t.db, user.id, f2.id, { closenessScore: 50 });
    await befriend(t.db, user.id, f3.id, { closenessScore: 50 });
    const [three, twoStrong, twoWeak, oneStrong, oneWeak] = await Promise.all(Array.from({ length: 5 }, () => createUser(t.db)));
    for (const f of [f1, f2, f3]) await befriend(t.db, f.id, three!.id, { closenessScore: 40 });
    await befriend(t.db, f1.id, twoStrong!.id, { closenessScore: 90 });
    await befriend(t.db, f2.id, twoStrong!.id, { closenessScore: 90 });
    await befriend(t.db, f2.id, twoWeak!.id, { closenessScore: 20 });
    await befriend(t.db, f3.id, twoWeak!.id, { closenessScore: 20 });
    await befriend(t.db, f1.id, oneStrong!.id, { closenessScore: 80 });
    await befriend(t.db, f3.id, oneWeak!.id, { closenessScore: 80 });

    const pages = await allPages("/api/friends/suggestions", token, 2);
    expect(ids(pages)).toEqual([three!.id, twoStrong!.id, twoWeak!.id, oneStrong!.id, oneWeak!.id]);
    expect(pages.flatMap((p) => p.items.map((i) => i.mutualCount))).toEqual([3, 2, 2, 1, 1]);
  });

  it("leaves out yourself, friends, pending requests either way, blocks either way and unusable accounts", async () => {
    const { user, token } = await signedIn(t);
    const hub = await createUser(t.db);
    await befriend(t.db, user.id, hub.id);
    const [friend, asked, askedMe, iBlocked, blockedMe, suspended, gone, kept, wasRejected] = await Promise.all(
      Array.from({ length: 9 }, (_, i) => createUser(t.db, i === 5 ? { suspended: true } : i === 6 ? { isActive: false } : {})),
    );
    for (const u of [friend, asked, askedMe, iBlocked, blockedMe, suspended, gone, kept, wasRejected]) await befriend(t.db, hub.id, u!.id);
    await befriend(t.db, user.id, friend!.id);
    await t.db.insert(friendRequests).values([
      { senderId: user.id, receiverId: asked!.id },
      { senderId: askedMe!.id, receiverId: user.id },
      { senderId: user.id, receiverId: wasRejected!.id, status: "rejected" },
    ]);
    await t.db.insert(blockedUsers).values([
      { blockerId: user.id, blockedId: iBlocked!.id },
      { blockerId: blockedMe!.id, blockedId: user.id },
    ]);
    expect(new Set(ids(await allPages("/api/friends/suggestions", token, 100)))).toEqual(new Set([kept!.id, wasRejected!.id]));
  });

  it("suggests dancers of your city when you have no friends yet, with the same exclusions", async () => {
    const city = `Tango City ${crypto.randomUUID()}`;
    const { user, token } = await signedIn(t, { city });
    const [a, b, blocked, suspended] = await Promise.all([
      createUser(t.db, { city }),
      createUser(t.db, { city }),
      createUser(t.db, { city }),
      createUser(t.db, { city, suspended: true }),
    ]);
    await createUser(t.db, { city: "Elsewhere" });
    await t.db.insert(blockedUsers).values({ blockerId: blocked.id, blockedId: user.id });
    const pages = await allPages("/api/friends/suggestions", token, 1);
    expect(ids(pages)).toEqual([a.id, b.id].sort((x, y) => y - x));
    expect(pages.flatMap((p) => p.items.map((i) => i.mutualCount))).toEqual([0, 0]);
    expect(ids(pages)).not.toContain(suspended.id);

    await befriend(t.db, user.id, a.id);
    expect(ids(await allPages("/api/friends/suggestions", token, 100))).toEqual([]);
  });
});

describe("GET /api/friends/degree/{userId}", () => {
  /** A chain of friendships: 0 - 1 - 2 - ... - n. */
  async function chain(length: number) {
    const people = [];
    for (let i = 0; i <= length; i++) people.push(await createUser(t.db));
    for (let i = 0; i < length; i++) await befriend(t.db, people[i]!.id, people[i + 1]!.id);
    return people;
  }

  it("answers 1, 2 and 3 along a chain, and null at 4 hops (a 2-hop search would say null at 3)", async () => {
    const people = await chain(4);
    const token = await tokenFor(t, people[0]!);
    const degrees = [];
    for (const target of people.slice(1)) {
      const res = await t.api.get(`/api/friends/degree/${target.id}`, { token });
      expect(res.status).toBe(200);
      degrees.push(res.body.degree);
    }
    expect(degrees).toEqual([1, 2, 3, null]);
  });

  it("takes the shortest path, and never goes through an unusable account", async () => {
    const people = await chain(3);
    const token = await tokenFor(t, people[0]!);
    await befriend(t.db, people[1]!.id, people[3]!.id);
    expect((await t.api.get(`/api/friends/degree/${people[3]!.id}`, { token })).body.degree).toBe(2);
    await t.db.execute(sql`UPDATE users SET suspended = true WHERE id = ${people[1]!.id}`);
    expect((await t.api.get(`/api/friends/degree/${people[3]!.id}`, { token })).body.degree).toBeNull();
  });

  it("is 404 for a blocked (either way) or unusable dancer, 400 for yourself, 401 anonymous", async () => {
    const { user, token } = await signedIn(t);
    const [blocked, blocker, gone] = await Promise.all([createUser(t.db), createUser(t.db), createUser(t.db, { suspended: true })]);
    await befriend(t.db, user.id, blocked.id);
    await t.db.insert(blockedUsers).values([
      { blockerId: user.id, blockedId: blocked.id },
      { blockerId: blocker.id, blockedId: user.id },
    ]);
    for (const target of [blocked, blocker, gone]) {
      expect((await t.api.get(`/api/friends/degree/${target.id}`, { token })).status).toBe(404);
    }
    expect((await t.api.get(`/api/friends/degree/${user.id}`, { token })).status).toBe(400);
    expect((await t.api.get(`/api/friends/degree/${gone.id}`)).status).toBe(401);
  });
});

describe("memories, dances and the pair's timeline", () => {
  async function friendsPair() {
    const ana = await signedIn(t);
    const bruno = await signedIn(t);
    const rows = await befriend(t.db, ana.user.id, bruno.user.id, { lastInteractionAt: new Date("2020-01-01T00:00:00Z") });
    return { ana, bruno, rows };
  }

  it("shares memories from either side, logs memory_shared, and lists them newest first, every one once", async () => {
    const { ana, bruno, rows } = await friendsPair();
    const posted: number[] = [];
    const urls = [mediaUrl(t.env, "jpg"), mediaUrl(t.env, "webp"), mediaUrl(t.env, "mp4")];
    for (let i = 0; i < 3; i++) {
      const who = i === 1 ? bruno : ana;
      const other = i === 1 ? ana : bruno;
      const res = await t.api.post(`/api/friends/${other.user.id}/memories`, {
        token: who.token,
        json: { url: urls[i], type: i === 2 ? "video" : "image", caption: `Night ${i}` },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ url: urls[i], uploaderId: who.user.id, caption: `Night ${i}` });
      posted.push(res.body.id as number);
    }
    const media = await t.db.select().from(friendshipMedia).where(eq(friendshipMedia.phase, "memory"));
    expect(media.filter((m) => posted.includes(m.id)).map((m) => m.friendshipId).sort()).toEqual(
      [rows.forward.id, rows.forward.id, rows.reverse.id].sort(),
    );
    for (const [who, other] of [[ana, bruno], [bruno, ana]] as const) {
      expect(ids(await allPages(`/api/friends/${other.user.id}/memories`, who.token, 1))).toEqual([...posted].reverse());
    }
    const timeline = await allPages(`/api/friends/${bruno.user.id}/activities`, ana.token, 2);
    expect(timeline.flatMap((p) => p.items.map((i) => [i.type, i.userId, (i.metadata as { mediaId: number }).mediaId]))).toEqual([
      ["memory_shared", ana.user.id, posted[2]],
      ["memory_shared", bruno.user.id, posted[1]],
      ["memory_shared", ana.user.id, posted[0]],
    ]);
    for (const row of await rowsBetween(ana.user.id, bruno.user.id)) {
      expect(row.lastInteractionAt!.getTime()).toBeGreaterThan(Date.now() - 3_600_000);
    }
  });

  it("records dances (with an event and a note), and 404s an unknown event without writing", async () => {
    const { ana, bruno } = await friendsPair();
    const event = await createEvent(t.db, { userId: ana.user.id });
    const res = await t.api.post(`/api/friends/${bruno.user.id}/dances`, { token: ana.token, json: { eventId: event.id, note: "Canning!" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ type: "dance_together", userId: ana.user.id, metadata: { eventId: event.id, note: "Canning!" } });
    expect((await t.api.post(`/api/friends/${ana.user.id}/dances`, { token: bruno.token, json: {} })).status).toBe(201);
    const missing = await t.api.post(`/api/friends/${bruno.user.id}/dances`, { token: ana.token, json: { eventId: 2147483647 } });
    expect(missing.status).toBe(404);
    const timeline = await allPages(`/api/friends/${ana.user.id}/activities`, bruno.token, 1);
    expect(timeline.flatMap((p) => p.items.map((i) => [i.type, i.userId]))).toEqual([
      ["dance_together", bruno.user.id],
      ["dance_together", ana.user.id],
    ]);
  });

  it("is 404 for dancers who are not friends, and writes nothing; each pair sees only its own timeline", async () => {
    const { ana, bruno } = await friendsPair();
    const carla = await signedIn(t);
    await befriend(t.db, bruno.user.id, carla.user.id);
    await t.api.post(`/api/friends/${carla.user.id}/dances`, { token: bruno.token, json: {} });
    const before = (await t.db.select().from(friendshipActivities)).length;
    for (const res of [
      await t.api.post(`/api/friends/${carla.user.id}/memories`, { token: ana.token, json: { url: mediaUrl(t.env), type: "image" } }),
      await t.api.post(`/api/friends/${carla.user.id}/dances`, { token: ana.token, json: {} }),
      await t.api.get(`/api/friends/${carla.user.id}/memories`, { token: ana.token }),
      await t.api.get(`/api/friends/${carla.user.id}/activities`, { token: ana.token }),
    ]) {
      expect(res.status).toBe(404);
    }
    expect((await t.db.select().from(friendshipActivities)).length).toBe(before);
    expect((await t.api.get(`/api/friends/${bruno.user.id}/activities`, { token: ana.token })).body.items).toEqual([]);
  });

  it("refuses a bad memory (400) and anonymous callers (401)", async () => {
    const { ana, bruno } = await friendsPair();
    for (const json of [{ url: "javascript:alert(1)", type: "image" }, { url: mediaUrl(t.env, "gif"), type: "gif" }, { type: "image" }, { url: "https://x.example/a.jpg", type: "image" }]) {
      expect((await t.api.post(`/api/friends/${bruno.user.id}/memories`, { token: ana.token, json })).status).toBe(400);
    }
    for (const json of [{ url: mediaUrl(t.env).replace("app.mundotango.test", "evil.example"), type: "image" }, { url: mediaUrl(t.env, "webm"), type: "image" }]) {
      const res = await t.api.post(`/api/friends/${bruno.user.id}/memories`, { token: ana.token, json });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: "media_url_not_allowed", errors: [{ path: "body.url" }] });
    }
    expect((await t.api.get(`/api/friends/${bruno.user.id}/memories`, { token: ana.token })).body.items).toEqual([]);
    expect((await t.api.get(`/api/friends/${bruno.user.id}/memories`)).status).toBe(401);
    expect((await t.api.post(`/api/friends/${bruno.user.id}/dances`, { json: {} })).status).toBe(401);
  });
});

describe("recordFriendshipActivity()", () => {
  it("folds into another statement: records for friends only, once per pair, and moves lastInteractionAt on both rows", async () => {
    const [ana, bruno, carla, dora] = await Promise.all(Array.from({ length: 4 }, () => createUser(t.db)));
    const old = new Date("2020-01-01T00:00:00Z");
    const ab = await befriend(t.db, ana!.id, bruno!.id, { lastInteractionAt: old });
    const ac = await befriend(t.db, ana!.id, carla!.id, { lastInteractionAt: old });
    const { rows } = await t.db.execute<{ liked: number; recorded: number }>(sql`
      WITH liked AS (SELECT ${ana!.id}::int AS user_id, unnest(ARRAY[${bruno!.id}, ${dora!.id}, ${bruno!.id}]::int[]) AS friend_id),
      ${friendshipActivityCtes({ pairs: { from: sql`liked` }, type: "post_liked", metadata: sql`jsonb_build_object('postId', 7)` })}
      SELECT (SELECT count(*) FROM liked)::int AS liked, (SELECT count(*) FROM activity_row)::int AS recorded`);
    expect(rows[0]).toEqual({ liked: 3, recorded: 1 });
    const logged = await t.db.select().from(friendshipActivities).where(eq(friendshipActivities.friendshipId, ab.forward.id));
    expect(logged.map((a) => [a.activityType, JSON.parse(a.metadata!) as unknown])).toEqual([["post_liked", { postId: 7 }]]);
    for (const row of await rowsBetween(ana!.id, bruno!.id)) expect(row.lastInteractionAt!.getTime()).toBeGreaterThan(old.getTime());
    for (const row of await rowsBetween(ana!.id, carla!.id)) expect(row.lastInteractionAt).toEqual(old);
    expect(await t.db.select().from(friendshipActivities).where(eq(friendshipActivities.friendshipId, ac.forward.id))).toEqual([]);
  });

  it("runs as one statement in a batch, and does nothing for two dancers who are not friends", async () => {
    const [ana, bruno, carla] = await Promise.all(Array.from({ length: 3 }, () => createUser(t.db)));
    const ab = await befriend(t.db, ana!.id, bruno!.id);
    const [, withFriend, withStranger] = await t.db.batch([
      t.db.execute(sql`SELECT 1`),
      recordFriendshipActivity(t.db, { pairs: [bruno!.id, ana!.id], type: "message_sent" }),
      recordFriendshipActivity(t.db, { pairs: [[ana!.id, carla!.id]], type: "message_sent" }),
    ]);
    expect(withFriend.rows).toEqual([{ recorded: 1 }]);
    expect(withStranger.rows).toEqual([{ recorded: 0 }]);
    const logged = await t.db.select().from(friendshipActivities).where(or(eq(friendshipActivities.friendshipId, ab.forward.id), eq(friendshipActivities.friendshipId, ab.reverse.id)));
    expect(logged.map((a) => [a.friendshipId, a.activityType])).toEqual([[ab.reverse.id, "message_sent"]]);
  });

  it("does nothing when the guard does not hold, or for a one-sided (blocked-status) friendship", async () => {
    const [ana, bruno] = await Promise.all(Array.from({ length: 2 }, () => createUser(t.db)));
    const ab = await befriend(t.db, ana!.id, bruno!.id);
    expect((await recordFriendshipActivity(t.db, { pairs: [ana!.id, bruno!.id], type: "dance_together" }, { when: sql`false` })).rows).toEqual([{ recorded: 0 }]);
    await t.db.update(friendships).set({ status: "blocked" }).where(eq(friendships.id, ab.reverse.id));
    expect((await recordFriendshipActivity(t.db, { pairs: [ana!.id, bruno!.id], type: "dance_together" })).rows).toEqual([{ recorded: 0 }]);
  });

  it("fans out over overlapping pairs at the same time, in any order, without a deadlock or a lost activity", async () => {
    const dancers = await Promise.all(Array.from({ length: 6 }, () => createUser(t.db)));
    const pairs: [number, number][] = [];
    for (let i = 0; i < dancers.length; i++) {
      for (let j = i + 1; j < dancers.length; j++) {
        await befriend(t.db, dancers[i]!.id, dancers[j]!.id);
        pairs.push([dancers[i]!.id, dancers[j]!.id]);
      }
    }
    // Twelve fan-outs over every pair, half of them in reverse order and from the other side.
    const runs = Array.from({ length: 12 }, (_, k) => {
      const ordered = k % 2 === 0 ? pairs : [...pairs].reverse().map(([a, b]) => [b, a] as [number, number]);
      return recordFriendshipActivity(t.db, { pairs: ordered, type: "message_sent" });
    });
    const results = await Promise.all(runs);
    expect(results.map((r) => r.rows[0]!.recorded)).toEqual(Array.from({ length: 12 }, () => pairs.length));
  });

  it("refuses an unknown type or a pair that is not two ids, before anything runs", () => {
    expect(() => friendshipActivityCtes({ pairs: [1, 2], type: "hug" as never })).toThrow(TypeError);
    expect(() => friendshipActivityCtes({ pairs: [[1, 1.5]], type: "post_liked" })).toThrow(TypeError);
  });
});
