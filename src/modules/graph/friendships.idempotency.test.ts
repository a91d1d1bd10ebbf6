import { inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { friendshipActivities, friendshipMedia } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { befriend, mediaUrl, unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { BAD_IDEMPOTENCY_KEYS, expectBadKey, expectKeyReused, expectOneCreated, expectReplay, keyHeaders } from "../../../test/idempotency";

const t = await useTestDatabase();

type Dancer = Awaited<ReturnType<typeof signedIn>>;

async function friends() {
  const [ana, bruno] = [await signedIn(t), await signedIn(t)];
  const { forward, reverse } = await befriend(t.db, ana.user.id, bruno.user.id);
  return { ana, bruno, friendshipIds: [forward.id, reverse.id] };
}

/** The pair's activities and memory rows. */
async function counts(friendshipIds: number[]) {
  const activities = await t.db.select().from(friendshipActivities).where(inArray(friendshipActivities.friendshipId, friendshipIds));
  const memories = await t.db.select().from(friendshipMedia).where(inArray(friendshipMedia.friendshipId, friendshipIds));
  return { activities: activities.length, memories: memories.length };
}

const routes = [
  {
    name: "memories",
    body: { url: mediaUrl(t.env, "jpg"), type: "image", caption: "Our tanda" },
    otherBody: { url: mediaUrl(t.env, "jpg"), type: "image", caption: "Another" },
    once: { activities: 1, memories: 1 },
  },
  { name: "dances", body: { note: "Canning" }, otherBody: { note: "Salon Canning" }, once: { activities: 1, memories: 0 } },
] as const;

describe.each(routes)("POST /api/friends/{userId}/$name with an Idempotency-Key", ({ name, body, otherBody, once }) => {
  const post = (who: Dancer, friendId: number, key: string | undefined, json: unknown = body) =>
    t.api.post(`/api/friends/${friendId}/${name}`, { token: who.token, json, headers: keyHeaders(key) });

  it("answers a repeat with the first 201 (Idempotent-Replayed) and records once", async () => {
    const { ana, bruno, friendshipIds } = await friends();
    const key = unique("key");
    const first = await post(ana, bruno.user.id, key);
    const again = await post(ana, bruno.user.id, key);
    expectReplay(first, again);
    expect(await counts(friendshipIds)).toEqual(once);
  });

  it("refuses the same key with another body, or for another friend (422 idempotency_key_reused)", async () => {
    const { ana, bruno, friendshipIds } = await friends();
    const carla = await signedIn(t);
    const other = await befriend(t.db, ana.user.id, carla.user.id);
    const key = unique("key");
    expect((await post(ana, bruno.user.id, key)).status).toBe(201);
    const otherBodyRes = await post(ana, bruno.user.id, key, otherBody);
    expectKeyReused(otherBodyRes);
    const otherFriend = await post(ana, carla.user.id, key);
    expectKeyReused(otherFriend);
    expect(await counts(friendshipIds)).toEqual(once);
    expect(await counts([other.forward.id, other.reverse.id])).toEqual({ activities: 0, memories: 0 });
  });

  it("records once for concurrent requests with one key, and all get the same body", async () => {
    const { ana, bruno, friendshipIds } = await friends();
    const key = unique("key");
    const results = await Promise.all(Array.from({ length: 4 }, () => post(ana, bruno.user.id, key)));
    expectOneCreated(results);
    expect(await counts(friendshipIds)).toEqual(once);
  });

  it("keeps keys per user, and without a key each request records", async () => {
    const { ana, bruno, friendshipIds } = await friends();
    const key = unique("key");
    const a = await post(ana, bruno.user.id, key);
    const b = await post(bruno, ana.user.id, key);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers.get("Idempotent-Replayed")).toBeNull();
    expect(a.body.id).not.toBe(b.body.id);
    expect((await post(ana, bruno.user.id, undefined)).status).toBe(201);
    expect((await post(ana, bruno.user.id, undefined)).status).toBe(201);
    const twice = (n: number) => ({ activities: once.activities * n, memories: once.memories * n });
    expect(await counts(friendshipIds)).toEqual(twice(4));
  });

  it("stores no key when refused (404 not friends), so the key stays free", async () => {
    const [ana, stranger] = [await signedIn(t), await signedIn(t)];
    const key = unique("key");
    expect((await post(ana, stranger.user.id, key)).status).toBe(404);
    await befriend(t.db, ana.user.id, stranger.user.id);
    const res = await post(ana, stranger.user.id, key);
    expect(res.status).toBe(201);
    expect(res.headers.get("Idempotent-Replayed")).toBeNull();
  });

  it.each(BAD_IDEMPOTENCY_KEYS)("refuses a key that is %s (400)", async (_label, key) => {
    const { ana, bruno, friendshipIds } = await friends();
    const res = await post(ana, bruno.user.id, key);
    expectBadKey(res);
    expect(await counts(friendshipIds)).toEqual({ activities: 0, memories: 0 });
  });
});
