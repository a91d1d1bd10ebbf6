import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { events, idempotencyKeys } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { BAD_IDEMPOTENCY_KEYS, expectBadKey, expectKeyReused, expectOneCreated, expectReplay, keyHeaders } from "../../../test/idempotency";

const t = await useTestDatabase();

async function eventsOf(userId: number) {
  return t.db.select({ id: events.id }).from(events).where(eq(events.userId, userId));
}

const create = (token: string, key: string | undefined, json: unknown) => t.api.post("/api/events", { token, json, headers: keyHeaders(key) });

const body = () => ({ title: `Milonga ${unique()}`, eventType: "milonga", startDate: "2031-03-07T21:00:00-03:00", location: "Canning", tags: ["a", "b"] });

describe("POST /api/events with an Idempotency-Key", () => {
  it("answers a repeat with the first response and creates one event (the same body in another key order is the same request)", async () => {
    const { user, token } = await signedIn(t);
    const key = unique("key");
    const json = body();
    const first = await create(token, key, json);
    const again = await create(token, key, { tags: ["a", "b"], location: json.location, startDate: json.startDate, eventType: "milonga", title: json.title });
    expectReplay(first, again);
    expect(await eventsOf(user.id)).toHaveLength(1);
  });

  it("refuses the same key with another body (422) and creates nothing more", async () => {
    const { user, token } = await signedIn(t);
    const key = unique("key");
    await create(token, key, body());
    expectKeyReused(await create(token, key, body()));
    expect(await eventsOf(user.id)).toHaveLength(1);
  });

  it("creates one event for concurrent requests with one key, all answered alike", async () => {
    const { user, token } = await signedIn(t);
    const key = unique("key");
    const json = body();
    expectOneCreated(await Promise.all(Array.from({ length: 4 }, () => create(token, key, json))));
    expect(await eventsOf(user.id)).toHaveLength(1);
  });

  it("creates as many events as requests without a key, or with different keys", async () => {
    const { user, token } = await signedIn(t);
    const json = body();
    const results = await Promise.all([create(token, undefined, json), create(token, undefined, json), create(token, unique("k"), json)]);
    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(await eventsOf(user.id)).toHaveLength(3);
  });

  it("creates a new event once the key expired", async () => {
    const { user, token } = await signedIn(t);
    const key = unique("key");
    const first = await create(token, key, body());
    await t.db
      .update(idempotencyKeys)
      .set({ expiresAt: sql`now() - interval '1 minute'` })
      .where(and(eq(idempotencyKeys.userId, user.id), eq(idempotencyKeys.key, key)));
    const second = await create(token, key, body());
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);
  });

  it.each(BAD_IDEMPOTENCY_KEYS)("refuses a key that is %s (400)", async (_label, key) => {
    const { user, token } = await signedIn(t);
    expectBadKey(await create(token, key, body()));
    expect(await eventsOf(user.id)).toEqual([]);
  });
});
