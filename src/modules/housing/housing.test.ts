import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, guestBookings, hostHomePhotos, notifications, users } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { befriend, createUser, mediaUrl } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { blockListingDates, bookingStatus, createBooking, createListing, day, listingBody } from "../../../test/housing";
import { allPages } from "../../../test/pages";

const t = await useTestDatabase();

async function hostWithListing(overrides: Record<string, unknown> = {}) {
  const host = await signedIn(t);
  const res = await t.api.post("/api/housing/listings", { token: host.token, json: listingBody(t.env, overrides) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { host, listing: res.body };
}

describe("POST /api/housing/listings", () => {
  it("creates a listing with its photos and amenities, answered as its host sees it", async () => {
    const { host, listing } = await hostWithListing();
    expect(listing).toMatchObject({
      host: { id: host.user.id, username: host.user.username },
      title: "Sunny room in Almagro",
      city: "Buenos Aires",
      maxGuests: 2,
      pricePerNight: 3000,
      currency: "ARS",
      bookingPolicy: "anyone",
      status: "active",
      amenities: ["wifi", "wooden floor"],
      rating: { average: null, count: 0 },
      canRequest: false,
      viewerIsHost: true,
      distanceKm: null,
    });
    expect(listing.address).toMatch(/^Medrano /);
    expect(listing.photos).toEqual([{ url: expect.stringContaining("/media/"), caption: "The room" }]);
    const stored = await t.db.select().from(hostHomePhotos).where(eq(hostHomePhotos.homeId, listing.id));
    expect(stored.map((p) => p.position)).toEqual([0]);
  });

  it("refuses a negative price, a bad currency, a stranger's photo URL, control characters: 400 problem+json", async () => {
    const host = await signedIn(t);
    const cases: [Record<string, unknown>, string][] = [
      [{ pricePerNight: -1 }, "body.pricePerNight"],
      [{ pricePerNight: 10.5 }, "body.pricePerNight"],
      [{ currency: "ars" }, "body.currency"],
      [{ currency: "EURO" }, "body.currency"],
      [{ maxGuests: 0 }, "body.maxGuests"],
      [{ latitude: 91 }, "body.latitude"],
      [{ title: "Room\u0000" }, "body.title"],
      [{ bookingPolicy: "family" }, "body.bookingPolicy"],
    ];
    for (const [change, path] of cases) {
      const res = await t.api.post("/api/housing/listings", { token: host.token, json: listingBody(t.env, change) });
      expect(res.status, JSON.stringify(change)).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    const foreign = await t.api.post("/api/housing/listings", {
      token: host.token,
      json: listingBody(t.env, { photos: [{ url: mediaUrl(t.env).replace(/^https?:\/\/[^/]+/, "https://elsewhere.example") }] }),
    });
    expect([foreign.status, foreign.body.code]).toEqual([400, "media_url_not_allowed"]);
    expect(await t.api.post("/api/housing/listings", { json: listingBody(t.env) }).then((r) => r.status)).toBe(401);
  });

  it("replays a repeat with the same Idempotency-Key and creates nothing more", async () => {
    const host = await signedIn(t);
    const body = listingBody(t.env);
    const headers = { "idempotency-key": crypto.randomUUID() };
    const first = await t.api.post("/api/housing/listings", { token: host.token, json: body, headers });
    const again = await t.api.post("/api/housing/listings", { token: host.token, json: body, headers });
    expect([first.status, again.status, again.headers.get("idempotent-replayed")]).toEqual([201, 201, "true"]);
    expect(again.body.id).toBe(first.body.id);
    const other = await t.api.post("/api/housing/listings", { token: host.token, json: { ...body, title: "Another" }, headers });
    expect([other.status, other.body.code]).toEqual([422, "idempotency_key_reused"]);
    const mine = await t.api.get("/api/users/me/listings", { token: host.token });
    expect(mine.body.items).toHaveLength(1);
  });
});

describe("GET /api/housing/listings/{id}", () => {
  it("hides the exact address until the caller has an approved stay", async () => {
    const { listing } = await hostWithListing();
    const guest = await signedIn(t);
    const anonymous = await t.api.get(`/api/housing/listings/${listing.id}`);
    expect([anonymous.status, anonymous.body.address, anonymous.body.canRequest]).toEqual([200, null, false]);
    const before = await t.api.get(`/api/housing/listings/${listing.id}`, { token: guest.token });
    expect([before.body.address, before.body.canRequest, before.body.viewerIsHost]).toEqual([null, true, false]);
    expect(JSON.stringify(before.body)).not.toContain("Medrano");
    const booking = await createBooking(t.db, { homeId: listing.id, guestId: guest.user.id, checkIn: day(5), checkOut: day(8) });
    expect((await t.api.get(`/api/housing/listings/${listing.id}`, { token: guest.token })).body.address).toBeNull();
    await t.db.update(guestBookings).set({ status: "approved" }).where(eq(guestBookings.id, booking.id));
    expect((await t.api.get(`/api/housing/listings/${listing.id}`, { token: guest.token })).body.address).toBe(listing.address);
  });

  it("disappears for others when paused, when its host is suspended, and across a block either way", async () => {
    const { host, listing } = await hostWithListing();
    const [viewer, blocker] = await Promise.all([signedIn(t), signedIn(t)]);
    await t.db.insert(blockedUsers).values({ blockerId: host.user.id, blockedId: blocker.user.id });
    expect((await t.api.get(`/api/housing/listings/${listing.id}`, { token: blocker.token })).status).toBe(404);
    expect((await t.api.get(`/api/housing/listings/${listing.id}`, { token: viewer.token })).status).toBe(200);

    await t.api.patch(`/api/housing/listings/${listing.id}`, { token: host.token, json: { status: "paused" } });
    expect((await t.api.get(`/api/housing/listings/${listing.id}`, { token: viewer.token })).status).toBe(404);
    expect((await t.api.get(`/api/housing/listings/${listing.id}`, { token: host.token })).status).toBe(200);
    await t.api.patch(`/api/housing/listings/${listing.id}`, { token: host.token, json: { status: "active" } });

    await t.db.update(users).set({ suspended: true }).where(eq(users.id, host.user.id));
    const gone = await t.api.get(`/api/housing/listings/${listing.id}`, { token: viewer.token });
    expect([gone.status, gone.body.code]).toEqual([404, "not_found"]);
    const search = await t.api.get(`/api/housing/listings?q=${encodeURIComponent("Sunny Almagro")}&limit=100`, { token: viewer.token });
    expect(search.body.items.map((l: { id: number }) => l.id)).not.toContain(listing.id);
  });

  it("says whether the caller may ask under the booking policy (friends, friends of friends)", async () => {
    const { host, listing } = await hostWithListing({ bookingPolicy: "friends" });
    const [friend, friendOfFriend, stranger] = await Promise.all([signedIn(t), signedIn(t), signedIn(t)]);
    await befriend(t.db, host.user.id, friend.user.id);
    await befriend(t.db, friend.user.id, friendOfFriend.user.id);
    const canRequest = async (token: string) => (await t.api.get<{ canRequest: boolean }>(`/api/housing/listings/${listing.id}`, { token })).body.canRequest;
    expect([await canRequest(friend.token), await canRequest(friendOfFriend.token), await canRequest(stranger.token)]).toEqual([true, false, false]);
    await t.api.patch(`/api/housing/listings/${listing.id}`, { token: host.token, json: { bookingPolicy: "friends_of_friends" } });
    expect([await canRequest(friend.token), await canRequest(friendOfFriend.token), await canRequest(stranger.token)]).toEqual([true, true, false]);
  });
});

describe("PATCH and DELETE /api/housing/listings/{id}", () => {
  it("edits fields and replaces the photos, for its host only", async () => {
    const { host, listing } = await hostWithListing();
    const photos = [{ url: listingBody(t.env).photos[0]!.url }, { url: listingBody(t.env).photos[0]!.url, caption: "Kitchen" }];
    const res = await t.api.patch(`/api/housing/listings/${listing.id}`, { token: host.token, json: { pricePerNight: 0, currency: "EUR", photos } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ pricePerNight: 0, currency: "EUR", title: listing.title });
    expect(res.body.photos).toEqual([{ url: photos[0]!.url, caption: null }, { url: photos[1]!.url, caption: "Kitchen" }]);
    const fewer = await t.api.patch(`/api/housing/listings/${listing.id}`, { token: host.token, json: { photos: [photos[1]] } });
    expect(fewer.body.photos).toEqual([{ url: photos[1]!.url, caption: "Kitchen" }]);
    const same = await t.api.patch(`/api/housing/listings/${listing.id}`, { token: host.token, json: {} });
    expect([same.status, same.body.updatedAt]).toEqual([200, fewer.body.updatedAt]);

    const other = await signedIn(t);
    const refused = await t.api.patch(`/api/housing/listings/${listing.id}`, { token: other.token, json: { title: "Mine now" } });
    expect([refused.status, refused.body.code]).toEqual([403, "not_listing_host"]);
    expect((await t.api.delete(`/api/housing/listings/${listing.id}`, { token: other.token })).status).toBe(403);
    expect((await t.api.patch(`/api/housing/listings/${listing.id}`, { json: { title: "x" } })).status).toBe(401);
    const bad = await t.api.patch(`/api/housing/listings/${listing.id}`, { token: host.token, json: { pricePerNight: -5 } });
    expect(bad.status).toBe(400);
  });

  it("refuses to delete with an approved stay to come; pending requests go, and their guests are told", async () => {
    const { host, listing } = await hostWithListing();
    const [approved, pending] = await Promise.all([signedIn(t), signedIn(t)]);
    const stay = await createBooking(t.db, { homeId: listing.id, guestId: approved.user.id, checkIn: day(3), checkOut: day(6), status: "approved" });
    const request = await createBooking(t.db, { homeId: listing.id, guestId: pending.user.id, checkIn: day(10), checkOut: day(12) });
    const refused = await t.api.delete(`/api/housing/listings/${listing.id}`, { token: host.token });
    expect([refused.status, refused.body.code]).toEqual([409, "listing_has_stays"]);
    expect(await bookingStatus(t.db, request.id)).toBe("pending");

    const cancelled = await t.api.post(`/api/housing/bookings/${stay.id}/cancel`, { token: approved.token });
    expect(cancelled.status).toBe(200);
    expect((await t.api.delete(`/api/housing/listings/${listing.id}`, { token: host.token })).status).toBe(204);
    expect(await bookingStatus(t.db, request.id)).toBeUndefined();
    const told = await t.db.select().from(notifications).where(eq(notifications.userId, pending.user.id));
    expect(told.map((n) => [n.type, n.subjectId, (n.data as { listingDeleted?: boolean }).listingDeleted])).toEqual([["booking_rejected", request.id, true]]);
    expect((await t.api.get(`/api/housing/listings/${listing.id}`, { token: host.token })).status).toBe(404);
  });
});

describe("GET /api/users/me/listings", () => {
  it("pages the caller's listings, paused ones too, newest first, without gaps or repeats", async () => {
    const host = await signedIn(t);
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await createListing(t.db, { userId: host.user.id, status: i === 2 ? "paused" : "active" }));
    await createListing(t.db, { userId: (await createUser(t.db)).id });
    const pages = await allPages(t.api, "/api/users/me/listings?limit=2", host.token);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.items.map((l) => l.id))).toEqual(made.map((l) => l.id).reverse());
    const bad = await t.api.get("/api/users/me/listings?cursor=garbage", { token: host.token });
    expect([bad.status, bad.body.code]).toEqual([400, "invalid_cursor"]);
    expect((await t.api.get("/api/users/me/listings")).status).toBe(401);
  });
});

describe("calendar: availability and closed dates", () => {
  it("shows stays and closed dates without guests; closing dates over a stay is 409; host only", async () => {
    const { host, listing } = await hostWithListing();
    const guest = await signedIn(t);
    await createBooking(t.db, { homeId: listing.id, guestId: guest.user.id, checkIn: day(10), checkOut: day(13) });
    await createBooking(t.db, { homeId: listing.id, guestId: guest.user.id, checkIn: day(20), checkOut: day(22), status: "rejected" });
    const closed = await t.api.post(`/api/housing/listings/${listing.id}/blocked-dates`, {
      token: host.token,
      json: { startsOn: day(13), endsOn: day(15), reason: "Family visit" },
    });
    expect(closed.status, JSON.stringify(closed.body)).toBe(201);
    expect(closed.body).toMatchObject({ listingId: listing.id, startsOn: day(13), endsOn: day(15), reason: "Family visit" });

    const over = await t.api.post(`/api/housing/listings/${listing.id}/blocked-dates`, { token: host.token, json: { startsOn: day(12), endsOn: day(14) } });
    expect([over.status, over.body.code]).toEqual([409, "dates_booked"]);
    const reversed = await t.api.post(`/api/housing/listings/${listing.id}/blocked-dates`, { token: host.token, json: { startsOn: day(14), endsOn: day(14) } });
    expect([reversed.status, reversed.body.code]).toEqual([400, "dates_reversed"]);

    const calendar = await t.api.get(`/api/housing/listings/${listing.id}/availability?from=${day(0)}&to=${day(60)}`);
    expect(calendar.status).toBe(200);
    expect(calendar.body).toEqual({
      listingId: listing.id,
      from: day(0),
      to: day(60),
      booked: [{ from: day(10), to: day(13) }],
      blocked: [{ from: day(13), to: day(15) }],
    });
    expect(JSON.stringify(calendar.body)).not.toContain(guest.user.username);
    expect((await t.api.get(`/api/housing/listings/${listing.id}/availability?from=${day(0)}&to=${day(400)}`)).status).toBe(400);

    const other = await signedIn(t);
    const refused = await t.api.post(`/api/housing/listings/${listing.id}/blocked-dates`, { token: other.token, json: { startsOn: day(40), endsOn: day(41) } });
    expect([refused.status, refused.body.code]).toEqual([403, "not_listing_host"]);
    expect((await t.api.get(`/api/housing/listings/${listing.id}/blocked-dates`, { token: other.token })).status).toBe(403);
    expect((await t.api.delete(`/api/housing/blocked-dates/${closed.body.id}`, { token: other.token })).status).toBe(404);
    expect((await t.api.delete(`/api/housing/blocked-dates/${closed.body.id}`, { token: host.token })).status).toBe(204);
    expect((await t.api.delete(`/api/housing/blocked-dates/${closed.body.id}`, { token: host.token })).status).toBe(404);
  });

  it("pages the closed dates soonest first", async () => {
    const { host, listing } = await hostWithListing();
    for (const start of [30, 10, 20, 40, 50]) await blockListingDates(t.db, listing.id, day(start), day(start + 2));
    const pages = await allPages<{ startsOn: string }>(t.api, `/api/housing/listings/${listing.id}/blocked-dates?limit=2`, host.token);
    expect(pages.flatMap((p) => p.items.map((b) => b.startsOn))).toEqual([10, 20, 30, 40, 50].map(day));
    expect(pages).toHaveLength(3);
    expect((await t.api.get(`/api/housing/listings/${listing.id}/blocked-dates?cursor=WzFd`, { token: host.token })).status).toBe(400);
  });
});
