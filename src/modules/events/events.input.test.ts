import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { events, idempotencyKeys } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createEvent, mediaUrl, rsvp, unique } from "../../../test/factories";
import { type ApiResponse, useTestDatabase } from "../../../test/harness";
import { coordinateText } from "./events.input";

const t = await useTestDatabase();

const base = { title: "Milonga", eventType: "milonga", startDate: "2031-03-07T21:00:00-03:00", location: "Canning" };

function expectProblem(res: ApiResponse, status: number, code: string, path: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(res.body.code).toBe(code);
  expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
}

async function eventsOf(userId: number) {
  return t.db.select({ id: events.id }).from(events).where(eq(events.userId, userId));
}

describe("POST /api/events: bad input is a 4xx problem and writes nothing", () => {
  const fieldCases: [string, Record<string, unknown>, string][] = [
    ["an unknown type", { eventType: "asado" }, "body.eventType"],
    ["no title", { title: "   " }, "body.title"],
    ["a title on two lines", { title: "Milonga\nnight" }, "body.title"],
    ["no start", { startDate: undefined }, "body.startDate"],
    ["a start without an offset", { startDate: "2031-03-07T21:00:00" }, "body.startDate"],
    ["a start that is no date", { startDate: "2031-02-30T21:00:00Z" }, "body.startDate"],
    ["a start in the year 9999", { startDate: "9999-01-01T00:00:00Z" }, "body.startDate"],
    ["a latitude past the pole", { latitude: 90.5, longitude: 0 }, "body.latitude"],
    ["a longitude past the antimeridian", { latitude: 0, longitude: -181 }, "body.longitude"],
    ["a latitude as text", { latitude: "-34.6", longitude: -58.4 }, "body.latitude"],
    ["a time zone that does not exist", { timezone: "America/Atlantis" }, "body.timezone"],
    ["an offset for a time zone", { timezone: "+03:00" }, "body.timezone"],
    ["an abbreviation for a time zone", { timezone: "ART" }, "body.timezone"],
    ["a zero capacity", { maxAttendees: 0 }, "body.maxAttendees"],
    ["a fractional capacity", { maxAttendees: 2.5 }, "body.maxAttendees"],
    ["a capacity over 100000", { maxAttendees: 100_001 }, "body.maxAttendees"],
    ["a negative price", { price: "-5", currency: "ARS" }, "body.price"],
    ["a price as a float", { price: 15.5, currency: "ARS" }, "body.price"],
    ["a price with three decimals", { price: "1.505", currency: "ARS" }, "body.price"],
    ["a currency of four letters", { price: "1", currency: "EURO" }, "body.currency"],
    ["21 tags", { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, "body.tags"],
    ["an empty tag", { tags: ["ok", " "] }, "body.tags.1"],
    ["a meeting URL that is not http", { isOnline: true, meetingUrl: "javascript:alert(1)" }, "body.meetingUrl"],
    ["a cover that is not one of our URLs", { imageUrl: "https://evil.example/media/a.jpg" }, "body.imageUrl"],
    ["a cancelled status", { status: "cancelled" }, "body.status"],
    ["a group id of zero", { groupId: 0 }, "body.groupId"],
  ];

  it.each(fieldCases)("refuses %s (400 validation_failed)", async (_label, overrides, path) => {
    const { user, token } = await signedIn(t);
    const res = await t.api.post("/api/events", { token, json: { ...base, ...overrides } });
    expectProblem(res, 400, "validation_failed", path);
    expect(await eventsOf(user.id)).toEqual([]);
  });

  const ruleCases: [string, Record<string, unknown>, number, string, string][] = [
    ["an end before the start", { endDate: "2031-03-07T20:59:59-03:00" }, 400, "end_before_start", "body.endDate"],
    ["an event of more than 31 days", { endDate: "2031-04-08T00:00:00-03:00" }, 400, "event_too_long", "body.endDate"],
    ["a latitude without a longitude", { latitude: -34.6 }, 400, "coordinates_incomplete", "body.latitude"],
    ["a meeting URL on an event not online", { meetingUrl: "https://meet.example.com/x" }, 400, "meeting_url_not_online", "body.meetingUrl"],
    ["a price without its currency", { price: "10" }, 400, "price_without_currency", "body.currency"],
    ["a currency without a price", { currency: "ARS" }, 400, "price_without_currency", "body.currency"],
    ["a leaders' cap over the capacity", { maxAttendees: 10, maxLeaders: 11 }, 400, "role_cap_over_capacity", "body.maxLeaders"],
    ["a followers' cap over the capacity", { maxAttendees: 10, maxFollowers: 11 }, 400, "role_cap_over_capacity", "body.maxFollowers"],
    ["a group the creator does not host", { groupId: 2147483647 }, 403, "not_group_host", "body.groupId"],
  ];

  it.each(ruleCases)("refuses %s", async (_label, overrides, status, code, path) => {
    const { user, token } = await signedIn(t);
    const res = await t.api.post("/api/events", { token, json: { ...base, ...overrides } });
    expectProblem(res, status, code, path);
    expect(await eventsOf(user.id)).toEqual([]);
  });

  it("refuses a video as the cover (400 media_url_not_allowed), and stores no idempotency key for a refused create", async () => {
    const { user, token } = await signedIn(t);
    const key = unique("key");
    const headers = { "Idempotency-Key": key };
    expectProblem(
      await t.api.post("/api/events", { token, headers, json: { ...base, imageUrl: mediaUrl(t.env, "mp4") } }),
      400,
      "media_url_not_allowed",
      "body.imageUrl",
    );
    expectProblem(await t.api.post("/api/events", { token, headers, json: { ...base, price: "5" } }), 400, "price_without_currency", "body.currency");
    expect(await t.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.userId, user.id))).toEqual([]);
    expect((await t.api.post("/api/events", { token, headers, json: base })).status).toBe(201);
  });

  it("takes the bounds: a one-minute event, exactly 31 days, the poles and the antimeridian, 100000 dancers", async () => {
    const { token } = await signedIn(t);
    for (const overrides of [
      { endDate: "2031-03-07T21:00:00-03:00" },
      { endDate: "2031-04-07T21:00:00-03:00" },
      { latitude: 90, longitude: 180 },
      { latitude: -90, longitude: -180 },
      { maxAttendees: 100_000, maxLeaders: 100_000, maxFollowers: 1 },
      { latitude: 1e-7, longitude: -0.0000001 },
    ]) {
      const res = await t.api.post("/api/events", { token, json: { ...base, ...overrides } });
      expect(res.status, JSON.stringify(overrides)).toBe(201);
    }
  });
});

describe("PATCH /api/events/{id}: the same rules against the event as it is", () => {
  it("refuses a capacity (or a role cap) under the dancers already going (409 capacity_below_going)", async () => {
    const { user, token } = await signedIn(t);
    const event = await createEvent(t.db, { userId: user.id, maxAttendees: 10 });
    const dancers = await Promise.all(Array.from({ length: 4 }, () => signedIn(t)));
    await rsvp(t.db, event.id, dancers[0]!.user.id, "going", "leader");
    await rsvp(t.db, event.id, dancers[1]!.user.id, "going", "leader");
    await rsvp(t.db, event.id, dancers[2]!.user.id, "going", "follower");
    await rsvp(t.db, event.id, dancers[3]!.user.id, "interested");
    const patch = (json: Record<string, unknown>) => t.api.patch(`/api/events/${event.id}`, { token, json });
    expectProblem(await patch({ maxAttendees: 2 }), 409, "capacity_below_going", "body.maxAttendees");
    expectProblem(await patch({ maxLeaders: 1 }), 409, "capacity_below_going", "body.maxLeaders");
    expectProblem(await patch({ maxFollowers: 0 }), 400, "validation_failed", "body.maxFollowers");
    expect((await patch({ maxAttendees: 3, maxLeaders: 2, maxFollowers: 1 })).status).toBe(200);
    const [row] = await t.db.select().from(events).where(eq(events.id, event.id));
    expect(row).toMatchObject({ maxAttendees: 3, maxLeaders: 2, maxFollowers: 1, goingCount: 3, sequence: 1 });
  });

  it("checks one field against the others as stored", async () => {
    const { user, token } = await signedIn(t);
    const event = await createEvent(t.db, {
      userId: user.id,
      startDate: new Date("2031-05-01T20:00:00Z"),
      endDate: new Date("2031-05-02T02:00:00Z"),
      maxAttendees: 50,
      latitude: "-34.6",
      longitude: "-58.4",
      isOnline: true,
      meetingUrl: "https://meet.example.com/a",
      price: "10",
      currency: "ARS",
    });
    const patch = (json: Record<string, unknown>) => t.api.patch(`/api/events/${event.id}`, { token, json });
    expectProblem(await patch({ startDate: "2031-05-02T03:00:00Z" }), 400, "end_before_start", "body.endDate");
    expectProblem(await patch({ endDate: "2031-05-01T19:00:00Z" }), 400, "end_before_start", "body.endDate");
    expectProblem(await patch({ startDate: "2031-03-01T00:00:00Z" }), 400, "event_too_long", "body.endDate");
    expectProblem(await patch({ latitude: null }), 400, "coordinates_incomplete", "body.latitude");
    expectProblem(await patch({ isOnline: false }), 400, "meeting_url_not_online", "body.meetingUrl");
    expectProblem(await patch({ currency: null }), 400, "price_without_currency", "body.currency");
    expectProblem(await patch({ maxLeaders: 51 }), 400, "role_cap_over_capacity", "body.maxLeaders");
    expectProblem(await patch({ maxAttendees: 20, maxFollowers: 30 }), 400, "role_cap_over_capacity", "body.maxFollowers");
    const [unchanged] = await t.db.select().from(events).where(eq(events.id, event.id));
    expect(unchanged).toMatchObject({ sequence: 0, maxAttendees: 50, latitude: "-34.6", currency: "ARS", isOnline: true });
    // Together, the same changes are fine.
    expect((await patch({ isOnline: false, meetingUrl: null })).status).toBe(200);
    expect((await patch({ startDate: "2031-05-02T03:00:00Z", endDate: null })).status).toBe(200);
  });

  it("changes nothing for an empty edit (no sequence bump), and refuses unknown values (400)", async () => {
    const { user, token } = await signedIn(t);
    const stranger = await signedIn(t);
    const event = await createEvent(t.db, { userId: user.id });
    const patch = (json: unknown) => t.api.patch(`/api/events/${event.id}`, { token, json });
    const empty = await patch({});
    expect([empty.status, empty.body.sequence, empty.body.title]).toEqual([200, 0, event.title]);
    expect((await t.api.patch(`/api/events/${event.id}`, { token: stranger.token, json: {} })).status).toBe(403);
    expectProblem(await patch({ eventType: "asado" }), 400, "validation_failed", "body.eventType");
    expectProblem(await patch({ title: null }), 400, "validation_failed", "body.title");
    expectProblem(await patch({ startDate: null }), 400, "validation_failed", "body.startDate");
    expectProblem(await patch({ status: "cancelled" }), 400, "validation_failed", "body.status");
  });
});

describe("coordinateText", () => {
  it("writes plain decimals the geo column reads, never an exponent", () => {
    expect(coordinateText(-34.6037)).toBe("-34.6037");
    expect(coordinateText(1e-7)).toBe("0");
    expect(coordinateText(-1e-7)).toBe("0");
    expect(coordinateText(12.3456789)).toBe("12.345679");
    expect(coordinateText(-180)).toBe("-180");
    expect(coordinateText(null)).toBeNull();
  });
});
