import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { guestBookings, hostHomeBlockedDates, notifications } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { useTestDatabase } from "../../../test/harness";
import { createBooking, createListing, day, stayBody } from "../../../test/housing";
import { PG, pgError } from "../../lib/db";

/**
 * Booking requests racing each other and the state they depend on. Meaningful on PostgreSQL
 * (real concurrency: `DATABASE_URL=... npx vitest run`); they must hold on PGlite too.
 */

const t = await useTestDatabase();

const dancers = (n: number) => Promise.all(Array.from({ length: n }, () => signedIn(t)));

async function aListing() {
  const host = await signedIn(t);
  return { host, listing: await createListing(t.db, { userId: host.user.id, maxGuests: 4 }) };
}

const ask = (listingId: number, token: string, body: Record<string, unknown>) => t.api.post(`/api/housing/listings/${listingId}/bookings`, { token, json: body });

describe("concurrent booking requests", () => {
  it("of 10 overlapping requests at once, exactly one holds; the others are 409 dates_unavailable", async () => {
    const { host, listing } = await aListing();
    const guests = await dancers(10);
    // Every pair overlaps: each asks for two to five nights around day 20.
    const results = await Promise.all(guests.map((g, i) => ask(listing.id, g.token, stayBody(day(18 + (i % 3)), day(21 + (i % 4))))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(409)]);
    for (const refused of results.filter((r) => r.status === 409)) expect(refused.body.code).toBe("dates_unavailable");
    const stored = await t.db.select().from(guestBookings).where(eq(guestBookings.homeId, listing.id));
    expect(stored).toHaveLength(1);
    // Nothing half-written: one request, one notice to the host.
    const notices = await t.db.select().from(notifications).where(and(eq(notifications.userId, host.user.id), eq(notifications.type, "booking_requested")));
    expect(notices.map((n) => n.subjectId)).toEqual([stored[0]!.id]);
  });

  it("the exclusion constraint itself refuses an overlap that skips the statement's own check (23P01)", async () => {
    const { listing } = await aListing();
    const [guest] = await dancers(1);
    await createBooking(t.db, { homeId: listing.id, guestId: guest!.user.id, checkIn: day(50), checkOut: day(53), status: "approved" });
    const error = await createBooking(t.db, { homeId: listing.id, guestId: guest!.user.id, checkIn: day(52), checkOut: day(54) }).catch((e: unknown) => e);
    expect(pgError(error)).toMatchObject({ code: PG.exclusionViolation, constraint: "guest_bookings_no_overlap" });
    // Refused and cancelled stays hold no dates.
    await createBooking(t.db, { homeId: listing.id, guestId: guest!.user.id, checkIn: day(52), checkOut: day(54), status: "cancelled" });
    expect((await createBooking(t.db, { homeId: listing.id, guestId: guest!.user.id, checkIn: day(53), checkOut: day(54) })).status).toBe("pending");
  });

  it("back-to-back requests at once all hold: checkout day is the next check-in day", async () => {
    const { listing } = await aListing();
    const guests = await dancers(6);
    const results = await Promise.all(guests.map((g, i) => ask(listing.id, g.token, stayBody(day(30 + i * 2), day(32 + i * 2)))));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(201));
  });

  it("an approval racing the guest's cancel: the pending request is taken by exactly one, never lost", async () => {
    const { host, listing } = await aListing();
    const guests = await dancers(8);
    const stays: number[] = [];
    for (const [i, g] of guests.entries()) stays.push((await ask(listing.id, g.token, stayBody(day(40 + i * 3), day(42 + i * 3)))).body.id as number);
    const outcomes = await Promise.all(
      stays.map(async (id, i) => {
        const [approve, cancel] = await Promise.all([
          t.api.post(`/api/housing/bookings/${id}/approve`, { token: host.token }),
          t.api.post(`/api/housing/bookings/${id}/cancel`, { token: guests[i]!.token }),
        ]);
        return { id, approve: approve.status, cancel: cancel.status };
      }),
    );
    const rows = await t.db.select().from(guestBookings).where(inArray(guestBookings.id, stays));
    for (const o of outcomes) {
      const row = rows.find((r) => r.id === o.id)!;
      // The cancel always holds (a pending request, or an approved stay before check-in); the
      // approval holds only when it came first, and then the cancel saw the approved stay.
      expect(o.cancel).toBe(200);
      expect(row.status).toBe("cancelled");
      if (o.approve === 200) expect(row.respondedAt).not.toBeNull();
      else expect([o.approve, row.respondedAt]).toEqual([409, null]);
    }
    const approvals = await t.db.select().from(notifications).where(eq(notifications.type, "booking_approved"));
    const approvedIds = outcomes.filter((o) => o.approve === 200).map((o) => o.id);
    expect(approvals.filter((n) => stays.includes(n.subjectId!)).map((n) => n.subjectId).sort()).toEqual(approvedIds.sort());
  });

  it("for stays checking in today, an approval and the guest's cancel racing: exactly one wins, the other is 409", async () => {
    const host = await signedIn(t);
    const guests = await dancers(8);
    // One night from today, each at a listing of its own: an approved stay can no longer be cancelled.
    const sameDay = [];
    for (const g of guests) {
      const home = await createListing(t.db, { userId: host.user.id });
      sameDay.push(await createBooking(t.db, { homeId: home.id, guestId: g.user.id, checkIn: day(0), checkOut: day(1) }));
    }
    const outcomes = await Promise.all(
      sameDay.map(async (stay, i) => {
        const [approve, cancel] = await Promise.all([
          t.api.post(`/api/housing/bookings/${stay.id}/approve`, { token: host.token }),
          t.api.post(`/api/housing/bookings/${stay.id}/cancel`, { token: guests[i]!.token }),
        ]);
        return { id: stay.id, approve, cancel };
      }),
    );
    const rows = await t.db.select().from(guestBookings).where(inArray(guestBookings.id, sameDay.map((s) => s.id)));
    for (const { id, approve, cancel } of outcomes) {
      expect([approve.status, cancel.status].sort(), String(id)).toEqual([200, 409]);
      const loser = approve.status === 409 ? approve : cancel;
      expect(loser.body.code).toBe(approve.status === 409 ? "booking_not_pending" : "booking_not_cancellable");
      expect(rows.find((r) => r.id === id)!.status).toBe(approve.status === 200 ? "approved" : "cancelled");
    }
  });

  it("closing dates racing requests for them: never both a closed night and a stay over it", async () => {
    const { host, listing } = await aListing();
    const guests = await dancers(5);
    // Every request holds the night of day 62 (so at most one can hold) and overlaps the closing.
    const [closing, ...requests] = await Promise.all([
      t.api.post(`/api/housing/listings/${listing.id}/blocked-dates`, { token: host.token, json: { startsOn: day(60), endsOn: day(65) } }),
      ...guests.map((g, i) => ask(listing.id, g.token, stayBody(day(58 + i), day(63)))),
    ]);
    const held = requests.filter((r) => r.status === 201);
    const closed = await t.db.select().from(hostHomeBlockedDates).where(eq(hostHomeBlockedDates.homeId, listing.id));
    if (closing.status === 201) {
      expect(held).toEqual([]);
      expect(closed).toHaveLength(1);
    } else {
      expect([closing.status, closing.body.code, held.length, closed.length]).toEqual([409, "dates_booked", 1, 0]);
    }
    for (const r of requests.filter((r) => r.status !== 201)) expect([r.status, r.body.code]).toEqual([409, "dates_unavailable"]);
  });

  it("a request racing the listing's deletion: either refused (404) or removed with the listing, its guest told", async () => {
    const { host, listing } = await aListing();
    const [guest] = await dancers(1);
    const [deleted, asked] = await Promise.all([
      t.api.delete(`/api/housing/listings/${listing.id}`, { token: host.token }),
      ask(listing.id, guest!.token, stayBody(day(70), day(72))),
    ]);
    expect(deleted.status).toBe(204);
    expect([201, 404]).toContain(asked.status);
    expect(await t.db.select().from(guestBookings).where(eq(guestBookings.homeId, listing.id))).toEqual([]);
    const told = await t.db.select().from(notifications).where(and(eq(notifications.userId, guest!.user.id), eq(notifications.type, "booking_rejected")));
    expect(told).toHaveLength(asked.status === 201 ? 1 : 0);
  });
});
