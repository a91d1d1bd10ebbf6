import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, commentLikes, editHistory, notifications, postComments, posts, users } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { befriend, createComment, createPost, createUser } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { encodeCursor } from "../../lib/pagination";

const t = await useTestDatabase();

type Item = { id: number; parentId: number | null; replyCount: number; content: string };

async function counters(postId: number) {
  const [row] = await t.db.select({ comments: posts.comments }).from(posts).where(eq(posts.id, postId));
  const [{ count }] = (await t.db.execute<{ count: number }>(sql`SELECT count(*)::int AS count FROM post_comments WHERE post_id = ${postId}`)).rows as [
    { count: number },
  ];
  return { counter: row?.comments ?? null, rows: Number(count) };
}

async function commentLikesOf(commentId: number) {
  const [row] = await t.db.select({ likes: postComments.likes }).from(postComments).where(eq(postComments.id, commentId));
  const likeRows = await t.db.select().from(commentLikes).where(eq(commentLikes.commentId, commentId));
  return { counter: row?.likes ?? null, rows: likeRows.length };
}

/** Every page of a comment list, following nextCursor. */
async function allPages(path: string, token: string | undefined, limit: number) {
  const pages: { items: Item[]; nextCursor: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const separator = path.includes("?") ? "&" : "?";
    const res = await t.api.get(`${path}${separator}limit=${limit}${query}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    pages.push(res.body);
    cursor = res.body.nextCursor;
  } while (cursor);
  return pages;
}

async function listIds(postId: number, token?: string, parentId?: number) {
  const res = await t.api.get(`/api/posts/${postId}/comments${parentId ? `?parentId=${parentId}` : ""}`, { token });
  return { status: res.status, ids: res.status === 200 ? (res.body.items as Item[]).map((i) => i.id) : [] };
}

async function notificationsOf(userId: number) {
  return t.db.select().from(notifications).where(eq(notifications.userId, userId));
}

describe("POST /api/posts/{id}/comments: happy paths", () => {
  it("comments (201), counts it and notifies the post's author", async () => {
    const author = await createUser(t.db);
    const { user: ana, token } = await signedIn(t);
    const post = await createPost(t.db, { userId: author.id });
    const res = await t.api.post(`/api/posts/${post.id}/comments`, { token, json: { content: "  Qué lindo tango!\n  " } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      postId: post.id,
      parentId: null,
      author: { id: ana.id, username: ana.username, name: ana.name, profileImage: null },
      content: "Qué lindo tango!",
      likes: 0,
      replyCount: 0,
      viewer: { liked: false },
      edited: false,
      hidden: false,
      createdAt: expect.stringMatching(/Z$/),
      updatedAt: expect.stringMatching(/Z$/),
    });
    expect(await counters(post.id)).toEqual({ counter: 1, rows: 1 });
    expect(await notificationsOf(author.id)).toEqual([
      expect.objectContaining({ type: "post_comment", actorId: ana.id, subjectType: "post", subjectId: post.id, count: 1 }),
    ]);
  });

  it("does not notify you of your own comment", async () => {
    const { user, token } = await signedIn(t);
    const post = await createPost(t.db, { userId: user.id });
    expect((await t.api.post(`/api/posts/${post.id}/comments`, { token, json: { content: "me" } })).status).toBe(201);
    expect(await notificationsOf(user.id)).toEqual([]);
  });

  it("coalesces comments by post: two distinct commenters make one notification counting 2", async () => {
    const author = await createUser(t.db);
    const [ana, bruno] = [await signedIn(t), await signedIn(t)];
    const post = await createPost(t.db, { userId: author.id });
    for (const who of [ana, bruno, ana]) {
      expect((await t.api.post(`/api/posts/${post.id}/comments`, { token: who.token, json: { content: "bravo" } })).status).toBe(201);
    }
    const rows = await notificationsOf(author.id);
    expect(rows).toEqual([expect.objectContaining({ type: "post_comment", subjectId: post.id, count: 2, actorId: ana.user.id })]);
  });

  it("replies: parentId is the thread's top-level comment; a reply notifies the comment's author, coalesced", async () => {
    const author = await createUser(t.db);
    const carla = await signedIn(t);
    const [ana, bruno] = [await signedIn(t), await signedIn(t)];
    const post = await createPost(t.db, { userId: author.id });
    const top = await t.api.post(`/api/posts/${post.id}/comments`, { token: carla.token, json: { content: "top" } });
    const reply = await t.api.post(`/api/posts/${post.id}/comments`, { token: ana.token, json: { content: "re", parentId: top.body.id } });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ parentId: top.body.id, postId: post.id });
    const deeper = await t.api.post(`/api/posts/${post.id}/comments`, { token: bruno.token, json: { content: "re re", parentId: reply.body.id } });
    expect(deeper.status).toBe(201);
    expect(deeper.body.parentId).toBe(top.body.id);
    expect(await counters(post.id)).toEqual({ counter: 3, rows: 3 });
    // Carla hears of Ana's reply to her comment; Ana of Bruno's reply to hers; the post's author only of the top-level comment.
    expect(await notificationsOf(carla.user.id)).toEqual([
      expect.objectContaining({ type: "comment_reply", subjectType: "comment", subjectId: top.body.id, actorId: ana.user.id, count: 1 }),
    ]);
    expect(await notificationsOf(ana.user.id)).toEqual([
      expect.objectContaining({ type: "comment_reply", subjectId: reply.body.id, actorId: bruno.user.id }),
    ]);
    expect((await notificationsOf(author.id)).map((n) => [n.type, n.count])).toEqual([["post_comment", 1]]);
    const second = await t.api.post(`/api/posts/${post.id}/comments`, { token: bruno.token, json: { content: "me too", parentId: top.body.id } });
    expect(second.status).toBe(201);
    expect(await notificationsOf(carla.user.id)).toEqual([expect.objectContaining({ type: "comment_reply", count: 2, actorId: bruno.user.id })]);
  });
});

describe("POST /api/posts/{id}/comments: errors", () => {
  it.each([
    ["no content", {}],
    ["blank content", { content: " \n\t " }],
    ["content over 2000 characters", { content: "a".repeat(2001) }],
    ["a control character", { content: "bad\u0007" }],
    ["a parentId that is not an id", { content: "ok", parentId: "x" }],
    ["a parentId of 0", { content: "ok", parentId: 0 }],
  ])("refuses %s with 400", async (_label, json) => {
    const { token } = await signedIn(t);
    const post = await createPost(t.db, { userId: (await createUser(t.db)).id });
    const res = await t.api.post(`/api/posts/${post.id}/comments`, { token, json });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toMatch(/^body\./);
    expect(await counters(post.id)).toEqual({ counter: 0, rows: 0 });
  });

  it("takes 2000 characters", async () => {
    const { token } = await signedIn(t);
    const post = await createPost(t.db, { userId: (await createUser(t.db)).id });
    expect((await t.api.post(`/api/posts/${post.id}/comments`, { token, json: { content: "a".repeat(2000) } })).status).toBe(201);
  });

  it("refuses a parent of another post, an unknown one, or one the caller may not see, with 400 invalid_parent", async () => {
    const author = await createUser(t.db);
    const { user: me, token } = await signedIn(t);
    const blocker = await createUser(t.db);
    const post = await createPost(t.db, { userId: author.id });
    const other = await createPost(t.db, { userId: author.id });
    const elsewhere = await createComment(t.db, { postId: other.id, userId: author.id });
    const hidden = await createComment(t.db, { postId: post.id, userId: author.id, hiddenAt: new Date() });
    const byBlocker = await createComment(t.db, { postId: post.id, userId: blocker.id });
    await t.db.insert(blockedUsers).values({ blockerId: blocker.id, blockedId: me.id });
    const before = await counters(post.id);
    for (const parentId of [elsewhere.id, 2147483647, hidden.id, byBlocker.id]) {
      const res = await t.api.post(`/api/posts/${post.id}/comments`, { token, json: { content: "re", parentId } });
      expect(res.status, String(parentId)).toBe(400);
      expect(res.body).toMatchObject({ code: "invalid_parent", errors: [{ path: "body.parentId" }] });
    }
    expect(await counters(post.id)).toEqual(before);
  });

  it("is 404 for an unknown post and for a post the caller may not see (private, friends-only, blocked either way)", async () => {
    const author = await createUser(t.db);
    const { user: me, token } = await signedIn(t);
    const friendsOnly = await createPost(t.db, { userId: author.id, visibility: "friends" });
    const priv = await createPost(t.db, { userId: author.id, visibility: "private" });
    const blockedAuthor = await createUser(t.db);
    const blockerPost = await createPost(t.db, { userId: blockedAuthor.id });
    await t.db.insert(blockedUsers).values({ blockerId: blockedAuthor.id, blockedId: me.id });
    const blockee = await createUser(t.db);
    const blockeePost = await createPost(t.db, { userId: blockee.id });
    await t.db.insert(blockedUsers).values({ blockerId: me.id, blockedId: blockee.id });
    for (const id of [2147483647, friendsOnly.id, priv.id, blockerPost.id, blockeePost.id]) {
      const res = await t.api.post(`/api/posts/${id}/comments`, { token, json: { content: "hola" } });
      expect(res.status, String(id)).toBe(404);
      expect(res.body.code).toBe("not_found");
    }
    expect((await t.db.select().from(postComments).where(eq(postComments.userId, me.id)))).toEqual([]);
  });

  it("is 401 without a token", async () => {
    const post = await createPost(t.db, { userId: (await createUser(t.db)).id });
    expect((await t.api.post(`/api/posts/${post.id}/comments`, { json: { content: "hola" } })).status).toBe(401);
  });
});

describe("GET /api/posts/{id}/comments", () => {
  it("lists top-level comments oldest first with replyCount and the viewer's like; ?parentId= pages the replies", async () => {
    const author = await createUser(t.db);
    const { user: me, token } = await signedIn(t);
    const post = await createPost(t.db, { userId: author.id });
    const first = await createComment(t.db, { postId: post.id, userId: author.id });
    const second = await createComment(t.db, { postId: post.id, userId: me.id });
    const r1 = await createComment(t.db, { postId: post.id, userId: me.id, parentCommentId: first.id });
    const r2 = await createComment(t.db, { postId: post.id, userId: author.id, parentCommentId: first.id });
    await t.api.post(`/api/comments/${first.id}/like`, { token });
    const res = await t.api.get(`/api/posts/${post.id}/comments`, { token });
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items.map((i: Item) => [i.id, i.replyCount])).toEqual([
      [first.id, 2],
      [second.id, 0],
    ]);
    expect(res.body.items[0]).toMatchObject({ likes: 1, viewer: { liked: true }, author: { id: author.id } });
    expect(res.body.items[1]).toMatchObject({ likes: 0, viewer: { liked: false } });
    const replies = await t.api.get(`/api/posts/${post.id}/comments?parentId=${first.id}`, { token });
    expect(replies.body.items.map((i: Item) => [i.id, i.parentId])).toEqual([
      [r1.id, first.id],
      [r2.id, first.id],
    ]);
    // Anonymous readers of a public post see the same, with no likes of their own.
    const anonymous = await t.api.get(`/api/posts/${post.id}/comments`);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.items[0].viewer).toEqual({ liked: false });
  });

  it("pages every comment once, in order, also with equal timestamps", async () => {
    const author = await createUser(t.db);
    const post = await createPost(t.db, { userId: author.id });
    const tie = new Date("2026-02-01T20:00:00.123456Z");
    const times = [new Date("2026-01-01T20:00:00Z"), tie, tie, tie, new Date("2026-03-01T20:00:00Z"), tie, new Date("2026-01-15T20:00:00Z")];
    const made: { id: number; at: number }[] = [];
    for (const createdAt of times) {
      const c = await createComment(t.db, { postId: post.id, userId: author.id, createdAt, updatedAt: createdAt });
      made.push({ id: c.id, at: createdAt.getTime() });
    }
    const expected = [...made].sort((a, b) => a.at - b.at || a.id - b.id).map((c) => c.id);
    for (const limit of [1, 2, 3, 100]) {
      const pages = await allPages(`/api/posts/${post.id}/comments`, undefined, limit);
      expect(pages.flatMap((p) => p.items.map((i) => i.id))).toEqual(expected);
      expect(pages.at(-1)!.nextCursor).toBeNull();
    }
    const top = made[0]!.id;
    for (const createdAt of times) await createComment(t.db, { postId: post.id, userId: author.id, parentCommentId: top, createdAt });
    const replies = await allPages(`/api/posts/${post.id}/comments?parentId=${top}`, undefined, 2);
    expect(replies.flatMap((p) => p.items)).toHaveLength(times.length);
    const replyTimes = replies.flatMap((p) => p.items.map((i) => (i as unknown as { createdAt: string }).createdAt));
    expect(replyTimes).toEqual([...replyTimes].sort());
  });

  it.each([
    ["not a cursor", "not-a-cursor"],
    ["a cursor with a time that is not one", encodeCursor(["garbage", 1])],
    ["a cursor with an id out of range", encodeCursor(["2026-01-01 00:00:00", 1e12])],
  ])("rejects %s with 400", async (_label, cursor) => {
    const post = await createPost(t.db, { userId: (await createUser(t.db)).id });
    const res = await t.api.get(`/api/posts/${post.id}/comments?cursor=${encodeURIComponent(cursor)}`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "query.cursor" })]);
  });

  it("rejects a parentId that is not an id with 400, and is 404 for a parent not of this post", async () => {
    const author = await createUser(t.db);
    const post = await createPost(t.db, { userId: author.id });
    const other = await createPost(t.db, { userId: author.id });
    const elsewhere = await createComment(t.db, { postId: other.id, userId: author.id });
    expect((await t.api.get(`/api/posts/${post.id}/comments?parentId=abc`)).status).toBe(400);
    expect((await t.api.get(`/api/posts/${post.id}/comments?parentId=${elsewhere.id}`)).status).toBe(404);
  });

  describe("visibility", () => {
    /** An author with a public, a friends-only and a private post, each with a comment by the author. */
    async function world() {
      const author = await signedIn(t);
      const friend = await signedIn(t);
      const stranger = await signedIn(t);
      const blocker = await signedIn(t);
      const blockee = await signedIn(t);
      await befriend(t.db, author.user.id, friend.user.id);
      await t.db.insert(blockedUsers).values([
        { blockerId: blocker.user.id, blockedId: author.user.id },
        { blockerId: author.user.id, blockedId: blockee.user.id },
      ]);
      const pub = await createPost(t.db, { userId: author.user.id, visibility: "public" });
      const friendsOnly = await createPost(t.db, { userId: author.user.id, visibility: "friends" });
      const priv = await createPost(t.db, { userId: author.user.id, visibility: "private" });
      for (const p of [pub, friendsOnly, priv]) await createComment(t.db, { postId: p.id, userId: author.user.id });
      return { author, friend, stranger, blocker, blockee, pub, friendsOnly, priv };
    }

    it("follows the post's visibility: author, friend, stranger, blocked either way, anonymous", async () => {
      const w = await world();
      const statuses = async (token?: string) =>
        Promise.all([w.pub, w.friendsOnly, w.priv].map(async (p) => (await listIds(p.id, token)).status));
      expect(await statuses(w.author.token)).toEqual([200, 200, 200]);
      expect(await statuses(w.friend.token)).toEqual([200, 200, 404]);
      expect(await statuses(w.stranger.token)).toEqual([200, 404, 404]);
      expect(await statuses(w.blocker.token)).toEqual([404, 404, 404]);
      expect(await statuses(w.blockee.token)).toEqual([404, 404, 404]);
      expect(await statuses(undefined)).toEqual([200, 404, 404]);
    });

    it("leaves out comments by blocked (either way) or suspended dancers, and hidden ones except for their author", async () => {
      const author = await createUser(t.db);
      const me = await signedIn(t);
      const [blocker, blockee, suspended, hider] = await Promise.all([createUser(t.db), createUser(t.db), createUser(t.db), signedIn(t)]);
      await t.db.insert(blockedUsers).values([
        { blockerId: blocker.id, blockedId: me.user.id },
        { blockerId: me.user.id, blockedId: blockee.id },
      ]);
      const post = await createPost(t.db, { userId: author.id });
      const ok = await createComment(t.db, { postId: post.id, userId: author.id });
      const byBlocker = await createComment(t.db, { postId: post.id, userId: blocker.id });
      const byBlockee = await createComment(t.db, { postId: post.id, userId: blockee.id });
      await createComment(t.db, { postId: post.id, userId: suspended.id });
      await t.db.update(users).set({ suspended: true }).where(eq(users.id, suspended.id));
      const hidden = await createComment(t.db, { postId: post.id, userId: hider.user.id, hiddenAt: new Date() });
      // Replies count only what the viewer may see.
      await createComment(t.db, { postId: post.id, userId: blocker.id, parentCommentId: ok.id });
      await createComment(t.db, { postId: post.id, userId: author.id, parentCommentId: ok.id });
      const mine = await t.api.get(`/api/posts/${post.id}/comments`, { token: me.token });
      expect(mine.body.items.map((i: Item) => [i.id, i.replyCount])).toEqual([[ok.id, 1]]);
      expect((await listIds(post.id, me.token, ok.id)).ids).toHaveLength(1);
      const hiders = await t.api.get(`/api/posts/${post.id}/comments`, { token: hider.token });
      expect(hiders.body.items.map((i: Item & { hidden: boolean }) => [i.id, i.hidden])).toEqual([
        [ok.id, false],
        [byBlocker.id, false],
        [byBlockee.id, false],
        [hidden.id, true],
      ]);
      expect((await listIds(post.id)).ids).toEqual([ok.id, byBlocker.id, byBlockee.id]);
      // A hidden comment's thread is not there for others.
      expect((await listIds(post.id, me.token, hidden.id)).status).toBe(404);
      expect((await listIds(post.id, hider.token, hidden.id)).status).toBe(200);
    });
  });
});

describe("PATCH /api/comments/{id}", () => {
  it("lets the author edit, recording the previous content", async () => {
    const author = await createUser(t.db);
    const { user: me, token } = await signedIn(t);
    const post = await createPost(t.db, { userId: author.id });
    const comment = await createComment(t.db, { postId: post.id, userId: me.id, content: "before" });
    const res = await t.api.patch(`/api/comments/${comment.id}`, { token, json: { content: " after " } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: comment.id, content: "after", edited: true });
    const history = await t.db.select().from(editHistory).where(eq(editHistory.commentId, comment.id));
    expect(history).toEqual([expect.objectContaining({ previousContent: "before", editorId: me.id, postId: null })]);
    expect((await t.api.get(`/api/posts/${post.id}/comments`, { token })).body.items[0]).toMatchObject({ content: "after", edited: true });
  });

  it("records each of two concurrent edits with what it replaced", async () => {
    const { user: me, token } = await signedIn(t);
    const post = await createPost(t.db, { userId: me.id });
    const comment = await createComment(t.db, { postId: post.id, userId: me.id, content: "v0" });
    const results = await Promise.all(["v1", "v2"].map((content) => t.api.patch(`/api/comments/${comment.id}`, { token, json: { content } })));
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const history = await t.db.select().from(editHistory).where(eq(editHistory.commentId, comment.id)).orderBy(editHistory.id);
    const [final] = await t.db.select().from(postComments).where(eq(postComments.id, comment.id));
    const chain = [...history.map((h) => h.previousContent), final!.content];
    expect(chain[0]).toBe("v0");
    expect([...chain].sort()).toEqual(["v0", "v1", "v2"]);
  });

  it("refuses another user with 403 when they can see it, 404 when they cannot, anonymous with 401, bad content with 400", async () => {
    const author = await signedIn(t);
    const stranger = await signedIn(t);
    const pub = await createPost(t.db, { userId: author.user.id });
    const priv = await createPost(t.db, { userId: author.user.id, visibility: "private" });
    const seen = await createComment(t.db, { postId: pub.id, userId: author.user.id, content: "mine" });
    const unseen = await createComment(t.db, { postId: priv.id, userId: author.user.id, content: "mine" });
    const edit = (id: number, token?: string, content: unknown = "theirs") => t.api.patch(`/api/comments/${id}`, { token, json: { content } });
    const forbidden = await edit(seen.id, stranger.token);
    expect([forbidden.status, forbidden.body.code]).toEqual([403, "not_comment_author"]);
    expect((await edit(unseen.id, stranger.token)).status).toBe(404);
    // The post's author may delete comments on their post, but not rewrite them.
    const byPostAuthor = await createComment(t.db, { postId: pub.id, userId: stranger.user.id, content: "stranger's" });
    expect((await edit(byPostAuthor.id, author.token)).status).toBe(403);
    expect((await edit(seen.id)).status).toBe(401);
    expect((await edit(seen.id, author.token, "")).status).toBe(400);
    expect((await edit(seen.id, author.token, "x".repeat(2001))).status).toBe(400);
    const rows = await t.db.select().from(postComments).where(eq(postComments.postId, pub.id)).orderBy(postComments.id);
    expect(rows.map((r) => r.content)).toEqual(["mine", "stranger's"]);
    expect(await t.db.select().from(editHistory).where(eq(editHistory.commentId, seen.id))).toEqual([]);
  });
});

describe("DELETE /api/comments/{id}", () => {
  it("lets the author delete, with the replies, lowering the count by exactly what was deleted", async () => {
    const author = await createUser(t.db);
    const { user: me, token } = await signedIn(t);
    const post = await createPost(t.db, { userId: author.id });
    const keep = await createComment(t.db, { postId: post.id, userId: author.id });
    const doomed = await createComment(t.db, { postId: post.id, userId: me.id });
    await createComment(t.db, { postId: post.id, userId: author.id, parentCommentId: doomed.id });
    await createComment(t.db, { postId: post.id, userId: me.id, parentCommentId: doomed.id });
    await t.db.insert(commentLikes).values({ commentId: doomed.id, userId: author.id });
    expect(await counters(post.id)).toEqual({ counter: 4, rows: 4 });
    expect((await t.api.delete(`/api/comments/${doomed.id}`, { token })).status).toBe(204);
    expect(await counters(post.id)).toEqual({ counter: 1, rows: 1 });
    expect((await listIds(post.id, token)).ids).toEqual([keep.id]);
    expect(await t.db.select().from(commentLikes).where(eq(commentLikes.commentId, doomed.id))).toEqual([]);
    expect((await t.api.delete(`/api/comments/${doomed.id}`, { token })).status).toBe(404);
  });

  it("deletes a reply alone", async () => {
    const { user: me, token } = await signedIn(t);
    const post = await createPost(t.db, { userId: me.id });
    const top = await createComment(t.db, { postId: post.id, userId: me.id });
    const reply = await createComment(t.db, { postId: post.id, userId: me.id, parentCommentId: top.id });
    expect((await t.api.delete(`/api/comments/${reply.id}`, { token })).status).toBe(204);
    expect(await counters(post.id)).toEqual({ counter: 1, rows: 1 });
  });

  it("lets the post's author and a moderator delete others' comments; refuses a stranger (403), the unseen (404) and anonymous (401)", async () => {
    const postAuthor = await signedIn(t);
    const stranger = await signedIn(t);
    const moderator = await signedIn(t, { role: "admin" });
    const commenter = await createUser(t.db);
    const post = await createPost(t.db, { userId: postAuthor.user.id });
    const [a, b, c] = [
      await createComment(t.db, { postId: post.id, userId: commenter.id }),
      await createComment(t.db, { postId: post.id, userId: commenter.id }),
      await createComment(t.db, { postId: post.id, userId: commenter.id }),
    ];
    const refused = await t.api.delete(`/api/comments/${a.id}`, { token: stranger.token });
    expect([refused.status, refused.body.code]).toEqual([403, "comment_delete_forbidden"]);
    expect((await t.api.delete(`/api/comments/${a.id}`)).status).toBe(401);
    expect((await t.api.delete(`/api/comments/${a.id}`, { token: postAuthor.token })).status).toBe(204);
    expect((await t.api.delete(`/api/comments/${b.id}`, { token: moderator.token })).status).toBe(204);
    expect(await counters(post.id)).toEqual({ counter: 1, rows: 1 });
    const priv = await createPost(t.db, { userId: commenter.id, visibility: "private" });
    const unseen = await createComment(t.db, { postId: priv.id, userId: commenter.id });
    expect((await t.api.delete(`/api/comments/${unseen.id}`, { token: stranger.token })).status).toBe(404);
    expect((await t.api.delete(`/api/comments/${unseen.id}`, { token: moderator.token })).status).toBe(404);
    expect((await listIds(post.id)).ids).toEqual([c.id]);
  });
});

describe("POST and DELETE /api/comments/{id}/like", () => {
  it("likes idempotently, answers {liked, likes}, notifies the comment's author once per liker, coalesced", async () => {
    const commenter = await createUser(t.db);
    const [ana, bruno] = [await signedIn(t), await signedIn(t)];
    const post = await createPost(t.db, { userId: commenter.id });
    const comment = await createComment(t.db, { postId: post.id, userId: commenter.id });
    const like = (token: string) => t.api.post(`/api/comments/${comment.id}/like`, { token });
    expect((await like(ana.token)).body).toEqual({ liked: true, likes: 1 });
    expect((await like(ana.token)).body).toEqual({ liked: true, likes: 1 });
    expect((await like(bruno.token)).body).toEqual({ liked: true, likes: 2 });
    expect(await notificationsOf(commenter.id)).toEqual([
      expect.objectContaining({ type: "comment_like", subjectType: "comment", subjectId: comment.id, count: 2, actorId: bruno.user.id }),
    ]);
    const unlike = (token: string) => t.api.delete(`/api/comments/${comment.id}/like`, { token });
    expect((await unlike(ana.token)).body).toEqual({ liked: false, likes: 1 });
    expect((await unlike(ana.token)).body).toEqual({ liked: false, likes: 1 });
    expect(await commentLikesOf(comment.id)).toEqual({ counter: 1, rows: 1 });
  });

  it("is 404 for a comment the caller may not see, and 401 anonymous", async () => {
    const commenter = await createUser(t.db);
    const { user: me, token } = await signedIn(t);
    const pub = await createPost(t.db, { userId: commenter.id });
    const priv = await createPost(t.db, { userId: commenter.id, visibility: "private" });
    const unseen = await createComment(t.db, { postId: priv.id, userId: commenter.id });
    const hidden = await createComment(t.db, { postId: pub.id, userId: commenter.id, hiddenAt: new Date() });
    const blocker = await createUser(t.db);
    const byBlocker = await createComment(t.db, { postId: pub.id, userId: blocker.id });
    await t.db.insert(blockedUsers).values({ blockerId: blocker.id, blockedId: me.id });
    for (const c of [unseen, hidden, byBlocker]) {
      expect((await t.api.post(`/api/comments/${c.id}/like`, { token })).status).toBe(404);
      expect((await t.api.delete(`/api/comments/${c.id}/like`, { token })).status).toBe(404);
    }
    expect((await t.api.post(`/api/comments/${byBlocker.id}/like`)).status).toBe(401);
    expect(await t.db.select().from(commentLikes).where(eq(commentLikes.userId, me.id))).toEqual([]);
  });
});

describe("comments: races (exact counters on PostgreSQL)", () => {
  it("counts 20 concurrent comments exactly", async () => {
    const author = await createUser(t.db);
    const post = await createPost(t.db, { userId: author.id });
    const commenters = await Promise.all(Array.from({ length: 20 }, () => signedIn(t)));
    const results = await Promise.all(commenters.map((c) => t.api.post(`/api/posts/${post.id}/comments`, { token: c.token, json: { content: "olé" } })));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(await counters(post.id)).toEqual({ counter: 20, rows: 20 });
    const [note] = await notificationsOf(author.id);
    expect(note).toMatchObject({ type: "post_comment", count: 20 });
  });

  it("keeps comment likes exact under 20 concurrent likes and unlikes, repeats included", async () => {
    const commenter = await createUser(t.db);
    const post = await createPost(t.db, { userId: commenter.id });
    const comment = await createComment(t.db, { postId: post.id, userId: commenter.id });
    const likers = await Promise.all(Array.from({ length: 20 }, () => signedIn(t)));
    const path = `/api/comments/${comment.id}/like`;
    const liked = await Promise.all([...likers, ...likers.slice(0, 5)].map((l) => t.api.post(path, { token: l.token })));
    expect(liked.every((r) => r.status === 200)).toBe(true);
    expect(await commentLikesOf(comment.id)).toEqual({ counter: 20, rows: 20 });
    const mixed = await Promise.all([
      ...likers.slice(0, 10).map((l) => t.api.delete(path, { token: l.token })),
      ...likers.slice(0, 10).map((l) => t.api.delete(path, { token: l.token })),
      ...likers.slice(10).map((l) => t.api.post(path, { token: l.token })),
    ]);
    expect(mixed.every((r) => r.status === 200)).toBe(true);
    expect(await commentLikesOf(comment.id)).toEqual({ counter: 10, rows: 10 });
    expect(mixed.map((r) => Number(r.body.likes)).every((n: number) => n >= 10 && n <= 20)).toBe(true);
  });

  it("leaves nothing orphaned when a comment races the post's deletion", async () => {
    for (let round = 0; round < 3; round++) {
      const author = await createUser(t.db);
      const { token } = await signedIn(t);
      const post = await createPost(t.db, { userId: author.id });
      const [res] = await Promise.all([
        t.api.post(`/api/posts/${post.id}/comments`, { token, json: { content: "race" } }),
        t.db.delete(posts).where(eq(posts.id, post.id)),
      ]);
      expect([201, 404]).toContain(res.status);
      expect(await t.db.select().from(postComments).where(eq(postComments.postId, post.id))).toEqual([]);
    }
  });

  it("leaves no reply orphaned when replies race their thread's deletion, and the count stays exact", async () => {
    for (let round = 0; round < 3; round++) {
      const owner = await signedIn(t);
      const post = await createPost(t.db, { userId: owner.user.id });
      const top = await createComment(t.db, { postId: post.id, userId: owner.user.id });
      const repliers = await Promise.all(Array.from({ length: 6 }, () => signedIn(t)));
      const results = await Promise.all([
        ...repliers.map((r) => t.api.post(`/api/posts/${post.id}/comments`, { token: r.token, json: { content: "re", parentId: top.id } })),
        t.api.delete(`/api/comments/${top.id}`, { token: owner.token }),
      ]);
      expect(results.at(-1)!.status).toBe(204);
      for (const r of results.slice(0, -1)) expect([201, 400]).toContain(r.status);
      const orphans = await t.db.execute(sql`
        SELECT r.id FROM post_comments r WHERE r.post_id = ${post.id} AND r.parent_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM post_comments p WHERE p.id = r.parent_id)`);
      expect(orphans.rows).toEqual([]);
      expect(await counters(post.id)).toEqual({ counter: 0, rows: 0 });
    }
  });

  it("refuses a comment after a block between commenter and author, and hides one that raced it", async () => {
    const author = await signedIn(t);
    const commenter = await signedIn(t);
    const post = await createPost(t.db, { userId: author.user.id });
    const [raced] = await Promise.all([
      t.api.post(`/api/posts/${post.id}/comments`, { token: commenter.token, json: { content: "race" } }),
      t.api.post(`/api/users/${commenter.user.id}/block`, { token: author.token }),
    ]);
    expect([201, 404]).toContain(raced.status);
    const after = await t.api.post(`/api/posts/${post.id}/comments`, { token: commenter.token, json: { content: "after" } });
    expect(after.status).toBe(404);
    expect((await listIds(post.id, author.token)).ids).toEqual([]);
    expect((await listIds(post.id, commenter.token)).status).toBe(404);
    const rows = await t.db.select().from(postComments).where(and(eq(postComments.postId, post.id), eq(postComments.content, "after")));
    expect(rows).toEqual([]);
  });

  it("a suspended commenter's comments disappear from the list, and come back when lifted", async () => {
    const author = await createUser(t.db);
    const commenter = await signedIn(t);
    const post = await createPost(t.db, { userId: author.id });
    await t.api.post(`/api/posts/${post.id}/comments`, { token: commenter.token, json: { content: "hola" } });
    expect((await listIds(post.id)).ids).toHaveLength(1);
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, commenter.user.id));
    expect((await listIds(post.id)).ids).toEqual([]);
    await t.db.update(users).set({ suspended: false }).where(eq(users.id, commenter.user.id));
    expect((await listIds(post.id)).ids).toHaveLength(1);
  });
});

describe("OpenAPI", () => {
  it("documents the comment routes", async () => {
    const { paths } = (await t.api.get("/openapi.json")).body;
    expect(Object.keys(paths["/api/posts/{id}/comments"]).sort()).toEqual(["get", "post"]);
    expect(Object.keys(paths["/api/comments/{id}"]).sort()).toEqual(["delete", "patch"]);
    expect(Object.keys(paths["/api/comments/{id}/like"]).sort()).toEqual(["delete", "post"]);
  });
});
