import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notifications, postShares, posts } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createPost, createUser, unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { BAD_IDEMPOTENCY_KEYS, expectBadKey, expectKeyReused, expectOneCreated, expectReplay, keyHeaders } from "../../../test/idempotency";

const t = await useTestDatabase();

const share = (token: string, postId: number, key: string | undefined, json?: unknown) =>
  t.api.post(`/api/posts/${postId}/share`, { token, json, headers: keyHeaders(key) });

/** The post's share counter, its share rows and its author's notifications. */
async function counts(post: { id: number; userId: number }) {
  const [row] = await t.db.select({ shares: posts.shares }).from(posts).where(eq(posts.id, post.id));
  const rows = await t.db.select().from(postShares).where(eq(postShares.postId, post.id));
  const [note] = await t.db.select({ count: notifications.count }).from(notifications).where(eq(notifications.userId, post.userId));
  return { counter: row?.shares ?? 0, rows: rows.length, notified: note?.count ?? 0 };
}

async function aPost() {
  const author = await createUser(t.db);
  return createPost(t.db, { userId: author.id });
}

describe("POST /api/posts/{id}/share with an Idempotency-Key", () => {
  it("answers a repeat with the first 201 (Idempotent-Replayed), not 409 already_shared, and shares once", async () => {
    const post = await aPost();
    const { token } = await signedIn(t);
    const key = unique("key");
    const first = await share(token, post.id, key, { comment: "Mirá" });
    const again = await share(token, post.id, key, { comment: "Mirá" });
    expectReplay(first, again);
    expect(await counts(post)).toEqual({ counter: 1, rows: 1, notified: 1 });
  });

  it("replays a share made without a body, and after an unshare and share again it replays rather than sharing", async () => {
    const post = await aPost();
    const { token } = await signedIn(t);
    const key = unique("key");
    const first = await share(token, post.id, key);
    expect((await t.api.delete(`/api/posts/${post.id}/share`, { token })).status).toBe(204);
    expectReplay(first, await share(token, post.id, key));
    expect((await counts(post)).rows).toBe(0);
  });

  it("keeps 409 already_shared for a repeat under another key or none", async () => {
    const post = await aPost();
    const { token } = await signedIn(t);
    expect((await share(token, post.id, unique("key"))).status).toBe(201);
    const otherKey = await share(token, post.id, unique("key"));
    expect(otherKey.status).toBe(409);
    expect(otherKey.body.code).toBe("already_shared");
    const noKey = await share(token, post.id, undefined);
    expect(noKey.status).toBe(409);
    expect(noKey.body.code).toBe("already_shared");
    expect(await counts(post)).toEqual({ counter: 1, rows: 1, notified: 1 });
  });

  it("refuses the same key with another body, or on another post (422 idempotency_key_reused)", async () => {
    const [post, other] = [await aPost(), await aPost()];
    const { token } = await signedIn(t);
    const key = unique("key");
    expect((await share(token, post.id, key, { comment: "one" })).status).toBe(201);
    const otherBody = await share(token, post.id, key, { comment: "two" });
    expectKeyReused(otherBody);
    const otherPost = await share(token, other.id, key, { comment: "one" });
    expectKeyReused(otherPost);
    expect(await counts(post)).toEqual({ counter: 1, rows: 1, notified: 1 });
    expect(await counts(other)).toEqual({ counter: 0, rows: 0, notified: 0 });
  });

  it("shares once for concurrent requests with one key, and all get the same 201 body", async () => {
    const post = await aPost();
    const { token } = await signedIn(t);
    const key = unique("key");
    const results = await Promise.all(Array.from({ length: 4 }, () => share(token, post.id, key, { comment: "Juntos" })));
    expectOneCreated(results);
    expect(await counts(post)).toEqual({ counter: 1, rows: 1, notified: 1 });
  });

  it("keeps keys per user: another dancer's same key shares for them", async () => {
    const post = await aPost();
    const [ana, bruno] = await Promise.all([signedIn(t), signedIn(t)]);
    const key = unique("key");
    const a = await share(ana.token, post.id, key);
    const b = await share(bruno.token, post.id, key);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers.get("Idempotent-Replayed")).toBeNull();
    expect(a.body.share.id).not.toBe(b.body.share.id);
    expect(await counts(post)).toEqual({ counter: 2, rows: 2, notified: 2 });
  });

  it("stores no key when the share is refused (422 post_not_shareable)", async () => {
    const { user: me, token } = await signedIn(t);
    const priv = await createPost(t.db, { userId: me.id, visibility: "private" });
    const key = unique("key");
    expect((await share(token, priv.id, key)).status).toBe(422);
    await t.db.update(posts).set({ visibility: "public" }).where(eq(posts.id, priv.id));
    const after = await share(token, priv.id, key);
    expect(after.status).toBe(201);
    expect(after.headers.get("Idempotent-Replayed")).toBeNull();
  });

  it.each(BAD_IDEMPOTENCY_KEYS)("refuses a key that is %s (400)", async (_label, key) => {
    const post = await aPost();
    const { token } = await signedIn(t);
    const res = await share(token, post.id, key);
    expectBadKey(res);
    expect(await counts(post)).toEqual({ counter: 0, rows: 0, notified: 0 });
  });
});
