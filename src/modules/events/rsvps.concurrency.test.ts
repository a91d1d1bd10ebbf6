import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { eventRsvps, events, eventTickets, users } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createEvent } from "../../../test/factories";
import { testCtx, useTestDatabase } from "../../../test/harness";
import {
  answer,
  expectCountersExact,
  expectNoOneWaitsWhoFits,
  notificationsOf,
  statusOf,
  storedCounters,
  waitlist,
  withdraw,
} from "../../../test/rsvps";
import { lockEventForRsvps } from "./rsvps.service";

/**
 * RSVPs racing each other and the state they depend on. Meaningful on PostgreSQL (real
 * concurrency: `DATABASE_URL=... npx vitest run`); they must hold on PGlite too.
 */

const t = await useTestDatabase();

async function anEvent(overrides: Partial<typeof events.$inferInsert> = {}) {
  const organizer = await signedIn(t);
  const event = await createEvent(t.db, { userId: organizer.user.id, ...overrides });
  return { organizer, event };
}

const dancers = (n: number) => Promise.all(Array.from({ length: n }, () => signedIn(t)));

describe("concurrent RSVPs: capacity and the waitlist", () => {
  it("seats exactly 5 of 20 dancers answering at once, lines up the other 15 in order, then promotes on a cancel", async () => {
    const { event } = await anEvent({ maxAttendees: 5, isPaid: true });
    const people = await dancers(20);
    const results = await Promise.all(people.map((p) => answer(t.api, p.token, event.id, { status: "going" })));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const seated = people.filter((_, i) => !results[i]!.body.waitlisted);
    const waiting = people
      .map((p, i) => ({ id: p.user.id, token: p.token, position: results[i]!.body.position as number | null }))
      .filter((w) => w.position !== null)
      .sort((a, b) => a.position! - b.position!);
    expect(seated).toHaveLength(5);
    expect(waiting.map((w) => w.position)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    // The line as stored is the line as answered.
    expect(await waitlist(t.db, event.id)).toEqual(waiting.map((w) => w.id));
    expect(await expectCountersExact(t.db, event.id)).toEqual({ going: 5, leaders: 0, followers: 0, interested: 0, waitlisted: 15 });
    for (const s of seated) expect(results[people.indexOf(s)]!.body.ticket.code).toMatch(/^[0-9a-f]{32}$/);

    expect((await withdraw(t.api, seated[0]!.token, event.id)).status).toBe(204);
    expect(await statusOf(t.db, event.id, waiting[0]!.id)).toBe("going");
    expect(await notificationsOf(t.db, waiting[0]!.id, "event_waitlist_promoted")).toHaveLength(1);
    const [ticket] = await t.db.select().from(eventTickets).where(and(eq(eventTickets.eventId, event.id), eq(eventTickets.userId, waiting[0]!.id)));
    expect(ticket!.status).toBe("active");
    expect(await waitlist(t.db, event.id)).toEqual(waiting.slice(1).map((w) => w.id));
    expect((await answer(t.api, waiting[1]!.token, event.id, { status: "going" })).body.position).toBe(1);
    expect(await expectCountersExact(t.db, event.id)).toMatchObject({ going: 5, waitlisted: 14 });
  });

  it("keeps both role caps under concurrency: 10 leaders and 10 followers at once for 4 + 4 seats", async () => {
    const { event } = await anEvent({ maxAttendees: 8, maxLeaders: 4, maxFollowers: 4 });
    const people = await dancers(20);
    const results = await Promise.all(
      people.map((p, i) => answer(t.api, p.token, event.id, { status: "going", role: i % 2 === 0 ? "leader" : "follower" })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(results.filter((r) => !r.body.waitlisted).map((r) => r.body.role as string).sort()).toEqual([
      ...Array(4).fill("follower"),
      ...Array(4).fill("leader"),
    ]);
    expect(await expectCountersExact(t.db, event.id)).toEqual({ going: 8, leaders: 4, followers: 4, interested: 0, waitlisted: 12 });
    await expectNoOneWaitsWhoFits(t.db, event.id);
  });

  it("fills the leaders' cap exactly with no capacity set, while followers keep coming in", async () => {
    const { event } = await anEvent({ maxLeaders: 3 });
    const people = await dancers(12);
    await Promise.all(people.map((p, i) => answer(t.api, p.token, event.id, { status: "going", role: i < 8 ? "leader" : "follower" })));
    expect(await expectCountersExact(t.db, event.id)).toEqual({ going: 7, leaders: 3, followers: 4, interested: 0, waitlisted: 5 });
    await expectNoOneWaitsWhoFits(t.db, event.id);
  });

  it("holds capacity and the line while seated dancers leave and new ones arrive at the same moment", async () => {
    const { event } = await anEvent({ maxAttendees: 4, isPaid: true });
    const first = await dancers(8);
    for (const p of first) await answer(t.api, p.token, event.id, { status: "going" });
    const newcomers = await dancers(6);
    const line = await waitlist(t.db, event.id);
    await Promise.all([
      ...first.slice(0, 4).map((p) => withdraw(t.api, p.token, event.id)),
      answer(t.api, first[5]!.token, event.id, { status: "interested" }),
      ...newcomers.map((p) => answer(t.api, p.token, event.id, { status: "going" })),
    ]);
    const counters = await expectCountersExact(t.db, event.id);
    expect(counters).toMatchObject({ going: 4, interested: 1, waitlisted: 5 });
    await expectNoOneWaitsWhoFits(t.db, event.id);
    // Those already in line (but the one who left it) got the seats before any newcomer.
    const stayed = line.filter((id) => id !== first[5]!.user.id);
    for (const id of stayed) expect(await statusOf(t.db, event.id, id)).toBe("going");
  });

  it("lets a seat freed and the first in line leaving at the same moment go to the next in line", async () => {
    const { event } = await anEvent({ maxAttendees: 1 });
    const [a, b, c] = await dancers(3);
    for (const p of [a, b, c]) await answer(t.api, p!.token, event.id, { status: "going" });
    await Promise.all([withdraw(t.api, a!.token, event.id), withdraw(t.api, b!.token, event.id)]);
    // Either order ends the same: b is gone, c has the seat.
    expect(await statusOf(t.db, event.id, b!.user.id)).toBeUndefined();
    expect(await statusOf(t.db, event.id, c!.user.id)).toBe("going");
    expect(await expectCountersExact(t.db, event.id)).toMatchObject({ going: 1, waitlisted: 0 });
  });
});

describe("concurrent RSVPs: a dancer racing themselves", () => {
  it("stores one going RSVP, one seat and one ticket for the same answer sent six times at once", async () => {
    const { event } = await anEvent({ maxAttendees: 3, isPaid: true });
    const { user, token } = await signedIn(t);
    const results = await Promise.all(Array.from({ length: 6 }, () => answer(t.api, token, event.id, { status: "going" })));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(new Set(results.map((r) => r.body.ticket.code as string)).size).toBe(1);
    expect(await t.db.select().from(eventRsvps).where(eq(eventRsvps.userId, user.id))).toHaveLength(1);
    expect(await expectCountersExact(t.db, event.id)).toMatchObject({ going: 1 });
  });

  it("keeps counters exact for different answers and withdrawals sent at once", async () => {
    const { event } = await anEvent({ maxAttendees: 2, maxLeaders: 1, maxFollowers: 1 });
    const [a, b] = await dancers(2);
    const calls = [a!, b!].flatMap((p) => [
      answer(t.api, p.token, event.id, { status: "going", role: "leader" }),
      answer(t.api, p.token, event.id, { status: "interested" }),
      answer(t.api, p.token, event.id, { status: "going", role: "follower" }),
      withdraw(t.api, p.token, event.id),
      answer(t.api, p.token, event.id, { status: "not_going" }),
      answer(t.api, p.token, event.id, { status: "going", role: "leader" }),
    ]);
    const results = await Promise.all(calls);
    for (const r of results) expect([200, 204]).toContain(r.status);
    await expectCountersExact(t.db, event.id);
    await expectNoOneWaitsWhoFits(t.db, event.id);
  });
});

describe("concurrent RSVPs: racing a state change", () => {
  it("answers 200 or 404, never a 500, when the organizer blocks the dancer at the same moment", async () => {
    for (let round = 0; round < 4; round++) {
      const { organizer, event } = await anEvent({ maxAttendees: 1 });
      const { user, token } = await signedIn(t);
      const [res, block] = await Promise.all([
        answer(t.api, token, event.id, { status: "going" }),
        t.api.post(`/api/users/${user.id}/block`, { token: organizer.token }),
      ]);
      expect(block.status).toBe(204);
      expect([200, 404]).toContain(res.status);
      expect(await statusOf(t.db, event.id, user.id)).toBe(res.status === 200 ? "going" : undefined);
      await expectCountersExact(t.db, event.id);
      // Blocked now: no more answers.
      expect((await answer(t.api, token, event.id, { status: "interested" })).status).toBe(404);
    }
  });

  it("answers 200 or 403 when the dancer is suspended, 200 or 404 when the organizer is, at the same moment", async () => {
    for (let round = 0; round < 3; round++) {
      const { organizer, event } = await anEvent();
      const [dancer, other] = await dancers(2);
      const [mine, , theirs] = await Promise.all([
        answer(t.api, dancer!.token, event.id, { status: "going" }),
        t.db.update(users).set({ suspended: true }).where(eq(users.id, dancer!.user.id)),
        answer(t.api, other!.token, event.id, { status: "going" }),
        t.db.update(users).set({ suspended: true }).where(eq(users.id, organizer.user.id)),
      ]);
      expect([200, 403, 404]).toContain(mine.status);
      expect([200, 404]).toContain(theirs.status);
      expect(await statusOf(t.db, event.id, other!.user.id)).toBe(theirs.status === 200 ? "going" : undefined);
      expect(await statusOf(t.db, event.id, dancer!.user.id)).toBe(mine.status === 200 ? "going" : undefined);
      await expectCountersExact(t.db, event.id);
    }
  });

  it("answers 200 or 409 when the event is cancelled at the same moment, and nothing comes after the cancel", async () => {
    for (let round = 0; round < 3; round++) {
      const { event } = await anEvent({ maxAttendees: 2 });
      const people = await dancers(4);
      const [results] = await Promise.all([
        Promise.all(people.map((p) => answer(t.api, p.token, event.id, { status: "going" }))),
        t.db.update(events).set({ status: "cancelled", cancelledAt: new Date() }).where(eq(events.id, event.id)),
      ]);
      for (const r of results) {
        expect([200, 409]).toContain(r.status);
        if (r.status === 409) expect(r.body.code).toBe("event_cancelled");
      }
      await expectCountersExact(t.db, event.id);
      const after = await answer(t.api, people[0]!.token, event.id, { status: "not_going" });
      expect([after.status, after.body.code]).toEqual([409, "event_cancelled"]);
      expect((await storedCounters(t.db, event.id)).going).toBeLessThanOrEqual(2);
    }
  });

  it("leaves no active ticket behind a cancel that locks the event's RSVPs first, however RSVPs race it", async () => {
    const { db } = testCtx(t);
    for (let round = 0; round < 3; round++) {
      const { event } = await anEvent({ maxAttendees: 3, isPaid: true });
      const people = await dancers(5);
      const cancel = () =>
        db.batch([
          lockEventForRsvps(db, event.id),
          db.execute(sql`WITH ev AS (UPDATE events SET status = 'cancelled', cancelled_at = now() WHERE id = ${event.id} RETURNING id)
            UPDATE event_tickets SET status = 'cancelled', cancelled_at = now() WHERE event_id IN (SELECT id FROM ev) AND status = 'active'`),
        ]);
      await Promise.all([...people.map((p) => answer(t.api, p.token, event.id, { status: "going" })), cancel()]);
      const active = await t.db.select().from(eventTickets).where(and(eq(eventTickets.eventId, event.id), eq(eventTickets.status, "active")));
      expect(active).toEqual([]);
    }
  });
});
