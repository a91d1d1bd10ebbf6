import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { moderationQueue, reports } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createComment, createPost, createUser, unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { BAD_IDEMPOTENCY_KEYS, expectBadKey, expectKeyReused, expectOneCreated, expectReplay, keyHeaders } from "../../../test/idempotency";

const t = await useTestDatabase();

type Kind = "posts" | "comments" | "users";
const targetType = { posts: "post", comments: "comment", users: "user" } as const;

const report = (token: string, kind: Kind, id: number, key: string | undefined, json: unknown = { reason: "spam" }) =>
  t.api.post(`/api/${kind}/${id}/report`, { token, json, headers: keyHeaders(key) });

/** A fresh target of each kind, owned by someone else. */
async function aTarget(kind: Kind): Promise<number> {
  const owner = await createUser(t.db);
  if (kind === "users") return owner.id;
  const post = await createPost(t.db, { userId: owner.id });
  if (kind === "posts") return post.id;
  return (await createComment(t.db, { postId: post.id, userId: owner.id })).id;
}

/** The target's report rows and its open queue item's count. */
async function counts(kind: Kind, id: number) {
  const type = targetType[kind];
  const rows = await t.db.select().from(reports).where(and(eq(reports.targetType, type), eq(reports.targetId, id)));
  const [item] = await t.db
    .select({ reportCount: moderationQueue.reportCount })
    .from(moderationQueue)
    .where(and(eq(moderationQueue.targetType, type), eq(moderationQueue.targetId, id)));
  return { rows: rows.length, queued: item?.reportCount ?? 0 };
}

describe.each(["posts", "comments", "users"] as const)("POST /api/%s/{id}/report with an Idempotency-Key", (kind) => {
  it("answers a repeat with the first 201 (Idempotent-Replayed), not 409 already_reported, and reports once", async () => {
    const id = await aTarget(kind);
    const { token } = await signedIn(t);
    const key = unique("key");
    const first = await report(token, kind, id, key, { reason: "harassment", details: "Insults" });
    const again = await report(token, kind, id, key, { details: "Insults", reason: "harassment" });
    expectReplay(first, again);
    expect(await counts(kind, id)).toEqual({ rows: 1, queued: 1 });
  });

  it("keeps 409 already_reported for a repeat under another key or none", async () => {
    const id = await aTarget(kind);
    const { token } = await signedIn(t);
    expect((await report(token, kind, id, unique("key"))).status).toBe(201);
    for (const key of [unique("key"), undefined]) {
      const res = await report(token, kind, id, key);
      expect([res.status, res.body.code]).toEqual([409, "already_reported"]);
    }
    expect(await counts(kind, id)).toEqual({ rows: 1, queued: 1 });
  });

  it("refuses the same key with another body, or on another target (422 idempotency_key_reused)", async () => {
    const [id, other] = [await aTarget(kind), await aTarget(kind)];
    const { token } = await signedIn(t);
    const key = unique("key");
    expect((await report(token, kind, id, key, { reason: "spam" })).status).toBe(201);
    const otherBody = await report(token, kind, id, key, { reason: "other" });
    expectKeyReused(otherBody);
    const otherTarget = await report(token, kind, other, key, { reason: "spam" });
    expectKeyReused(otherTarget);
    expect(await counts(kind, id)).toEqual({ rows: 1, queued: 1 });
    expect(await counts(kind, other)).toEqual({ rows: 0, queued: 0 });
  });

  it("reports once for concurrent requests with one key, and all get the same 201 body", async () => {
    const id = await aTarget(kind);
    const { token } = await signedIn(t);
    const key = unique("key");
    const results = await Promise.all(Array.from({ length: 4 }, () => report(token, kind, id, key)));
    expectOneCreated(results);
    expect(await counts(kind, id)).toEqual({ rows: 1, queued: 1 });
  });

  it("keeps keys per user: another dancer's same key files their own report", async () => {
    const id = await aTarget(kind);
    const [ana, bruno] = [await signedIn(t), await signedIn(t)];
    const key = unique("key");
    const a = await report(ana.token, kind, id, key);
    const b = await report(bruno.token, kind, id, key);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers.get("Idempotent-Replayed")).toBeNull();
    expect(a.body.id).not.toBe(b.body.id);
    expect(await counts(kind, id)).toEqual({ rows: 2, queued: 2 });
  });

  it.each(BAD_IDEMPOTENCY_KEYS)("refuses a key that is %s (400)", async (_label, key) => {
    const id = await aTarget(kind);
    const { token } = await signedIn(t);
    const res = await report(token, kind, id, key);
    expectBadKey(res);
    expect(await counts(kind, id)).toEqual({ rows: 0, queued: 0 });
  });
});

describe("reports with an Idempotency-Key: refusals store nothing", () => {
  it("stores no key for a refused self-report, so the key stays free", async () => {
    const { user: me, token } = await signedIn(t);
    const key = unique("key");
    const post = await createPost(t.db, { userId: me.id });
    expect((await report(token, "posts", post.id, key)).status).toBe(400);
    const id = await aTarget("posts");
    expect((await report(token, "posts", id, key)).status).toBe(201);
  });
});
