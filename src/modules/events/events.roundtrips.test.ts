import { describe, expect, it } from "vitest";
import { roundTrips } from "../../../test/roundtrips";
import { signedIn } from "../../../test/auth";
import { befriend, createEvent, createGroupWithAdmin, createUser, rsvp, unique } from "../../../test/factories";
import { type ApiResponse, useTestDatabase } from "../../../test/harness";

/**
 * How many database round trips each events request makes (ARCHITECTURE.md: one is the
 * target, never more than two): the driver's HTTP requests counted while the Worker answers.
 */
const t = await useTestDatabase();


describe("database round trips per events request", () => {
  it("answers every events route in one round trip", async () => {
    const organizer = await signedIn(t);
    const viewer = await signedIn(t);
    const place = `Ciudad ${unique()}`;
    const group = await createGroupWithAdmin(t.db, organizer.user.id);
    for (let i = 0; i < 5; i++) {
      const event = await createEvent(t.db, { userId: organizer.user.id, city: place, groupId: group.id, latitude: "-34.6", longitude: "-58.4" });
      const friend = await createUser(t.db);
      await befriend(t.db, viewer.user.id, friend.id);
      await rsvp(t.db, event.id, friend.id, "going");
    }
    const event = await createEvent(t.db, { userId: organizer.user.id, city: place });
    const co = await createUser(t.db);
    const token = organizer.token;
    const calls: [string, () => Promise<ApiResponse>, number][] = [
      ["create", () => t.api.post("/api/events", { token, json: { title: "x", eventType: "milonga", startDate: "2031-01-01T21:00:00Z", location: "y" } }), 201],
      ["discovery by city", () => t.api.get(`/api/events?city=${encodeURIComponent(place)}`, { token: viewer.token }), 200],
      ["discovery near, with words", () => t.api.get("/api/events?near=-34.6,-58.4&radiusKm=10&q=milonga", { token: viewer.token }), 200],
      ["a group's events", () => t.api.get(`/api/groups/${group.id}/events`, { token: viewer.token }), 200],
      ["detail", () => t.api.get(`/api/events/${event.id}`, { token: viewer.token }), 200],
      ["edit", () => t.api.patch(`/api/events/${event.id}`, { token, json: { maxAttendees: 40 } }), 200],
      ["name a co-organizer", () => t.api.post(`/api/events/${event.id}/co-organizers`, { token, json: { userId: co.id } }), 201],
      ["co-organizers", () => t.api.get(`/api/events/${event.id}/co-organizers`, { token: viewer.token }), 200],
      ["remove a co-organizer", () => t.api.delete(`/api/events/${event.id}/co-organizers/${co.id}`, { token }), 204],
      ["search", () => t.api.get("/api/search?type=events&q=milonga", { token: viewer.token }), 200],
      ["cancel (a batch of two statements)", () => t.api.post(`/api/events/${event.id}/cancel`, { token }), 200],
      ["delete", () => t.api.delete(`/api/events/${event.id}`, { token }), 204],
    ];
    for (const [label, call, status] of calls) {
      expect(await roundTrips(call), label).toEqual({ status, trips: 1 });
    }
  });

  it("makes a second round trip only to replay an Idempotency-Key", async () => {
    const { token } = await signedIn(t);
    const headers = { "Idempotency-Key": unique("key") };
    const json = { title: "x", eventType: "milonga", startDate: "2031-01-01T21:00:00Z", location: "y" };
    expect(await roundTrips(() => t.api.post("/api/events", { token, json, headers }))).toEqual({ status: 201, trips: 1 });
    expect(await roundTrips(() => t.api.post("/api/events", { token, json, headers }))).toEqual({ status: 201, trips: 2 });
  });
});
