import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { moderationActions, moderationQueue, postComments, posts, users } from "../../../drizzle/schema";
import { auditRowsOf } from "../../../test/admin";
import { signedIn } from "../../../test/auth";
import { createComment, createPost, createUser } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { AUTO_HIDE_THRESHOLD } from "./index";

const t = await useTestDatabase();

type Kind = "posts" | "comments" | "users";

async function reported(kind: Kind, id: number, reasons: string[] = ["spam"]) {
  for (const reason of reasons) {
    const { token } = await signedIn(t);
    const res = await t.api.post(`/api/${kind}/${id}/report`, { token, json: { reason, details: `about ${id}` } });
    expect(res.status).toBe(201);
  }
  const type = kind === "posts" ? "post" : kind === "comments" ? "comment" : "user";
  const [item] = await t.db
    .select()
    .from(moderationQueue)
    .where(and(eq(moderationQueue.targetType, type), eq(moderationQueue.targetId, id), eq(moderationQueue.status, "pending")));
  return item!;
}

const moderator = () => signedIn(t, { role: "admin" });

function decide(token: string, id: number, verb: "claim" | "resolve" | "dismiss", json?: Record<string, unknown>) {
  return t.api.post(`/api/moderation/queue/${id}/${verb}`, { token, ...(json ? { json } : {}) });
}

async function actionsOf(queueId: number) {
  return t.db.select().from(moderationActions).where(eq(moderationActions.queueId, queueId)).orderBy(moderationActions.id);
}

describe("GET /api/moderation/queue", () => {
  it("shows each item's target, author, reasons counted and status", async () => {
    const author = await createUser(t.db, { profileImage: "https://x.test/a.jpg" });
    const post = await createPost(t.db, { userId: author.id, content: "Buy followers here" });
    const comment = await createComment(t.db, { postId: post.id, userId: author.id, content: "Cheap shoes" });
    const commentItem = await reported("comments", comment.id, ["harassment"]);
    const item = await reported("posts", post.id, ["spam", "spam", "other"]);
    const userItem = await reported("users", author.id, ["impersonation"]);
    const { token } = await moderator();
    const res = await t.api.get("/api/moderation/queue?limit=100", { token });
    expect(res.status).toBe(200);
    const byId = new Map(res.body.items.map((i: { id: number }) => [i.id, i]));
    const card = { id: author.id, username: author.username, name: author.name, profileImage: "https://x.test/a.jpg" };
    expect(byId.get(item.id)).toEqual({
      id: item.id,
      status: "pending",
      target: { type: "post", id: post.id, exists: true, owner: card, content: "Buy followers here", postId: post.id, hidden: true, suspended: false },
      reportCount: 3,
      reasons: { spam: 2, other: 1 },
      claimedBy: null,
      claimedAt: null,
      resolvedBy: null,
      resolvedAt: null,
      resolution: null,
      createdAt: expect.stringMatching(/Z$/),
      updatedAt: expect.stringMatching(/Z$/),
    });
    expect(byId.get(commentItem.id)).toMatchObject({
      target: { type: "comment", id: comment.id, owner: card, content: "Cheap shoes", postId: post.id, hidden: false },
      reasons: { harassment: 1 },
    });
    expect(byId.get(userItem.id)).toMatchObject({
      target: { type: "user", id: author.id, exists: true, owner: card, content: null, postId: null },
    });
  });

  it("pages through every item once, oldest first, and filters by status", async () => {
    const { token } = await moderator();
    const mine: number[] = [];
    for (let i = 0; i < 5; i++) mine.push((await reported("users", (await createUser(t.db)).id)).id);
    const seen: { id: number; createdAt: string }[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const res = await t.api.get(`/api/moderation/queue?limit=2${query}`, { token });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    const ids = seen.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => mine.includes(id))).toEqual(mine);
    const sorted = [...seen].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
    expect(ids).toEqual(sorted.map((i) => i.id));

    await decide(token, mine[0]!, "dismiss");
    const dismissed = await t.api.get("/api/moderation/queue?status=dismissed", { token });
    expect(dismissed.body.items.map((i: { id: number }) => i.id)).toContain(mine[0]);
    const openNow = await t.api.get("/api/moderation/queue?limit=100", { token });
    expect(openNow.body.items.map((i: { id: number }) => i.id)).not.toContain(mine[0]);
  });

  it("refuses an anonymous caller (401) and a dancer below moderator level (403)", async () => {
    expect((await t.api.get("/api/moderation/queue")).status).toBe(401);
    for (const role of ["user", "community"]) {
      const { token } = await signedIn(t, { role });
      const res = await t.api.get("/api/moderation/queue", { token });
      expect(res.status, role).toBe(403);
      expect(res.body.code).toBe("insufficient_role");
    }
    const item = await reported("users", (await createUser(t.db)).id);
    const { token } = await signedIn(t);
    expect((await t.api.get(`/api/moderation/queue/${item.id}`, { token })).status).toBe(403);
    expect((await decide(token, item.id, "claim")).status).toBe(403);
  });
});

describe("GET /api/moderation/queue/{id}", () => {
  it("shows the reports with their reporters and the actions taken", async () => {
    const post = await createPost(t.db, { userId: (await createUser(t.db)).id });
    const item = await reported("posts", post.id, ["spam", "hate", "spam"]);
    const { user: mod, token } = await moderator();
    await decide(token, item.id, "claim");
    const res = await t.api.get(`/api/moderation/queue/${item.id}`, { token });
    expect(res.status).toBe(200);
    expect(res.body.reports).toHaveLength(3);
    expect(res.body.reports[0]).toEqual({
      id: expect.any(Number),
      reporter: { id: expect.any(Number), username: expect.any(String), name: expect.any(String), profileImage: null },
      reason: "spam",
      details: `about ${post.id}`,
      createdAt: expect.stringMatching(/Z$/),
    });
    expect(res.body.actions.map((a: { action: string }) => a.action)).toEqual(["auto_hide", "claim"]);
    expect(res.body.actions[0].moderator).toBeNull();
    expect(res.body.actions[1].moderator).toMatchObject({ id: mod.id });
    expect(res.body.claimedBy).toMatchObject({ id: mod.id });
  });

  it("is 404 for an unknown item", async () => {
    const { token } = await moderator();
    expect((await t.api.get("/api/moderation/queue/2147483647", { token })).status).toBe(404);
    expect((await decide(token, 2147483647, "claim")).status).toBe(404);
    expect((await decide(token, 2147483647, "resolve", { action: "none" })).status).toBe(404);
  });
});

describe("POST /api/moderation/queue/{id}/claim", () => {
  it("claims once (re-claiming is a no-op), and another moderator is refused (409 claimed_by_other)", async () => {
    const item = await reported("users", (await createUser(t.db)).id);
    const ana = await moderator();
    const bruno = await moderator();
    const first = await decide(ana.token, item.id, "claim");
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: item.id, status: "claimed", claimedBy: { id: ana.user.id } });
    const again = await decide(ana.token, item.id, "claim");
    expect(again.status).toBe(200);
    expect(again.body.claimedAt).toBe(first.body.claimedAt);
    const other = await decide(bruno.token, item.id, "claim");
    expect(other.status).toBe(409);
    expect(other.body.code).toBe("claimed_by_other");
    for (const verb of ["resolve", "dismiss"] as const) {
      const res = await decide(bruno.token, item.id, verb, verb === "resolve" ? { action: "none" } : {});
      expect(res.status, verb).toBe(409);
      expect(res.body.code).toBe("claimed_by_other");
    }
    expect((await actionsOf(item.id)).map((a) => a.action)).toEqual(["claim"]);
    // The audit log has the first claim only: re-claiming changed nothing, the refusals wrote nothing.
    const audit = await auditRowsOf(t.db, "moderation_item", item.id);
    expect(audit).toMatchObject([
      { actorId: ana.user.id, action: "moderation.claim", before: { status: "pending", claimed_by: null }, after: { status: "claimed", claimed_by: ana.user.id } },
    ]);
  });

  it("gives the item to exactly one of several moderators claiming at once", async () => {
    const item = await reported("users", (await createUser(t.db)).id);
    const mods = [await moderator(), await moderator(), await moderator()];
    const results = await Promise.all(mods.map((m) => decide(m.token, item.id, "claim")));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    expect((await actionsOf(item.id)).filter((a) => a.action === "claim")).toHaveLength(1);
    expect(await auditRowsOf(t.db, "moderation_item", item.id)).toHaveLength(1);
  });
});

describe("POST /api/moderation/queue/{id}/resolve", () => {
  it("hides and unhides a post, each action recorded with the moderator and note", async () => {
    const author = await createUser(t.db);
    const post = await createPost(t.db, { userId: author.id });
    const { user: mod, token } = await moderator();
    const first = await reported("posts", post.id);
    const hide = await decide(token, first.id, "resolve", { action: "hide", note: "Spam ring" });
    expect(hide.status).toBe(200);
    expect(hide.body).toEqual({
      item: { id: first.id, status: "resolved", resolution: "hide", resolvedAt: expect.stringMatching(/Z$/) },
      action: {
        id: expect.any(Number),
        action: "hide",
        moderator: expect.objectContaining({ id: mod.id }),
        note: "Spam ring",
        snapshot: null,
        createdAt: expect.stringMatching(/Z$/),
      },
      applied: true,
    });
    const hiddenAt = async () => (await t.db.select().from(posts).where(eq(posts.id, post.id)))[0]!.hiddenAt;
    expect(await hiddenAt()).not.toBeNull();

    // A later review of the hidden post (nobody else can report it now), queued directly.
    const [second] = await t.db
      .insert(moderationQueue)
      .values({ targetType: "post", targetId: post.id, targetOwnerId: author.id, reportCount: 0 })
      .returning();
    const unhide = await decide(token, second!.id, "resolve", { action: "unhide" });
    expect(unhide.status).toBe(200);
    expect(await hiddenAt()).toBeNull();
    expect((await actionsOf(first.id)).map((a) => [a.action, a.moderatorId, a.note])).toEqual([["hide", mod.id, "Spam ring"]]);
  });

  it("removes a post, keeping its content in the action's snapshot", async () => {
    const post = await createPost(t.db, { userId: (await createUser(t.db)).id, content: "Fake festival tickets" });
    const item = await reported("posts", post.id);
    const { token } = await moderator();
    const res = await decide(token, item.id, "resolve", { action: "remove" });
    expect(res.status).toBe(200);
    expect(res.body.applied).toBe(true);
    expect(res.body.action.snapshot).toMatchObject({ id: post.id, content: "Fake festival tickets" });
    expect(await t.db.select().from(posts).where(eq(posts.id, post.id))).toEqual([]);
    const detail = await t.api.get(`/api/moderation/queue/${item.id}`, { token });
    expect(detail.body.target).toMatchObject({ exists: false, content: null });
    expect(detail.body.actions.at(-1)).toMatchObject({ action: "remove", snapshot: { content: "Fake festival tickets" } });
  });

  it("removes a comment with its replies and takes exactly that many off the post's counter", async () => {
    const author = await createUser(t.db);
    const post = await createPost(t.db, { userId: author.id });
    const keep = await createComment(t.db, { postId: post.id, userId: author.id });
    const target = await createComment(t.db, { postId: post.id, userId: author.id, content: "Rude" });
    const reply = await createComment(t.db, { postId: post.id, userId: author.id, parentCommentId: target.id });
    await createComment(t.db, { postId: post.id, userId: author.id, parentCommentId: reply.id });
    await createComment(t.db, { postId: post.id, userId: author.id, parentCommentId: keep.id });
    const item = await reported("comments", target.id);
    const { token } = await moderator();
    const res = await decide(token, item.id, "resolve", { action: "remove" });
    expect(res.status).toBe(200);
    expect(res.body.action.snapshot).toMatchObject({ id: target.id, content: "Rude", repliesRemoved: 2 });
    const left = await t.db.select({ id: postComments.id }).from(postComments).where(eq(postComments.postId, post.id));
    expect(left).toHaveLength(2);
    const [row] = await t.db.select().from(posts).where(eq(posts.id, post.id));
    expect(row!.comments).toBe(2);
  });

  it("suspends a reported user or a post's author, but not someone ranked at or above the moderator", async () => {
    const { token } = await moderator();
    const dancer = await createUser(t.db);
    const item = await reported("users", dancer.id);
    const res = await decide(token, item.id, "resolve", { action: "suspend", note: "Threats" });
    expect(res.status).toBe(200);
    expect(res.body.applied).toBe(true);
    expect((await t.db.select().from(users).where(eq(users.id, dancer.id)))[0]!.suspended).toBe(true);

    const author = await createUser(t.db);
    const post = await createPost(t.db, { userId: author.id });
    const postItem = await reported("posts", post.id);
    expect((await decide(token, postItem.id, "resolve", { action: "suspend" })).status).toBe(200);
    expect((await t.db.select().from(users).where(eq(users.id, author.id)))[0]!.suspended).toBe(true);

    const admin = await createUser(t.db, { role: "admin" });
    const adminItem = await reported("users", admin.id);
    const refused = await decide(token, adminItem.id, "resolve", { action: "suspend" });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("user_outranks_you");
    expect((await t.db.select().from(users).where(eq(users.id, admin.id)))[0]!.suspended).toBe(false);
    expect((await t.db.select().from(moderationQueue).where(eq(moderationQueue.id, adminItem.id)))[0]!.status).toBe("pending");
  });

  it("refuses an action that does not fit the target (400 action_not_applicable)", async () => {
    const item = await reported("users", (await createUser(t.db)).id);
    const { token } = await moderator();
    for (const action of ["hide", "unhide", "remove"]) {
      const res = await decide(token, item.id, "resolve", { action });
      expect(res.status, action).toBe(400);
      expect(res.body.code).toBe("action_not_applicable");
    }
    const bad = await decide(token, item.id, "resolve", { action: "ban" });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("validation_failed");
  });

  it("decides an item once: a second decision is 409 queue_item_closed", async () => {
    const item = await reported("users", (await createUser(t.db)).id);
    const { user, token } = await moderator();
    expect((await decide(token, item.id, "resolve", { action: "none", note: "Nothing wrong" })).status).toBe(200);
    for (const [verb, body] of [["resolve", { action: "none" }], ["dismiss", {}], ["claim", undefined]] as const) {
      const res = await decide(token, item.id, verb, body);
      expect(res.status, verb).toBe(409);
      expect(res.body.code).toBe("queue_item_closed");
    }
    // One audit row, for the decision that closed the item; the refused ones wrote none.
    expect(await auditRowsOf(t.db, "moderation_item", item.id)).toMatchObject([
      {
        actorId: user.id,
        action: "moderation.none",
        before: { status: "pending", claimed_by: null },
        after: { status: "resolved", resolution: "none", target_type: "user", applied: false, note: "Nothing wrong" },
      },
    ]);
  });

  it("lets exactly one of several racing decisions win; the others are 409 queue_item_closed", async () => {
    const post = await createPost(t.db, { userId: (await createUser(t.db)).id });
    const comment = await createComment(t.db, { postId: post.id, userId: post.userId });
    const item = await reported("comments", comment.id);
    const mods = [await moderator(), await moderator(), await moderator(), await moderator()];
    const results = await Promise.all([
      decide(mods[0]!.token, item.id, "resolve", { action: "remove" }),
      decide(mods[1]!.token, item.id, "resolve", { action: "hide" }),
      decide(mods[2]!.token, item.id, "dismiss", {}),
      decide(mods[3]!.token, item.id, "resolve", { action: "remove" }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    for (const r of results.filter((r) => r.status === 409)) expect(r.body.code).toBe("queue_item_closed");
    expect(await actionsOf(item.id)).toHaveLength(1);
    const audit = await auditRowsOf(t.db, "moderation_item", item.id);
    expect(audit).toHaveLength(1);
    const winner = results.find((r) => r.status === 200)!.body;
    expect(audit[0]!.after).toMatchObject({ status: winner.item.status, resolution: winner.item.resolution, applied: winner.applied });
    const [row] = await t.db.select().from(posts).where(eq(posts.id, post.id));
    const removed = results.some((r) => r.status === 200 && r.body.action.action === "remove");
    expect(row!.comments).toBe(removed ? 0 : 1);
  });
});

describe("POST /api/moderation/queue/{id}/dismiss", () => {
  it("shows content hidden by the reports again and records the dismissal", async () => {
    const post = await createPost(t.db, { userId: (await createUser(t.db)).id });
    const item = await reported("posts", post.id, Array(AUTO_HIDE_THRESHOLD).fill("other"));
    expect((await t.db.select().from(posts).where(eq(posts.id, post.id)))[0]!.hiddenAt).not.toBeNull();
    const { user: mod, token } = await moderator();
    const res = await t.api.post(`/api/moderation/queue/${item.id}/dismiss`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ item: { status: "dismissed", resolution: "dismiss" }, applied: true });
    expect((await t.db.select().from(posts).where(eq(posts.id, post.id)))[0]!.hiddenAt).toBeNull();
    expect((await actionsOf(item.id)).map((a) => [a.action, a.moderatorId])).toEqual([["auto_hide", null], ["dismiss", mod.id]]);
  });

  it("leaves content below the threshold as it is", async () => {
    const post = await createPost(t.db, { userId: (await createUser(t.db)).id });
    const item = await reported("posts", post.id);
    const { token } = await moderator();
    const res = await decide(token, item.id, "dismiss", { note: "Fine" });
    expect(res.body).toMatchObject({ applied: false, action: { action: "dismiss", note: "Fine" } });
  });
});
