import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { eventCoOrganizers, eventRsvps, events, notifications } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createEvent, createUser, rsvp } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";

/**
 * Event writes racing each other and racing RSVPs. These are meaningful on PostgreSQL (the
 * local PGlite runs one statement at a time); they must hold on both.
 */
const t = await useTestDatabase();

/**
 * A `going` RSVP as the RSVP statements take one: a seat counted on the event's row only while
 * it is published and not full (a conditional UPDATE, re-checked on the latest row), and the
 * RSVP written in the same statement. Answers whether it got in.
 */
async function takeSeat(eventId: number, userId: number): Promise<boolean> {
  const { rows } = await t.db.execute<{ id: number }>(sql`
    WITH seat AS (
      UPDATE events SET going_count = going_count + 1
      WHERE id = ${eventId} AND status = 'published' AND (max_attendees IS NULL OR going_count < max_attendees)
      RETURNING id
    )
    INSERT INTO event_rsvps (event_id, user_id, status) SELECT id, ${userId}, 'going' FROM seat RETURNING id`);
  return rows.length === 1;
}

async function eventRow(id: number) {
  const [row] = await t.db.select().from(events).where(eq(events.id, id));
  return row!;
}

async function goingIds(eventId: number) {
  const rows = await t.db
    .select({ userId: eventRsvps.userId })
    .from(eventRsvps)
    .where(and(eq(eventRsvps.eventId, eventId), eq(eventRsvps.status, "going")))
    .orderBy(eventRsvps.userId);
  return rows.map((r) => r.userId);
}

async function cancelNotices(eventId: number) {
  return t.db
    .select({ userId: notifications.userId, count: notifications.count })
    .from(notifications)
    .where(and(eq(notifications.type, "event_cancelled"), eq(notifications.subjectId, eventId)))
    .orderBy(notifications.userId);
}

describe("events under concurrency", () => {
  it("applies racing edits one after the other: sequence counts every one of them", async () => {
    const organizer = await signedIn(t);
    const co = await signedIn(t);
    const event = await createEvent(t.db, { userId: organizer.user.id });
    await t.db.insert(eventCoOrganizers).values({ eventId: event.id, userId: co.user.id });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.api.patch(`/api/events/${event.id}`, { token: (i % 2 ? co : organizer).token, json: { title: `Edit ${i}` } }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(results.map((r) => Number(r.body.sequence)).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await eventRow(event.id)).sequence).toBe(8);
  });

  it("never sets a capacity under the dancers going while RSVPs race the edit", async () => {
    const organizer = await signedIn(t);
    for (let round = 0; round < 3; round++) {
      const event = await createEvent(t.db, { userId: organizer.user.id, maxAttendees: 20 });
      for (let i = 0; i < 5; i++) await rsvp(t.db, event.id, (await createUser(t.db)).id, "going");
      const dancers = await Promise.all(Array.from({ length: 10 }, () => createUser(t.db)));
      const [edit, ...seats] = await Promise.all([
        t.api.patch(`/api/events/${event.id}`, { token: organizer.token, json: { maxAttendees: 8 } }),
        ...dancers.map((d) => takeSeat(event.id, d.id)),
      ]);
      const row = await eventRow(event.id);
      const going = await goingIds(event.id);
      expect(row.goingCount).toBe(going.length);
      expect(row.goingCount).toBe(5 + seats.filter(Boolean).length);
      if (edit.status === 200) {
        expect(row.maxAttendees).toBe(8);
        expect(row.goingCount).toBeLessThanOrEqual(8);
      } else {
        expect([edit.status, edit.body.code]).toEqual([409, "capacity_below_going"]);
        expect(row.maxAttendees).toBe(20);
        expect(row.goingCount).toBeGreaterThan(8);
      }
    }
  });

  it("cancels once under racing cancels: one flip, one sequence bump, one notice per dancer", async () => {
    const organizer = await signedIn(t);
    const co = await signedIn(t);
    const event = await createEvent(t.db, { userId: organizer.user.id });
    await t.db.insert(eventCoOrganizers).values({ eventId: event.id, userId: co.user.id });
    const dancers = await Promise.all(Array.from({ length: 4 }, () => createUser(t.db)));
    for (const dancer of dancers) await rsvp(t.db, event.id, dancer.id, "going");
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => t.api.post(`/api/events/${event.id}/cancel`, { token: (i % 2 ? co : organizer).token })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(new Set(results.map((r) => String(r.body.cancelledAt))).size).toBe(1);
    const row = await eventRow(event.id);
    expect(row).toMatchObject({ status: "cancelled", sequence: 1 });
    expect(await cancelNotices(event.id)).toEqual(dancers.map((d) => ({ userId: d.id, count: 1 })).sort((a, b) => a.userId - b.userId));
  });

  it("tells every dancer who got in before a cancel, and lets nobody in after it", async () => {
    const organizer = await signedIn(t);
    for (let round = 0; round < 3; round++) {
      const event = await createEvent(t.db, { userId: organizer.user.id });
      for (let i = 0; i < 3; i++) await rsvp(t.db, event.id, (await createUser(t.db)).id, "going");
      const dancers = await Promise.all(Array.from({ length: 12 }, () => createUser(t.db)));
      const half = dancers.length / 2;
      const [cancel] = await Promise.all([
        // Half the RSVPs are sent before the cancel, half after: they interleave on the server.
        new Promise<Awaited<ReturnType<typeof t.api.post>>>((resolve) => {
          setTimeout(() => void t.api.post(`/api/events/${event.id}/cancel`, { token: organizer.token }).then(resolve), 0);
        }),
        ...dancers.slice(0, half).map((d) => takeSeat(event.id, d.id)),
        new Promise((resolve) => setTimeout(resolve, 1)).then(() => Promise.all(dancers.slice(half).map((d) => takeSeat(event.id, d.id)))),
      ]);
      expect(cancel.status).toBe(200);
      const going = await goingIds(event.id);
      expect((await eventRow(event.id)).goingCount).toBe(going.length);
      expect((await cancelNotices(event.id)).map((n) => n.userId)).toEqual(going);
      // After the cancel nobody gets a seat.
      expect(await takeSeat(event.id, (await createUser(t.db)).id)).toBe(false);
    }
  });

  it("either edits before a racing cancel or refuses the edit (409): the event ends cancelled", async () => {
    const organizer = await signedIn(t);
    const event = await createEvent(t.db, { userId: organizer.user.id });
    const [edit, cancel] = await Promise.all([
      t.api.patch(`/api/events/${event.id}`, { token: organizer.token, json: { title: "Edited" } }),
      t.api.post(`/api/events/${event.id}/cancel`, { token: organizer.token }),
    ]);
    expect(cancel.status).toBe(200);
    const row = await eventRow(event.id);
    expect(row.status).toBe("cancelled");
    if (edit.status === 200) expect(row).toMatchObject({ title: "Edited", sequence: 2 });
    else expect([edit.status, edit.body.code, row.title, row.sequence]).toEqual([409, "event_cancelled", event.title, 1]);
  });

  it("deletes an event whatever races the delete", async () => {
    const organizer = await signedIn(t);
    const event = await createEvent(t.db, { userId: organizer.user.id });
    await rsvp(t.db, event.id, (await createUser(t.db)).id, "going");
    const [removed, cancel, again] = await Promise.all([
      t.api.delete(`/api/events/${event.id}`, { token: organizer.token }),
      t.api.post(`/api/events/${event.id}/cancel`, { token: organizer.token }),
      t.api.delete(`/api/events/${event.id}`, { token: organizer.token }),
    ]);
    expect([204, 404]).toContain(removed.status);
    expect([204, 404]).toContain(again.status);
    expect([removed.status, again.status]).toContain(204);
    expect([200, 404]).toContain(cancel.status);
    expect(await t.db.select().from(events).where(eq(events.id, event.id))).toEqual([]);
  });
});
