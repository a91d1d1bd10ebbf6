import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, bookmarks, notifications, postShares, posts, users } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { befriend, createPost, createUser } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { encodeCursor } from "../../lib/pagination";

const t = await useTestDatabase();

async function shares(postId: number) {
  const [row] = await t.db.select({ shares: posts.shares }).from(posts).where(eq(posts.id, postId));
  const rows = await t.db.select().from(postShares).where(eq(postShares.postId, postId));
  return { counter: row?.shares ?? null, rows: rows.length };
}

async function notificationsOf(userId: number) {
  return t.db.select().from(notifications).where(eq(notifications.userId, userId));
}

/** Every page of the caller's bookmarks, following nextCursor. */
async function allBookmarks(token: string, limit: number) {
  const pages: { items: { id: number }[]; nextCursor: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const res = await t.api.get(`/api/bookmarks?limit=${limit}${query}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    pages.push(res.body);
    cursor = res.body.nextCursor;
  } while (cursor);
  return pages;
}

async function bookmarkedIds(token: string) {
  return (await allBookmarks(token, 100)).flatMap((p) => p.items.map((i) => i.id));
}

describe("POST /api/posts/{id}/share", () => {
  it("shares (201) with the share and the post's card, counts it and notifies the author", async () => {
    const author = await createUser(t.db);
    const { user: me, token } = await signedIn(t);
    const post = await createPost(t.db, { userId: author.id });
    const res = await t.api.post(`/api/posts/${post.id}/share`, { token, json: { comment: "  Look at this!  " } });
    expect(res.status).toBe(201);
    expect(res.body.share).toEqual({
      id: expect.any(Number),
      comment: "Look at this!",
      createdAt: expect.stringMatching(/Z$/),
      user: { id: me.id, username: me.username, name: me.name, profileImage: null },
    });
    expect(res.body.post).toMatchObject({ id: post.id, shares: 1, author: { id: author.id }, viewer: { shared: true } });
    expect(await shares(post.id)).toEqual({ counter: 1, rows: 1 });
    expect(await notificationsOf(author.id)).toEqual([
      expect.objectContaining({ type: "post_share", actorId: me.id, subjectType: "post", subjectId: post.id, count: 1 }),
    ]);
  });

  it("takes no body, or an empty comment, as a share without one", async () => {
    const post = await createPost(t.db, { userId: (await createUser(t.db)).id });
    const [ana, bruno] = [await signedIn(t), await signedIn(t)];
    const bare = await t.api.post(`/api/posts/${post.id}/share`, { token: ana.token });
    expect([bare.status, bare.body.share.comment]).toEqual([201, null]);
    const blank = await t.api.post(`/api/posts/${post.id}/share`, { token: bruno.token, json: { comment: "   " } });
    expect([blank.status, blank.body.share.comment]).toEqual([201, null]);
  });

  it("refuses a repeat with 409 already_shared, counting once", async () => {
    const post = await createPost(t.db, { userId: (await createUser(t.db)).id });
    const { token } = await signedIn(t);
    expect((await t.api.post(`/api/posts/${post.id}/share`, { token })).status).toBe(201);
    const again = await t.api.post(`/api/posts/${post.id}/share`, { token, json: { comment: "again" } });
    expect([again.status, again.body.code]).toEqual([409, "already_shared"]);
    expect(await shares(post.id)).toEqual({ counter: 1, rows: 1 });
  });

  it("refuses a comment over 500 characters or with control characters (400)", async () => {
    const post = await createPost(t.db, { userId: (await createUser(t.db)).id });
    const { token } = await signedIn(t);
    for (const comment of ["x".repeat(501), "bell\u0007", 5]) {
      const res = await t.api.post(`/api/posts/${post.id}/share`, { token, json: { comment } });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].path).toBe("body.comment");
    }
    expect((await t.api.post(`/api/posts/${post.id}/share`, { token, json: { comment: "x".repeat(500) } })).status).toBe(201);
  });

  it("shares only public posts one may see: 404 for the unseen, 422 post_not_shareable for friends-only, private or hidden", async () => {
    const author = await signedIn(t);
    const friend = await signedIn(t);
    const stranger = await signedIn(t);
    await befriend(t.db, author.user.id, friend.user.id);
    const friendsOnly = await createPost(t.db, { userId: author.user.id, visibility: "friends" });
    const priv = await createPost(t.db, { userId: author.user.id, visibility: "private" });
    const hidden = await createPost(t.db, { userId: author.user.id, hiddenAt: new Date() });
    const share = (id: number, token: string) => t.api.post(`/api/posts/${id}/share`, { token });
    expect((await share(friendsOnly.id, stranger.token)).status).toBe(404);
    expect((await share(priv.id, friend.token)).status).toBe(404);
    expect((await share(hidden.id, friend.token)).status).toBe(404);
    for (const [id, token] of [
      [friendsOnly.id, friend.token],
      [priv.id, author.token],
      [hidden.id, author.token],
    ] as const) {
      const res = await share(id, token);
      expect([res.status, res.body.code]).toEqual([422, "post_not_shareable"]);
    }
    expect((await share(2147483647, stranger.token)).status).toBe(404);
    for (const p of [friendsOnly, priv, hidden]) expect(await shares(p.id)).toEqual({ counter: 0, rows: 0 });
  });

  it("is 404 across a block, either way", async () => {
    const author = await createUser(t.db);
    const [blocker, blockee] = [await signedIn(t), await signedIn(t)];
    const post = await createPost(t.db, { userId: author.id });
    await t.db.insert(blockedUsers).values([
      { blockerId: author.id, blockedId: blockee.user.id },
      { blockerId: blocker.user.id, blockedId: author.id },
    ]);
    for (const who of [blocker, blockee]) expect((await t.api.post(`/api/posts/${post.id}/share`, { token: who.token })).status).toBe(404);
  });

  it("coalesces share notifications by post: two sharers, count 2; never one for sharing your own post", async () => {
    const author = await signedIn(t);
    const [ana, bruno] = [await signedIn(t), await signedIn(t)];
    const post = await createPost(t.db, { userId: author.user.id });
    for (const who of [ana, bruno, author]) expect((await t.api.post(`/api/posts/${post.id}/share`, { token: who.token })).status).toBe(201);
    expect(await notificationsOf(author.user.id)).toEqual([expect.objectContaining({ type: "post_share", count: 2, actorId: bruno.user.id })]);
  });
});

describe("DELETE /api/posts/{id}/share", () => {
  it("undoes a share (204), idempotently, lowering the counter exactly", async () => {
    const post = await createPost(t.db, { userId: (await createUser(t.db)).id });
    const [ana, bruno] = [await signedIn(t), await signedIn(t)];
    await t.api.post(`/api/posts/${post.id}/share`, { token: ana.token });
    await t.api.post(`/api/posts/${post.id}/share`, { token: bruno.token });
    expect((await t.api.delete(`/api/posts/${post.id}/share`, { token: ana.token })).status).toBe(204);
    expect((await t.api.delete(`/api/posts/${post.id}/share`, { token: ana.token })).status).toBe(204);
    expect(await shares(post.id)).toEqual({ counter: 1, rows: 1 });
    expect((await t.api.post(`/api/posts/${post.id}/share`, { token: ana.token })).status).toBe(201);
    expect(await shares(post.id)).toEqual({ counter: 2, rows: 2 });
  });

  it("lets a sharer withdraw a share of a post a block has since hidden; 404 for an unseen post not shared", async () => {
    const author = await createUser(t.db);
    const me = await signedIn(t);
    const post = await createPost(t.db, { userId: author.id });
    await t.api.post(`/api/posts/${post.id}/share`, { token: me.token });
    await t.db.insert(blockedUsers).values({ blockerId: author.id, blockedId: me.user.id });
    expect((await t.api.delete(`/api/posts/${post.id}/share`, { token: me.token })).status).toBe(204);
    expect(await shares(post.id)).toEqual({ counter: 0, rows: 0 });
    expect((await t.api.delete(`/api/posts/${post.id}/share`, { token: me.token })).status).toBe(404);
    expect((await t.api.delete(`/api/posts/${post.id}/share`)).status).toBe(401);
  });
});

describe("shares: races (exact counters on PostgreSQL)", () => {
  it("counts concurrent shares by different dancers exactly", async () => {
    const author = await createUser(t.db);
    const post = await createPost(t.db, { userId: author.id });
    const sharers = await Promise.all(Array.from({ length: 15 }, () => signedIn(t)));
    const results = await Promise.all(sharers.map((s) => t.api.post(`/api/posts/${post.id}/share`, { token: s.token })));
    expect(results.map((r) => r.status)).toEqual(Array(15).fill(201));
    expect(await shares(post.id)).toEqual({ counter: 15, rows: 15 });
    expect((await notificationsOf(author.id))[0]).toMatchObject({ type: "post_share", count: 15 });
  });

  it("stores one share when the same dancer shares twice at once, the other answer 409", async () => {
    const post = await createPost(t.db, { userId: (await createUser(t.db)).id });
    const { token } = await signedIn(t);
    const results = await Promise.all(Array.from({ length: 4 }, () => t.api.post(`/api/posts/${post.id}/share`, { token })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    expect(await shares(post.id)).toEqual({ counter: 1, rows: 1 });
  });

  it("keeps the counter exact under concurrent shares and unshares", async () => {
    const post = await createPost(t.db, { userId: (await createUser(t.db)).id });
    const sharers = await Promise.all(Array.from({ length: 10 }, () => signedIn(t)));
    for (const s of sharers.slice(0, 5)) await t.api.post(`/api/posts/${post.id}/share`, { token: s.token });
    await Promise.all([
      ...sharers.slice(0, 5).flatMap((s) => [t.api.delete(`/api/posts/${post.id}/share`, { token: s.token }), t.api.delete(`/api/posts/${post.id}/share`, { token: s.token })]),
      ...sharers.slice(5).map((s) => t.api.post(`/api/posts/${post.id}/share`, { token: s.token })),
    ]);
    expect(await shares(post.id)).toEqual({ counter: 5, rows: 5 });
  });

  it("answers 404 or 201, never a 409 or 500, when a share races the post's deletion", async () => {
    for (let round = 0; round < 3; round++) {
      const post = await createPost(t.db, { userId: (await createUser(t.db)).id });
      const { token } = await signedIn(t);
      const [res] = await Promise.all([t.api.post(`/api/posts/${post.id}/share`, { token }), t.db.delete(posts).where(eq(posts.id, post.id))]);
      expect([201, 404]).toContain(res.status);
      expect(await t.db.select().from(postShares).where(eq(postShares.postId, post.id))).toEqual([]);
    }
  });
});

describe("POST and DELETE /api/posts/{id}/bookmark", () => {
  it("bookmarks and unbookmarks idempotently", async () => {
    const post = await createPost(t.db, { userId: (await createUser(t.db)).id });
    const { user: me, token } = await signedIn(t);
    for (let i = 0; i < 2; i++) {
      const res = await t.api.post(`/api/posts/${post.id}/bookmark`, { token });
      expect([res.status, res.body]).toEqual([200, { bookmarked: true }]);
    }
    expect(await t.db.select().from(bookmarks).where(eq(bookmarks.userId, me.id))).toHaveLength(1);
    for (let i = 0; i < 2; i++) {
      const res = await t.api.delete(`/api/posts/${post.id}/bookmark`, { token });
      expect([res.status, res.body]).toEqual([200, { bookmarked: false }]);
    }
    expect(await t.db.select().from(bookmarks).where(eq(bookmarks.userId, me.id))).toEqual([]);
  });

  it("stores one bookmark when sent several times at once", async () => {
    const post = await createPost(t.db, { userId: (await createUser(t.db)).id });
    const { user: me, token } = await signedIn(t);
    const results = await Promise.all(Array.from({ length: 5 }, () => t.api.post(`/api/posts/${post.id}/bookmark`, { token })));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill(200));
    expect(await t.db.select().from(bookmarks).where(eq(bookmarks.userId, me.id))).toHaveLength(1);
  });

  it("is 404 for a post one may not see (and not bookmarked), 401 anonymous", async () => {
    const author = await createUser(t.db);
    const { user: me, token } = await signedIn(t);
    const priv = await createPost(t.db, { userId: author.id, visibility: "private" });
    const friendsOnly = await createPost(t.db, { userId: author.id, visibility: "friends" });
    for (const p of [priv, friendsOnly]) {
      expect((await t.api.post(`/api/posts/${p.id}/bookmark`, { token })).status).toBe(404);
      expect((await t.api.delete(`/api/posts/${p.id}/bookmark`, { token })).status).toBe(404);
    }
    expect((await t.api.post(`/api/posts/${friendsOnly.id}/bookmark`)).status).toBe(401);
    expect(await t.db.select().from(bookmarks).where(eq(bookmarks.userId, me.id))).toEqual([]);
  });
});

describe("GET /api/bookmarks", () => {
  it("lists the caller's bookmarks newest first as post cards, every one once across pages (equal times too)", async () => {
    const author = await createUser(t.db);
    const { user: me, token } = await signedIn(t);
    const tie = new Date("2026-02-01T20:00:00.123456Z");
    const times = [new Date("2026-01-01T20:00:00Z"), tie, tie, new Date("2026-03-01T20:00:00Z"), tie, new Date("2026-01-15T20:00:00Z")];
    const made: { postId: number; bookmarkId: number; at: number }[] = [];
    for (const createdAt of times) {
      const post = await createPost(t.db, { userId: author.id });
      const [b] = await t.db.insert(bookmarks).values({ userId: me.id, postId: post.id, createdAt }).returning();
      made.push({ postId: post.id, bookmarkId: b!.id, at: createdAt.getTime() });
    }
    const expected = [...made].sort((a, b) => b.at - a.at || b.bookmarkId - a.bookmarkId).map((m) => m.postId);
    for (const limit of [1, 2, 4]) {
      const pages = await allBookmarks(token, limit);
      expect(pages.flatMap((p) => p.items.map((i) => i.id))).toEqual(expected);
      expect(pages.at(-1)!.nextCursor).toBeNull();
    }
    const [first] = (await allBookmarks(token, 1))[0]!.items;
    expect(first).toMatchObject({ author: { id: author.id }, viewer: { bookmarked: true, liked: false, shared: false } });
    // Others see their own bookmarks only.
    expect(await bookmarkedIds((await signedIn(t)).token)).toEqual([]);
  });

  it("keeps only posts the caller may still see: author, friend, stranger, blocked either way, hidden, suspended author", async () => {
    const author = await signedIn(t);
    const friend = await signedIn(t);
    const stranger = await signedIn(t);
    await befriend(t.db, author.user.id, friend.user.id);
    const pub = await createPost(t.db, { userId: author.user.id, visibility: "public" });
    const friendsOnly = await createPost(t.db, { userId: author.user.id, visibility: "friends" });
    const priv = await createPost(t.db, { userId: author.user.id, visibility: "private" });
    const hidden = await createPost(t.db, { userId: author.user.id });
    // Bookmarked while visible (rows written directly: visibility changes later).
    const viewers = [author, friend, stranger];
    for (const v of viewers) {
      await t.db.insert(bookmarks).values([pub, friendsOnly, priv, hidden].map((p) => ({ userId: v.user.id, postId: p.id })));
    }
    await t.db.update(posts).set({ hiddenAt: new Date() }).where(eq(posts.id, hidden.id));
    const sorted = async (token: string) => (await bookmarkedIds(token)).sort((a, b) => a - b);
    expect(await sorted(author.token)).toEqual([pub.id, friendsOnly.id, priv.id, hidden.id]);
    expect(await sorted(friend.token)).toEqual([pub.id, friendsOnly.id]);
    expect(await sorted(stranger.token)).toEqual([pub.id]);
    await t.db.insert(blockedUsers).values({ blockerId: author.user.id, blockedId: friend.user.id });
    await t.db.insert(blockedUsers).values({ blockerId: stranger.user.id, blockedId: author.user.id });
    expect(await sorted(friend.token)).toEqual([]);
    expect(await sorted(stranger.token)).toEqual([]);
    await t.db.execute(sql`DELETE FROM blocked_users WHERE blocker_id = ${stranger.user.id}`);
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, author.user.id));
    expect(await sorted(stranger.token)).toEqual([]);
    await t.db.update(users).set({ suspended: false }).where(eq(users.id, author.user.id));
    expect(await sorted(stranger.token)).toEqual([pub.id]);
  });

  it.each([
    ["not a cursor", "not-a-cursor"],
    ["a cursor with a time that is not one", encodeCursor(["garbage", 1])],
    ["a cursor with an id out of range", encodeCursor(["2026-01-01 00:00:00", 1e12])],
  ])("rejects %s with 400", async (_label, cursor) => {
    const { token } = await signedIn(t);
    const res = await t.api.get(`/api/bookmarks?cursor=${encodeURIComponent(cursor)}`, { token });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "query.cursor" })]);
  });

  it("is 401 anonymous", async () => {
    expect((await t.api.get("/api/bookmarks")).status).toBe(401);
  });
});

describe("OpenAPI", () => {
  it("documents the share and bookmark routes", async () => {
    const { paths } = (await t.api.get("/openapi.json")).body;
    expect(Object.keys(paths["/api/posts/{id}/share"]).sort()).toEqual(["delete", "post"]);
    expect(Object.keys(paths["/api/posts/{id}/bookmark"]).sort()).toEqual(["delete", "post"]);
    expect(paths["/api/bookmarks"].get).toBeDefined();
  });
});
