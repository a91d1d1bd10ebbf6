import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, guestBookings, notifications } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { befriend } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { blockListingDates, bookingStatus, createBooking, createListing, day, stayBody } from "../../../test/housing";
import { allPages } from "../../../test/pages";

const t = await useTestDatabase();

async function aListing(overrides: Parameters<typeof createListing>[1] extends infer O ? Partial<O> : never = {}) {
  const host = await signedIn(t);
  const listing = await createListing(t.db, { userId: host.user.id, ...overrides });
  return { host, listing };
}

const ask = (listingId: number, token: string | undefined, body: Record<string, unknown>) =>
  t.api.post(`/api/housing/listings/${listingId}/bookings`, { token, json: body });

const noticesOf = (userId: number, type: string) =>
  t.db.select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.type, type)));

describe("POST /api/housing/listings/{id}/bookings", () => {
  it("makes a pending stay priced by the server, with the rules as accepted, and tells the host", async () => {
    const { host, listing } = await aListing({ pricePerNight: 4250, currency: "EUR", maxGuests: 3 });
    const guest = await signedIn(t);
    const res = await ask(listing.id, guest.token, stayBody(day(10), day(14), { guests: 3, totalPrice: 1, pricePerNight: 1 }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      listing: { id: listing.id, title: listing.title, address: null },
      host: { id: host.user.id },
      guest: { id: guest.user.id },
      checkIn: day(10),
      checkOut: day(14),
      nights: 4,
      guests: 3,
      pricePerNight: 4250,
      totalPrice: 17000,
      currency: "EUR",
      houseRules: listing.houseRules,
      status: "pending",
      viewerRole: "guest",
      reviewed: { byGuest: false, byHost: false },
    });
    const [notice] = await noticesOf(host.user.id, "booking_requested");
    expect(notice).toMatchObject({ actorId: guest.user.id, subjectType: "booking", subjectId: res.body.id });
    expect(notice!.data).toMatchObject({ bookingId: res.body.id, homeId: listing.id, homeTitle: listing.title, checkIn: day(10) });
  });

  it("refuses bad requests with 400 problem+json: rules not accepted, dates reversed, over 90 nights, in the past, too many guests", async () => {
    const { listing } = await aListing();
    const guest = await signedIn(t);
    const cases: [Record<string, unknown>, string][] = [
      [stayBody(day(5), day(7), { acceptRules: false }), "rules_not_accepted"],
      [stayBody(day(7), day(5)), "dates_reversed"],
      [stayBody(day(7), day(7)), "dates_reversed"],
      [stayBody(day(5), day(96)), "stay_too_long"],
      [stayBody(day(-1), day(2)), "check_in_past"],
      [stayBody(day(5), day(7), { guests: 3 }), "too_many_guests"],
      [stayBody("2030-02-30", day(7)), "validation_failed"],
      [stayBody(day(5), day(7), { acceptRules: "yes" }), "validation_failed"],
      [stayBody(day(5), day(7), { message: "hi\u0007" }), "validation_failed"],
    ];
    for (const [body, code] of cases) {
      const res = await ask(listing.id, guest.token, body);
      expect([res.status, res.body.code], JSON.stringify(body)).toEqual([400, code]);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
    expect((await ask(listing.id, guest.token, stayBody(day(5), day(95)))).status).toBe(201);
    expect((await ask(listing.id, undefined, stayBody(day(100), day(101)))).status).toBe(401);
  });

  it("refuses the host's own listing, the booking policy, a block (404) and an invisible listing", async () => {
    const { host, listing } = await aListing({ bookingPolicy: "friends" });
    const [friend, stranger, blocked] = await Promise.all([signedIn(t), signedIn(t), signedIn(t)]);
    await befriend(t.db, host.user.id, friend.user.id);
    await befriend(t.db, host.user.id, blocked.user.id);
    const own = await ask(listing.id, host.token, stayBody(day(5), day(6)));
    expect([own.status, own.body.code]).toEqual([403, "own_listing"]);
    const policy = await ask(listing.id, stranger.token, stayBody(day(5), day(6)));
    expect([policy.status, policy.body.code]).toEqual([403, "booking_not_allowed"]);
    await t.db.insert(blockedUsers).values({ blockerId: blocked.user.id, blockedId: host.user.id });
    const across = await ask(listing.id, blocked.token, stayBody(day(5), day(6)));
    expect([across.status, across.body.code]).toEqual([404, "not_found"]);
    expect((await ask(listing.id, friend.token, stayBody(day(5), day(6)))).status).toBe(201);
    const paused = await createListing(t.db, { userId: host.user.id, status: "paused" });
    expect((await ask(paused.id, friend.token, stayBody(day(5), day(6)))).status).toBe(404);
    expect((await ask(2_000_000_000, friend.token, stayBody(day(5), day(6)))).status).toBe(404);
  });

  it("refuses overlaps and closed dates (409), allows back-to-back stays and dates freed by a refusal or a cancel", async () => {
    const { host, listing } = await aListing();
    const [a, b, c] = await Promise.all([signedIn(t), signedIn(t), signedIn(t)]);
    const first = await ask(listing.id, a.token, stayBody(day(10), day(15)));
    expect(first.status).toBe(201);
    for (const [from, to] of [[10, 15], [9, 11], [14, 20], [11, 12], [5, 30]] as const) {
      const res = await ask(listing.id, b.token, stayBody(day(from), day(to)));
      expect([res.status, res.body.code], `${from}-${to}`).toEqual([409, "dates_unavailable"]);
    }
    // Checkout day is the next check-in day, both ways.
    expect((await ask(listing.id, b.token, stayBody(day(15), day(18)))).status).toBe(201);
    expect((await ask(listing.id, c.token, stayBody(day(8), day(10)))).status).toBe(201);

    await blockListingDates(t.db, listing.id, day(30), day(35));
    const closed = await ask(listing.id, c.token, stayBody(day(34), day(36)));
    expect([closed.status, closed.body.code]).toEqual([409, "dates_unavailable"]);
    expect((await ask(listing.id, c.token, stayBody(day(35), day(36)))).status).toBe(201);

    expect((await t.api.post(`/api/housing/bookings/${first.body.id}/reject`, { token: host.token, json: { message: "Sorry, family" } })).status).toBe(200);
    expect((await ask(listing.id, c.token, stayBody(day(11), day(13)))).status).toBe(201);
  });
});

describe("approve, reject, cancel", () => {
  it("the host approves: the guest is told and reads the address; answering again is 409", async () => {
    const { host, listing } = await aListing();
    const guest = await signedIn(t);
    const stay = (await ask(listing.id, guest.token, stayBody(day(20), day(23)))).body;
    const res = await t.api.post(`/api/housing/bookings/${stay.id}/approve`, { token: host.token, json: { message: "Bienvenida!" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: "approved", hostMessage: "Bienvenida!", viewerRole: "host", listing: { address: listing.address } });
    expect(res.body.respondedAt).toEqual(expect.any(String));
    expect(await noticesOf(guest.user.id, "booking_approved")).toHaveLength(1);
    const asGuest = await t.api.get(`/api/housing/bookings/${stay.id}`, { token: guest.token });
    expect([asGuest.body.status, asGuest.body.listing.address, asGuest.body.viewerRole]).toEqual(["approved", listing.address, "guest"]);
    expect((await t.api.get(`/api/housing/listings/${listing.id}`, { token: guest.token })).body.address).toBe(listing.address);

    const again = await t.api.post(`/api/housing/bookings/${stay.id}/approve`, { token: host.token });
    expect([again.status, again.body.code]).toEqual([409, "booking_not_pending"]);
    const reject = await t.api.post(`/api/housing/bookings/${stay.id}/reject`, { token: host.token });
    expect([reject.status, reject.body.code]).toEqual([409, "booking_not_pending"]);
    expect(await noticesOf(guest.user.id, "booking_approved")).toHaveLength(1);
  });

  it("the host rejects; the guest cancels (pending, or approved before check-in), and the host is told", async () => {
    const { host, listing } = await aListing();
    const guest = await signedIn(t);
    const rejected = (await ask(listing.id, guest.token, stayBody(day(3), day(4)))).body;
    const res = await t.api.post(`/api/housing/bookings/${rejected.id}/reject`, { token: host.token });
    expect([res.status, res.body.status, res.body.hostMessage]).toEqual([200, "rejected", null]);
    expect(await noticesOf(guest.user.id, "booking_rejected")).toHaveLength(1);
    const late = await t.api.post(`/api/housing/bookings/${rejected.id}/cancel`, { token: guest.token });
    expect([late.status, late.body.code]).toEqual([409, "booking_not_cancellable"]);

    const pending = (await ask(listing.id, guest.token, stayBody(day(5), day(6)))).body;
    const cancelled = await t.api.post(`/api/housing/bookings/${pending.id}/cancel`, { token: guest.token });
    expect([cancelled.status, cancelled.body.status]).toEqual([200, "cancelled"]);
    expect(cancelled.body.cancelledAt).toEqual(expect.any(String));
    expect(await noticesOf(host.user.id, "booking_cancelled")).toHaveLength(1);

    const today = await createBooking(t.db, { homeId: listing.id, guestId: guest.user.id, checkIn: day(0), checkOut: day(2), status: "approved" });
    const started = await t.api.post(`/api/housing/bookings/${today.id}/cancel`, { token: guest.token });
    expect([started.status, started.body.code]).toEqual([409, "booking_not_cancellable"]);
    expect(await bookingStatus(t.db, today.id)).toBe("approved");
  });

  it("refuses the wrong side (403), anyone else (404) and anonymous callers (401)", async () => {
    const { host, listing } = await aListing();
    const [guest, other] = await Promise.all([signedIn(t), signedIn(t)]);
    const stay = (await ask(listing.id, guest.token, stayBody(day(7), day(9)))).body;
    const byGuest = await t.api.post(`/api/housing/bookings/${stay.id}/approve`, { token: guest.token });
    expect([byGuest.status, byGuest.body.code]).toEqual([403, "not_listing_host"]);
    expect((await t.api.post(`/api/housing/bookings/${stay.id}/reject`, { token: guest.token })).status).toBe(403);
    const byHost = await t.api.post(`/api/housing/bookings/${stay.id}/cancel`, { token: host.token });
    expect([byHost.status, byHost.body.code]).toEqual([403, "not_booking_guest"]);
    for (const action of ["approve", "reject", "cancel"]) {
      expect((await t.api.post(`/api/housing/bookings/${stay.id}/${action}`, { token: other.token })).status).toBe(404);
      expect((await t.api.post(`/api/housing/bookings/${stay.id}/${action}`)).status).toBe(401);
    }
    expect((await t.api.get(`/api/housing/bookings/${stay.id}`, { token: other.token })).status).toBe(404);
    expect((await t.api.get(`/api/housing/bookings/${stay.id}`)).status).toBe(401);
    expect(await bookingStatus(t.db, stay.id)).toBe("pending");
  });
});

describe("booking lists", () => {
  it("pages a guest's and a host's stays, and a listing's requests (host only), newest first", async () => {
    const { host, listing } = await aListing({ maxGuests: 2 });
    const second = await createListing(t.db, { userId: host.user.id });
    const guest = await signedIn(t);
    const made: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await ask(i % 2 ? second.id : listing.id, guest.token, stayBody(day(10 + i * 3), day(12 + i * 3)));
      expect(res.status).toBe(201);
      made.push(res.body.id);
    }
    const newestFirst = [...made].reverse();
    const asGuest = await allPages(t.api, "/api/housing/bookings?limit=2", guest.token);
    expect(asGuest.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(asGuest.flatMap((p) => p.items.map((b) => b.id))).toEqual(newestFirst);
    const asHost = await allPages(t.api, "/api/housing/bookings?as=host&limit=3", host.token);
    expect(asHost.flatMap((p) => p.items.map((b) => b.id))).toEqual(newestFirst);
    expect((await t.api.get("/api/housing/bookings?as=host", { token: guest.token })).body.items).toEqual([]);
    const ofListing = await allPages(t.api, `/api/housing/listings/${listing.id}/bookings?limit=2`, host.token);
    expect(ofListing.flatMap((p) => p.items.map((b) => b.id))).toEqual(newestFirst.filter((_, i) => i % 2 === 0));
    const refused = await t.api.get(`/api/housing/listings/${listing.id}/bookings`, { token: guest.token });
    expect([refused.status, refused.body.code]).toEqual([403, "not_listing_host"]);
    for (const path of ["/api/housing/bookings?cursor=bm9wZQ", `/api/housing/listings/${listing.id}/bookings?cursor=bm9wZQ`]) {
      const bad = await t.api.get(path, { token: host.token });
      expect([bad.status, bad.body.code]).toEqual([400, "invalid_cursor"]);
    }
    expect((await t.api.get("/api/housing/bookings?as=owner", { token: host.token })).status).toBe(400);
    const stored = await t.db.select().from(guestBookings).where(eq(guestBookings.guestId, guest.user.id));
    expect(stored).toHaveLength(5);
  });
});
