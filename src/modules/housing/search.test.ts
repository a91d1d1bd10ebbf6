import { describe, expect, it } from "vitest";
import { signedIn } from "../../../test/auth";
import { unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { blockListingDates, createBooking, createListing, day, stayBody } from "../../../test/housing";
import { allPages } from "../../../test/pages";
import { roundTrips } from "../../../test/roundtrips";

const t = await useTestDatabase();

const ids = (res: { body: { items: { id: number }[] } }) => res.body.items.map((l) => l.id);
const search = (query: string, token?: string) => t.api.get(`/api/housing/listings?${query}`, { token });

describe("GET /api/housing/listings (search)", () => {
  it("leaves out listings not free for the dates, too small, or elsewhere; back-to-back is free", async () => {
    const city = unique("Ciudad");
    const host = await signedIn(t);
    const guest = await signedIn(t);
    const free = await createListing(t.db, { userId: host.user.id, city, maxGuests: 4 });
    const booked = await createListing(t.db, { userId: host.user.id, city, maxGuests: 4 });
    const closed = await createListing(t.db, { userId: host.user.id, city, maxGuests: 4 });
    const small = await createListing(t.db, { userId: host.user.id, city, maxGuests: 1 });
    const turnover = await createListing(t.db, { userId: host.user.id, city, maxGuests: 4 });
    const refused = await createListing(t.db, { userId: host.user.id, city, maxGuests: 4 });
    await createListing(t.db, { userId: host.user.id, city, maxGuests: 4, status: "paused" });
    await createListing(t.db, { userId: host.user.id, city: `${city}-other`, maxGuests: 4 });
    await createBooking(t.db, { homeId: booked.id, guestId: guest.user.id, checkIn: day(12), checkOut: day(14), status: "pending" });
    await blockListingDates(t.db, closed.id, day(9), day(11));
    await createBooking(t.db, { homeId: turnover.id, guestId: guest.user.id, checkIn: day(5), checkOut: day(10), status: "approved" });
    await createBooking(t.db, { homeId: turnover.id, guestId: guest.user.id, checkIn: day(15), checkOut: day(18), status: "approved" });
    await createBooking(t.db, { homeId: refused.id, guestId: guest.user.id, checkIn: day(10), checkOut: day(15), status: "rejected" });

    const all = await search(`city=${city}`);
    expect(ids(all)).toEqual([refused, turnover, small, closed, booked, free].map((l) => l.id));
    const dated = await search(`city=${city}&checkIn=${day(10)}&checkOut=${day(15)}&guests=2`, guest.token);
    expect(dated.status).toBe(200);
    expect(ids(dated)).toEqual([refused.id, turnover.id, free.id]);
    // The exact address only where the guest has an approved stay.
    expect(dated.body.items.map((l: { address: string | null }) => l.address)).toEqual([null, turnover.address, null]);
    expect(ids(await search(`city=${city}&country=Uruguay`))).toEqual([]);
  });

  it("finds by words and around a place (bounding box, then the exact distance), with distanceKm", async () => {
    const host = await signedIn(t);
    const word = unique("milonguero").toLowerCase();
    const near = await createListing(t.db, { userId: host.user.id, title: `Cuarto ${word}`, latitude: -34.6, longitude: -58.4 });
    const farther = await createListing(t.db, { userId: host.user.id, description: `Casa ${word}`, latitude: -34.6, longitude: -58.75 });
    await createListing(t.db, { userId: host.user.id, title: `Otro ${word}`, latitude: -31.42, longitude: -64.18 });
    const byWords = await search(`q=${word}`);
    expect(byWords.body.items).toHaveLength(3);
    const around = await search(`q=${word}&near=-34.6,-58.4&radiusKm=40`);
    expect(ids(around)).toEqual([farther.id, near.id]);
    expect(around.body.items.map((l: { distanceKm: number }) => l.distanceKm)).toEqual([expect.closeTo(32.1, 0), 0]);
    expect(ids(await search(`q=${word}&near=-34.6,-58.4&radiusKm=10`))).toEqual([near.id]);
    expect(ids(await search(`q=${encodeURIComponent("!!")}`))).toEqual([]);
  });

  it("refuses half a date range, reversed dates and a stay over 90 nights (400 problem+json)", async () => {
    const cases: [string, string][] = [
      [`checkIn=${day(3)}`, "dates_incomplete"],
      [`checkIn=${day(5)}&checkOut=${day(3)}`, "dates_reversed"],
      [`checkIn=${day(5)}&checkOut=${day(96)}`, "stay_too_long"],
      ["guests=0", "validation_failed"],
      ["near=91,0", "validation_failed"],
      ["radiusKm=5000&near=1,1", "validation_failed"],
    ];
    for (const [query, code] of cases) {
      const res = await search(query);
      expect([res.status, res.body.code], query).toEqual([400, code]);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
  });

  it("pages without gaps or repeats; a bad cursor is 400", async () => {
    const city = unique("Pueblo");
    const host = await signedIn(t);
    const made = [];
    for (let i = 0; i < 7; i++) made.push((await createListing(t.db, { userId: host.user.id, city })).id);
    const pages = await allPages(t.api, `/api/housing/listings?city=${city}&limit=3`);
    expect(pages.map((p) => p.items.length)).toEqual([3, 3, 1]);
    expect(pages.flatMap((p) => p.items.map((l) => l.id))).toEqual(made.reverse());
    const bad = await search(`city=${city}&cursor=WyJ4Il0`);
    expect([bad.status, bad.body.code]).toEqual([400, "invalid_cursor"]);
  });
});

describe("round trips", () => {
  it("one for a search, a listing's detail, a booking request and its approval", async () => {
    const host = await signedIn(t);
    const guest = await signedIn(t);
    const listing = await createListing(t.db, { userId: host.user.id });
    const query = `city=${encodeURIComponent("Buenos Aires")}&checkIn=${day(3)}&checkOut=${day(5)}&guests=2&near=-34.6,-58.4&q=room`;
    expect(await roundTrips(() => search(query, guest.token))).toEqual({ status: 200, trips: 1 });
    expect(await roundTrips(() => t.api.get(`/api/housing/listings/${listing.id}`, { token: guest.token }))).toMatchObject({ status: 200, trips: 1 });
    expect(await roundTrips(() => t.api.get(`/api/housing/listings/${listing.id}/availability`))).toEqual({ status: 200, trips: 1 });
    let bookingId = 0;
    const request = await roundTrips(async () => {
      const res = await t.api.post(`/api/housing/listings/${listing.id}/bookings`, { token: guest.token, json: stayBody(day(3), day(5)) });
      bookingId = res.body.id;
      return res;
    });
    expect(request).toEqual({ status: 201, trips: 1 });
    expect(await roundTrips(() => t.api.post(`/api/housing/bookings/${bookingId}/approve`, { token: host.token }))).toEqual({ status: 200, trips: 1 });
    expect(await roundTrips(() => t.api.get("/api/housing/bookings", { token: guest.token }))).toEqual({ status: 200, trips: 1 });
  });
});
