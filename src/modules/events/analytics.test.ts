import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { blockedUsers, eventAttendees, eventCoOrganizers, eventReviews, eventRsvps, type events } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createEvent, createTicket, createUser, mediaUrl, rsvp } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import worker from "../../../workers/api";
import { EVENT_VIEWS_QUEUE, recordEventView } from "./views.queue";

const t = await useTestDatabase();

async function anEvent(overrides: Partial<typeof events.$inferInsert> = {}) {
  const organizer = await signedIn(t);
  const event = await createEvent(t.db, { userId: organizer.user.id, ...overrides });
  return { organizer, event };
}

const analytics = (eventId: number, token?: string) => t.api.get(`/api/events/${eventId}/analytics`, { token });

/** Views as the queue delivers them: `count` views of the event on each UTC day given. */
async function view(eventId: number, days: Record<string, number>) {
  const messages = Object.entries(days).flatMap(([day, count]) =>
    Array.from({ length: count }, () => ({ id: crypto.randomUUID(), timestamp: new Date(`${day}T20:00:00Z`), attempts: 1, body: { eventId } })),
  );
  const batch = createMessageBatch(EVENT_VIEWS_QUEUE, messages);
  await worker.queue(batch, t.env);
  expect((await getQueueResult(batch, createExecutionContext())).ackAll).toBe(true);
}

/** An RSVP (counters kept in step) first made on `day`. */
async function answered(eventId: number, status: "going" | "interested" | "not_going" | "waitlisted", day: string, role?: "leader" | "follower") {
  const dancer = await createUser(t.db);
  await rsvp(t.db, eventId, dancer.id, status, role);
  await t.db
    .update(eventRsvps)
    .set({ createdAt: new Date(`${day}T12:00:00Z`) })
    .where(and(eq(eventRsvps.eventId, eventId), eq(eventRsvps.userId, dancer.id)));
  return dancer;
}

describe("GET /api/events/{id}/analytics", () => {
  it("gives the organizer views, RSVPs, role balance, check-ins and rating", async () => {
    const { organizer, event } = await anEvent({ maxAttendees: 5, maxLeaders: 2, maxFollowers: 3, isPaid: true });
    await view(event.id, { "2026-04-28": 3, "2026-04-30": 1 });
    await view(event.id, { "2026-04-30": 2 });
    const leaderA = await answered(event.id, "going", "2026-04-28", "leader");
    const leaderB = await answered(event.id, "going", "2026-04-29", "leader");
    const follower = await answered(event.id, "going", "2026-04-29", "follower");
    await answered(event.id, "going", "2026-04-30");
    await answered(event.id, "interested", "2026-04-28");
    await answered(event.id, "interested", "2026-04-30");
    await answered(event.id, "waitlisted", "2026-04-30", "leader");
    await answered(event.id, "not_going", "2026-04-29");
    const walkIn = await createUser(t.db);
    const ticket = await createTicket(t.db, { eventId: event.id, userId: leaderB.id });
    await t.db.insert(eventAttendees).values([
      { eventId: event.id, userId: leaderA.id, method: "user" },
      { eventId: event.id, userId: leaderB.id, method: "ticket", ticketId: ticket.id },
      { eventId: event.id, userId: walkIn.id, method: "user" },
    ]);
    await t.db.insert(eventReviews).values([
      { eventId: event.id, userId: leaderA.id, rating: 4 },
      { eventId: event.id, userId: leaderB.id, rating: 5 },
      { eventId: event.id, userId: follower.id, rating: 1, hiddenAt: new Date() },
    ]);
    const res = await analytics(event.id, organizer.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({
      eventId: event.id,
      views: {
        total: 6,
        byDay: [
          { day: "2026-04-28", views: 3 },
          { day: "2026-04-30", views: 3 },
        ],
      },
      rsvps: {
        going: 4,
        interested: 2,
        waitlisted: 1,
        notGoing: 1,
        byDay: [
          { day: "2026-04-28", going: 1, interested: 1, waitlisted: 0, notGoing: 0 },
          { day: "2026-04-29", going: 2, interested: 0, waitlisted: 0, notGoing: 1 },
          { day: "2026-04-30", going: 1, interested: 1, waitlisted: 1, notGoing: 0 },
        ],
      },
      roles: { leaders: 2, followers: 1, unspecified: 1, maxLeaders: 2, maxFollowers: 3, waitlistedLeaders: 1, waitlistedFollowers: 0 },
      checkIns: { total: 3, going: 2, walkIns: 1, byTicket: 1, rate: 0.5 },
      reviews: { count: 2, averageRating: 4.5 },
    });
  });

  it("gives zeros, empty days and no rate or rating for an event nobody answered yet", async () => {
    const { organizer, event } = await anEvent();
    expect((await analytics(event.id, organizer.token)).body).toEqual({
      eventId: event.id,
      views: { total: 0, byDay: [] },
      rsvps: { going: 0, interested: 0, waitlisted: 0, notGoing: 0, byDay: [] },
      roles: { leaders: 0, followers: 0, unspecified: 0, maxLeaders: null, maxFollowers: null, waitlistedLeaders: 0, waitlistedFollowers: 0 },
      checkIns: { total: 0, going: 0, walkIns: 0, byTicket: 0, rate: null },
      reviews: { count: 0, averageRating: null },
    });
  });

  it("rounds the check-in rate to three decimals", async () => {
    const { organizer, event } = await anEvent();
    const going = await Promise.all(Array.from({ length: 3 }, () => answered(event.id, "going", "2026-05-01")));
    await t.db.insert(eventAttendees).values({ eventId: event.id, userId: going[0]!.id, method: "user" });
    expect((await analytics(event.id, organizer.token)).body.checkIns).toMatchObject({ going: 1, rate: 0.333 });
  });

  it("answers a co-organizer, and the organizer of a draft", async () => {
    const { organizer, event } = await anEvent({ status: "draft" });
    const co = await signedIn(t);
    await t.db.insert(eventCoOrganizers).values({ eventId: event.id, userId: co.user.id });
    for (const who of [organizer, co]) expect((await analytics(event.id, who.token)).status).toBe(200);
  });

  it("refuses anyone else who can see the event, a going dancer and a moderator too (403 not_event_organizer)", async () => {
    const { event } = await anEvent();
    const [stranger, going, admin] = [await signedIn(t), await signedIn(t), await signedIn(t, { role: "admin" })];
    await rsvp(t.db, event.id, going.user.id, "going");
    for (const who of [stranger, going, admin]) {
      const res = await analytics(event.id, who.token);
      expect([res.status, res.body.code]).toEqual([403, "not_event_organizer"]);
    }
  });

  it("is 404 for an event the caller may not see, and 401 anonymous", async () => {
    const caller = await signedIn(t);
    const draft = await anEvent({ status: "draft" });
    const blocked = await anEvent();
    await t.db.insert(blockedUsers).values({ blockerId: blocked.organizer.user.id, blockedId: caller.user.id });
    for (const id of [draft.event.id, blocked.event.id, 2147483647]) expect((await analytics(id, caller.token)).status).toBe(404);
    expect((await analytics(draft.event.id)).status).toBe(401);
  });
});

describe("round trips", () => {
  /** The database requests (neon HTTP calls) one call makes. */
  async function roundTrips(call: () => Promise<unknown>): Promise<number> {
    const spy = vi.spyOn(globalThis, "fetch");
    try {
      await call();
      return spy.mock.calls.filter(([input]) => String(input instanceof Request ? input.url : input) === t.env.NEON_FETCH_ENDPOINT).length;
    } finally {
      spy.mockRestore();
    }
  }

  it("takes one round trip per attendance request, one per batch of views, and none per view", async () => {
    const { organizer, event } = await anEvent({ startDate: new Date(Date.now() - 30 * 3_600_000), endDate: new Date(Date.now() - 24 * 3_600_000) });
    const dancer = await signedIn(t);
    const base = `/api/events/${event.id}`;
    const sent: unknown[] = [];
    const queued = { send: (body: unknown) => void sent.push(body), sendBatch: () => Promise.resolve() } as unknown as Queue;
    const calls: [string, () => Promise<unknown>][] = [
      ["check-in", () => t.api.post(`${base}/check-ins`, { token: organizer.token, json: { userId: dancer.user.id } })],
      ["check-in again", () => t.api.post(`${base}/check-ins`, { token: organizer.token, json: { userId: dancer.user.id } })],
      ["check-in list", () => t.api.get(`${base}/check-ins`, { token: organizer.token })],
      ["review", () => t.api.post(`${base}/reviews`, { token: dancer.token, json: { rating: 5 } })],
      ["review list", () => t.api.get(`${base}/reviews`)],
      ["photo", () => t.api.post(`${base}/photos`, { token: dancer.token, json: { url: mediaUrl(t.env) } })],
      ["photo list", () => t.api.get(`${base}/photos`, { token: dancer.token })],
      ["analytics", () => analytics(event.id, organizer.token)],
      ["views batch", () => view(event.id, { "2026-05-01": 5 })],
      // A queue that keeps what it is sent: a real one would deliver this file's event id to the Worker's own
      // (shared) database.
      ["one view", () => recordEventView({ EVENT_VIEWS: queued }, event.id)],
    ];
    const counted: Record<string, number> = {};
    for (const [label, call] of calls) counted[label] = await roundTrips(call);
    const reviewId = ((await t.api.get(`${base}/reviews`)).body.items as { id: number }[])[0]!.id;
    const photoId = ((await t.api.get(`${base}/photos`)).body.items as { id: number }[])[0]!.id;
    counted["review edit"] = await roundTrips(() => t.api.patch(`${base}/reviews/${reviewId}`, { token: dancer.token, json: { rating: 4 } }));
    counted["review delete"] = await roundTrips(() => t.api.delete(`${base}/reviews/${reviewId}`, { token: dancer.token }));
    counted["photo delete"] = await roundTrips(() => t.api.delete(`${base}/photos/${photoId}`, { token: organizer.token }));
    expect(counted).toEqual({
      "check-in": 1,
      "check-in again": 1,
      "check-in list": 1,
      review: 1,
      "review list": 1,
      photo: 1,
      "photo list": 1,
      analytics: 1,
      "views batch": 1,
      "one view": 0,
      "review edit": 1,
      "review delete": 1,
      "photo delete": 1,
    });
    expect(sent).toEqual([{ eventId: event.id }]);
  });
});
