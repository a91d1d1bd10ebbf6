import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, eventAttendees, eventCoOrganizers, notifications, teacherProfiles, venues } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createStudentLink, createTeacher, createVenue } from "../../../test/directory";
import { createEvent, createUser, rsvp } from "../../../test/factories";
import { type ApiResponse, useTestDatabase } from "../../../test/harness";

const t = await useTestDatabase();

const past = () => new Date(Date.now() - 3 * 86_400_000);
const future = () => new Date(Date.now() + 3 * 86_400_000);

async function teacherCounters(id: number) {
  const [row] = await t.db.select().from(teacherProfiles).where(eq(teacherProfiles.id, id));
  return [row!.reviewCount, row!.ratingSum];
}

async function venueCounters(id: number) {
  const [row] = await t.db.select().from(venues).where(eq(venues.id, id));
  return [row!.reviewCount, row!.ratingSum];
}

describe("teacher reviews: who may review", () => {
  it("an approved student may; a pending one may not (403 not_eligible); the teacher never", async () => {
    const owner = await signedIn(t);
    const teacher = await createTeacher(t.db, { userId: owner.user.id });
    const approved = await signedIn(t);
    const pending = await signedIn(t);
    await createStudentLink(t.db, { teacherId: teacher.id, studentId: approved.user.id, status: "approved" });
    await createStudentLink(t.db, { teacherId: teacher.id, studentId: pending.user.id });
    const path = `/api/teachers/${teacher.id}/reviews`;
    const ok = await t.api.post(path, { token: approved.token, json: { rating: 5, comment: "Wonderful embrace" } });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ subjectId: teacher.id, author: { id: approved.user.id }, rating: 5, comment: "Wonderful embrace", edited: false });
    const refused = await t.api.post(path, { token: pending.token, json: { rating: 4 } });
    expect([refused.status, refused.body.code]).toEqual([403, "not_eligible"]);
    expect((await t.api.post(path, { token: owner.token, json: { rating: 5 } })).body.code).toBe("not_eligible");
    expect((await t.api.post(path, { json: { rating: 5 } })).status).toBe(401);
    const [n] = await t.db.select().from(notifications).where(and(eq(notifications.userId, owner.user.id), eq(notifications.type, "teacher_review")));
    expect(n).toBeDefined();
  });

  it("a dancer who attended a past event the teacher organized or co-organized may; a future one does not count", async () => {
    const owner = await createUser(t.db);
    const teacher = await createTeacher(t.db, { userId: owner.id });
    const [going, checkedIn, coGoing, futureGoing, interested] = await Promise.all(Array.from({ length: 5 }, () => signedIn(t)));
    const own = await createEvent(t.db, { userId: owner.id, startDate: past() });
    await rsvp(t.db, own.id, going!.user.id, "going");
    await rsvp(t.db, own.id, interested!.user.id, "interested");
    await t.db.insert(eventAttendees).values({ eventId: own.id, userId: checkedIn!.user.id, method: "user" });
    const coOrganized = await createEvent(t.db, { userId: (await createUser(t.db)).id, startDate: past() });
    await t.db.insert(eventCoOrganizers).values({ eventId: coOrganized.id, userId: owner.id, addedBy: coOrganized.userId });
    await rsvp(t.db, coOrganized.id, coGoing!.user.id, "going");
    const upcoming = await createEvent(t.db, { userId: owner.id, startDate: future() });
    await rsvp(t.db, upcoming.id, futureGoing!.user.id, "going");
    const path = `/api/teachers/${teacher.id}/reviews`;
    for (const dancer of [going, checkedIn, coGoing]) expect((await t.api.post(path, { token: dancer!.token, json: { rating: 4 } })).status).toBe(201);
    for (const dancer of [futureGoing, interested]) expect((await t.api.post(path, { token: dancer!.token, json: { rating: 4 } })).status).toBe(403);
    expect(await teacherCounters(teacher.id)).toEqual([3, 12]);
  });
});

describe("venue reviews: who may review", () => {
  it("a dancer who attended a past event there may; one who did not, or only a future one, may not", async () => {
    const owner = await signedIn(t);
    const place = await createVenue(t.db, { createdBy: owner.user.id });
    const organizer = await createUser(t.db);
    const [attended, stranger, futureGoing] = await Promise.all(Array.from({ length: 3 }, () => signedIn(t)));
    const night = await createEvent(t.db, { userId: organizer.id, venueId: place.id, startDate: past() });
    await rsvp(t.db, night.id, attended!.user.id, "going");
    const next = await createEvent(t.db, { userId: organizer.id, venueId: place.id, startDate: future() });
    await rsvp(t.db, next.id, futureGoing!.user.id, "going");
    const elsewhere = await createEvent(t.db, { userId: organizer.id, startDate: past() });
    await rsvp(t.db, elsewhere.id, stranger!.user.id, "going");
    const path = `/api/venues/${place.id}/reviews`;
    expect((await t.api.post(path, { token: attended!.token, json: { rating: 3 } })).status).toBe(201);
    for (const dancer of [stranger, futureGoing, owner]) {
      const res = await t.api.post(path, { token: dancer!.token, json: { rating: 5 } });
      expect([res.status, res.body.code]).toEqual([403, "not_eligible"]);
    }
    expect(await venueCounters(place.id)).toEqual([1, 3]);
    const [n] = await t.db.select().from(notifications).where(and(eq(notifications.userId, owner.user.id), eq(notifications.type, "venue_review")));
    expect(n!.data).toMatchObject({ venueId: place.id, venueName: place.name });
  });
});

describe("reviews: once each, edits, deletes, counters", () => {
  async function eligibleWorld() {
    const owner = await createUser(t.db);
    const teacher = await createTeacher(t.db, { userId: owner.id });
    const dancers = await Promise.all(Array.from({ length: 3 }, () => signedIn(t)));
    for (const d of dancers) await createStudentLink(t.db, { teacherId: teacher.id, studentId: d.user.id, status: "approved" });
    return { teacher, dancers, path: `/api/teachers/${teacher.id}/reviews` };
  }

  it("a second review is 409 already_reviewed, also when two arrive at once; counters stay exact", async () => {
    const { teacher, dancers, path } = await eligibleWorld();
    const results = await Promise.all(Array.from({ length: 4 }, () => t.api.post(path, { token: dancers[0]!.token, json: { rating: 4 } })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    expect(results.find((r) => r.status === 409)!.body.code).toBe("already_reviewed");
    await Promise.all(dancers.slice(1).map((d, i) => t.api.post(path, { token: d.token, json: { rating: i + 2 } })));
    expect(await teacherCounters(teacher.id)).toEqual([3, 9]);
    expect((await t.api.get(`/api/teachers/${teacher.id}`)).body.rating).toEqual({ average: 3, reviews: 3 });
  });

  it("the author edits (the sum moves by the difference) and deletes (counted off); others are 403", async () => {
    const { teacher, dancers, path } = await eligibleWorld();
    const review = (await t.api.post(path, { token: dancers[0]!.token, json: { rating: 2, comment: "ok" } })).body;
    const edited = await t.api.patch(`${path}/${review.id}`, { token: dancers[0]!.token, json: { rating: 5, comment: "" } });
    expect(edited.body).toMatchObject({ rating: 5, comment: null, edited: true });
    expect(await teacherCounters(teacher.id)).toEqual([1, 5]);
    const other = await t.api.patch(`${path}/${review.id}`, { token: dancers[1]!.token, json: { rating: 1 } });
    expect([other.status, other.body.code]).toEqual([403, "not_review_author"]);
    expect((await t.api.delete(`${path}/${review.id}`, { token: dancers[1]!.token })).status).toBe(403);
    expect((await t.api.patch(`${path}/${review.id}`, { token: dancers[0]!.token, json: {} })).status).toBe(400);
    await Promise.all([
      t.api.patch(`${path}/${review.id}`, { token: dancers[0]!.token, json: { rating: 3 } }),
      t.api.patch(`${path}/${review.id}`, { token: dancers[0]!.token, json: { rating: 1 } }),
    ]);
    const [stored] = await t.db.select().from(teacherProfiles).where(eq(teacherProfiles.id, teacher.id));
    const current = (await t.api.get(path)).body.items[0].rating;
    expect(stored!.ratingSum).toBe(current);
    const deletes = await Promise.all([1, 2].map(() => t.api.delete(`${path}/${review.id}`, { token: dancers[0]!.token })));
    expect(deletes.map((r) => r.status).sort()).toEqual([204, 404]);
    expect(await teacherCounters(teacher.id)).toEqual([0, 0]);
    expect((await t.api.post(path, { token: dancers[0]!.token, json: { rating: 4 } })).status).toBe(201);
  });

  it.each([[0], [6], [2.5]])("refuses a rating of %s (400)", async (rating) => {
    const { dancers, path } = await eligibleWorld();
    expect((await t.api.post(path, { token: dancers[0]!.token, json: { rating } })).status).toBe(400);
  });

  it("lists reviews newest first by cursor, without those of blocked dancers", async () => {
    const { dancers, path } = await eligibleWorld();
    const made = [];
    for (const d of dancers) made.push((await t.api.post(path, { token: d.token, json: { rating: 4 } })).body.id);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res: ApiResponse = await t.api.get(`${path}?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...res.body.items.map((r: { id: number }) => r.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...made].reverse());
    const viewer = await signedIn(t);
    await t.db.insert(blockedUsers).values({ blockerId: viewer.user.id, blockedId: dancers[1]!.user.id });
    expect((await t.api.get(path, { token: viewer.token })).body.items.map((r: { id: number }) => r.id)).toEqual([made[2], made[0]]);
    expect((await t.api.get(`${path}?cursor=nope`)).status).toBe(400);
  });
});
