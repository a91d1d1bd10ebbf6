import { eq, isNull, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { analyticsEvents, users } from "../../../drizzle/schema";
import { clearOfRateLimitWindowEdge, signedIn } from "../../../test/auth";
import { uniqueIp, unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { ANALYTICS_LIMITS } from "./analytics.schemas";

const t = await useTestDatabase();

const MINUTE = 60_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

function send(json: unknown, options: { token?: string; ip?: string } = {}) {
  return t.api.post("/api/analytics/events", { json, token: options.token, headers: { "cf-connecting-ip": options.ip ?? uniqueIp() } });
}

/** The events stored under a name unique to the test. */
async function stored(name: string) {
  return t.db.select().from(analyticsEvents).where(eq(analyticsEvents.name, name)).orderBy(analyticsEvents.id);
}

async function eventCount() {
  const [row] = await t.db.select({ n: sql<number>`count(*)::int` }).from(analyticsEvents);
  return row!.n;
}

const uniqueName = () => unique("ev_").toLowerCase().replace(/[^a-z0-9_.]/g, "_").slice(0, 64);

describe("POST /api/analytics/events: happy paths", () => {
  it("stores a signed-in dancer's batch with their id, properties and times (202 {accepted})", async () => {
    const { user, token } = await signedIn(t);
    const name = uniqueName();
    const times = [ago(6 * 24 * 60 * MINUTE), ago(1000), new Date(Date.now() + 4 * MINUTE).toISOString()];
    const res = await send(
      {
        events: [
          { name, properties: { screen: "feed", depth: 3, dark: true, ref: null }, time: times[0] },
          { name, time: times[1] },
          { name, properties: {}, time: times[2] },
        ],
      },
      { token },
    );
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 3 });
    const rows = await stored(name);
    expect(rows.map((r) => r.userId)).toEqual([user.id, user.id, user.id]);
    expect(rows.map((r) => r.properties)).toEqual([{ screen: "feed", depth: 3, dark: true, ref: null }, null, {}]);
    expect(rows.map((r) => r.occurredAt.toISOString())).toEqual(times);
  });

  it("stores an anonymous caller's events without a user", async () => {
    const name = uniqueName();
    const res = await send({ events: [{ name, time: ago(0) }] });
    expect(res.status).toBe(202);
    expect((await stored(name)).map((r) => r.userId)).toEqual([null]);
  });

  it("reads a time with an offset as the instant it names", async () => {
    const name = uniqueName();
    const at = new Date(Math.floor((Date.now() - 2 * MINUTE) / 1000) * 1000);
    const local = new Date(at.getTime() - 3 * 3_600_000).toISOString().replace("Z", "-03:00");
    expect((await send({ events: [{ name, time: local }] })).status).toBe(202);
    expect((await stored(name))[0]!.occurredAt.toISOString()).toBe(at.toISOString());
  });

  it("takes a full batch: 100 events of 20 properties each under the byte cap", async () => {
    const name = uniqueName();
    const properties = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`p${i}`, i]));
    const res = await send({ events: Array.from({ length: 100 }, () => ({ name, properties, time: ago(0) })) });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(100);
    expect(await stored(name)).toHaveLength(100);
  });

  it("stores every batch of concurrent sends, each whole", async () => {
    const { token } = await signedIn(t);
    const name = uniqueName();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => send({ events: Array.from({ length: 5 }, () => ({ name, time: ago(0) })) }, { token })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(202));
    expect(await stored(name)).toHaveLength(40);
  });

  it("stores the events of a dancer whose account is deleted meanwhile as anonymous, never failing", async () => {
    // Repeated to hit both orders: the batch first (its user id then set null by the delete), or
    // the delete first (the batch stored without one).
    for (let i = 0; i < 6; i++) {
      const { user, token } = await signedIn(t);
      const name = uniqueName();
      const [first] = await Promise.all([send({ events: [{ name, time: ago(0) }] }, { token }), t.db.delete(users).where(eq(users.id, user.id))]);
      expect(first.status).toBe(202);
      const after = await send({ events: [{ name, time: ago(0) }] }, { token });
      expect([202, 401]).toContain(after.status);
      const rows = await stored(name);
      expect(rows.every((r) => r.userId === null)).toBe(true);
    }
  });
});

describe("POST /api/analytics/events: errors", () => {
  it.each([
    ["an upper-case name", { name: "Feed.View", time: ago(0) }, "body.events.0.name"],
    ["a name of 65 characters", { name: "a".repeat(65), time: ago(0) }, "body.events.0.name"],
    ["an empty name", { name: "", time: ago(0) }, "body.events.0.name"],
    ["no time", { name: "feed.view" }, "body.events.0.time"],
    ["a time that is not ISO", { name: "feed.view", time: "yesterday" }, "body.events.0.time"],
    ["a nested property", { name: "feed.view", properties: { a: { b: 1 } }, time: ago(0) }, "body.events.0.properties.a"],
    ["an array property", { name: "feed.view", properties: { a: [1] }, time: ago(0) }, "body.events.0.properties.a"],
    ["a string property of 201 characters", { name: "feed.view", properties: { a: "x".repeat(201) }, time: ago(0) }, "body.events.0.properties.a"],
    ["a NUL in a property", { name: "feed.view", properties: { a: "x\u0000" }, time: ago(0) }, "body.events.0.properties.a"],
    ["a property name with a space", { name: "feed.view", properties: { "a b": 1 }, time: ago(0) }, "body.events.0.properties.a b"],
    [
      "21 properties",
      { name: "feed.view", properties: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`p${i}`, i])), time: ago(0) },
      "body.events.0.properties",
    ],
    ["an unknown field", { name: "feed.view", time: ago(0), user: 1 }, "body.events.0"],
  ])("refuses %s (400 naming the field), storing nothing of the batch", async (_label, bad, path) => {
    const before = await eventCount();
    const res = await send({ events: [bad] });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await eventCount()).toBe(before);
  });

  it.each([
    ["no events", []],
    ["101 events", Array.from({ length: 101 }, () => ({ name: "feed.view", time: ago(0) }))],
  ])("refuses a batch of %s (400)", async (_label, events) => {
    const res = await send({ events });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "body.events" })]);
  });

  it("refuses events more than 7 days old or 5 minutes ahead, naming each index, and stores none of the batch", async () => {
    const name = uniqueName();
    const res = await send({
      events: [
        { name, time: ago(0) },
        { name, time: ago(7 * 24 * 60 * MINUTE + MINUTE) },
        { name, time: ago(0) },
        { name, time: new Date(Date.now() + 6 * MINUTE).toISOString() },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("event_time_out_of_range");
    expect(res.body.errors).toEqual([
      { path: "body.events.1.time", message: "More than 7 days old" },
      { path: "body.events.3.time", message: "More than 5 minutes in the future" },
    ]);
    expect(await stored(name)).toEqual([]);
  });

  it("refuses a body over 64 KiB with 413 before reading it, storing nothing", async () => {
    const before = await eventCount();
    const properties = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`p${i}`, "x".repeat(200)]));
    const json = { events: Array.from({ length: 20 }, () => ({ name: "feed.view", properties, time: ago(0) })) };
    expect(JSON.stringify(json).length).toBeGreaterThan(ANALYTICS_LIMITS.bodyBytes);
    const res = await send(json);
    expect(res.status).toBe(413);
    expect(res.body.code).toBe("batch_too_large");
    expect(await eventCount()).toBe(before);
  });

  it("refuses another content type (415) and malformed JSON (400)", async () => {
    const text = await t.api.post("/api/analytics/events", { body: "events", headers: { "content-type": "text/plain" } });
    expect(text.status).toBe(415);
    const broken = await t.api.post("/api/analytics/events", { body: "{", headers: { "content-type": "application/json" } });
    expect(broken.status).toBe(400);
  });

  it("refuses a bad token (401) rather than storing the events as anonymous", async () => {
    const res = await send({ events: [{ name: "feed.view", time: ago(0) }] }, { token: "not-a-token" });
    expect(res.status).toBe(401);
  });
});

describe("POST /api/analytics/events: rate limits", () => {
  const one = () => ({ events: [{ name: "rate.test", time: ago(0) }] });

  it("lets a dancer send 60 batches a minute, then 429 with Retry-After, from any network", async () => {
    const { token } = await signedIn(t);
    await clearOfRateLimitWindowEdge(20_000);
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await send(one(), { token })).status);
    expect(statuses).toEqual(Array(60).fill(202));
    const refused = await send(one(), { token });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(refused.body.code).toBe("rate_limited");
    const other = await signedIn(t);
    expect((await send(one(), { token: other.token })).status).toBe(202);
  });

  it("counts anonymous batches per client network (an IPv6 /64 is one network)", async () => {
    const ip = uniqueIp();
    const neighbour = ip.replace(/::[0-9a-f]+$/, "::beef");
    await clearOfRateLimitWindowEdge(20_000);
    for (let i = 0; i < 60; i++) expect((await send(one(), { ip: i % 2 ? neighbour : ip })).status).toBe(202);
    expect((await send(one(), { ip })).status).toBe(429);
    expect((await send(one(), { ip: neighbour })).status).toBe(429);
    expect((await send(one(), { ip: uniqueIp() })).status).toBe(202);
  });

  it("counts a refused batch too: invalid batches cannot be sent without limit", async () => {
    const { token } = await signedIn(t);
    await clearOfRateLimitWindowEdge(20_000);
    for (let i = 0; i < 60; i++) expect((await send({ events: [] }, { token })).status).toBe(400);
    expect((await send(one(), { token })).status).toBe(429);
  });
});

describe("OpenAPI", () => {
  it("documents the analytics routes", async () => {
    const { paths } = (await t.api.get("/openapi.json")).body;
    expect(paths["/api/analytics/events"].post.responses["202"]).toBeDefined();
    expect(paths["/api/admin/stats"].get["x-min-level"]).toBe(5);
  });
});

describe("anonymous events are kept apart", () => {
  it("never attaches an anonymous event to a user", async () => {
    const name = uniqueName();
    await send({ events: [{ name, time: ago(0) }, { name, time: ago(0) }] });
    expect(await t.db.select().from(analyticsEvents).where(isNull(analyticsEvents.userId))).toEqual(
      expect.arrayContaining([expect.objectContaining({ name })]),
    );
  });
});
