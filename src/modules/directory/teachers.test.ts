import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, teacherProfiles, users } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createTeacher, createVisit } from "../../../test/directory";
import { createUser, unique } from "../../../test/factories";
import { type ApiResponse, useTestDatabase } from "../../../test/harness";
import { roundTrips } from "../../../test/roundtrips";
import { encodeCursor } from "../../lib/pagination";

const t = await useTestDatabase();

const profile = (overrides: Record<string, unknown> = {}) => ({
  headline: "Salon in Berlin",
  styles: ["salon", "vals"],
  levels: ["beginner", "advanced"],
  languages: ["ES", "en"],
  city: "Berlin",
  country: "Germany",
  latitude: 52.52,
  longitude: 13.405,
  privateLessons: true,
  privateRate: 6000,
  groupRate: 1500,
  currency: "eur",
  website: "https://example.com/tango",
  ...overrides,
});

/** Every page of a listing, following nextCursor. */
async function allPages(path: string, token?: string, limit = 2) {
  const ids: number[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const res: ApiResponse = await t.api.get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    ids.push(...res.body.items.map((item: { id: number }) => item.id));
    sizes.push(res.body.items.length);
    cursor = res.body.nextCursor;
  } while (cursor);
  return { ids, sizes };
}

const ids = (res: { body: { items: { id: number }[] } }) => res.body.items.map((item) => item.id);

describe("POST /api/teachers", () => {
  it("creates the caller's profile (201), one per dancer (409 teacher_profile_exists)", async () => {
    const { user, token } = await signedIn(t);
    const res = await t.api.post("/api/teachers", { token, json: profile() });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      user: { id: user.id, username: user.username },
      styles: ["salon", "vals"],
      languages: ["es", "en"],
      currency: "EUR",
      privateRate: 6000,
      studentCount: 0,
      rating: { average: null, reviews: 0 },
      distanceKm: null,
    });
    const again = await t.api.post("/api/teachers", { token, json: profile() });
    expect([again.status, again.body.code]).toEqual([409, "teacher_profile_exists"]);
  });

  it("stores one profile however many creates arrive at once", async () => {
    const { user, token } = await signedIn(t);
    const results = await Promise.all(Array.from({ length: 5 }, () => t.api.post("/api/teachers", { token, json: profile() })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(await t.db.select().from(teacherProfiles).where(eq(teacherProfiles.userId, user.id))).toHaveLength(1);
  });

  it.each([
    ["a style that is not one", { styles: ["tango-fusion"] }, "body.styles.0"],
    ["no style", { styles: [] }, "body.styles"],
    ["a negative rate", { privateRate: -1 }, "body.privateRate"],
    ["a fractional rate", { groupRate: 10.5 }, "body.groupRate"],
    ["a language that is not a code", { languages: ["spanish"] }, "body.languages.0"],
    ["a level that is not one", { levels: ["expert"] }, "body.levels.0"],
    ["a latitude out of range", { latitude: 91 }, "body.latitude"],
  ])("refuses %s with 400 problem+json", async (_label, change, path) => {
    const { token } = await signedIn(t);
    const res = await t.api.post("/api/teachers", { token, json: profile(change) });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it("refuses a rate without a currency and one coordinate alone (400), writing nothing", async () => {
    const { user, token } = await signedIn(t);
    const noCurrency = await t.api.post("/api/teachers", { token, json: profile({ currency: undefined }) });
    expect([noCurrency.status, noCurrency.body.code]).toEqual([400, "rate_without_currency"]);
    const half = await t.api.post("/api/teachers", { token, json: profile({ longitude: undefined }) });
    expect([half.status, half.body.code]).toEqual([400, "coordinates_incomplete"]);
    expect(await t.db.select().from(teacherProfiles).where(eq(teacherProfiles.userId, user.id))).toEqual([]);
  });
});

describe("GET /api/teachers/{id} and /api/users/{id}/teacher", () => {
  it("shows the card, the next visits (not past ones) and the viewer's request, in one round trip", async () => {
    const owner = await createUser(t.db);
    const teacher = await createTeacher(t.db, { userId: owner.id, reviewCount: 3, ratingSum: 13, studentCount: 2 });
    await createVisit(t.db, { teacherId: teacher.id, city: "Paris", startsOn: "2020-01-01", endsOn: "2020-01-05" });
    const soon = await createVisit(t.db, { teacherId: teacher.id, city: "Rome", startsOn: "2099-05-01", endsOn: "2099-05-03" });
    const { token } = await signedIn(t);
    const { status, trips } = await roundTrips(() => t.api.get(`/api/teachers/${teacher.id}`, { token }));
    expect([status, trips]).toEqual([200, 1]);
    const res = await t.api.get(`/api/teachers/${teacher.id}`, { token });
    expect(res.body).toMatchObject({ id: teacher.id, studentCount: 2, rating: { average: 4.33, reviews: 3 }, viewer: { isTeacher: false, student: null } });
    expect(res.body.upcomingLocations).toEqual([
      { id: soon.id, teacherId: teacher.id, city: "Rome", country: "Somewhere", latitude: null, longitude: null, startsOn: "2099-05-01", endsOn: "2099-05-03", note: null },
    ]);
    const byUser = await t.api.get(`/api/users/${owner.id}/teacher`);
    expect([byUser.status, byUser.body.id]).toEqual([200, teacher.id]);
    expect((await t.api.get(`/api/users/${(await createUser(t.db)).id}/teacher`)).status).toBe(404);
  });

  it("hides a teacher across a block (either way) and once their account is suspended, but not from themselves", async () => {
    const owner = await signedIn(t);
    const teacher = await createTeacher(t.db, { userId: owner.user.id });
    const blocker = await signedIn(t);
    const blocked = await signedIn(t);
    await t.db.insert(blockedUsers).values([
      { blockerId: blocker.user.id, blockedId: owner.user.id },
      { blockerId: owner.user.id, blockedId: blocked.user.id },
    ]);
    expect((await t.api.get(`/api/teachers/${teacher.id}`, { token: blocker.token })).status).toBe(404);
    expect((await t.api.get(`/api/teachers/${teacher.id}`, { token: blocked.token })).status).toBe(404);
    expect((await t.api.get(`/api/teachers/${teacher.id}`)).status).toBe(200);
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, owner.user.id));
    expect((await t.api.get(`/api/teachers/${teacher.id}`)).status).toBe(404);
  });
});

describe("PATCH and DELETE /api/teachers/{id}", () => {
  it("lets the teacher edit (null clears) and delete; others are 403, strangers 401", async () => {
    const { user, token } = await signedIn(t);
    const teacher = (await t.api.post("/api/teachers", { token, json: profile() })).body;
    const edited = await t.api.patch(`/api/teachers/${teacher.id}`, { token, json: { headline: "Milonguero", privateRate: null, groupRate: null, currency: null } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ headline: "Milonguero", privateRate: null, currency: null, styles: ["salon", "vals"] });
    const other = await signedIn(t);
    const refused = await t.api.patch(`/api/teachers/${teacher.id}`, { token: other.token, json: { headline: "Mine now" } });
    expect([refused.status, refused.body.code]).toEqual([403, "not_teacher_owner"]);
    expect((await t.api.patch(`/api/teachers/${teacher.id}`, { json: { headline: "x" } })).status).toBe(401);
    expect((await t.api.delete(`/api/teachers/${teacher.id}`, { token: other.token })).status).toBe(403);
    expect((await t.api.delete(`/api/teachers/${teacher.id}`, { token })).status).toBe(204);
    expect(await t.db.select().from(teacherProfiles).where(eq(teacherProfiles.userId, user.id))).toEqual([]);
    expect((await t.api.get(`/api/teachers/${teacher.id}`)).status).toBe(404);
  });

  it("checks the rates against the currency as the edit leaves them, and coordinates in pairs", async () => {
    const { token } = await signedIn(t);
    const teacher = (await t.api.post("/api/teachers", { token, json: profile({ privateRate: undefined, groupRate: undefined, currency: undefined }) })).body;
    const rate = await t.api.patch(`/api/teachers/${teacher.id}`, { token, json: { privateRate: 5000 } });
    expect([rate.status, rate.body.code]).toEqual([400, "rate_without_currency"]);
    expect((await t.api.patch(`/api/teachers/${teacher.id}`, { token, json: { currency: "ARS" } })).status).toBe(200);
    expect((await t.api.patch(`/api/teachers/${teacher.id}`, { token, json: { privateRate: 5000 } })).body.privateRate).toBe(5000);
    const half = await t.api.patch(`/api/teachers/${teacher.id}`, { token, json: { latitude: null } });
    expect([half.status, half.body.code]).toEqual([400, "coordinates_incomplete"]);
    const negative = await t.api.patch(`/api/teachers/${teacher.id}`, { token, json: { groupRate: -5 } });
    expect(negative.status).toBe(400);
  });
});

describe("GET /api/teachers: the directory", () => {
  it("finds by city the teachers based there and those visiting within the dates only", async () => {
    const city = unique("City");
    const [a, b, c, d] = await Promise.all(Array.from({ length: 4 }, () => createUser(t.db)));
    const based = await createTeacher(t.db, { userId: a!.id, city });
    const visiting = await createTeacher(t.db, { userId: b!.id, city: "Elsewhere" });
    await createVisit(t.db, { teacherId: visiting.id, city, startsOn: "2099-03-10", endsOn: "2099-03-20" });
    const pastVisitor = await createTeacher(t.db, { userId: c!.id });
    await createVisit(t.db, { teacherId: pastVisitor.id, city, startsOn: "2020-03-10", endsOn: "2020-03-20" });
    await createTeacher(t.db, { userId: d!.id, city: "Elsewhere" });
    const q = `/api/teachers?city=${encodeURIComponent(city)}`;
    expect(ids(await t.api.get(q))).toEqual([visiting.id, based.id]);
    expect(ids(await t.api.get(`${q}&from=2099-03-01&to=2099-03-09`))).toEqual([based.id]);
    expect(ids(await t.api.get(`${q}&from=2099-03-20&to=2099-03-25`))).toEqual([visiting.id, based.id]);
    expect(ids(await t.api.get(`${q}&from=2020-03-01&to=2020-03-31`))).toEqual([pastVisitor.id, based.id]);
    const reversed = await t.api.get(`${q}&from=2099-03-20&to=2099-03-01`);
    expect([reversed.status, reversed.body.code]).toEqual([400, "dates_reversed"]);
  });

  it("finds by near= the base or a visit in the dates, with the distance", async () => {
    const [a, b, c] = await Promise.all(Array.from({ length: 3 }, () => createUser(t.db)));
    // A spot in the South Atlantic no other test uses.
    const here = { lat: -47.123, lng: -20.456 };
    const near = await createTeacher(t.db, { userId: a!.id, latitude: here.lat, longitude: here.lng + 0.1 });
    const visitor = await createTeacher(t.db, { userId: b!.id });
    await createVisit(t.db, { teacherId: visitor.id, city: "Sea", startsOn: "2099-01-01", endsOn: "2099-01-31", latitude: here.lat, longitude: here.lng });
    await createTeacher(t.db, { userId: c!.id, latitude: here.lat + 2, longitude: here.lng });
    const res = await t.api.get(`/api/teachers?near=${here.lat},${here.lng}&radiusKm=20`);
    expect(ids(res)).toEqual([visitor.id, near.id]);
    expect(res.body.items[0].distanceKm).toBe(0);
    expect(res.body.items[1].distanceKm).toBeCloseTo(7.58, 1);
    expect(ids(await t.api.get(`/api/teachers?near=${here.lat},${here.lng}&radiusKm=20&from=2099-02-01`))).toEqual([near.id]);
  });

  it("filters by style, language, level, private lessons and words", async () => {
    const city = unique("Town");
    const [a, b] = await Promise.all([createUser(t.db), createUser(t.db)]);
    const nuevo = await createTeacher(t.db, { userId: a.id, city, styles: ["nuevo"], languages: ["en", "it"], levels: ["advanced"], privateLessons: true, headline: "Nuevo técnica" });
    const salon = await createTeacher(t.db, { userId: b.id, city, styles: ["salon", "milonga"], languages: ["es"], headline: "Salon elegance" });
    const q = `/api/teachers?city=${encodeURIComponent(city)}`;
    expect(ids(await t.api.get(`${q}&style=nuevo`))).toEqual([nuevo.id]);
    expect(ids(await t.api.get(`${q}&style=milonga`))).toEqual([salon.id]);
    expect(ids(await t.api.get(`${q}&language=IT`))).toEqual([nuevo.id]);
    expect(ids(await t.api.get(`${q}&level=advanced`))).toEqual([nuevo.id]);
    expect(ids(await t.api.get(`${q}&privateLessons=false`))).toEqual([salon.id]);
    expect(ids(await t.api.get(`${q}&q=tecnica`))).toEqual([nuevo.id]);
    expect(ids(await t.api.get(`${q}&q=elegance%20-nuevo`))).toEqual([salon.id]);
    expect(ids(await t.api.get(`${q}&q=%21%21`))).toEqual([]);
    expect((await t.api.get(`${q}&style=tango`)).status).toBe(400);
  });

  it("hides teachers blocked either way and suspended ones", async () => {
    const city = unique("Village");
    const viewer = await signedIn(t);
    const [a, b, c] = await Promise.all(Array.from({ length: 3 }, () => createUser(t.db)));
    const visible = await createTeacher(t.db, { userId: a!.id, city });
    await createTeacher(t.db, { userId: b!.id, city });
    await createTeacher(t.db, { userId: c!.id, city });
    await t.db.insert(blockedUsers).values({ blockerId: viewer.user.id, blockedId: b!.id });
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, c!.id));
    expect(ids(await t.api.get(`/api/teachers?city=${encodeURIComponent(city)}`, { token: viewer.token }))).toEqual([visible.id]);
  });

  it("pages without gaps or repeats, in one round trip per page; a bad cursor is 400", async () => {
    const city = unique("Pages");
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await createTeacher(t.db, { userId: (await createUser(t.db)).id, city }));
    const { ids: seen, sizes } = await allPages(`/api/teachers?city=${encodeURIComponent(city)}`);
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual(made.map((m) => m.id).reverse());
    const { status, trips } = await roundTrips(() => t.api.get(`/api/teachers?city=${encodeURIComponent(city)}&style=salon&q=teacher&near=-34.6,-58.4`));
    expect([status, trips]).toEqual([200, 1]);
    for (const cursor of ["garbage", encodeCursor(["x"]), encodeCursor([0])]) {
      const res = await t.api.get(`/api/teachers?cursor=${encodeURIComponent(cursor)}`);
      expect([res.status, res.body.code]).toEqual([400, "invalid_cursor"]);
    }
  });
});

describe("/api/teachers/{id}/locations", () => {
  it("lets the teacher add, edit and delete visits; lists upcoming ones (past ones on request), by cursor", async () => {
    const { token } = await signedIn(t);
    const teacher = (await t.api.post("/api/teachers", { token, json: profile() })).body;
    const base = `/api/teachers/${teacher.id}/locations`;
    const add = (startsOn: string, endsOn: string) => t.api.post(base, { token, json: { city: "Rome", country: "Italy", startsOn, endsOn } });
    const past = (await add("2020-01-01", "2020-01-02")).body;
    const made = [];
    for (const day of ["2099-01-01", "2099-02-01", "2099-03-01"]) {
      const res = await add(day, day);
      expect(res.status).toBe(201);
      made.push(res.body.id);
    }
    expect((await allPages(base)).ids).toEqual(made);
    expect((await allPages(`${base}?past=true`)).ids).toEqual([past.id, ...made]);
    const edited = await t.api.patch(`${base}/${made[0]}`, { token, json: { endsOn: "2099-01-05", note: "Workshops" } });
    expect(edited.body).toMatchObject({ startsOn: "2099-01-01", endsOn: "2099-01-05", note: "Workshops" });
    const reversed = await t.api.patch(`${base}/${made[0]}`, { token, json: { endsOn: "2098-12-31" } });
    expect([reversed.status, reversed.body.code]).toEqual([400, "dates_reversed"]);
    expect((await t.api.delete(`${base}/${made[0]}`, { token })).status).toBe(204);
    expect((await t.api.delete(`${base}/${made[0]}`, { token })).status).toBe(404);
  });

  it("refuses reversed dates on create (400) and another dancer's writes (403)", async () => {
    const { token } = await signedIn(t);
    const teacher = (await t.api.post("/api/teachers", { token, json: profile() })).body;
    const base = `/api/teachers/${teacher.id}/locations`;
    const reversed = await t.api.post(base, { token, json: { city: "Rome", country: "Italy", startsOn: "2099-02-01", endsOn: "2099-01-01" } });
    expect([reversed.status, reversed.body.code]).toEqual([400, "dates_reversed"]);
    const bad = await t.api.post(base, { token, json: { city: "Rome", country: "Italy", startsOn: "2099-02-30", endsOn: "2099-03-01" } });
    expect(bad.status).toBe(400);
    const visit = (await t.api.post(base, { token, json: { city: "Rome", country: "Italy", startsOn: "2099-01-01", endsOn: "2099-01-02" } })).body;
    const other = await signedIn(t);
    const refused = await t.api.post(base, { token: other.token, json: { city: "Rome", country: "Italy", startsOn: "2099-01-01", endsOn: "2099-01-02" } });
    expect([refused.status, refused.body.code]).toEqual([403, "not_teacher_owner"]);
    expect((await t.api.patch(`${base}/${visit.id}`, { token: other.token, json: { note: "x" } })).status).toBe(403);
    expect((await t.api.delete(`${base}/${visit.id}`, { token: other.token })).status).toBe(403);
    expect((await t.api.post(base, { json: {} })).status).toBe(401);
  });
});
