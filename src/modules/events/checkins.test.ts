import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, eventAttendees, eventCoOrganizers, events, eventTickets, friendshipActivities, friendships, users } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { befriend, createEvent, createTicket, createUser, rsvp } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { allPages } from "../../../test/pages";
import { CHECK_IN_OPENS_HOURS } from "./checkins.policy";

const t = await useTestDatabase();
const HOUR = 3_600_000;

/** An organizer (signed in) and their published event, which started an hour ago. */
async function anEvent(overrides: Partial<typeof events.$inferInsert> = {}) {
  const organizer = await signedIn(t);
  const event = await createEvent(t.db, { userId: organizer.user.id, startDate: new Date(Date.now() - HOUR), ...overrides });
  return { organizer, event };
}

const checkIn = (eventId: number, token: string | undefined, json: unknown) => t.api.post(`/api/events/${eventId}/check-ins`, { token, json });

async function attendeesOf(eventId: number) {
  return t.db.select().from(eventAttendees).where(eq(eventAttendees.eventId, eventId)).orderBy(eventAttendees.userId);
}

/** The `event_attended_together` activities recorded for the event, as [dancer, friend] pairs sorted. */
async function togetherPairs(eventId: number) {
  const rows = await t.db
    .select({ userId: friendships.userId, friendId: friendships.friendId, metadata: friendshipActivities.metadata })
    .from(friendshipActivities)
    .innerJoin(friendships, eq(friendships.id, friendshipActivities.friendshipId))
    .where(and(eq(friendshipActivities.activityType, "event_attended_together"), sql`${friendshipActivities.metadata}::jsonb ->> 'eventId' = ${String(eventId)}`));
  return rows.map((r) => [Math.min(r.userId, r.friendId), Math.max(r.userId, r.friendId)]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
}

const pair = (a: number, b: number) => [Math.min(a, b), Math.max(a, b)];

describe("POST /api/events/{id}/check-ins", () => {
  it("checks a dancer in by user id (201), and a repeat answers the first check-in (200) without a second row", async () => {
    const { organizer, event } = await anEvent();
    const dancer = await createUser(t.db);
    const first = await checkIn(event.id, organizer.token, { userId: dancer.id });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toEqual({
      eventId: event.id,
      user: { id: dancer.id, username: dancer.username, name: dancer.name, profileImage: null },
      method: "user",
      ticketId: null,
      checkedInBy: organizer.user.id,
      checkedInAt: expect.stringMatching(/Z$/),
    });
    const again = await checkIn(event.id, organizer.token, { userId: dancer.id });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await attendeesOf(event.id)).toEqual([expect.objectContaining({ userId: dancer.id, method: "user", checkedInBy: organizer.user.id })]);
  });

  it("lets a co-organizer check dancers in, and the organizer check themselves in", async () => {
    const { organizer, event } = await anEvent();
    const co = await signedIn(t);
    await t.db.insert(eventCoOrganizers).values({ eventId: event.id, userId: co.user.id, addedBy: organizer.user.id });
    const dancer = await createUser(t.db);
    const res = await checkIn(event.id, co.token, { userId: dancer.id });
    expect([res.status, res.body.checkedInBy]).toEqual([201, co.user.id]);
    expect((await checkIn(event.id, organizer.token, { userId: organizer.user.id })).status).toBe(201);
    expect((await attendeesOf(event.id)).map((a) => a.userId).sort((a, b) => a - b)).toEqual([organizer.user.id, dancer.id].sort((a, b) => a - b));
  });

  it("checks in the holder of an active ticket of this event by its code, in either letter case", async () => {
    const { organizer, event } = await anEvent({ isPaid: true, price: "20", currency: "EUR" });
    const [ana, bruno] = [await createUser(t.db), await createUser(t.db)];
    const anasTicket = await createTicket(t.db, { eventId: event.id, userId: ana.id });
    const brunosTicket = await createTicket(t.db, { eventId: event.id, userId: bruno.id });
    const res = await checkIn(event.id, organizer.token, { ticketCode: anasTicket.code });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ user: { id: ana.id }, method: "ticket", ticketId: anasTicket.id });
    const upper = await checkIn(event.id, organizer.token, { ticketCode: ` ${brunosTicket.code.toUpperCase()} ` });
    expect(upper.status).toBe(201);
    expect(upper.body).toMatchObject({ user: { id: bruno.id }, method: "ticket", ticketId: brunosTicket.id });
  });

  it("links the dancer's active ticket to a check-in by user id", async () => {
    const { organizer, event } = await anEvent({ isPaid: true });
    const dancer = await createUser(t.db);
    await createTicket(t.db, { eventId: event.id, userId: dancer.id, status: "cancelled", cancelledAt: new Date() });
    const active = await createTicket(t.db, { eventId: event.id, userId: dancer.id });
    const res = await checkIn(event.id, organizer.token, { userId: dancer.id });
    expect(res.body).toMatchObject({ method: "user", ticketId: active.id });
  });

  it("refuses a ticket of another event or an unknown code (422 invalid_ticket), and a cancelled ticket (409)", async () => {
    const { organizer, event } = await anEvent({ isPaid: true });
    const other = await anEvent({ isPaid: true });
    const dancer = await createUser(t.db);
    const elsewhere = await createTicket(t.db, { eventId: other.event.id, userId: dancer.id });
    const cancelled = await createTicket(t.db, { eventId: event.id, userId: dancer.id, status: "cancelled", cancelledAt: new Date() });
    for (const code of [elsewhere.code, "0123456789abcdef0123456789abcdef"]) {
      const res = await checkIn(event.id, organizer.token, { ticketCode: code });
      expect([res.status, res.body.code]).toEqual([422, "invalid_ticket"]);
      expect(res.body.errors).toEqual([expect.objectContaining({ path: "body.ticketCode" })]);
    }
    const res = await checkIn(event.id, organizer.token, { ticketCode: cancelled.code });
    expect([res.status, res.body.code]).toEqual([409, "ticket_cancelled"]);
    expect(await attendeesOf(event.id)).toEqual([]);
    expect(await attendeesOf(other.event.id)).toEqual([]);
  });

  it("refuses a ticket whose holder is suspended or blocked either way (422), as if it were none", async () => {
    const { organizer, event } = await anEvent({ isPaid: true });
    const [suspended, blocker] = [await createUser(t.db, { suspended: true }), await createUser(t.db)];
    await t.db.insert(blockedUsers).values({ blockerId: blocker.id, blockedId: organizer.user.id });
    for (const holder of [suspended, blocker]) {
      const ticket = await createTicket(t.db, { eventId: event.id, userId: holder.id });
      expect((await checkIn(event.id, organizer.token, { ticketCode: ticket.code })).status).toBe(422);
    }
    expect(await attendeesOf(event.id)).toEqual([]);
  });

  it.each([
    ["neither userId nor ticketCode", {}],
    ["both", { userId: 1, ticketCode: "ABCDEF" }],
    ["a code with punctuation", { ticketCode: "ABC-DEF" }],
    ["a code over 32 characters", { ticketCode: "A".repeat(33) }],
    ["a user id that is not one", { userId: "7" }],
  ])("refuses %s (400)", async (_label, json) => {
    const { organizer, event } = await anEvent();
    const res = await checkIn(event.id, organizer.token, json);
    expect([res.status, res.body.code]).toEqual([400, "validation_failed"]);
  });

  it("is 404 for a dancer who is unknown, suspended, deactivated or blocked either way", async () => {
    const { organizer, event } = await anEvent();
    const [suspended, closed, blocker, blocked] = [
      await createUser(t.db, { suspended: true }),
      await createUser(t.db, { isActive: false }),
      await createUser(t.db),
      await createUser(t.db),
    ];
    await t.db.insert(blockedUsers).values([
      { blockerId: blocker.id, blockedId: organizer.user.id },
      { blockerId: organizer.user.id, blockedId: blocked.id },
    ]);
    for (const userId of [2147483647, suspended.id, closed.id, blocker.id, blocked.id]) {
      const res = await checkIn(event.id, organizer.token, { userId });
      expect([res.status, res.body.detail]).toEqual([404, "No such user."]);
    }
    expect(await attendeesOf(event.id)).toEqual([]);
  });

  it("refuses a cancelled event, a draft, and an event more than the opening hours away (409)", async () => {
    const dancer = await createUser(t.db);
    const cases = [
      [{ status: "cancelled", cancelledAt: new Date() }, "event_cancelled"],
      [{ status: "draft" }, "event_not_published"],
      [{ startDate: new Date(Date.now() + (CHECK_IN_OPENS_HOURS + 1) * HOUR) }, "check_in_not_open"],
    ] as const;
    for (const [overrides, code] of cases) {
      const { organizer, event } = await anEvent(overrides);
      const res = await checkIn(event.id, organizer.token, { userId: dancer.id });
      expect([res.status, res.body.code]).toEqual([409, code]);
      expect(await attendeesOf(event.id)).toEqual([]);
    }
  });

  it("opens check-in the opening hours before the start, and keeps it open after the event", async () => {
    const dancer = await createUser(t.db);
    const soon = await anEvent({ startDate: new Date(Date.now() + (CHECK_IN_OPENS_HOURS - 1) * HOUR) });
    expect((await checkIn(soon.event.id, soon.organizer.token, { userId: dancer.id })).status).toBe(201);
    const past = await anEvent({ startDate: new Date(Date.now() - 72 * HOUR), endDate: new Date(Date.now() - 66 * HOUR) });
    expect((await checkIn(past.event.id, past.organizer.token, { userId: dancer.id })).status).toBe(201);
  });
});

describe("check-ins: friends who both attended", () => {
  it("records event_attended_together once per pair of friends, when the second of them is checked in", async () => {
    const { organizer, event } = await anEvent();
    const [ana, bruno, carla, dario] = await Promise.all(Array.from({ length: 4 }, () => createUser(t.db)));
    await befriend(t.db, ana!.id, bruno!.id);
    await befriend(t.db, ana!.id, carla!.id);
    await befriend(t.db, ana!.id, dario!.id, { status: "inactive" });
    await befriend(t.db, bruno!.id, dario!.id);
    for (const dancer of [bruno!, carla!, dario!]) await checkIn(event.id, organizer.token, { userId: dancer.id });
    expect(await togetherPairs(event.id)).toEqual([pair(bruno!.id, dario!.id)]);
    await checkIn(event.id, organizer.token, { userId: ana!.id });
    await checkIn(event.id, organizer.token, { userId: ana!.id });
    expect(await togetherPairs(event.id)).toEqual([pair(ana!.id, bruno!.id), pair(ana!.id, carla!.id), pair(bruno!.id, dario!.id)].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
    const [activity] = await t.db
      .select({ metadata: friendshipActivities.metadata })
      .from(friendshipActivities)
      .innerJoin(friendships, eq(friendships.id, friendshipActivities.friendshipId))
      .where(and(eq(friendships.userId, ana!.id), eq(friendships.friendId, bruno!.id)));
    expect(JSON.parse(activity!.metadata!)).toEqual({ eventId: event.id });
    const [touched] = await t.db.select({ at: friendships.lastInteractionAt }).from(friendships).where(and(eq(friendships.userId, carla!.id), eq(friendships.friendId, ana!.id)));
    expect(touched!.at).not.toBeNull();
  });

  it("records nothing for friends at another event", async () => {
    const first = await anEvent();
    const second = await anEvent();
    const [ana, bruno] = [await createUser(t.db), await createUser(t.db)];
    await befriend(t.db, ana.id, bruno.id);
    await checkIn(first.event.id, first.organizer.token, { userId: ana.id });
    await checkIn(second.event.id, second.organizer.token, { userId: bruno.id });
    expect(await togetherPairs(first.event.id)).toEqual([]);
    expect(await togetherPairs(second.event.id)).toEqual([]);
  });
});

describe("check-ins: races (exact on PostgreSQL)", () => {
  it("writes one check-in when the same dancer is checked in at several doors at once: one 201, the rest 200", async () => {
    const { organizer, event } = await anEvent();
    const co = await signedIn(t);
    await t.db.insert(eventCoOrganizers).values({ eventId: event.id, userId: co.user.id });
    const dancer = await createUser(t.db);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => checkIn(event.id, i % 2 ? co.token : organizer.token, { userId: dancer.id })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.checkedInAt as string)).size).toBe(1);
    expect(await attendeesOf(event.id)).toHaveLength(1);
  });

  it("records each pair of friends exactly once when a circle of friends is checked in all at once", async () => {
    const { organizer, event } = await anEvent();
    const circle = await Promise.all(Array.from({ length: 5 }, () => createUser(t.db)));
    const expected: number[][] = [];
    for (const [i, a] of circle.entries()) {
      for (const b of circle.slice(i + 1)) {
        await befriend(t.db, a.id, b.id);
        expected.push(pair(a.id, b.id));
      }
    }
    const results = await Promise.all(circle.map((d) => checkIn(event.id, organizer.token, { userId: d.id })));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill(201));
    expect(await togetherPairs(event.id)).toEqual(expected.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
  });

  it("answers 201 or 404, never a 500, when check-ins race the event's deletion", async () => {
    const { organizer, event } = await anEvent();
    const dancers = await Promise.all(Array.from({ length: 4 }, () => createUser(t.db)));
    const [results] = await Promise.all([
      Promise.all(dancers.map((d) => checkIn(event.id, organizer.token, { userId: d.id }))),
      t.db.delete(events).where(eq(events.id, event.id)),
    ]);
    for (const res of results) expect([201, 404]).toContain(res.status);
    expect(await attendeesOf(event.id)).toEqual([]);
  });
});

describe("check-ins: security", () => {
  it("is 401 anonymous", async () => {
    const { event } = await anEvent();
    expect((await checkIn(event.id, undefined, { userId: 1 })).status).toBe(401);
    expect((await t.api.get(`/api/events/${event.id}/check-ins`)).status).toBe(401);
  });

  it("refuses anyone but the organizers who can see the event (403), a going dancer and a moderator too", async () => {
    const { event } = await anEvent();
    const [stranger, going, admin] = [await signedIn(t), await signedIn(t), await signedIn(t, { role: "admin" })];
    await rsvp(t.db, event.id, going.user.id, "going");
    for (const who of [stranger, going, admin]) {
      const res = await checkIn(event.id, who.token, { userId: who.user.id });
      expect([res.status, res.body.code]).toEqual([403, "not_event_organizer"]);
      const list = await t.api.get(`/api/events/${event.id}/check-ins`, { token: who.token });
      expect([list.status, list.body.code]).toEqual([403, "not_event_organizer"]);
    }
    expect(await attendeesOf(event.id)).toEqual([]);
  });

  it("is 404 for an event the caller may not see: someone else's draft or hidden event, a block either way, an unknown id", async () => {
    const caller = await signedIn(t);
    const draft = await anEvent({ status: "draft" });
    const hidden = await anEvent({ hiddenAt: new Date() });
    const blocking = await anEvent();
    const blocked = await anEvent();
    await t.db.insert(blockedUsers).values([
      { blockerId: blocking.organizer.user.id, blockedId: caller.user.id },
      { blockerId: caller.user.id, blockedId: blocked.organizer.user.id },
    ]);
    for (const id of [draft.event.id, hidden.event.id, blocking.event.id, blocked.event.id, 2147483647]) {
      expect((await checkIn(id, caller.token, { userId: caller.user.id })).status).toBe(404);
      expect((await t.api.get(`/api/events/${id}/check-ins`, { token: caller.token })).status).toBe(404);
    }
  });

  it("answers an outsider 404 or 403 whatever the body, before telling it what is missing (400 to organizers only)", async () => {
    const { organizer, event } = await anEvent();
    const draft = await anEvent({ status: "draft" });
    const stranger = await signedIn(t);
    for (const json of [{}, { userId: 1, ticketCode: "ABC" }]) {
      expect((await checkIn(draft.event.id, stranger.token, json)).status).toBe(404);
      expect((await checkIn(event.id, stranger.token, json)).status).toBe(403);
      const res = await checkIn(event.id, organizer.token, json);
      expect([res.status, res.body.errors]).toEqual([400, [{ path: "body", message: "Give either userId or ticketCode" }]]);
    }
  });

  it("lets the organizer of a hidden event check dancers in (organizers always see their event)", async () => {
    const { organizer, event } = await anEvent({ hiddenAt: new Date() });
    expect((await checkIn(event.id, organizer.token, { userId: (await createUser(t.db)).id })).status).toBe(201);
  });
});

describe("GET /api/events/{id}/check-ins", () => {
  it("lists the check-ins latest first, every one once across pages (equal times too)", async () => {
    const { organizer, event } = await anEvent();
    const dancers = await Promise.all(Array.from({ length: 5 }, () => createUser(t.db)));
    const tie = new Date("2026-04-01T22:00:00.123456Z");
    const times = [new Date("2026-04-01T21:00:00Z"), tie, tie, new Date("2026-04-01T23:00:00Z"), new Date("2026-04-01T21:30:00Z")];
    await t.db.insert(eventAttendees).values(
      dancers.map((d, i) => ({ eventId: event.id, userId: d.id, method: "user", checkedInBy: organizer.user.id, checkedInAt: times[i] })),
    );
    const pages = await allPages<{ user: { id: number }; checkedInAt: string }>(t.api, `/api/events/${event.id}/check-ins?limit=2`, organizer.token);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    const tied = [dancers[1]!.id, dancers[2]!.id].sort((a, b) => b - a);
    expect(pages.flatMap((p) => p.items.map((i) => i.user.id))).toEqual([dancers[3]!.id, ...tied, dancers[4]!.id, dancers[0]!.id]);
    expect(pages[0]!.items[0]!.checkedInAt).toBe("2026-04-01T23:00:00.000Z");
  });

  it("leaves out suspended accounts and dancers blocked either way", async () => {
    const { organizer, event } = await anEvent();
    const [kept, suspended, blocker] = [await createUser(t.db), await createUser(t.db), await createUser(t.db)];
    for (const d of [kept, suspended, blocker]) await checkIn(event.id, organizer.token, { userId: d.id });
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, suspended.id));
    await t.db.insert(blockedUsers).values({ blockerId: blocker.id, blockedId: organizer.user.id });
    const res = await t.api.get(`/api/events/${event.id}/check-ins`, { token: organizer.token });
    expect(res.body.items.map((i: { user: { id: number } }) => i.user.id)).toEqual([kept.id]);
  });

  it("is an empty page for an event nobody was checked in at", async () => {
    const { organizer, event } = await anEvent();
    expect((await t.api.get(`/api/events/${event.id}/check-ins`, { token: organizer.token })).body).toEqual({ items: [], nextCursor: null });
  });
});

describe("check-ins: tickets untouched", () => {
  it("leaves the ticket active after a check-in by its code (a ticket is checked, not spent)", async () => {
    const { organizer, event } = await anEvent({ isPaid: true });
    const dancer = await createUser(t.db);
    const ticket = await createTicket(t.db, { eventId: event.id, userId: dancer.id });
    await checkIn(event.id, organizer.token, { ticketCode: ticket.code });
    const [row] = await t.db.select({ status: eventTickets.status }).from(eventTickets).where(eq(eventTickets.id, ticket.id));
    expect(row!.status).toBe("active");
  });
});
