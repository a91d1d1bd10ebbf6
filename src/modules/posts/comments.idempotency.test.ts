import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { posts } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createPost, createUser, unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { BAD_IDEMPOTENCY_KEYS, expectBadKey, expectKeyReused, expectOneCreated, expectReplay, keyHeaders } from "../../../test/idempotency";

const t = await useTestDatabase();

const comment = (token: string, postId: number, key: string | undefined, json: unknown) =>
  t.api.post(`/api/posts/${postId}/comments`, { token, json, headers: keyHeaders(key) });

/** The post's comment counter and its comment rows. */
async function counts(postId: number) {
  const [row] = await t.db.select({ comments: posts.comments }).from(posts).where(eq(posts.id, postId));
  const { rows } = await t.db.execute<{ count: number }>(sql`SELECT count(*)::int AS count FROM post_comments WHERE post_id = ${postId}`);
  return { counter: row?.comments ?? 0, rows: Number(rows[0]!.count) };
}

async function aPost() {
  const author = await createUser(t.db);
  return createPost(t.db, { userId: author.id });
}

describe("POST /api/posts/{id}/comments with an Idempotency-Key", () => {
  it("answers a repeat with the first response (Idempotent-Replayed) and creates nothing more", async () => {
    const post = await aPost();
    const { token } = await signedIn(t);
    const key = unique("key");
    const first = await comment(token, post.id, key, { content: "Una vez" });
    const again = await comment(token, post.id, key, { content: "Una vez" });
    expectReplay(first, again);
    expect(await counts(post.id)).toEqual({ counter: 1, rows: 1 });
  });

  it("refuses the same key with another body, or on another post (422 idempotency_key_reused)", async () => {
    const [post, other] = [await aPost(), await aPost()];
    const { token } = await signedIn(t);
    const key = unique("key");
    expect((await comment(token, post.id, key, { content: "one" })).status).toBe(201);
    const otherBody = await comment(token, post.id, key, { content: "two" });
    expectKeyReused(otherBody);
    const otherPost = await comment(token, other.id, key, { content: "one" });
    expectKeyReused(otherPost);
    expect(await counts(post.id)).toEqual({ counter: 1, rows: 1 });
    expect(await counts(other.id)).toEqual({ counter: 0, rows: 0 });
  });

  it("creates one comment for concurrent requests with one key, and all get the same body", async () => {
    const post = await aPost();
    const { token } = await signedIn(t);
    const key = unique("key");
    const results = await Promise.all(Array.from({ length: 4 }, () => comment(token, post.id, key, { content: "Juntos" })));
    expectOneCreated(results);
    expect(await counts(post.id)).toEqual({ counter: 1, rows: 1 });
  });

  it("keeps keys per user, and without a key each request is a comment", async () => {
    const post = await aPost();
    const [ana, bruno] = await Promise.all([signedIn(t), signedIn(t)]);
    const key = unique("key");
    const a = await comment(ana.token, post.id, key, { content: "same" });
    const b = await comment(bruno.token, post.id, key, { content: "same" });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers.get("Idempotent-Replayed")).toBeNull();
    expect(a.body.id).not.toBe(b.body.id);
    const plain = [await comment(ana.token, post.id, undefined, { content: "same" }), await comment(ana.token, post.id, undefined, { content: "same" })];
    expect(plain.map((r) => r.status)).toEqual([201, 201]);
    expect(plain[0]!.body.id).not.toBe(plain[1]!.body.id);
    expect(await counts(post.id)).toEqual({ counter: 4, rows: 4 });
  });

  it("stores no key when the comment is refused (invalid_parent)", async () => {
    const post = await aPost();
    const { token } = await signedIn(t);
    const key = unique("key");
    expect((await comment(token, post.id, key, { content: "x", parentId: 2147483647 })).status).toBe(400);
    expect((await comment(token, post.id, key, { content: "x" })).status).toBe(201);
  });

  it.each(BAD_IDEMPOTENCY_KEYS)("refuses a key that is %s (400)", async (_label, key) => {
    const post = await aPost();
    const { token } = await signedIn(t);
    const res = await comment(token, post.id, key, { content: "x" });
    expectBadKey(res);
    expect(await counts(post.id)).toEqual({ counter: 0, rows: 0 });
  });
});
