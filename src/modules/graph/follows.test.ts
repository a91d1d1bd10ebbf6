import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, follows, notifications, userSettings } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { befriend, createUser, follow } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";

const t = await useTestDatabase();

async function followRows(followerId: number, followingId: number) {
  return t.db
    .select()
    .from(follows)
    .where(and(eq(follows.followerId, followerId), eq(follows.followingId, followingId)));
}

async function notificationsOf(userId: number) {
  return t.db.select().from(notifications).where(eq(notifications.userId, userId));
}

/** Follows written with chosen times, so the list order is known. */
async function followAt(followerId: number, followingId: number, createdAt: Date) {
  await t.db.insert(follows).values({ followerId, followingId, createdAt });
}

/** Every page of a follows list, following nextCursor. */
async function allPages(path: string, limit: number, token?: string) {
  const pages: { items: { id: number; isFollowing: boolean; since: string }[]; nextCursor: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const res = await t.api.get(`${path}?limit=${limit}${query}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    pages.push(res.body);
    cursor = res.body.nextCursor;
  } while (cursor);
  return pages;
}

describe("POST and DELETE /api/users/{id}/follow", () => {
  it("follows (200 {following: true}), and a repeat answers the same and changes nothing", async () => {
    const { user, token } = await signedIn(t);
    const other = await createUser(t.db);
    for (let i = 0; i < 2; i++) {
      const res = await t.api.post(`/api/users/${other.id}/follow`, { token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ following: true });
    }
    expect(await followRows(user.id, other.id)).toHaveLength(1);
  });

  it("unfollows (200 {following: false}), idempotently, and only the caller's follow", async () => {
    const { user, token } = await signedIn(t);
    const [other, bystander] = await Promise.all([createUser(t.db), createUser(t.db)]);
    await Promise.all([follow(t.db, user.id, other.id), follow(t.db, bystander.id, other.id), follow(t.db, other.id, user.id)]);
    for (let i = 0; i < 2; i++) {
      const res = await t.api.delete(`/api/users/${other.id}/follow`, { token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ following: false });
    }
    expect(await followRows(user.id, other.id)).toEqual([]);
    expect(await followRows(bystander.id, other.id)).toHaveLength(1);
    expect(await followRows(other.id, user.id)).toHaveLength(1);
  });

  it("notifies the person followed once; follow, unfollow, follow again bumps that one notification", async () => {
    const { user, token } = await signedIn(t);
    const other = await createUser(t.db);
    await t.api.post(`/api/users/${other.id}/follow`, { token });
    await t.api.post(`/api/users/${other.id}/follow`, { token });
    let rows = await notificationsOf(other.id);
    expect(rows).toEqual([expect.objectContaining({ type: "new_follower", actorId: user.id, count: 1, isRead: false })]);

    await t.api.delete(`/api/users/${other.id}/follow`, { token });
    await t.api.post(`/api/users/${other.id}/follow`, { token });
    rows = await notificationsOf(other.id);
    expect(rows).toEqual([expect.objectContaining({ type: "new_follower", actorId: user.id, count: 2 })]);
    expect(await notificationsOf(user.id)).toEqual([]);
  });

  it("stores one follow and one notification however many times it is sent at once", async () => {
    const { user, token } = await signedIn(t);
    const other = await createUser(t.db);
    const results = await Promise.all(Array.from({ length: 6 }, () => t.api.post(`/api/users/${other.id}/follow`, { token })));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(await followRows(user.id, other.id)).toHaveLength(1);
    expect(await notificationsOf(other.id)).toEqual([expect.objectContaining({ count: 1 })]);
  });

  it("counts 20 concurrent follows of one dancer exactly", async () => {
    const star = await createUser(t.db);
    const fans = await Promise.all(Array.from({ length: 20 }, () => signedIn(t)));
    const results = await Promise.all(fans.map((fan) => t.api.post(`/api/users/${star.id}/follow`, { token: fan.token })));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(await t.db.select().from(follows).where(eq(follows.followingId, star.id))).toHaveLength(20);
    expect((await t.api.get(`/api/users/${star.id}`)).body.followersCount).toBe(20);
    const rows = await notificationsOf(star.id);
    expect(rows).toHaveLength(20);
    expect(new Set(rows.map((r) => r.actorId)).size).toBe(20);
  });
});

describe("follows: refusals", () => {
  it("refuses following (and unfollowing) yourself with 400 cannot_follow_self", async () => {
    const { user, token } = await signedIn(t);
    for (const res of [await t.api.post(`/api/users/${user.id}/follow`, { token }), await t.api.delete(`/api/users/${user.id}/follow`, { token })]) {
      expect(res.status).toBe(400);
      expect(res.body.code).toBe("cannot_follow_self");
    }
    expect(await followRows(user.id, user.id)).toEqual([]);
  });

  it("is 404 for an unknown user", async () => {
    const { token } = await signedIn(t);
    for (const res of [await t.api.post("/api/users/2147483647/follow", { token }), await t.api.delete("/api/users/2147483647/follow", { token })]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("not_found");
    }
  });

  it.each([
    ["suspended", { suspended: true }],
    ["deactivated", { isActive: false }],
  ])("is 404 for a %s account, and writes nothing", async (_label, status) => {
    const { user, token } = await signedIn(t);
    const gone = await createUser(t.db, status);
    const res = await t.api.post(`/api/users/${gone.id}/follow`, { token });
    expect(res.status).toBe(404);
    expect(await followRows(user.id, gone.id)).toEqual([]);
    expect(await notificationsOf(gone.id)).toEqual([]);
  });

  it.each(["the caller blocked them", "they blocked the caller"])("is 404 across a block (%s), and writes nothing", async (label) => {
    const { user, token } = await signedIn(t);
    const other = await createUser(t.db);
    const [blockerId, blockedId] = label === "the caller blocked them" ? [user.id, other.id] : [other.id, user.id];
    await t.db.insert(blockedUsers).values({ blockerId, blockedId });
    const res = await t.api.post(`/api/users/${other.id}/follow`, { token });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("not_found");
    expect(await followRows(user.id, other.id)).toEqual([]);
    expect(await notificationsOf(other.id)).toEqual([]);
    expect((await t.api.delete(`/api/users/${other.id}/follow`, { token })).status).toBe(404);
  });

  it("is 401 without a token", async () => {
    const other = await createUser(t.db);
    expect((await t.api.post(`/api/users/${other.id}/follow`)).status).toBe(401);
    expect((await t.api.delete(`/api/users/${other.id}/follow`)).status).toBe(401);
    expect(await t.db.select().from(follows).where(eq(follows.followingId, other.id))).toEqual([]);
  });

  it.each(["abc", "99999999999", "-1", "010"])("rejects the id %s with 400", async (id) => {
    const { token } = await signedIn(t);
    for (const res of [
      await t.api.post(`/api/users/${id}/follow`, { token }),
      await t.api.get(`/api/users/${id}/followers`, { token }),
      await t.api.get(`/api/users/${id}/following`, { token }),
    ]) {
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ path: "path.id" })]);
    }
  });
});

describe("GET /api/users/{id}/followers and /following", () => {
  it("pages through every follower exactly once, newest follow first, with isFollowing for the viewer", async () => {
    const owner = await createUser(t.db);
    const viewer = await signedIn(t);
    const fans = await Promise.all(Array.from({ length: 7 }, () => createUser(t.db)));
    const tie = new Date("2026-02-01T20:00:00.123456Z");
    const times = [
      new Date("2026-01-01T20:00:00Z"), tie, tie, new Date("2026-03-01T20:00:00Z"),
      new Date("2026-01-15T20:00:00Z"), tie, new Date("2026-04-01T00:00:00Z"),
    ];
    for (const [i, fan] of fans.entries()) await followAt(fan.id, owner.id, times[i]!);
    await Promise.all([follow(t.db, viewer.user.id, fans[3]!.id), follow(t.db, viewer.user.id, fans[0]!.id)]);

    const pages = await allPages(`/api/users/${owner.id}/followers`, 2, viewer.token);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 2, 1]);
    const items = pages.flatMap((p) => p.items);
    // Ties on time go by follow id, descending: the later insert first.
    const expected = [6, 3, 5, 2, 1, 4, 0].map((i) => fans[i]!.id);
    expect(items.map((item) => item.id)).toEqual(expected);
    expect(items.filter((item) => item.isFollowing).map((item) => item.id).sort()).toEqual([fans[3]!.id, fans[0]!.id].sort());
    expect(items[0]).toEqual({
      id: fans[6]!.id,
      username: fans[6]!.username,
      name: fans[6]!.name,
      profileImage: null,
      isFollowing: false,
      since: "2026-04-01T00:00:00.000Z",
    });
    expect((await allPages(`/api/users/${owner.id}/followers`, 100, viewer.token))[0]!.items.map((i) => i.id)).toEqual(expected);
  });

  it("lists whom a dancer follows, page by page, newest first; anonymous viewers see isFollowing false", async () => {
    const owner = await createUser(t.db);
    const idols = await Promise.all(Array.from({ length: 5 }, () => createUser(t.db)));
    for (const [i, idol] of idols.entries()) await followAt(owner.id, idol.id, new Date(Date.UTC(2026, 0, 1 + i)));
    await followAt(idols[0]!.id, owner.id, new Date("2026-06-01T00:00:00Z"));
    const pages = await allPages(`/api/users/${owner.id}/following`, 2);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.items.map((i) => i.id))).toEqual([...idols].reverse().map((i) => i.id));
    expect(pages.flatMap((p) => p.items).every((i) => i.isFollowing === false)).toBe(true);
  });

  it("answers an empty page for a dancer nobody follows", async () => {
    const owner = await createUser(t.db);
    const res = await t.api.get(`/api/users/${owner.id}/followers`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], nextCursor: null });
  });

  it("leaves out dancers blocked either way with the viewer, and suspended or deactivated accounts", async () => {
    const owner = await createUser(t.db);
    const viewer = await signedIn(t);
    const [shown, blockedByViewer, blockerOfViewer, suspended, deactivated] = await Promise.all([
      createUser(t.db),
      createUser(t.db),
      createUser(t.db),
      createUser(t.db, { suspended: true }),
      createUser(t.db, { isActive: false }),
    ]);
    for (const fan of [shown, blockedByViewer, blockerOfViewer, suspended, deactivated]) await follow(t.db, fan.id, owner.id);
    await t.db.insert(blockedUsers).values([
      { blockerId: viewer.user.id, blockedId: blockedByViewer.id },
      { blockerId: blockerOfViewer.id, blockedId: viewer.user.id },
    ]);
    const seen = (await allPages(`/api/users/${owner.id}/followers`, 2, viewer.token)).flatMap((p) => p.items.map((i) => i.id));
    expect(seen).toEqual([shown.id]);
    const anonymous = (await allPages(`/api/users/${owner.id}/followers`, 2)).flatMap((p) => p.items.map((i) => i.id)).sort();
    expect(anonymous).toEqual([shown.id, blockedByViewer.id, blockerOfViewer.id].sort());
  });

  it("is 404 for an unknown, suspended or blocked owner", async () => {
    const viewer = await signedIn(t);
    const [suspended, blocker] = await Promise.all([createUser(t.db, { suspended: true }), createUser(t.db)]);
    await t.db.insert(blockedUsers).values({ blockerId: blocker.id, blockedId: viewer.user.id });
    for (const id of [2147483647, suspended.id, blocker.id]) {
      for (const side of ["followers", "following"]) {
        const res = await t.api.get(`/api/users/${id}/${side}`, { token: viewer.token });
        expect(res.status).toBe(404);
        expect(res.body.code).toBe("not_found");
      }
    }
  });
});

describe("follows lists: the owner's profile visibility", () => {
  async function ownerWith(profileVisibility: "public" | "friends" | "private") {
    const owner = await signedIn(t);
    await t.db.insert(userSettings).values({ userId: owner.user.id, profileVisibility });
    const fan = await createUser(t.db);
    await follow(t.db, fan.id, owner.user.id);
    await follow(t.db, owner.user.id, fan.id);
    return { owner, fan };
  }

  it("shows a public dancer's lists to anyone, anonymous too", async () => {
    const { owner, fan } = await ownerWith("public");
    for (const side of ["followers", "following"]) {
      const res = await t.api.get(`/api/users/${owner.user.id}/${side}`);
      expect(res.status).toBe(200);
      expect(res.body.items.map((i: { id: number }) => i.id)).toEqual([fan.id]);
    }
  });

  it("shows a friends-only dancer's lists to friends and the owner, and refuses others with 403", async () => {
    const { owner, fan } = await ownerWith("friends");
    const friend = await signedIn(t);
    const stranger = await signedIn(t);
    await befriend(t.db, friend.user.id, owner.user.id);
    for (const side of ["followers", "following"]) {
      for (const token of [friend.token, owner.token]) {
        const res = await t.api.get(`/api/users/${owner.user.id}/${side}`, { token });
        expect(res.status).toBe(200);
        expect(res.body.items.map((i: { id: number }) => i.id)).toEqual([fan.id]);
      }
      for (const token of [stranger.token, undefined]) {
        const res = await t.api.get(`/api/users/${owner.user.id}/${side}`, { token });
        expect(res.status).toBe(403);
        expect(res.body.code).toBe("profile_restricted");
        expect(JSON.stringify(res.body)).not.toContain(fan.username);
      }
    }
  });

  it("refuses a private dancer's lists to everyone but the owner, friends included", async () => {
    const { owner, fan } = await ownerWith("private");
    const friend = await signedIn(t);
    await befriend(t.db, friend.user.id, owner.user.id);
    for (const side of ["followers", "following"]) {
      for (const token of [friend.token, undefined]) {
        const res = await t.api.get(`/api/users/${owner.user.id}/${side}`, { token });
        expect(res.status).toBe(403);
        expect(res.body.code).toBe("profile_restricted");
      }
      const own = await t.api.get(`/api/users/${owner.user.id}/${side}`, { token: owner.token });
      expect(own.status).toBe(200);
      expect(own.body.items.map((i: { id: number }) => i.id)).toEqual([fan.id]);
    }
  });
});

describe("OpenAPI", () => {
  it("documents the follow routes", async () => {
    const { paths } = (await t.api.get("/openapi.json")).body;
    expect(Object.keys(paths["/api/users/{id}/follow"]).sort()).toEqual(["delete", "post"]);
    expect(paths["/api/users/{id}/follow"].post.responses["200"]).toBeDefined();
    expect(paths["/api/users/{id}/followers"].get["x-object"]).toBe("user");
    expect(paths["/api/users/{id}/following"].get["x-object"]).toBe("user");
  });
});
