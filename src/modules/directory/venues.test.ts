import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { events, users, venues } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createSchool, createTeacher, createVenue } from "../../../test/directory";
import { createEvent, createUser, mediaUrl, unique } from "../../../test/factories";
import { type ApiResponse, useTestDatabase } from "../../../test/harness";
import { roundTrips } from "../../../test/roundtrips";
import { encodeCursor } from "../../lib/pagination";

const t = await useTestDatabase();

const venue = (overrides: Record<string, unknown> = {}) => ({
  name: "Salon Canning",
  description: "The classic",
  address: "Av. Scalabrini Ortiz 1331",
  city: "Buenos Aires",
  country: "Argentina",
  latitude: -34.5915,
  longitude: -58.4262,
  floor: "parquet",
  capacity: 300,
  regularNights: [
    { weekday: 2, start: "21:00", end: "03:00", name: "Parakultural" },
    { weekday: 5, start: "23:30", end: "04:00" },
  ],
  ...overrides,
});

const ids = (res: { body: { items: { id: number }[] } }) => res.body.items.map((item) => item.id);

async function allIds(path: string, limit = 2) {
  const seen: number[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  do {
    const res: ApiResponse = await t.api.get(`${path}${path.includes("?") ? "&" : "?"}limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(res.status).toBe(200);
    seen.push(...ids(res));
    sizes.push(res.body.items.length);
    cursor = res.body.nextCursor;
  } while (cursor);
  return { seen, sizes };
}

describe("venues", () => {
  it("any dancer lists a venue (201) with its regular nights, and anyone reads it in one round trip", async () => {
    const { user, token } = await signedIn(t);
    const res = await t.api.post("/api/venues", { token, json: venue({ imageUrl: mediaUrl(t.env) }) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ createdBy: user.id, floor: "parquet", capacity: 300, rating: { average: null, reviews: 0 } });
    expect(res.body.regularNights).toEqual(venue().regularNights);
    const { status, trips } = await roundTrips(() => t.api.get(`/api/venues/${res.body.id}`));
    expect([status, trips]).toEqual([200, 1]);
  });

  it.each([
    ["a weekday out of range", { regularNights: [{ weekday: 7, start: "21:00", end: "02:00" }] }],
    ["a time that is not HH:MM", { regularNights: [{ weekday: 1, start: "9pm", end: "02:00" }] }],
    ["an hour past 23", { regularNights: [{ weekday: 1, start: "24:00", end: "02:00" }] }],
    ["a night ending when it starts", { regularNights: [{ weekday: 1, start: "21:00", end: "21:00" }] }],
    ["a floor that is not one", { floor: "carpet" }],
    ["a capacity of zero", { capacity: 0 }],
    ["an image from elsewhere", { imageUrl: "https://elsewhere.example.com/a.jpg" }],
    ["one coordinate alone", { latitude: null }],
  ])("refuses %s with 400 problem+json, writing nothing", async (_label, change) => {
    const { user, token } = await signedIn(t);
    const res = await t.api.post("/api/venues", { token, json: venue(change) });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await t.db.select().from(venues).where(eq(venues.createdBy, user.id))).toEqual([]);
  });

  it("its creator and admins edit and delete it; other dancers are 403", async () => {
    const { token } = await signedIn(t);
    const made = (await t.api.post("/api/venues", { token, json: venue() })).body;
    const other = await signedIn(t);
    const refused = await t.api.patch(`/api/venues/${made.id}`, { token: other.token, json: { name: "Mine" } });
    expect([refused.status, refused.body.code]).toEqual([403, "not_venue_owner"]);
    expect((await t.api.delete(`/api/venues/${made.id}`, { token: other.token })).status).toBe(403);
    const community = await signedIn(t, { role: "community" });
    expect((await t.api.patch(`/api/venues/${made.id}`, { token: community.token, json: { name: "x" } })).status).toBe(403);
    const edited = await t.api.patch(`/api/venues/${made.id}`, { token, json: { name: "Canning", floor: null, regularNights: [] } });
    expect(edited.body).toMatchObject({ name: "Canning", floor: null, regularNights: [] });
    const admin = await signedIn(t, { role: "admin" });
    expect((await t.api.patch(`/api/venues/${made.id}`, { token: admin.token, json: { capacity: 250 } })).body.capacity).toBe(250);
    const half = await t.api.patch(`/api/venues/${made.id}`, { token, json: { longitude: null } });
    expect([half.status, half.body.code]).toEqual([400, "coordinates_incomplete"]);
    expect((await t.api.delete(`/api/venues/${made.id}`, { token: admin.token })).status).toBe(204);
    expect((await t.api.get(`/api/venues/${made.id}`)).status).toBe(404);
  });

  it("disappears with its creator's suspension", async () => {
    const owner = await createUser(t.db);
    const made = await createVenue(t.db, { createdBy: owner.id });
    expect((await t.api.get(`/api/venues/${made.id}`)).status).toBe(200);
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, owner.id));
    expect((await t.api.get(`/api/venues/${made.id}`)).status).toBe(404);
  });

  it("are found by city, near= and words, page by page, in one round trip", async () => {
    const city = unique("Ciudad");
    const owner = await createUser(t.db);
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await createVenue(t.db, { createdBy: owner.id, city, name: i === 0 ? "La Viruta" : `Salon ${i}` }));
    const { seen, sizes } = await allIds(`/api/venues?city=${city}`);
    expect(seen).toEqual(made.map((v) => v.id).reverse());
    expect(sizes).toEqual([2, 2, 1]);
    expect(ids(await t.api.get(`/api/venues?city=${city}&q=viruta`))).toEqual([made[0]!.id]);
    const spot = { lat: 61.234, lng: -170.567 };
    const near = await createVenue(t.db, { createdBy: owner.id, latitude: spot.lat, longitude: spot.lng + 0.05 });
    await createVenue(t.db, { createdBy: owner.id, latitude: spot.lat + 1, longitude: spot.lng });
    const found = await t.api.get(`/api/venues?near=${spot.lat},${spot.lng}&radiusKm=10`);
    expect(ids(found)).toEqual([near.id]);
    expect(found.body.items[0].distanceKm).toBeCloseTo(2.69, 1);
    const { status, trips } = await roundTrips(() => t.api.get(`/api/venues?city=${city}&q=salon&near=${spot.lat},${spot.lng}`));
    expect([status, trips]).toEqual([200, 1]);
    const bad = await t.api.get(`/api/venues?cursor=${encodeCursor(["nope"])}`);
    expect([bad.status, bad.body.code]).toEqual([400, "invalid_cursor"]);
  });
});

describe("events at a venue", () => {
  it("GET /api/venues/{id}/events lists its upcoming visible events, soonest first, by cursor", async () => {
    const organizer = await createUser(t.db);
    const place = await createVenue(t.db, { createdBy: organizer.id });
    const day = (n: number) => new Date(Date.now() + n * 86_400_000);
    const soon = await createEvent(t.db, { userId: organizer.id, venueId: place.id, startDate: day(2) });
    const later = await createEvent(t.db, { userId: organizer.id, venueId: place.id, startDate: day(5) });
    const latest = await createEvent(t.db, { userId: organizer.id, venueId: place.id, startDate: day(9) });
    await createEvent(t.db, { userId: organizer.id, venueId: place.id, startDate: day(-2) });
    await createEvent(t.db, { userId: organizer.id, venueId: place.id, startDate: day(3), status: "draft" });
    await createEvent(t.db, { userId: organizer.id, startDate: day(3) });
    const { seen } = await allIds(`/api/venues/${place.id}/events`);
    expect(seen).toEqual([soon.id, later.id, latest.id]);
    expect((await t.api.get(`/api/venues/${place.id}/events`)).body.items[0].venueId).toBe(place.id);
    expect((await t.api.get("/api/venues/2147483647/events")).status).toBe(404);
    await t.db.delete(venues).where(eq(venues.id, place.id));
    const [kept] = await t.db.select().from(events).where(eq(events.id, soon.id));
    expect(kept!.venueId).toBeNull();
  });
});

describe("schools", () => {
  it("its owner makes, edits and deletes it and adds teachers; a teacher takes themselves off", async () => {
    const { user, token } = await signedIn(t);
    const place = await createVenue(t.db, { createdBy: user.id });
    const created = await t.api.post("/api/schools", { token, json: { name: "DNI", city: "Buenos Aires", country: "Argentina", styles: ["nuevo"], venueId: place.id } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ownerId: user.id, venueId: place.id, styles: ["nuevo"], teachers: [] });
    const unknown = await t.api.post("/api/schools", { token, json: { name: "X", city: "BA", country: "AR", venueId: 2147483647 } });
    expect([unknown.status, unknown.body.code]).toEqual([400, "unknown_venue"]);
    const teacherUser = await signedIn(t);
    const teacher = await createTeacher(t.db, { userId: teacherUser.user.id });
    const added = await t.api.post(`/api/schools/${created.body.id}/teachers`, { token, json: { teacherId: teacher.id } });
    expect(added.body.teachers.map((x: { id: number }) => x.id)).toEqual([teacher.id]);
    expect((await t.api.post(`/api/schools/${created.body.id}/teachers`, { token, json: { teacherId: teacher.id } })).body.teachers).toHaveLength(1);
    const other = await signedIn(t);
    const refused = await t.api.post(`/api/schools/${created.body.id}/teachers`, { token: other.token, json: { teacherId: teacher.id } });
    expect([refused.status, refused.body.code]).toEqual([403, "not_school_owner"]);
    expect((await t.api.delete(`/api/schools/${created.body.id}/teachers/${teacher.id}`, { token: other.token })).status).toBe(403);
    expect((await t.api.get(`/api/schools/${created.body.id}`)).body.teachers).toHaveLength(1);
    expect((await t.api.delete(`/api/schools/${created.body.id}/teachers/${teacher.id}`, { token: teacherUser.token })).status).toBe(204);
    expect((await t.api.get(`/api/schools/${created.body.id}`)).body.teachers).toEqual([]);
    expect((await t.api.patch(`/api/schools/${created.body.id}`, { token: other.token, json: { name: "x" } })).status).toBe(403);
    expect((await t.api.patch(`/api/schools/${created.body.id}`, { token, json: { name: "DNI Tango", venueId: null } })).body).toMatchObject({ name: "DNI Tango", venueId: null });
    expect((await t.api.delete(`/api/schools/${created.body.id}`, { token })).status).toBe(204);
    expect((await t.api.get(`/api/schools/${created.body.id}`)).status).toBe(404);
  });

  it("are found by city and style, page by page", async () => {
    const city = unique("Escuelas");
    const owner = await createUser(t.db);
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await createSchool(t.db, { ownerId: owner.id, city, styles: i === 1 ? ["vals"] : ["salon"] }));
    expect((await allIds(`/api/schools?city=${city}`)).seen).toEqual(made.map((s) => s.id).reverse());
    expect(ids(await t.api.get(`/api/schools?city=${city}&style=vals`))).toEqual([made[1]!.id]);
  });
});
