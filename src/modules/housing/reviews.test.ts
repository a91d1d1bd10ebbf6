import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, hostHomes, notifications, users } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { testCtx, useTestDatabase } from "../../../test/harness";
import { bookingStatus, createBooking, createListing, day } from "../../../test/housing";
import { allPages } from "../../../test/pages";
import { completeHousingStays } from "../../jobs/housing-stays";

const t = await useTestDatabase();

async function aStay(status: "approved" | "completed" | "pending" = "completed", days = [-5, -2]) {
  const [host, guest] = await Promise.all([signedIn(t), signedIn(t)]);
  const listing = await createListing(t.db, { userId: host.user.id });
  const booking = await createBooking(t.db, { homeId: listing.id, guestId: guest.user.id, checkIn: day(days[0]!), checkOut: day(days[1]!), status });
  return { host, guest, listing, booking };
}

const review = (bookingId: number, token: string | undefined, body: Record<string, unknown>) =>
  t.api.post(`/api/housing/bookings/${bookingId}/review`, { token, json: body });

describe("POST /api/housing/bookings/{id}/review", () => {
  it("only after a completed stay: the job completes it, then each side reviews once", async () => {
    const { host, guest, listing, booking } = await aStay("approved", [4, 6]);
    const early = await review(booking.id, guest.token, { rating: 5 });
    expect([early.status, early.body.code]).toEqual([409, "stay_not_completed"]);

    // The job, run the day after checkout, completes the stay and tells both sides.
    await completeHousingStays.run(testCtx(t, { now: new Date(Date.now() + 7 * 86_400_000) }));
    expect(await bookingStatus(t.db, booking.id)).toBe("completed");

    const byGuest = await review(booking.id, guest.token, { rating: 5, comment: "Wonderful floor to practise on" });
    expect(byGuest.status, JSON.stringify(byGuest.body)).toBe(201);
    expect(byGuest.body).toMatchObject({ bookingId: booking.id, listingId: listing.id, direction: "guest_to_home", rating: 5, revieweeId: host.user.id });
    const byHost = await review(booking.id, host.token, { rating: 4, comment: "  " });
    expect(byHost.body).toMatchObject({ direction: "host_to_guest", rating: 4, comment: null, revieweeId: guest.user.id });
    const again = await review(booking.id, guest.token, { rating: 1 });
    expect([again.status, again.body.code]).toEqual([409, "already_reviewed"]);

    const [home] = await t.db.select().from(hostHomes).where(eq(hostHomes.id, listing.id));
    expect([home!.reviewCount, home!.ratingSum]).toEqual([1, 5]);
    const detail = await t.api.get(`/api/housing/listings/${listing.id}`);
    expect(detail.body.rating).toEqual({ average: 5, count: 1 });
    const told = await t.db.select().from(notifications).where(and(eq(notifications.userId, host.user.id), eq(notifications.type, "housing_review")));
    expect(told.map((n) => n.subjectId)).toEqual([booking.id]);
    const asBooking = await t.api.get(`/api/housing/bookings/${booking.id}`, { token: guest.token });
    expect(asBooking.body.reviewed).toEqual({ byGuest: true, byHost: true });
  });

  it("refuses a pending or cancelled stay (409), others (404), anonymous (401) and a bad rating (400)", async () => {
    const { guest, booking } = await aStay("pending", [3, 5]);
    expect((await review(booking.id, guest.token, { rating: 4 })).body.code).toBe("stay_not_completed");
    const other = await signedIn(t);
    const done = await aStay("completed");
    expect((await review(done.booking.id, other.token, { rating: 4 })).status).toBe(404);
    expect((await review(done.booking.id, undefined, { rating: 4 })).status).toBe(401);
    for (const rating of [0, 6, 4.5, "5"]) expect((await review(done.booking.id, done.guest.token, { rating })).status).toBe(400);
  });

  it("counts two reviews racing from one side once", async () => {
    const { guest, listing, booking } = await aStay("completed");
    const results = await Promise.all([3, 4, 5].map((rating) => review(booking.id, guest.token, { rating })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const [home] = await t.db.select().from(hostHomes).where(eq(hostHomes.id, listing.id));
    expect([home!.reviewCount, home!.ratingSum]).toEqual([1, results.find((r) => r.status === 201)!.body.rating]);
  });
});

describe("review lists", () => {
  it("a listing's reviews by its guests, and a dancer's reviews as host and as guest, paged newest first", async () => {
    const host = await signedIn(t);
    const listing = await createListing(t.db, { userId: host.user.id });
    const guests = await Promise.all(Array.from({ length: 5 }, () => signedIn(t)));
    const made: number[] = [];
    for (const [i, g] of guests.entries()) {
      const booking = await createBooking(t.db, { homeId: listing.id, guestId: g.user.id, checkIn: day(-30 + i * 3), checkOut: day(-28 + i * 3), status: "completed" });
      made.push((await review(booking.id, g.token, { rating: 1 + i })).body.id);
      if (i === 0) {
        // The host reviews this guest: it shows on the guest's page, not the listing's.
        const about = await review(booking.id, host.token, { rating: 5 });
        expect(about.status).toBe(201);
        const guestPage = await t.api.get(`/api/users/${g.user.id}/housing-reviews`);
        expect(guestPage.body.items.map((r: { direction: string }) => r.direction)).toEqual(["host_to_guest"]);
      }
    }
    const pages = await allPages(t.api, `/api/housing/listings/${listing.id}/reviews?limit=2`);
    expect(pages.flatMap((p) => p.items.map((r) => r.id))).toEqual([...made].reverse());
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    const hostPages = await allPages(t.api, `/api/users/${host.user.id}/housing-reviews?limit=4`, guests[1]!.token);
    expect(hostPages.flatMap((p) => p.items.map((r) => r.id))).toEqual([...made].reverse());
    expect((await t.api.get(`/api/housing/listings/${listing.id}`)).body.rating).toEqual({ average: 3, count: 5 });

    // A reviewer blocked by the viewer, or suspended, is not shown; a bad cursor is 400.
    await t.db.insert(blockedUsers).values({ blockerId: guests[1]!.user.id, blockedId: guests[4]!.user.id });
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, guests[3]!.user.id));
    const seen = await t.api.get(`/api/housing/listings/${listing.id}/reviews`, { token: guests[1]!.token });
    expect(seen.body.items.map((r: { id: number }) => r.id)).toEqual([made[2], made[1], made[0]]);
    expect((await t.api.get(`/api/housing/listings/${listing.id}/reviews?cursor=x`)).status).toBe(400);
    expect((await t.api.get(`/api/users/${host.user.id}/housing-reviews?cursor=x`)).status).toBe(400);
    // The host blocked: their page is a 404 for the blocked dancer.
    await t.db.insert(blockedUsers).values({ blockerId: host.user.id, blockedId: guests[2]!.user.id });
    expect((await t.api.get(`/api/users/${host.user.id}/housing-reviews`, { token: guests[2]!.token })).status).toBe(404);
    expect((await t.api.get(`/api/housing/listings/${listing.id}/reviews`, { token: guests[2]!.token })).status).toBe(404);
  });
});
