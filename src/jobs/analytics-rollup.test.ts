import { createScheduledController } from "cloudflare:test";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { analyticsEvents, eventRsvps, platformDailyStats, posts } from "../../drizzle/schema";
import { createClientEvent } from "../../test/analytics";
import { createChatRoom, createEvent, createPost, createUser, rsvp, sendChatMessage, unique } from "../../test/factories";
import { testCtx, useTestDatabase } from "../../test/harness";
import worker from "../../workers/api";
import { analyticsRollup, createRollupJob } from "./analytics-rollup";
import { SCHEDULES } from "./index";

const t = await useTestDatabase();

/** The rows of one day, platform first then cities, without the time they were computed. */
async function statsOf(day: string) {
  const rows = await t.db.select().from(platformDailyStats).where(eq(platformDailyStats.day, day)).orderBy(platformDailyStats.city);
  return rows.map(({ computedAt: _, day: __, ...figures }) => figures);
}

const at = (day: string, time: string) => new Date(`${day}T${time}Z`);

/**
 * A constructed day: two cities (unique names), a dancer without a city, an anonymous client,
 * and activity just outside the day on both sides, which must not count.
 */
async function constructDay(day: string, before: string, after: string) {
  const north = unique("North ");
  const south = unique("South ");
  const [ana, bruno, carla, dario, eva] = await Promise.all([
    createUser(t.db, { city: north, createdAt: at(day, "08:00:00") }),
    createUser(t.db, { city: north, createdAt: at(before, "10:00:00") }),
    createUser(t.db, { city: south, createdAt: at(day, "23:59:59.999") }),
    createUser(t.db, { city: null, createdAt: at(before, "10:00:00") }),
    createUser(t.db, { city: south, createdAt: at(after, "00:00:00") }),
  ]);
  // North: Ana posts twice and sends a client event; Bruno answers an event and chats. South:
  // Carla only registers; Eva's activity is the next day. Dario (no city) posts.
  await createPost(t.db, { userId: ana.id, createdAt: at(day, "00:00:00") });
  await createPost(t.db, { userId: ana.id, createdAt: at(day, "12:00:00") });
  await createPost(t.db, { userId: dario.id, createdAt: at(day, "13:00:00") });
  await createPost(t.db, { userId: eva.id, createdAt: at(after, "00:00:00") });
  await createPost(t.db, { userId: bruno.id, createdAt: at(before, "23:59:59.999") });
  const milonga = await createEvent(t.db, { userId: eva.id });
  await rsvp(t.db, milonga.id, bruno.id);
  await rsvp(t.db, milonga.id, eva.id);
  await t.db.update(eventRsvps).set({ createdAt: at(day, "18:00:00") }).where(eq(eventRsvps.userId, bruno.id));
  await t.db.update(eventRsvps).set({ createdAt: at(after, "01:00:00") }).where(eq(eventRsvps.userId, eva.id));
  const room = await createChatRoom(t.db, { members: [bruno.id, eva.id] });
  await sendChatMessage(t.db, room.id, bruno.id, "¿Vamos?", at(day, "19:00:00"));
  await sendChatMessage(t.db, room.id, bruno.id, "¡Dale!", at(day, "19:01:00"));
  await sendChatMessage(t.db, room.id, eva.id, "Sí", at(before, "19:00:00"));
  await createClientEvent(t.db, { userId: ana.id, occurredAt: at(day, "09:00:00") });
  await createClientEvent(t.db, { occurredAt: at(day, "09:30:00") });
  await createClientEvent(t.db, { occurredAt: at(day, "09:31:00") });
  await createClientEvent(t.db, { userId: carla.id, occurredAt: at(after, "00:00:01") });
  return { north, south, ana, bruno, carla, dario, eva };
}

describe("analytics roll-up (cron */10 * * * *)", () => {
  it("computes exact figures for yesterday and today, for the platform and per city, and a rerun writes the same", async () => {
    const world = await constructDay("2031-07-14", "2031-07-13", "2031-07-15");
    const now = new Date("2031-07-15T00:05:00Z");
    const counts = await analyticsRollup.run(testCtx(t, { now }));
    expect(counts).toMatchObject({ rows: 5, removed: 0, unfinished: 0 });
    const zero = { activeDancers: 0, newRegistrations: 0, posts: 0, rsvps: 0, messages: 0, clientEvents: 0 };
    const expected14 = [
      // Ana, Bruno, Dario active; Ana and Carla registered; anonymous events count here only.
      { ...zero, city: "", activeDancers: 3, newRegistrations: 2, posts: 3, rsvps: 1, messages: 2, clientEvents: 3 },
      { ...zero, city: world.north, activeDancers: 2, newRegistrations: 1, posts: 2, rsvps: 1, messages: 2, clientEvents: 1 },
      { ...zero, city: world.south, newRegistrations: 1 },
    ];
    const expected15 = [
      { ...zero, city: "", activeDancers: 2, newRegistrations: 1, posts: 1, rsvps: 1, clientEvents: 1 },
      { ...zero, city: world.south, activeDancers: 2, newRegistrations: 1, posts: 1, rsvps: 1, clientEvents: 1 },
    ];
    expect(await statsOf("2031-07-14")).toEqual(expected14);
    expect(await statsOf("2031-07-15")).toEqual(expected15);
    expect(await statsOf("2031-07-13")).toEqual([]);

    expect(await analyticsRollup.run(testCtx(t, { now }))).toMatchObject({ rows: 5, removed: 0 });
    expect(await statsOf("2031-07-14")).toEqual(expected14);
    expect(await statsOf("2031-07-15")).toEqual(expected15);
  });

  it("writes a platform row for a day without activity, and removes a city's row once its activity is gone", async () => {
    const now = new Date("2032-02-10T12:00:00Z");
    const city = unique("Lonely ");
    const dancer = await createUser(t.db, { city, createdAt: at("2032-01-01", "00:00:00") });
    const post = await createPost(t.db, { userId: dancer.id, createdAt: at("2032-02-10", "11:00:00") });
    await analyticsRollup.run(testCtx(t, { now }));
    expect((await statsOf("2032-02-09")).map((r) => [r.city, r.activeDancers])).toEqual([["", 0]]);
    expect((await statsOf("2032-02-10")).map((r) => [r.city, r.posts])).toEqual([["", 1], [city, 1]]);
    await t.db.delete(posts).where(eq(posts.id, post.id));
    expect(await analyticsRollup.run(testCtx(t, { now }))).toMatchObject({ removed: 1 });
    expect((await statsOf("2032-02-10")).map((r) => [r.city, r.posts])).toEqual([["", 0]]);
  });

  it("lets two overlapping runs write each row once", async () => {
    const now = new Date("2033-03-03T03:00:00Z");
    const dancer = await createUser(t.db, { city: unique("Twin "), createdAt: at("2033-03-03", "01:00:00") });
    await createPost(t.db, { userId: dancer.id, createdAt: at("2033-03-03", "02:00:00") });
    await Promise.all([analyticsRollup.run(testCtx(t, { now })), analyticsRollup.run(testCtx(t, { now }))]);
    expect((await statsOf("2033-03-03")).map((r) => [r.city, r.posts, r.newRegistrations])).toEqual([
      ["", 1, 1],
      [dancer.city, 1, 1],
    ]);
  });

  it("deletes raw client events older than 90 days, a chunk at a time, and keeps the rest", async () => {
    const now = new Date("2034-06-01T00:00:00Z");
    const old = (days: number) => new Date(now.getTime() - days * 86_400_000);
    const name = "prune.test";
    for (const days of [400, 200, 91, 90.5, 90.01]) await createClientEvent(t.db, { name, occurredAt: old(days) });
    for (const days of [89.99, 30, 1]) await createClientEvent(t.db, { name, occurredAt: old(days) });
    // Earlier tests' events (2031) are due too.
    const { rows } = await t.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM analytics_events WHERE occurred_at < '2034-03-03'`);
    const due = Number(rows[0]!.n);
    expect(due).toBeGreaterThanOrEqual(5);
    const counts = await createRollupJob({ pruneChunk: 2, budgetMs: 60_000 }).run(testCtx(t, { now }));
    expect(counts).toMatchObject({ pruned: due, chunks: Math.floor(due / 2) + 1, unfinished: 0 });
    const left = await t.db.select().from(analyticsEvents).where(eq(analyticsEvents.name, name));
    expect(left.map((r) => r.occurredAt.getTime()).sort()).toEqual([old(89.99), old(30), old(1)].map((d) => d.getTime()).sort());
  });

  it("stops pruning when its time budget is spent, after one chunk", async () => {
    const now = new Date("2035-06-01T00:00:00Z");
    for (let i = 0; i < 3; i++) await createClientEvent(t.db, { name: "budget.test", occurredAt: new Date("2035-01-01T00:00:00Z") });
    const counts = await createRollupJob({ pruneChunk: 1, budgetMs: 0 }).run(testCtx(t, { now }));
    expect(counts).toMatchObject({ pruned: 1, chunks: 1, unfinished: 1 });
  });

  it("runs on the */10 * * * * trigger, after viral analytics", async () => {
    expect(SCHEDULES["*/10 * * * *"]!.map((job) => job.name)).toEqual(["viral-analytics", "analytics-rollup"]);
    const now = new Date("2036-09-09T09:10:00Z");
    const dancer = await createUser(t.db, { createdAt: at("2036-09-09", "09:00:00") });
    await worker.scheduled(createScheduledController({ cron: "*/10 * * * *", scheduledTime: now.getTime() }), t.env);
    const [row] = await t.db
      .select()
      .from(platformDailyStats)
      .where(and(eq(platformDailyStats.day, "2036-09-09"), eq(platformDailyStats.city, dancer.city!)));
    expect(row).toMatchObject({ newRegistrations: 1, activeDancers: 0 });
    const { rows } = await t.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM platform_daily_stats WHERE day = '2036-09-08'`);
    expect(Number(rows[0]!.n)).toBe(1);
  });
});
