import { and, eq, or } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { friendRequests, friendships, notifications } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { BAD_IDEMPOTENCY_KEYS, expectBadKey, expectKeyReused, expectOneCreated, expectReplay, keyHeaders } from "../../../test/idempotency";

const t = await useTestDatabase();

type Dancer = Awaited<ReturnType<typeof signedIn>>;

const send = (from: Dancer, key: string | undefined, json: Record<string, unknown>) =>
  t.api.post("/api/friends/requests", { token: from.token, json, headers: keyHeaders(key) });

/** The pair's request rows, friendship rows, and the notifications the pair got. */
async function counts(a: number, b: number) {
  const requests = await t.db
    .select()
    .from(friendRequests)
    .where(or(and(eq(friendRequests.senderId, a), eq(friendRequests.receiverId, b)), and(eq(friendRequests.senderId, b), eq(friendRequests.receiverId, a))));
  const friends = await t.db.select().from(friendships).where(or(eq(friendships.userId, a), eq(friendships.userId, b)));
  const notes = await t.db.select().from(notifications).where(or(eq(notifications.userId, a), eq(notifications.userId, b)));
  return { requests: requests.length, friendships: friends.length, notifications: notes.length };
}

async function pair() {
  return [await signedIn(t), await signedIn(t)] as const;
}

describe("POST /api/friends/requests with an Idempotency-Key", () => {
  it("answers a repeat with the first 201 (Idempotent-Replayed), not 409 request_pending, and sends once", async () => {
    const [ana, bruno] = await pair();
    const key = unique("key");
    const body = { receiverId: bruno.user.id, message: "¿Bailamos?", didWeDance: true };
    const first = await send(ana, key, body);
    const again = await send(ana, key, { didWeDance: true, message: "¿Bailamos?", receiverId: bruno.user.id });
    expectReplay(first, again);
    expect(await counts(ana.user.id, bruno.user.id)).toEqual({ requests: 1, friendships: 0, notifications: 1 });
    const noKey = await send(ana, undefined, body);
    expect([noKey.status, noKey.body.code]).toEqual([409, "request_pending"]);
  });

  it("replays a crossed request's 200 (accepted), not 409 already_friends", async () => {
    const [ana, bruno] = await pair();
    expect((await send(bruno, undefined, { receiverId: ana.user.id })).status).toBe(201);
    const key = unique("key");
    const first = await send(ana, key, { receiverId: bruno.user.id });
    const again = await send(ana, key, { receiverId: bruno.user.id });
    expectReplay(first, again, 200);
    expect(first.body.friendship).not.toBeNull();
    expect(await counts(ana.user.id, bruno.user.id)).toEqual({ requests: 1, friendships: 2, notifications: 2 });
  });

  it("refuses the same key with another body (422 idempotency_key_reused), also for another receiver", async () => {
    const [ana, bruno] = await pair();
    const carla = await signedIn(t);
    const key = unique("key");
    expect((await send(ana, key, { receiverId: bruno.user.id, message: "one" })).status).toBe(201);
    const otherBody = await send(ana, key, { receiverId: bruno.user.id, message: "two" });
    expectKeyReused(otherBody);
    const otherReceiver = await send(ana, key, { receiverId: carla.user.id, message: "one" });
    expectKeyReused(otherReceiver);
    expect(await counts(ana.user.id, carla.user.id)).toEqual({ requests: 0, friendships: 0, notifications: 0 });
  });

  it("sends once for concurrent requests with one key, and all get the same 201 body", async () => {
    const [ana, bruno] = await pair();
    const key = unique("key");
    const results = await Promise.all(Array.from({ length: 4 }, () => send(ana, key, { receiverId: bruno.user.id })));
    expectOneCreated(results);
    expect(await counts(ana.user.id, bruno.user.id)).toEqual({ requests: 1, friendships: 0, notifications: 1 });
  });

  it("keeps keys per user: another dancer's same key sends their own request", async () => {
    const [ana, bruno] = await pair();
    const carla = await signedIn(t);
    const key = unique("key");
    const a = await send(ana, key, { receiverId: carla.user.id });
    const b = await send(bruno, key, { receiverId: carla.user.id });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers.get("Idempotent-Replayed")).toBeNull();
    expect(a.body.id).not.toBe(b.body.id);
  });

  it.each(BAD_IDEMPOTENCY_KEYS)("refuses a key that is %s (400)", async (_label, key) => {
    const [ana, bruno] = await pair();
    const res = await send(ana, key, { receiverId: bruno.user.id });
    expectBadKey(res);
    expect(await counts(ana.user.id, bruno.user.id)).toEqual({ requests: 0, friendships: 0, notifications: 0 });
  });
});
