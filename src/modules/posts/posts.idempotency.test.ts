import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { idempotencyKeys, posts } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";

const t = await useTestDatabase();

async function postsOf(userId: number) {
  return t.db.select({ id: posts.id }).from(posts).where(eq(posts.userId, userId));
}

const create = (token: string, key: string | undefined, json: unknown) =>
  t.api.post("/api/posts", { token, json, headers: key === undefined ? {} : { "Idempotency-Key": key } });

describe("POST /api/posts with an Idempotency-Key", () => {
  it("answers a repeat with the first response (same status and body, Idempotent-Replayed) and creates one post", async () => {
    const { user, token } = await signedIn(t);
    const key = unique("key");
    const body = { content: "Una sola vez #once", visibility: "friends", coordinates: { lat: 1, lng: 2 } };
    const first = await create(token, key, body);
    expect(first.status).toBe(201);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    // The same body with its keys in another order is the same request.
    const again = await create(token, key, { coordinates: { lng: 2, lat: 1 }, visibility: "friends", content: "Una sola vez #once" });
    expect(again.status).toBe(201);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect(await postsOf(user.id)).toHaveLength(1);
  });

  it("refuses the same key with another body (422 idempotency_key_reused) and creates nothing", async () => {
    const { user, token } = await signedIn(t);
    const key = unique("key");
    await create(token, key, { content: "one" });
    const res = await create(token, key, { content: "two" });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("idempotency_key_reused");
    expect(await postsOf(user.id)).toHaveLength(1);
  });

  it("creates one post for two concurrent requests with one key, and both get the same body", async () => {
    const { user, token } = await signedIn(t);
    const key = unique("key");
    const body = { content: `Concurrent ${unique()}` };
    const results = await Promise.all(Array.from({ length: 4 }, () => create(token, key, body)));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    for (const r of results) expect(r.body).toEqual(results[0]!.body);
    expect(results.filter((r) => r.headers.get("Idempotent-Replayed") === null)).toHaveLength(1);
    expect(await postsOf(user.id)).toHaveLength(1);
  });

  it("keeps keys per user: another dancer's same key is theirs", async () => {
    const [ana, bruno] = await Promise.all([signedIn(t), signedIn(t)]);
    const key = unique("key");
    const a = await create(ana.token, key, { content: "same" });
    const b = await create(bruno.token, key, { content: "same" });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers.get("Idempotent-Replayed")).toBeNull();
    expect(a.body.id).not.toBe(b.body.id);
  });

  it("creates a new post once the key expired (24 hours), and replays that one after", async () => {
    const { user, token } = await signedIn(t);
    const key = unique("key");
    const first = await create(token, key, { content: "yesterday" });
    await t.db
      .update(idempotencyKeys)
      .set({ expiresAt: sql`now() - interval '1 minute'` })
      .where(and(eq(idempotencyKeys.userId, user.id), eq(idempotencyKeys.key, key)));
    const second = await create(token, key, { content: "today" });
    expect(second.status).toBe(201);
    expect(second.headers.get("Idempotent-Replayed")).toBeNull();
    expect(second.body.id).not.toBe(first.body.id);
    expect((await create(token, key, { content: "today" })).body).toEqual(second.body);
    const [row] = await t.db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.userId, user.id), eq(idempotencyKeys.key, key)));
    expect(row!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
  });

  it("stores no key when the create is refused", async () => {
    const { user, token } = await signedIn(t);
    const key = unique("key");
    expect((await create(token, key, { content: "x", eventId: 2147483647 })).status).toBe(400);
    expect(await t.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.userId, user.id))).toEqual([]);
    expect((await create(token, key, { content: "x" })).status).toBe(201);
  });

  it.each([
    ["empty", ""],
    ["too long", "k".repeat(256)],
    ["holding a tab", "a\tb"],
  ])("refuses a key that is %s (400)", async (_label, key) => {
    const { user, token } = await signedIn(t);
    const res = await t.api.post("/api/posts", { token, json: { content: "x" }, headers: { "Idempotency-Key": key } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: "header.idempotency-key" })]));
    expect(await postsOf(user.id)).toEqual([]);
  });
});
