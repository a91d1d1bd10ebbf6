import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, moderationActions, moderationQueue, postComments, posts, reports, users } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createComment, createPost, createUser } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { visibleTo } from "../posts";
import { AUTO_HIDE_THRESHOLD } from "./index";

const t = await useTestDatabase();

type Kind = "posts" | "comments" | "users";

function report(token: string, kind: Kind, id: number, body: Record<string, unknown> = { reason: "spam" }) {
  return t.api.post(`/api/${kind}/${id}/report`, { token, json: body });
}

async function reporters(n: number) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await signedIn(t));
  return out;
}

async function queueOf(targetType: string, targetId: number) {
  return t.db
    .select()
    .from(moderationQueue)
    .where(and(eq(moderationQueue.targetType, targetType), eq(moderationQueue.targetId, targetId)));
}

async function actionsOf(targetType: string, targetId: number) {
  return t.db
    .select()
    .from(moderationActions)
    .where(and(eq(moderationActions.targetType, targetType), eq(moderationActions.targetId, targetId)));
}

async function seesPost(viewerId: number | null, postId: number) {
  const rows = await t.db.select({ id: posts.id }).from(posts).where(and(eq(posts.id, postId), visibleTo(viewerId)));
  return rows.length === 1;
}

describe("POST /api/{posts,comments,users}/{id}/report: happy paths", () => {
  it("files a report (201), queues its target and links the report to the queue item", async () => {
    const author = await createUser(t.db);
    const post = await createPost(t.db, { userId: author.id });
    const { user, token } = await signedIn(t);
    const res = await report(token, "posts", post.id, { reason: "harassment", details: "  Insults in\nthe comments  " });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      targetType: "post",
      targetId: post.id,
      reason: "harassment",
      details: "Insults in\nthe comments",
      createdAt: expect.stringMatching(/Z$/),
    });
    const [item] = await queueOf("post", post.id);
    expect(item).toMatchObject({ status: "pending", reportCount: 1, targetOwnerId: author.id });
    const [row] = await t.db.select().from(reports).where(eq(reports.id, res.body.id));
    expect(row).toMatchObject({ reporterId: user.id, queueId: item!.id });
  });

  it("reports comments and users, each into its own queue item; empty details are stored as none", async () => {
    const author = await createUser(t.db);
    const post = await createPost(t.db, { userId: author.id });
    const comment = await createComment(t.db, { postId: post.id, userId: author.id });
    const { token } = await signedIn(t);
    const onComment = await report(token, "comments", comment.id, { reason: "hate", details: "   " });
    expect(onComment.status).toBe(201);
    expect(onComment.body).toMatchObject({ targetType: "comment", targetId: comment.id, details: null });
    expect((await report(token, "users", author.id, { reason: "impersonation" })).status).toBe(201);
    expect(await queueOf("comment", comment.id)).toEqual([expect.objectContaining({ reportCount: 1 })]);
    expect(await queueOf("user", author.id)).toEqual([expect.objectContaining({ reportCount: 1, targetOwnerId: author.id })]);
    expect(await queueOf("post", post.id)).toEqual([]);
  });
});

describe("reports: input", () => {
  it.each([
    ["a reason off the list", { reason: "boring" }],
    ["no reason", { details: "spam" }],
    ["details over 1000 characters", { reason: "spam", details: "x".repeat(1001) }],
    ["details with a control character", { reason: "spam", details: "bad\u0007" }],
  ])("refuses %s with 400", async (_label, body) => {
    const post = await createPost(t.db, { userId: (await createUser(t.db)).id });
    const { token } = await signedIn(t);
    const res = await report(token, "posts", post.id, body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("validation_failed");
    expect(await queueOf("post", post.id)).toEqual([]);
  });
});

describe("reports: one per reporter and target", () => {
  it("refuses a second report by the same reporter (409 already_reported), whatever the reason", async () => {
    const post = await createPost(t.db, { userId: (await createUser(t.db)).id });
    const { token } = await signedIn(t);
    expect((await report(token, "posts", post.id)).status).toBe(201);
    const again = await report(token, "posts", post.id, { reason: "other" });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("already_reported");
    expect(await queueOf("post", post.id)).toEqual([expect.objectContaining({ reportCount: 1 })]);
  });

  it("stores one report and counts one when the same reporter sends it several times at once", async () => {
    const target = await createUser(t.db);
    const { token } = await signedIn(t);
    const results = await Promise.all(Array.from({ length: 5 }, () => report(token, "users", target.id)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === "already_reported")).toBe(true);
    expect(await queueOf("user", target.id)).toEqual([expect.objectContaining({ reportCount: 1 })]);
    expect(await t.db.select().from(reports).where(eq(reports.targetId, target.id))).toHaveLength(1);
  });
});

describe("reports: refused targets", () => {
  it("refuses reporting yourself or your own content (400 cannot_report_self)", async () => {
    const { user, token } = await signedIn(t);
    const post = await createPost(t.db, { userId: user.id });
    const comment = await createComment(t.db, { postId: post.id, userId: user.id });
    for (const [kind, id] of [["posts", post.id], ["comments", comment.id], ["users", user.id]] as const) {
      const res = await report(token, kind, id);
      expect(res.status, kind).toBe(400);
      expect(res.body.code, kind).toBe("cannot_report_self");
    }
    expect(await t.db.select().from(reports).where(eq(reports.reporterId, user.id))).toEqual([]);
  });

  it("is 404 for a post the reporter may not see: private, friends-only, hidden, or across a block", async () => {
    const author = await createUser(t.db);
    const { user, token } = await signedIn(t);
    const priv = await createPost(t.db, { userId: author.id, visibility: "private" });
    const friendsOnly = await createPost(t.db, { userId: author.id, visibility: "friends" });
    const hidden = await createPost(t.db, { userId: author.id, hiddenAt: new Date() });
    const blockedAuthor = await createUser(t.db);
    const blockedPost = await createPost(t.db, { userId: blockedAuthor.id });
    await t.db.insert(blockedUsers).values({ blockerId: blockedAuthor.id, blockedId: user.id });
    for (const id of [priv.id, friendsOnly.id, hidden.id, blockedPost.id, 2147483647]) {
      const res = await report(token, "posts", id);
      expect(res.status, String(id)).toBe(404);
      expect(res.body.code).toBe("not_found");
    }
    expect(await t.db.select().from(reports).where(eq(reports.reporterId, user.id))).toEqual([]);
  });

  it("is 404 for a comment the reporter may not see: on a private post, hidden, or by a blocked dancer", async () => {
    const author = await createUser(t.db);
    const { user, token } = await signedIn(t);
    const priv = await createPost(t.db, { userId: author.id, visibility: "private" });
    const pub = await createPost(t.db, { userId: author.id });
    const onPrivate = await createComment(t.db, { postId: priv.id, userId: author.id });
    const hidden = await createComment(t.db, { postId: pub.id, userId: author.id, hiddenAt: new Date() });
    const blocker = await createUser(t.db);
    const byBlocker = await createComment(t.db, { postId: pub.id, userId: blocker.id });
    await t.db.insert(blockedUsers).values({ blockerId: user.id, blockedId: blocker.id });
    for (const id of [onPrivate.id, hidden.id, byBlocker.id, 2147483647]) {
      expect((await report(token, "comments", id)).status, String(id)).toBe(404);
    }
    expect(await t.db.select().from(reports).where(eq(reports.reporterId, user.id))).toEqual([]);
  });

  it("is 404 for a user who is unknown, suspended, or blocked either way", async () => {
    const { user, token } = await signedIn(t);
    const [suspended, blocker, blocked] = await Promise.all([
      createUser(t.db, { suspended: true }),
      createUser(t.db),
      createUser(t.db),
    ]);
    await t.db.insert(blockedUsers).values([
      { blockerId: blocker.id, blockedId: user.id },
      { blockerId: user.id, blockedId: blocked.id },
    ]);
    for (const id of [suspended.id, blocker.id, blocked.id, 2147483647]) {
      expect((await report(token, "users", id)).status, String(id)).toBe(404);
    }
  });
});

describe("reports: hidden after enough distinct reporters", () => {
  it(`hides a post at ${AUTO_HIDE_THRESHOLD} reporters, records auto_hide, and only its author still sees it`, async () => {
    const author = await createUser(t.db);
    const post = await createPost(t.db, { userId: author.id });
    const [first, ...rest] = await reporters(AUTO_HIDE_THRESHOLD);
    expect((await report(first!.token, "posts", post.id)).status).toBe(201);
    for (const r of rest.slice(0, -1)) expect((await report(r.token, "posts", post.id, { reason: "nudity" })).status).toBe(201);
    expect(await seesPost(null, post.id)).toBe(true);
    expect(await actionsOf("post", post.id)).toEqual([]);

    expect((await report(rest.at(-1)!.token, "posts", post.id)).status).toBe(201);
    const [row] = await t.db.select().from(posts).where(eq(posts.id, post.id));
    expect(row!.hiddenAt).not.toBeNull();
    const [item] = await queueOf("post", post.id);
    expect(item).toMatchObject({ status: "pending", reportCount: AUTO_HIDE_THRESHOLD });
    expect(await actionsOf("post", post.id)).toEqual([
      expect.objectContaining({ action: "auto_hide", moderatorId: null, queueId: item!.id }),
    ]);
    expect(await seesPost(null, post.id)).toBe(false);
    expect(await seesPost(first!.user.id, post.id)).toBe(false);
    expect(await seesPost(author.id, post.id)).toBe(true);
    // Now hidden, it cannot be reported by anyone else.
    expect((await report((await signedIn(t)).token, "posts", post.id)).status).toBe(404);
  });

  it("hides a comment the same way", async () => {
    const author = await createUser(t.db);
    const post = await createPost(t.db, { userId: author.id });
    const comment = await createComment(t.db, { postId: post.id, userId: author.id });
    for (const r of await reporters(AUTO_HIDE_THRESHOLD)) expect((await report(r.token, "comments", comment.id)).status).toBe(201);
    const [row] = await t.db.select().from(postComments).where(eq(postComments.id, comment.id));
    expect(row!.hiddenAt).not.toBeNull();
    expect(await actionsOf("comment", comment.id)).toEqual([expect.objectContaining({ action: "auto_hide" })]);
  });

  it("keeps a reported user queued, never suspended automatically", async () => {
    const target = await createUser(t.db);
    for (const r of await reporters(AUTO_HIDE_THRESHOLD + 1)) expect((await report(r.token, "users", target.id)).status).toBe(201);
    const [row] = await t.db.select().from(users).where(eq(users.id, target.id));
    expect(row!.suspended).toBe(false);
    expect(await queueOf("user", target.id)).toEqual([expect.objectContaining({ reportCount: AUTO_HIDE_THRESHOLD + 1 })]);
    expect(await actionsOf("user", target.id)).toEqual([]);
  });
});

describe("reports: races", () => {
  it("counts every distinct reporter exactly when they report at once, and hides once", async () => {
    const author = await createUser(t.db);
    const post = await createPost(t.db, { userId: author.id });
    const many = await reporters(6);
    const results = await Promise.all(many.map((r) => report(r.token, "posts", post.id)));
    // A reporter whose statement ran after the post was hidden no longer sees it: 404.
    for (const res of results) expect([201, 404]).toContain(res.status);
    const filed = results.filter((r) => r.status === 201).length;
    expect(filed).toBeGreaterThanOrEqual(AUTO_HIDE_THRESHOLD);
    const [item] = await queueOf("post", post.id);
    expect(item!.reportCount).toBe(filed);
    const rows = await t.db.select().from(reports).where(and(eq(reports.targetType, "post"), eq(reports.targetId, post.id)));
    expect(rows).toHaveLength(filed);
    expect(rows.every((r) => r.queueId === item!.id)).toBe(true);
    expect((await actionsOf("post", post.id)).filter((a) => a.action === "auto_hide")).toHaveLength(1);
  });

  it("counts six reporters of one user at once exactly", async () => {
    const target = await createUser(t.db);
    const many = await reporters(6);
    const results = await Promise.all(many.map((r) => report(r.token, "users", target.id)));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(201));
    expect(await queueOf("user", target.id)).toEqual([expect.objectContaining({ reportCount: 6 })]);
  });

  it("answers a report racing the post's deletion with 201 or 404, never half-written", async () => {
    for (let round = 0; round < 3; round++) {
      const author = await createUser(t.db);
      const post = await createPost(t.db, { userId: author.id });
      const many = await reporters(3);
      const [, ...results] = await Promise.all([
        t.db.delete(posts).where(eq(posts.id, post.id)),
        ...many.map((r) => report(r.token, "posts", post.id)),
      ]);
      for (const res of results) expect([201, 404]).toContain(res.status);
      const filed = results.filter((r) => r.status === 201).length;
      const rows = await t.db.select().from(reports).where(and(eq(reports.targetType, "post"), eq(reports.targetId, post.id)));
      expect(rows).toHaveLength(filed);
      const items = await queueOf("post", post.id);
      expect(items.reduce((n, i) => n + i.reportCount, 0)).toBe(filed);
      if (filed > 0) expect(rows.every((r) => r.queueId === items[0]!.id)).toBe(true);
      expect(await t.db.select().from(posts).where(inArray(posts.id, [post.id]))).toEqual([]);
    }
  });
});

describe("reports: security", () => {
  it("is 401 without a token", async () => {
    const target = await createUser(t.db);
    expect((await t.api.post(`/api/users/${target.id}/report`, { json: { reason: "spam" } })).status).toBe(401);
  });

  it("shows the reporter nothing of the queue or of other reporters", async () => {
    const post = await createPost(t.db, { userId: (await createUser(t.db)).id });
    const [a, b] = await reporters(2);
    await report(a!.token, "posts", post.id);
    const res = await report(b!.token, "posts", post.id);
    expect(Object.keys(res.body).sort()).toEqual(["createdAt", "details", "id", "reason", "targetId", "targetType"]);
  });
});
