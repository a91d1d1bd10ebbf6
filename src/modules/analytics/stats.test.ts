import { describe, expect, it } from "vitest";
import { platformDailyStats } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { roundTrips } from "../../../test/roundtrips";
import { addDays, utcDay } from "./analytics.policy";

const t = await useTestDatabase();
const admin = await signedIn(t, { role: "admin" });

const figures = (n: number) => ({ activeDancers: n, newRegistrations: n + 1, posts: n + 2, rsvps: n + 3, messages: n + 4, clientEvents: n + 5 });
const zero = { activeDancers: 0, newRegistrations: 0, posts: 0, rsvps: 0, messages: 0, clientEvents: 0 };

function stats(query: string, token = admin.token) {
  return t.api.get(`/api/admin/stats${query}`, { token });
}

describe("GET /api/admin/stats", () => {
  it("serves every day of the range, zeros where the roll-up has not run, and the totals", async () => {
    const computedAt = new Date("2030-01-03T00:05:00Z");
    await t.db.insert(platformDailyStats).values([
      { day: "2030-01-01", city: "", ...figures(10), computedAt },
      { day: "2030-01-03", city: "", ...figures(30), computedAt },
      { day: "2030-01-04", city: "", ...figures(99), computedAt },
    ]);
    const res = await stats("?from=2030-01-01&to=2030-01-03");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      from: "2030-01-01",
      to: "2030-01-03",
      city: "",
      days: [
        { day: "2030-01-01", ...figures(10), rolledUpAt: computedAt.toISOString() },
        { day: "2030-01-02", ...zero, rolledUpAt: null },
        { day: "2030-01-03", ...figures(30), rolledUpAt: computedAt.toISOString() },
      ],
      totals: { activeDancersPeak: 30, newRegistrations: 42, posts: 44, rsvps: 46, messages: 48, clientEvents: 50 },
    });
  });

  it("serves one city: zeros (but rolled up) on a day the city had nothing", async () => {
    const city = unique("Rosario ");
    const computedAt = new Date("2030-02-02T10:00:00Z");
    await t.db.insert(platformDailyStats).values([
      { day: "2030-02-01", city: "", ...figures(50), computedAt },
      { day: "2030-02-01", city, ...figures(5), computedAt },
      { day: "2030-02-02", city: "", ...figures(60), computedAt },
      { day: "2030-02-02", city: unique("Other "), ...figures(7), computedAt },
    ]);
    const res = await stats(`?from=2030-02-01&to=2030-02-03&city=${encodeURIComponent(city)}`);
    expect(res.status).toBe(200);
    expect(res.body.city).toBe(city);
    expect(res.body.days).toEqual([
      { day: "2030-02-01", ...figures(5), rolledUpAt: computedAt.toISOString() },
      { day: "2030-02-02", ...zero, rolledUpAt: computedAt.toISOString() },
      { day: "2030-02-03", ...zero, rolledUpAt: null },
    ]);
    expect(res.body.totals).toEqual({ activeDancersPeak: 5, newRegistrations: 6, posts: 7, rsvps: 8, messages: 9, clientEvents: 10 });
    expect((await stats("?from=2030-02-01&to=2030-02-01&city=")).body.days[0].activeDancers).toBe(50);
  });

  it("defaults to the last 30 days, today included", async () => {
    const today = utcDay(new Date());
    const res = await stats("");
    expect(res.status).toBe(200);
    expect(res.body.days).toHaveLength(30);
    expect([res.body.from, res.body.to]).toEqual([addDays(today, -29), today]);
    const ending = await stats("?to=2030-03-31");
    expect([ending.body.from, ending.body.days.length]).toEqual(["2030-03-02", 30]);
  });

  it("serves a range of 366 days, and refuses 367 or a reversed range (400)", async () => {
    const year = await stats("?from=2028-01-01&to=2028-12-31");
    expect(year.status).toBe(200);
    expect(year.body.days).toHaveLength(366);
    const long = await stats("?from=2027-01-01&to=2028-01-02");
    expect(long.status).toBe(400);
    expect(long.body.code).toBe("range_too_long");
    const reversed = await stats("?from=2030-01-02&to=2030-01-01");
    expect(reversed.status).toBe(400);
    expect(reversed.body.code).toBe("invalid_range");
    expect(reversed.body.errors).toEqual([expect.objectContaining({ path: "query.from" })]);
  });

  it.each([
    ["from", "2030-02-30"],
    ["from", "2030-1-1"],
    ["to", "tomorrow"],
    ["to", "1999-12-31"],
    ["city", "Buenos\nAires"],
    ["city", "x".repeat(101)],
  ])("refuses %s=%s with 400 naming it", async (name, value) => {
    const res = await stats(`?${name}=${encodeURIComponent(value)}`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: `query.${name}` })]);
  });
});

describe("GET /api/admin/stats: security", () => {
  it("refuses an anonymous caller (401) and a level-4 dancer (403)", async () => {
    expect((await t.api.get("/api/admin/stats")).status).toBe(401);
    const community = await signedIn(t, { role: "community" });
    const res = await stats("", community.token);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("insufficient_role");
  });
});

describe("database round trips", () => {
  it("answers the stats, of the platform or a city, and a batch of events in one round trip each", async () => {
    const dancer = await signedIn(t);
    const events = Array.from({ length: 50 }, (_, i) => ({ name: "trip.test", properties: { i }, time: new Date().toISOString() }));
    expect(await roundTrips(() => stats("?from=2029-01-01&to=2029-12-31"))).toEqual({ status: 200, trips: 1 });
    expect(await roundTrips(() => stats("?city=Rosario"))).toEqual({ status: 200, trips: 1 });
    expect(await roundTrips(() => t.api.post("/api/analytics/events", { json: { events }, token: dancer.token }))).toEqual({ status: 202, trips: 1 });
  });
});
