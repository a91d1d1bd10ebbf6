import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { blockedUsers, eventRsvps, events, eventTickets, groupMembers, groups, users } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createEvent, createUser, rsvp, unique } from "../../../test/factories";
import { testCtx, useTestDatabase } from "../../../test/harness";
import { answer, expectCountersExact, notificationsOf, statusOf, storedCounters, waitlist, withdraw } from "../../../test/rsvps";
import { promoteWaitlisted } from "./rsvps.service";

const t = await useTestDatabase();

const HEX_CODE = /^[0-9a-f]{32}$/;

/** An organizer and their event (published, a week ahead unless overridden). */
async function anEvent(overrides: Partial<typeof events.$inferInsert> = {}) {
  const organizer = await signedIn(t);
  const event = await createEvent(t.db, { userId: organizer.user.id, ...overrides });
  return { organizer, event };
}

/** `n` signed-in dancers. */
const dancers = (n: number) => Promise.all(Array.from({ length: n }, () => signedIn(t)));

async function ticketsOf(eventId: number, userId: number) {
  return t.db.select().from(eventTickets).where(and(eq(eventTickets.eventId, eventId), eq(eventTickets.userId, userId)));
}

describe("POST /api/events/{id}/rsvp: answers and counters", () => {
  it("takes a seat with `going` and answers the state with the counters; a repeat changes nothing", async () => {
    const { event } = await anEvent({ maxAttendees: 10 });
    const { user, token } = await signedIn(t);
    const first = await answer(t.api, token, event.id, { status: "going", role: "follower" });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      eventId: event.id,
      status: "going",
      waitlisted: false,
      position: null,
      role: "follower",
      ticket: null,
      counts: { going: 1, leaders: 0, followers: 1, interested: 0, waitlisted: 0 },
    });
    const again = await answer(t.api, token, event.id, { status: "going" });
    expect(again.body).toEqual(first.body);
    expect(await statusOf(t.db, event.id, user.id)).toBe("going");
    await expectCountersExact(t.db, event.id);
  });

  it("moves every counter by exactly what changed, through each answer and a withdrawal", async () => {
    const { event } = await anEvent();
    const { user, token } = await signedIn(t);
    const steps: [{ status: string; role?: string } | "withdraw", Partial<Record<string, number>>][] = [
      [{ status: "interested" }, { interested: 1 }],
      [{ status: "going", role: "leader" }, { going: 1, leaders: 1 }],
      [{ status: "going", role: "follower" }, { going: 1, followers: 1 }],
      [{ status: "not_going" }, {}],
      [{ status: "going" }, { going: 1, followers: 1 }],
      ["withdraw", {}],
      [{ status: "not_going" }, {}],
    ];
    for (const [step, expected] of steps) {
      const res = step === "withdraw" ? await withdraw(t.api, token, event.id) : await answer(t.api, token, event.id, step);
      expect(res.status, JSON.stringify(step)).toBe(step === "withdraw" ? 204 : 200);
      expect(await storedCounters(t.db, event.id), JSON.stringify(step)).toEqual({
        going: 0, leaders: 0, followers: 0, interested: 0, waitlisted: 0, ...expected,
      });
      await expectCountersExact(t.db, event.id);
    }
    expect(await statusOf(t.db, event.id, user.id)).toBe("not_going");
  });

  it("keeps the stored role when none is given, and answers the role with interested too", async () => {
    const { event } = await anEvent();
    const { token } = await signedIn(t);
    expect((await answer(t.api, token, event.id, { status: "interested", role: "leader" })).body.role).toBe("leader");
    const going = await answer(t.api, token, event.id, { status: "going" });
    expect([going.body.role, going.body.counts.leaders]).toEqual(["leader", 1]);
  });

  it("is 204 when withdrawing without an RSVP, and writes nothing", async () => {
    const { event } = await anEvent();
    const { user, token } = await signedIn(t);
    expect((await withdraw(t.api, token, event.id)).status).toBe(204);
    expect(await statusOf(t.db, event.id, user.id)).toBeUndefined();
    await expectCountersExact(t.db, event.id);
  });
});

describe("POST /api/events/{id}/rsvp: the waitlist", () => {
  it("puts `going` on a full event in line, first come first served, with each dancer's position", async () => {
    const { event } = await anEvent({ maxAttendees: 1 });
    const [a, b, c] = await dancers(3);
    expect((await answer(t.api, a!.token, event.id, { status: "going" })).body.waitlisted).toBe(false);
    const second = await answer(t.api, b!.token, event.id, { status: "going" });
    expect(second.body).toMatchObject({ status: "going", waitlisted: true, position: 1, counts: { going: 1, waitlisted: 1 } });
    expect((await answer(t.api, c!.token, event.id, { status: "going" })).body.position).toBe(2);
    // Asking again keeps one's place.
    expect((await answer(t.api, b!.token, event.id, { status: "going" })).body.position).toBe(1);
    expect(await waitlist(t.db, event.id)).toEqual([b!.user.id, c!.user.id]);
    await expectCountersExact(t.db, event.id);
  });

  it("gives a seat freed by a withdrawal to the first in line, who is notified; the others move up", async () => {
    const { organizer, event } = await anEvent({ maxAttendees: 2 });
    const [a, b, c, d] = await dancers(4);
    for (const x of [a, b, c, d]) await answer(t.api, x!.token, event.id, { status: "going" });
    expect(await waitlist(t.db, event.id)).toEqual([c!.user.id, d!.user.id]);
    expect((await withdraw(t.api, a!.token, event.id)).status).toBe(204);
    expect(await statusOf(t.db, event.id, c!.user.id)).toBe("going");
    expect(await waitlist(t.db, event.id)).toEqual([d!.user.id]);
    expect((await answer(t.api, d!.token, event.id, { status: "going" })).body.position).toBe(1);
    const [note] = await notificationsOf(t.db, c!.user.id, "event_waitlist_promoted");
    expect(note).toMatchObject({ subjectType: "event", subjectId: event.id, actorId: null, data: { eventId: event.id, eventTitle: event.title } });
    expect(await notificationsOf(t.db, d!.user.id, "event_waitlist_promoted")).toEqual([]);
    expect(await notificationsOf(t.db, organizer.user.id, "event_waitlist_promoted")).toEqual([]);
    await expectCountersExact(t.db, event.id);
  });

  it("promotes on any answer that gives up a seat: interested, not going", async () => {
    const { event } = await anEvent({ maxAttendees: 1 });
    const [a, b, c] = await dancers(3);
    for (const x of [a, b, c]) await answer(t.api, x!.token, event.id, { status: "going" });
    await answer(t.api, a!.token, event.id, { status: "interested" });
    expect(await statusOf(t.db, event.id, b!.user.id)).toBe("going");
    await answer(t.api, b!.token, event.id, { status: "not_going" });
    expect(await statusOf(t.db, event.id, c!.user.id)).toBe("going");
    expect(await storedCounters(t.db, event.id)).toMatchObject({ going: 1, interested: 1, waitlisted: 0 });
    await expectCountersExact(t.db, event.id);
  });

  it("lets a waitlisted dancer leave the line without promoting anyone", async () => {
    const { event } = await anEvent({ maxAttendees: 1 });
    const [a, b, c] = await dancers(3);
    for (const x of [a, b, c]) await answer(t.api, x!.token, event.id, { status: "going" });
    await answer(t.api, b!.token, event.id, { status: "interested" });
    expect(await waitlist(t.db, event.id)).toEqual([c!.user.id]);
    expect(await storedCounters(t.db, event.id)).toMatchObject({ going: 1, interested: 1, waitlisted: 1 });
    await expectCountersExact(t.db, event.id);
  });
});

describe("POST /api/events/{id}/rsvp: role caps", () => {
  it("makes a leader over the leaders' cap wait even though followers' seats are free", async () => {
    const { event } = await anEvent({ maxAttendees: 10, maxLeaders: 2, maxFollowers: 2 });
    const [l1, l2, l3, f1] = await dancers(4);
    for (const l of [l1, l2]) expect((await answer(t.api, l!.token, event.id, { status: "going", role: "leader" })).body.waitlisted).toBe(false);
    const third = await answer(t.api, l3!.token, event.id, { status: "going", role: "leader" });
    expect(third.body).toMatchObject({ waitlisted: true, position: 1, counts: { going: 2, leaders: 2, followers: 0 } });
    expect((await answer(t.api, f1!.token, event.id, { status: "going", role: "follower" })).body.waitlisted).toBe(false);
    await expectCountersExact(t.db, event.id);
  });

  it("promotes the first in line who fits: a follower behind a waiting leader takes a follower's seat", async () => {
    const { event } = await anEvent({ maxAttendees: 3, maxLeaders: 1, maxFollowers: 2 });
    const [l1, f1, f2, l2, f3] = await dancers(5);
    await answer(t.api, l1!.token, event.id, { status: "going", role: "leader" });
    await answer(t.api, f1!.token, event.id, { status: "going", role: "follower" });
    await answer(t.api, f2!.token, event.id, { status: "going", role: "follower" });
    await answer(t.api, l2!.token, event.id, { status: "going", role: "leader" });
    await answer(t.api, f3!.token, event.id, { status: "going", role: "follower" });
    expect(await waitlist(t.db, event.id)).toEqual([l2!.user.id, f3!.user.id]);
    // A follower's seat frees: the waiting leader does not fit (leaders' cap), the follower behind does.
    await withdraw(t.api, f1!.token, event.id);
    expect(await statusOf(t.db, event.id, f3!.user.id)).toBe("going");
    expect(await waitlist(t.db, event.id)).toEqual([l2!.user.id]);
    // The leader's seat frees: now the leader fits.
    await withdraw(t.api, l1!.token, event.id);
    expect(await statusOf(t.db, event.id, l2!.user.id)).toBe("going");
    expect(await storedCounters(t.db, event.id)).toEqual({ going: 3, leaders: 1, followers: 2, interested: 0, waitlisted: 0 });
    await expectCountersExact(t.db, event.id);
  });

  it("on a role change gives the old role's seat to the first in line, and waits when the new role is full", async () => {
    const { event } = await anEvent({ maxLeaders: 1, maxFollowers: 1 });
    const [ana, bea, leo] = await dancers(3);
    await answer(t.api, ana!.token, event.id, { status: "going", role: "leader" });
    await answer(t.api, bea!.token, event.id, { status: "going", role: "follower" });
    await answer(t.api, leo!.token, event.id, { status: "going", role: "leader" });
    expect(await waitlist(t.db, event.id)).toEqual([leo!.user.id]);
    // Ana would follow now: her leader's seat goes to Leo; the followers' cap is reached, so she waits.
    const changed = await answer(t.api, ana!.token, event.id, { status: "going", role: "follower" });
    expect(changed.body).toMatchObject({ status: "going", waitlisted: true, position: 1, role: "follower" });
    expect(await statusOf(t.db, event.id, leo!.user.id)).toBe("going");
    // Bea leaves: Ana gets the follower's seat.
    await withdraw(t.api, bea!.token, event.id);
    expect(await statusOf(t.db, event.id, ana!.user.id)).toBe("going");
    expect(await storedCounters(t.db, event.id)).toEqual({ going: 2, leaders: 1, followers: 1, interested: 0, waitlisted: 0 });
    await expectCountersExact(t.db, event.id);
  });

  it("keeps a waitlisted dancer's place when they change role, and seats them when the new role has room", async () => {
    const { event } = await anEvent({ maxAttendees: 10, maxLeaders: 1, maxFollowers: 1 });
    const [l1, f1, l2, l3] = await dancers(4);
    await answer(t.api, l1!.token, event.id, { status: "going", role: "leader" });
    await answer(t.api, f1!.token, event.id, { status: "going", role: "follower" });
    await answer(t.api, l2!.token, event.id, { status: "going", role: "leader" });
    await answer(t.api, l3!.token, event.id, { status: "going", role: "leader" });
    const [queuedBefore] = await t.db.select({ at: eventRsvps.queuedAt }).from(eventRsvps).where(eq(eventRsvps.userId, l2!.user.id));
    // Still full as a follower: l2 keeps the first place in line.
    const switched = await answer(t.api, l2!.token, event.id, { status: "going", role: "follower" });
    expect(switched.body).toMatchObject({ waitlisted: true, position: 1, role: "follower" });
    const [queuedAfter] = await t.db.select({ at: eventRsvps.queuedAt }).from(eventRsvps).where(eq(eventRsvps.userId, l2!.user.id));
    expect(queuedAfter!.at).toEqual(queuedBefore!.at);
    await withdraw(t.api, f1!.token, event.id);
    expect(await statusOf(t.db, event.id, l2!.user.id)).toBe("going");
    await expectCountersExact(t.db, event.id);
  });

  it("needs a role for going when the event caps a role (422 role_required), and writes nothing", async () => {
    for (const caps of [{ maxLeaders: 5 }, { maxFollowers: 5 }]) {
      const { event } = await anEvent(caps);
      const { user, token } = await signedIn(t);
      const res = await answer(t.api, token, event.id, { status: "going" });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: "role_required", errors: [{ path: "body.role" }] });
      expect(await statusOf(t.db, event.id, user.id)).toBeUndefined();
      expect((await answer(t.api, token, event.id, { status: "interested" })).status).toBe(200);
    }
  });
});

describe("POST /api/events/{id}/rsvp: tickets for paid events", () => {
  it("issues an unguessable code to a going dancer, keeps it on a repeat, cancels it when they stop going", async () => {
    const { event } = await anEvent({ isPaid: true, price: "15", currency: "EUR" });
    const { user, token } = await signedIn(t);
    const going = await answer(t.api, token, event.id, { status: "going" });
    expect(going.body.ticket).toEqual({ code: expect.stringMatching(HEX_CODE), status: "active", createdAt: expect.any(String) });
    expect((await answer(t.api, token, event.id, { status: "going" })).body.ticket.code).toBe(going.body.ticket.code);
    const interested = await answer(t.api, token, event.id, { status: "interested" });
    expect(interested.body.ticket).toBeNull();
    expect(await ticketsOf(event.id, user.id)).toEqual([
      expect.objectContaining({ code: going.body.ticket.code, status: "cancelled", cancelledAt: expect.any(Date) }),
    ]);
    // Going again: a new code, the old one stays cancelled.
    const again = await answer(t.api, token, event.id, { status: "going" });
    expect(again.body.ticket.code).not.toBe(going.body.ticket.code);
    expect((await ticketsOf(event.id, user.id)).map((x) => x.status).sort()).toEqual(["active", "cancelled"]);
    await withdraw(t.api, token, event.id);
    expect((await ticketsOf(event.id, user.id)).map((x) => x.status)).toEqual(["cancelled", "cancelled"]);
    await expectCountersExact(t.db, event.id);
  });

  it("issues no ticket while waitlisted, and one on promotion; none on a free event", async () => {
    const { event } = await anEvent({ isPaid: true, maxAttendees: 1 });
    const [a, b] = await dancers(2);
    await answer(t.api, a!.token, event.id, { status: "going" });
    expect((await answer(t.api, b!.token, event.id, { status: "going" })).body.ticket).toBeNull();
    expect(await ticketsOf(event.id, b!.user.id)).toEqual([]);
    await withdraw(t.api, a!.token, event.id);
    const [promoted] = await ticketsOf(event.id, b!.user.id);
    expect(promoted).toMatchObject({ status: "active", code: expect.stringMatching(HEX_CODE) });
    await expectCountersExact(t.db, event.id);

    const free = (await anEvent()).event;
    expect((await answer(t.api, a!.token, free.id, { status: "going" })).body.ticket).toBeNull();
    expect(await ticketsOf(free.id, a!.user.id)).toEqual([]);
  });

  it("gives every ticket its own code", async () => {
    const { event } = await anEvent({ isPaid: true });
    const people = await dancers(12);
    const codes = [];
    for (const p of people) codes.push((await answer(t.api, p.token, event.id, { status: "going" })).body.ticket.code as string);
    expect(new Set(codes).size).toBe(12);
    for (const code of codes) expect(code).toMatch(HEX_CODE);
  });
});

describe("POST /api/events/{id}/rsvp: the organizer's notification", () => {
  it("tells the organizer of new going dancers in one notification per event, counting each dancer once", async () => {
    const { organizer, event } = await anEvent({ maxAttendees: 1 });
    const [a, b, c] = await dancers(3);
    await answer(t.api, a!.token, event.id, { status: "going" });
    await answer(t.api, a!.token, event.id, { status: "going" });
    await answer(t.api, b!.token, event.id, { status: "going" }); // waitlisted: coming too
    await answer(t.api, c!.token, event.id, { status: "interested" });
    const notes = await notificationsOf(t.db, organizer.user.id, "event_rsvp");
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      count: 2,
      actorId: b!.user.id,
      subjectType: "event",
      subjectId: event.id,
      data: expect.objectContaining({ eventId: event.id, eventTitle: event.title }),
    });
    // The organizer answering their own event notifies no one.
    await answer(t.api, organizer.token, event.id, { status: "interested" });
    expect((await notificationsOf(t.db, organizer.user.id, "event_rsvp"))[0]!.count).toBe(2);
  });

  it("does not tell an organizer who blocked the dancer (the dancer cannot see the event either)", async () => {
    const { organizer, event } = await anEvent();
    const { user, token } = await signedIn(t);
    await t.db.insert(blockedUsers).values({ blockerId: organizer.user.id, blockedId: user.id });
    expect((await answer(t.api, token, event.id, { status: "going" })).status).toBe(404);
    expect(await notificationsOf(t.db, organizer.user.id, "event_rsvp")).toEqual([]);
  });
});

describe("POST and DELETE /api/events/{id}/rsvp: events that take no RSVP", () => {
  it.each([
    ["a cancelled event", { status: "cancelled", cancelledAt: new Date() }, "event_cancelled"],
    ["an event that started (no end date)", { startDate: new Date(Date.now() - 3_600_000) }, "event_ended"],
    ["an event that ended", { startDate: new Date(Date.now() - 86_400_000), endDate: new Date(Date.now() - 3_600_000) }, "event_ended"],
  ])("refuses %s with 409, and writes nothing", async (_label, overrides, code) => {
    const { event } = await anEvent(overrides);
    const { user, token } = await signedIn(t);
    for (const res of [await answer(t.api, token, event.id, { status: "going" }), await withdraw(t.api, token, event.id)]) {
      expect(res.status).toBe(409);
      expect(res.body.code).toBe(code);
    }
    expect(await statusOf(t.db, event.id, user.id)).toBeUndefined();
  });

  it("takes RSVPs for an event under way until its end", async () => {
    const { event } = await anEvent({ startDate: new Date(Date.now() - 86_400_000), endDate: new Date(Date.now() + 86_400_000) });
    expect((await answer(t.api, (await signedIn(t)).token, event.id, { status: "going" })).status).toBe(200);
  });

  it("is 404 for a draft to everyone but its organizers, who get 409 event_not_published", async () => {
    const { organizer, event } = await anEvent({ status: "draft" });
    const { token } = await signedIn(t);
    expect((await answer(t.api, token, event.id, { status: "going" })).status).toBe(404);
    const own = await answer(t.api, organizer.token, event.id, { status: "going" });
    expect([own.status, own.body.code]).toEqual([409, "event_not_published"]);
  });
});

describe("POST and DELETE /api/events/{id}/rsvp: events one may not see", () => {
  it("is 404 for an unknown, hidden or blocked-either-way event, or a suspended organizer's", async () => {
    const { token, user } = await signedIn(t);
    const hidden = (await anEvent({ hiddenAt: new Date() })).event;
    const blocker = await anEvent();
    await t.db.insert(blockedUsers).values({ blockerId: blocker.organizer.user.id, blockedId: user.id });
    const blocked = await anEvent();
    await t.db.insert(blockedUsers).values({ blockerId: user.id, blockedId: blocked.organizer.user.id });
    const suspended = await anEvent();
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, suspended.organizer.user.id));
    for (const id of [2147483647, hidden.id, blocker.event.id, blocked.event.id, suspended.event.id]) {
      const res = await answer(t.api, token, id, { status: "going" });
      expect([res.status, res.body.code], String(id)).toEqual([404, "not_found"]);
      expect((await withdraw(t.api, token, id)).status).toBe(404);
    }
    expect(await t.db.select().from(eventRsvps).where(eq(eventRsvps.userId, user.id))).toEqual([]);
  });

  it("is 404 for a private group's event to non-members, and open to its members", async () => {
    const { event, organizer } = await anEvent();
    const [group] = await t.db.insert(groups).values({ type: "private", name: "Milongueros", slug: unique("grp"), createdBy: organizer.user.id }).returning();
    await t.db.update(events).set({ groupId: group!.id }).where(eq(events.id, event.id));
    const [member, outsider] = await dancers(2);
    await t.db.insert(groupMembers).values({ groupId: group!.id, userId: member!.user.id });
    expect((await answer(t.api, outsider!.token, event.id, { status: "going" })).status).toBe(404);
    expect((await answer(t.api, member!.token, event.id, { status: "going" })).status).toBe(200);
  });

  it("refuses a dancer whose account was suspended since their token was issued (403 account_unusable)", async () => {
    const { event } = await anEvent();
    const { user, token } = await signedIn(t);
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, user.id));
    const res = await answer(t.api, token, event.id, { status: "going" });
    expect([res.status, res.body.code]).toEqual([403, "account_unusable"]);
    expect(await statusOf(t.db, event.id, user.id)).toBeUndefined();
  });
});

describe("POST /api/events/{id}/rsvp: bad input", () => {
  it.each([
    ["an unknown status", { status: "maybe" }, "body.status"],
    ["no status", { role: "leader" }, "body.status"],
    ["waitlisted as an answer", { status: "waitlisted" }, "body.status"],
    ["an unknown role", { status: "going", role: "both" }, "body.role"],
  ])("refuses %s with 400 problem+json", async (_label, json, path) => {
    const { event } = await anEvent();
    const { token } = await signedIn(t);
    const res = await t.api.post(`/api/events/${event.id}/rsvp`, { token, json });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(res.body.errors).toEqual([expect.objectContaining({ path })]);
    await expectCountersExact(t.db, event.id);
  });

  it("is 401 without a token", async () => {
    const { event } = await anEvent();
    expect((await t.api.post(`/api/events/${event.id}/rsvp`, { json: { status: "going" } })).status).toBe(401);
    expect((await t.api.delete(`/api/events/${event.id}/rsvp`)).status).toBe(401);
  });

  it("changes only the caller's own RSVP: another dancer's answer never moves theirs", async () => {
    const { event } = await anEvent();
    const [a, b] = await dancers(2);
    await answer(t.api, a!.token, event.id, { status: "going" });
    await withdraw(t.api, b!.token, event.id);
    await answer(t.api, b!.token, event.id, { status: "not_going" });
    expect(await statusOf(t.db, event.id, a!.user.id)).toBe("going");
    await expectCountersExact(t.db, event.id);
  });
});

describe("promoteWaitlisted (the capacity-raise path)", () => {
  it("promotes, first in line first, the dancers who fit once the capacity or a cap is raised", async () => {
    const { event } = await anEvent({ isPaid: true, maxAttendees: 1, maxLeaders: 1, maxFollowers: 1 });
    const [l1, l2, f1, l3] = await dancers(4);
    await answer(t.api, l1!.token, event.id, { status: "going", role: "leader" });
    await answer(t.api, l2!.token, event.id, { status: "going", role: "leader" });
    await answer(t.api, f1!.token, event.id, { status: "going", role: "follower" });
    await answer(t.api, l3!.token, event.id, { status: "going", role: "leader" });
    expect(await waitlist(t.db, event.id)).toEqual([l2!.user.id, f1!.user.id, l3!.user.id]);
    const { db, now } = testCtx(t);
    const [, first] = await db.batch([
      db.execute(sql`UPDATE events SET max_attendees = 3 WHERE id = ${event.id}`),
      promoteWaitlisted(db, { eventId: event.id, now }),
    ]);
    // Two seats, but the leaders' cap stays 1: only the follower fits.
    expect(Number(first.rows[0]!.promoted)).toBe(1);
    expect(await waitlist(t.db, event.id)).toEqual([l2!.user.id, l3!.user.id]);
    const [, second] = await db.batch([
      db.execute(sql`UPDATE events SET max_leaders = 5 WHERE id = ${event.id}`),
      promoteWaitlisted(db, { eventId: event.id, now }),
    ]);
    expect(Number(second.rows[0]!.promoted)).toBe(1);
    expect(await waitlist(t.db, event.id)).toEqual([l3!.user.id]);
    expect(await statusOf(t.db, event.id, l2!.user.id)).toBe("going");
    expect(await notificationsOf(t.db, l2!.user.id, "event_waitlist_promoted")).toHaveLength(1);
    expect(await notificationsOf(t.db, l3!.user.id, "event_waitlist_promoted")).toEqual([]);
    await expectCountersExact(t.db, event.id);
  });

  it("promotes no one on a cancelled or past event, and nothing twice", async () => {
    const { db, now } = testCtx(t);
    const { event } = await anEvent({ maxAttendees: 1 });
    const [a, b] = await dancers(2);
    await answer(t.api, a!.token, event.id, { status: "going" });
    await answer(t.api, b!.token, event.id, { status: "going" });
    await t.db.update(events).set({ status: "cancelled", maxAttendees: 5 }).where(eq(events.id, event.id));
    expect(Number((await promoteWaitlisted(db, { eventId: event.id, now })).rows[0]!.promoted)).toBe(0);
    await t.db.update(events).set({ status: "published", startDate: new Date(Date.now() - 60_000) }).where(eq(events.id, event.id));
    expect(Number((await promoteWaitlisted(db, { eventId: event.id, now })).rows[0]!.promoted)).toBe(0);
    await t.db.update(events).set({ startDate: new Date(Date.now() + 86_400_000) }).where(eq(events.id, event.id));
    expect(Number((await promoteWaitlisted(db, { eventId: event.id, now })).rows[0]!.promoted)).toBe(1);
    expect(Number((await promoteWaitlisted(db, { eventId: event.id, now })).rows[0]!.promoted)).toBe(0);
    await expectCountersExact(t.db, event.id);
  });

  it("passes over a waitlisted dancer who is suspended or blocked with the organizer", async () => {
    const { organizer, event } = await anEvent({ maxAttendees: 1 });
    const [a, gone, blocked, ok] = await dancers(4);
    for (const x of [a, gone, blocked, ok]) await answer(t.api, x!.token, event.id, { status: "going" });
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, gone!.user.id));
    await t.db.insert(blockedUsers).values({ blockerId: organizer.user.id, blockedId: blocked!.user.id });
    await withdraw(t.api, a!.token, event.id);
    expect(await statusOf(t.db, event.id, ok!.user.id)).toBe("going");
    expect(await waitlist(t.db, event.id)).toEqual([gone!.user.id, blocked!.user.id]);
    await expectCountersExact(t.db, event.id);
  });
});

describe("the rsvp factory and the statement agree", () => {
  it("keeps counters exact when RSVPs written by the factory are changed through the API, and fills seats left free", async () => {
    const { event } = await anEvent({ maxAttendees: 3 });
    const [a, b, c] = await Promise.all([createUser(t.db), createUser(t.db), signedIn(t)]);
    await rsvp(t.db, event.id, a.id, "going", "leader");
    // Waitlisted although seats are free: a capacity raised without promoting (see promoteWaitlisted).
    await rsvp(t.db, event.id, b.id, "waitlisted", "follower");
    const res = await answer(t.api, c.token, event.id, { status: "going" });
    expect(res.body).toMatchObject({ waitlisted: false, counts: { going: 3, leaders: 1, followers: 1, waitlisted: 0 } });
    expect(await statusOf(t.db, event.id, b.id)).toBe("going");
    await expectCountersExact(t.db, event.id);
  });
});

describe("round trips", () => {
  /** The database requests (neon HTTP calls) one API call makes. */
  async function roundTrips(call: () => Promise<unknown>): Promise<number> {
    const spy = vi.spyOn(globalThis, "fetch");
    try {
      await call();
      return spy.mock.calls.filter(([input]) => String(input instanceof Request ? input.url : input) === t.env.NEON_FETCH_ENDPOINT).length;
    } finally {
      spy.mockRestore();
    }
  }

  it("takes one round trip per RSVP, withdrawal (with a promotion), attendee page and ticket read", async () => {
    const { organizer, event } = await anEvent({ isPaid: true, maxAttendees: 1 });
    const [a, b] = await dancers(2);
    expect(await roundTrips(() => answer(t.api, a!.token, event.id, { status: "going" }))).toBe(1);
    expect(await roundTrips(() => answer(t.api, b!.token, event.id, { status: "going" }))).toBe(1);
    expect(await roundTrips(() => withdraw(t.api, a!.token, event.id))).toBe(1);
    expect(await statusOf(t.db, event.id, b!.user.id)).toBe("going");
    expect(await roundTrips(() => t.api.get(`/api/events/${event.id}/attendees`, { token: organizer.token }))).toBe(1);
    expect(await roundTrips(() => t.api.get(`/api/events/${event.id}/ticket`, { token: b!.token }))).toBe(1);
    expect(await roundTrips(() => t.api.get("/api/me/tickets", { token: b!.token }))).toBe(1);
  });
});

describe("OpenAPI", () => {
  it("documents the RSVP routes", async () => {
    const { paths } = (await t.api.get("/openapi.json")).body;
    expect(Object.keys(paths["/api/events/{id}/rsvp"]).sort()).toEqual(["delete", "post"]);
  });
});
