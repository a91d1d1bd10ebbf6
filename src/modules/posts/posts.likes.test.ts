import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, friendshipActivities, notifications, postLikes, posts } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { befriend, createPost, createUser } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";

const t = await useTestDatabase();

async function counts(postId: number) {
  const [post] = await t.db.select({ likes: posts.likes }).from(posts).where(eq(posts.id, postId));
  const { rows } = await t.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM post_likes WHERE post_id = ${postId}`);
  return { counter: post?.likes ?? null, rows: Number(rows[0]!.n) };
}

async function likeNotices(authorId: number, postId: number) {
  return t.db
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, authorId), eq(notifications.type, "post_like"), eq(notifications.subjectId, postId)));
}

describe("POST and DELETE /api/posts/{id}/like", () => {
  it("likes and unlikes idempotently, answering {liked, likes}", async () => {
    const author = await createUser(t.db);
    const post = await createPost(t.db, { userId: author.id });
    const { token } = await signedIn(t);
    expect((await t.api.post(`/api/posts/${post.id}/like`, { token })).body).toEqual({ liked: true, likes: 1 });
    expect((await t.api.post(`/api/posts/${post.id}/like`, { token })).body).toEqual({ liked: true, likes: 1 });
    expect((await t.api.get(`/api/posts/${post.id}`, { token })).body.viewer.liked).toBe(true);
    expect((await t.api.delete(`/api/posts/${post.id}/like`, { token })).body).toEqual({ liked: false, likes: 0 });
    expect((await t.api.delete(`/api/posts/${post.id}/like`, { token })).body).toEqual({ liked: false, likes: 0 });
    expect(await counts(post.id)).toEqual({ counter: 0, rows: 0 });
  });

  it("notifies the author once per post, coalescing likers ('Ana and 1 other'), and never for a repeat or their own like", async () => {
    const author = await signedIn(t);
    const post = await createPost(t.db, { userId: author.user.id });
    const [ana, bruno] = await Promise.all([signedIn(t), signedIn(t)]);
    await t.api.post(`/api/posts/${post.id}/like`, { token: ana.token });
    await t.api.post(`/api/posts/${post.id}/like`, { token: author.token });
    await t.api.post(`/api/posts/${post.id}/like`, { token: bruno.token });
    await t.api.post(`/api/posts/${post.id}/like`, { token: bruno.token });
    const notices = await likeNotices(author.user.id, post.id);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ actorId: bruno.user.id, count: 2, subjectType: "post" });
    // Unliking and liking again is not a new liker.
    await t.api.delete(`/api/posts/${post.id}/like`, { token: ana.token });
    await t.api.post(`/api/posts/${post.id}/like`, { token: ana.token });
    expect((await likeNotices(author.user.id, post.id))[0]).toMatchObject({ actorId: ana.user.id, count: 2 });
  });

  it("records a post_liked friendship activity between friends only", async () => {
    const author = await createUser(t.db);
    const post = await createPost(t.db, { userId: author.id });
    const [friend, stranger] = await Promise.all([signedIn(t), signedIn(t)]);
    const { forward, reverse } = await befriend(t.db, friend.user.id, author.id);
    await t.api.post(`/api/posts/${post.id}/like`, { token: friend.token });
    await t.api.post(`/api/posts/${post.id}/like`, { token: friend.token });
    await t.api.post(`/api/posts/${post.id}/like`, { token: stranger.token });
    const activities = await t.db.select().from(friendshipActivities).where(eq(friendshipActivities.activityType, "post_liked"));
    const mine = activities.filter((a) => [forward.id, reverse.id].includes(a.friendshipId));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.friendshipId).toBe(forward.id);
    expect(JSON.parse(mine[0]!.metadata!)).toEqual({ postId: post.id });
    expect(activities.filter((a) => JSON.parse(a.metadata ?? "{}").postId === post.id)).toHaveLength(1);
  });

  it("is 404 for a post the caller may not see (private, friends-only, blocked either way), and 401 anonymous", async () => {
    const author = await createUser(t.db);
    const priv = await createPost(t.db, { userId: author.id, visibility: "private" });
    const friendsOnly = await createPost(t.db, { userId: author.id, visibility: "friends" });
    const pub = await createPost(t.db, { userId: author.id });
    const [stranger, blocked] = await Promise.all([signedIn(t), signedIn(t)]);
    await t.db.insert(blockedUsers).values({ blockerId: author.id, blockedId: blocked.user.id });
    for (const id of [priv.id, friendsOnly.id]) {
      expect((await t.api.post(`/api/posts/${id}/like`, { token: stranger.token })).status).toBe(404);
      expect((await t.api.delete(`/api/posts/${id}/like`, { token: stranger.token })).status).toBe(404);
    }
    expect((await t.api.post(`/api/posts/${pub.id}/like`, { token: blocked.token })).status).toBe(404);
    expect((await t.api.post(`/api/posts/${pub.id}/like`)).status).toBe(401);
    expect((await t.api.post("/api/posts/2147483647/like", { token: stranger.token })).status).toBe(404);
    expect(await t.db.select().from(postLikes).where(eq(postLikes.postId, priv.id))).toEqual([]);
  });
});

describe("likes under concurrency", () => {
  it("keeps the counter exact under 20 concurrent likes, repeats and unlikes by different dancers", async () => {
    const author = await signedIn(t);
    const post = await createPost(t.db, { userId: author.user.id });
    const likers = await Promise.all(Array.from({ length: 20 }, () => signedIn(t)));
    const liked = await Promise.all([
      ...likers.map((l) => t.api.post(`/api/posts/${post.id}/like`, { token: l.token })),
      ...likers.slice(0, 10).map((l) => t.api.post(`/api/posts/${post.id}/like`, { token: l.token })),
    ]);
    expect(liked.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect(await counts(post.id)).toEqual({ counter: 20, rows: 20 });
    expect(Math.max(...liked.map((r) => Number(r.body.likes)))).toBe(20);
    expect((await likeNotices(author.user.id, post.id))[0]!.count).toBe(20);

    const mixed = await Promise.all([
      ...likers.slice(0, 15).map((l) => t.api.delete(`/api/posts/${post.id}/like`, { token: l.token })),
      ...likers.slice(0, 5).map((l) => t.api.delete(`/api/posts/${post.id}/like`, { token: l.token })),
      ...likers.slice(15).map((l) => t.api.post(`/api/posts/${post.id}/like`, { token: l.token })),
    ]);
    expect(mixed.map((r) => r.status)).toEqual(Array(25).fill(200));
    expect(await counts(post.id)).toEqual({ counter: 5, rows: 5 });
  });

  it("leaves no like behind when it races the post's deletion, and is 404 after", async () => {
    const author = await signedIn(t);
    const post = await createPost(t.db, { userId: author.user.id });
    const likers = await Promise.all(Array.from({ length: 5 }, () => signedIn(t)));
    const results = await Promise.all([
      ...likers.map((l) => t.api.post(`/api/posts/${post.id}/like`, { token: l.token })),
      t.api.delete(`/api/posts/${post.id}`, { token: author.token }),
    ]);
    expect(results.at(-1)!.status).toBe(204);
    for (const r of results.slice(0, -1)) expect([200, 404]).toContain(r.status);
    expect(await t.db.select().from(postLikes).where(eq(postLikes.postId, post.id))).toEqual([]);
    expect((await t.api.post(`/api/posts/${post.id}/like`, { token: likers[0]!.token })).status).toBe(404);
  });

  it("is 404 once a block between the two has landed, even when the like raced it", async () => {
    const author = await signedIn(t);
    const post = await createPost(t.db, { userId: author.user.id });
    const liker = await signedIn(t);
    const [like, block] = await Promise.all([
      t.api.post(`/api/posts/${post.id}/like`, { token: liker.token }),
      t.api.post(`/api/users/${liker.user.id}/block`, { token: author.token }),
    ]);
    expect(block.status).toBe(204);
    expect([200, 404]).toContain(like.status);
    expect((await t.api.post(`/api/posts/${post.id}/like`, { token: liker.token })).status).toBe(404);
    expect((await t.api.delete(`/api/posts/${post.id}/like`, { token: liker.token })).status).toBe(404);
    const { counter, rows } = await counts(post.id);
    expect(counter).toBe(rows);
  });
});
