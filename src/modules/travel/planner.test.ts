import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, hostHomeBlockedDates } from "../../../drizzle/schema";
import { signedIn, tokenFor } from "../../../test/auth";
import { befriend, createEvent, createUser, unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { roundTrips } from "../../../test/roundtrips";
import { createTeacher, createVenue, createVisit } from "../../../test/directory";
import { createBooking, createListing } from "../../../test/housing";
import { createTrip } from "../../../test/travel";
import { PLANNER_LIMITS } from "./planner.schemas";

const t = await useTestDatabase();

const FROM = "2030-03-01";
const TO = "2030-03-08";

const ids = (items: { id: number }[]) => items.map((item) => item.id);
const at = (iso: string) => new Date(iso);

/**
 * A city on some days, with something of every kind inside and outside the planner's answer,
 * and a viewer whose circle has people there (or not, each for its own reason).
 */
async function world() {
  const city = `Montevideo ${unique()}`;
  const viewer = await signedIn(t, { city: "Paris" });
  const organizer = await createUser(t.db);
  const event = (overrides: Parameters<typeof createEvent>[1] extends infer O ? Partial<O> : never) =>
    createEvent(t.db, { userId: organizer.id, city, status: "published", ...overrides });
  const events = {
    inside: await event({ startDate: at("2030-03-03T21:00:00Z") }),
    running: await event({ eventType: "festival", startDate: at("2030-02-27T18:00:00Z"), endDate: at("2030-03-02T04:00:00Z") }),
    // 22:00 on the last day in Buenos Aires is the next day in UTC: still in.
    lastNight: await event({ startDate: at("2030-03-09T01:00:00Z"), timezone: "America/Argentina/Buenos_Aires" }),
    after: await event({ startDate: at("2030-03-12T21:00:00Z") }),
    before: await event({ startDate: at("2030-02-20T21:00:00Z"), endDate: at("2030-02-21T03:00:00Z") }),
    draft: await event({ startDate: at("2030-03-04T21:00:00Z"), status: "draft" }),
    cancelled: await event({ startDate: at("2030-03-05T21:00:00Z"), status: "cancelled" }),
    elsewhere: await event({ startDate: at("2030-03-04T21:00:00Z"), city: "Lisboa" }),
  };

  const host = await createUser(t.db);
  const home = (overrides: Partial<Parameters<typeof createListing>[1]> = {}) =>
    createListing(t.db, { userId: host.id, city, currency: "USD", ...overrides });
  const homes = {
    free: await home({ pricePerNight: 4500 }),
    cheapFree: await home({ pricePerNight: 2000, bookingPolicy: "friends" }),
    pending: await home(),
    approved: await home(),
    blockedDates: await home(),
    backToBack: await home({ pricePerNight: 9000 }),
    cancelledBooking: await home({ pricePerNight: 10000 }),
    paused: await home({ status: "paused" }),
  };
  const guest = await createUser(t.db);
  await createBooking(t.db, { homeId: homes.pending.id, guestId: guest.id, checkIn: "2030-03-05", checkOut: "2030-03-07", status: "pending" });
  await createBooking(t.db, { homeId: homes.approved.id, guestId: guest.id, checkIn: "2030-02-25", checkOut: "2030-03-02", status: "approved" });
  await t.db.insert(hostHomeBlockedDates).values({ homeId: homes.blockedDates.id, startsOn: "2030-03-08", endsOn: "2030-03-10" });
  // Leaves the morning the stay starts, and arrives the morning after the last day: neither overlaps.
  await createBooking(t.db, { homeId: homes.backToBack.id, guestId: guest.id, checkIn: "2030-02-20", checkOut: "2030-03-01", status: "approved" });
  await createBooking(t.db, { homeId: homes.backToBack.id, guestId: guest.id, checkIn: "2030-03-09", checkOut: "2030-03-12", status: "pending" });
  await createBooking(t.db, { homeId: homes.cancelledBooking.id, guestId: guest.id, checkIn: "2030-03-02", checkOut: "2030-03-04", status: "cancelled" });

  const teacher = async (base: string, userOverrides: Parameters<typeof createUser>[1] = {}) =>
    createTeacher(t.db, { userId: (await createUser(t.db, userOverrides)).id, city: base });
  const teachers = {
    based: await teacher(city),
    visiting: await teacher("Rosario"),
    visitingLater: await teacher("Rosario"),
    suspended: await teacher(city, { suspended: true }),
  };
  await createVisit(t.db, { teacherId: teachers.visiting.id, city, startsOn: "2030-03-05", endsOn: "2030-03-06" });
  await createVisit(t.db, { teacherId: teachers.visiting.id, city: "Lisboa", startsOn: "2030-03-01", endsOn: "2030-03-03" });
  await createVisit(t.db, { teacherId: teachers.visitingLater.id, city, startsOn: "2030-03-10", endsOn: "2030-03-12" });

  const venues = {
    b: await createVenue(t.db, { createdBy: host.id, city, name: "B Salon" }),
    a: await createVenue(t.db, { createdBy: host.id, city, name: "A Club", regularNights: [{ weekday: 4, start: "21:00", end: "02:00" }] }),
    elsewhere: await createVenue(t.db, { createdBy: host.id, city: "Lisboa", name: "A Lisboa" }),
  };

  const dancer = (overrides: Parameters<typeof createUser>[1] = {}) => createUser(t.db, { city: "Paris", ...overrides });
  const people = {
    friendThere: await dancer({ city }),
    friendTravelling: await dancer(),
    friendPrivateTrip: await dancer(),
    friendLaterTrip: await dancer(),
    friendBlocked: await dancer({ city }),
    friendSuspended: await dancer({ city, suspended: true }),
    friendHiddenProfile: await dancer({ city }),
    fofFriendsOnlyTrip: await dancer(),
    fofPublicTrip: await dancer(),
    fofThere: await dancer({ city }),
    fofThereFriendsProfile: await dancer({ city }),
    strangerThere: await dancer({ city }),
    strangerTravelling: await dancer(),
  };
  const p = people;
  for (const friend of [p.friendThere, p.friendTravelling, p.friendPrivateTrip, p.friendLaterTrip, p.friendBlocked, p.friendSuspended, p.friendHiddenProfile]) {
    await befriend(t.db, viewer.user.id, friend.id);
  }
  await befriend(t.db, p.friendTravelling.id, p.fofFriendsOnlyTrip.id);
  await befriend(t.db, p.friendThere.id, p.fofPublicTrip.id);
  await befriend(t.db, p.friendThere.id, p.fofThere.id);
  await befriend(t.db, p.friendThere.id, p.fofThereFriendsProfile.id);
  // The block row alone (a block cuts the friendship too): the planner must not rely on that.
  await t.db.insert(blockedUsers).values({ blockerId: viewer.user.id, blockedId: p.friendBlocked.id });
  await t.db.execute(sql`INSERT INTO user_settings (user_id, profile_visibility) VALUES
    (${p.friendHiddenProfile.id}, 'private'), (${p.fofThereFriendsProfile.id}, 'friends')`);
  const trip = (userId: number, visibility: string, startsOn = "2030-03-04", endsOn = "2030-03-10") =>
    createTrip(t.db, { userId, city, visibility, startsOn, endsOn });
  const trips = {
    friendTravelling: await trip(p.friendTravelling.id, "friends"),
    friendPrivate: await trip(p.friendPrivateTrip.id, "private"),
    friendLater: await trip(p.friendLaterTrip.id, "public", "2030-03-09", "2030-03-15"),
    fofFriendsOnly: await trip(p.fofFriendsOnlyTrip.id, "friends"),
    fofPublic: await trip(p.fofPublicTrip.id, "public", "2030-02-25", "2030-03-01"),
    stranger: await trip(p.strangerTravelling.id, "public"),
  };
  return { city, viewer, organizer, events, homes, teachers, venues, people, trips };
}

type World = Awaited<ReturnType<typeof world>>;

const plan = (w: World, token?: string, extra = "") =>
  t.api.get(`/api/travel?city=${encodeURIComponent(w.city)}&from=${FROM}&to=${TO}${extra}`, { token });

describe("GET /api/travel: the planner's answer with known data", () => {
  it("answers every section for a signed-in dancer, in one round trip", async () => {
    const w = await world();
    const { status, trips } = await roundTrips(() => plan(w, w.viewer.token));
    expect({ status, trips }).toEqual({ status: 200, trips: 1 });
    const res = await plan(w, w.viewer.token);
    const body = res.body;
    expect([body.city, body.country, body.from, body.to]).toEqual([w.city, null, FROM, TO]);

    expect(ids(body.events.items)).toEqual([w.events.running.id, w.events.inside.id, w.events.lastNight.id]);
    expect(body.events.total).toBe(3);
    expect(body.events.items[1]).toMatchObject({ path: `/api/events/${w.events.inside.id}`, title: w.events.inside.title, city: w.city });

    expect(ids(body.listings.items)).toEqual([w.homes.cheapFree.id, w.homes.free.id, w.homes.backToBack.id, w.homes.cancelledBooking.id]);
    expect(body.listings.total).toBe(4);
    expect(body.listings.items[1]).toEqual({
      id: w.homes.free.id,
      path: `/api/housing/listings/${w.homes.free.id}`,
      title: w.homes.free.title,
      city: w.city,
      country: "Argentina",
      host: expect.objectContaining({ id: w.homes.free.userId }),
      photo: null,
      maxGuests: 2,
      pricePerNight: 4500,
      currency: "USD",
      nights: 8,
      totalPrice: 36000,
      bookingPolicy: "anyone",
      mayRequest: true,
      rating: { average: null, count: 0 },
    });
    // A friends-only listing the viewer is no friend of: shown, but not theirs to request.
    expect(body.listings.items[0]).toMatchObject({ bookingPolicy: "friends", mayRequest: false });
    expect(JSON.stringify(body)).not.toContain(w.homes.free.address);

    expect(body.teachers.items.map((x: { id: number; presence: string; visits: unknown[] }) => [x.id, x.presence, x.visits])).toEqual([
      [w.teachers.based.id, "based", []],
      [w.teachers.visiting.id, "visiting", [{ startsOn: "2030-03-05", endsOn: "2030-03-06" }]],
    ]);
    expect(body.teachers.total).toBe(2);
    expect(body.teachers.items[0]).toMatchObject({ path: `/api/teachers/${w.teachers.based.id}`, user: { id: w.teachers.based.userId }, styles: ["salon"] });

    expect(ids(body.venues.items)).toEqual([w.venues.a.id, w.venues.b.id]);
    expect(body.venues.total).toBe(2);
    expect(body.venues.items[0]).toMatchObject({ path: `/api/venues/${w.venues.a.id}`, name: "A Club", regularNights: [{ weekday: 4, start: "21:00", end: "02:00" }] });

    const p = w.people;
    expect(
      body.people.items.map((x: { user: { id: number }; degree: number; reason: string; trip: { id: number } | null }) => [x.user.id, x.degree, x.reason, x.trip?.id ?? null]),
    ).toEqual([
      [p.friendThere.id, 1, "lives_there", null],
      [p.friendTravelling.id, 1, "travelling", w.trips.friendTravelling.id],
      [p.fofThere.id, 2, "lives_there", null],
      [p.fofPublicTrip.id, 2, "travelling", w.trips.fofPublic.id],
    ]);
    expect(body.people.total).toBe(4);
    expect(body.people.items[1]).toEqual({
      user: { id: p.friendTravelling.id, username: p.friendTravelling.username, name: p.friendTravelling.name, profileImage: null },
      path: `/api/users/${p.friendTravelling.id}`,
      degree: 1,
      reason: "travelling",
      trip: { id: w.trips.friendTravelling.id, path: `/api/trips/${w.trips.friendTravelling.id}`, startsOn: "2030-03-04", endsOn: "2030-03-10" },
    });
  });

  it("shows a friend of a friend's friends-only trip once the viewer is the traveller's friend", async () => {
    const w = await world();
    await befriend(t.db, w.viewer.user.id, w.people.fofFriendsOnlyTrip.id);
    const people = (await plan(w, w.viewer.token)).body.people.items as { user: { id: number }; degree: number; trip: { id: number } | null }[];
    expect(people.find((x) => x.user.id === w.people.fofFriendsOnlyTrip.id)).toMatchObject({ degree: 1, trip: { id: w.trips.fofFriendsOnly.id } });
  });

  it("answers an anonymous caller without people, in one round trip", async () => {
    const w = await world();
    expect(await roundTrips(() => plan(w))).toEqual({ status: 200, trips: 1 });
    const body = (await plan(w)).body;
    expect(body.people).toEqual({ items: [], total: 0 });
    expect(ids(body.events.items)).toEqual([w.events.running.id, w.events.inside.id, w.events.lastNight.id]);
    expect(body.listings.total).toBe(4);
    expect(body.listings.items.every((x: { mayRequest: boolean }) => !x.mayRequest)).toBe(true);
    expect(body.teachers.total).toBe(2);
  });

  it("lists no draft or cancelled event, not even to its organizer (as discovery), and hides what a blocked host or organizer made", async () => {
    const w = await world();
    const organizerToken = await tokenFor(t, w.organizer);
    expect(ids((await plan(w, organizerToken)).body.events.items)).toEqual([w.events.running.id, w.events.inside.id, w.events.lastNight.id]);
    await t.db.insert(blockedUsers).values([
      { blockerId: w.organizer.id, blockedId: w.viewer.user.id },
      { blockerId: w.homes.free.userId, blockedId: w.viewer.user.id },
      { blockerId: w.teachers.based.userId, blockedId: w.viewer.user.id },
    ]);
    const body = (await plan(w, w.viewer.token)).body;
    expect(body.events).toEqual({ items: [], total: 0 });
    expect(body.listings).toEqual({ items: [], total: 0 });
    expect(ids(body.teachers.items)).toEqual([w.teachers.visiting.id]);
  });

  it("narrows to a country when one is given", async () => {
    const w = await world();
    const body = (await plan(w, w.viewer.token, "&country=Uruguay")).body;
    expect(body.country).toBe("Uruguay");
    expect([body.events.total, body.listings.total, body.venues.total]).toEqual([0, 0, 0]);
  });

  it("caps each section and counts them all", async () => {
    const city = `Tandil ${unique()}`;
    const creator = await createUser(t.db);
    for (let i = 0; i < PLANNER_LIMITS.venues + 2; i++) await createVenue(t.db, { createdBy: creator.id, city, name: `Salon ${String(i).padStart(2, "0")}` });
    const body = (await t.api.get(`/api/travel?city=${encodeURIComponent(city)}&from=${FROM}&to=${TO}`)).body;
    expect(body.venues.items).toHaveLength(PLANNER_LIMITS.venues);
    expect(body.venues.total).toBe(PLANNER_LIMITS.venues + 2);
    expect(body.venues.items[0].name).toBe("Salon 00");
  });
});

describe("GET /api/travel: bad input", () => {
  it.each([
    ["reversed dates", "city=Rosario&from=2030-03-08&to=2030-03-01", "query.to"],
    ["a span over 90 days", "city=Rosario&from=2030-01-01&to=2030-04-02", "query.to"],
    ["no city", "from=2030-03-01&to=2030-03-08", "query.city"],
    ["no dates", "city=Rosario", "query.from"],
    ["a day that does not exist", "city=Rosario&from=2030-02-30&to=2030-03-08", "query.from"],
    ["a control character in the city", "city=Ros%07ario&from=2030-03-01&to=2030-03-08", "query.city"],
    ["a NUL in the country", "city=Rosario&country=Uru%00guay&from=2030-03-01&to=2030-03-08", "query.country"],
  ])("refuses %s with 400 problem+json", async (_label, query, path) => {
    const res = await t.api.get(`/api/travel?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it("takes exactly 90 days, and a single day", async () => {
    expect((await t.api.get("/api/travel?city=Rosario&from=2030-01-01&to=2030-04-02")).status).toBe(400);
    expect((await t.api.get("/api/travel?city=Rosario&from=2030-01-01&to=2030-04-01")).status).toBe(200);
    expect((await t.api.get("/api/travel?city=Rosario&from=2030-01-01&to=2030-01-01")).status).toBe(200);
  });

  it("is 401 for a bad token (anonymous is fine)", async () => {
    expect((await t.api.get("/api/travel?city=Rosario&from=2030-01-01&to=2030-01-02", { token: "nope" })).status).toBe(401);
  });
});
