import { describe, expect, it } from "vitest";
import { signedIn } from "../../../test/auth";
import { createSchool, createStudentLink, createTeacher, createVenue, createVisit } from "../../../test/directory";
import { createEvent, createUser, rsvp, unique } from "../../../test/factories";
import { type ApiResponse, useTestDatabase } from "../../../test/harness";
import { roundTrips } from "../../../test/roundtrips";

/**
 * How many database round trips each directory request makes (ARCHITECTURE.md: one is the
 * target, never more than two): the driver's HTTP requests counted while the Worker answers.
 */
const t = await useTestDatabase();

describe("database round trips per directory request", () => {
  it("answers every directory route in one round trip", async () => {
    const city = unique("Trips");
    const teacherUser = await signedIn(t);
    const dancer = await signedIn(t);
    const teacher = await createTeacher(t.db, { userId: teacherUser.user.id, city, latitude: -34.6, longitude: -58.4 });
    const visit = await createVisit(t.db, { teacherId: teacher.id, city: "Rome", startsOn: "2099-01-01", endsOn: "2099-01-05" });
    for (let i = 0; i < 3; i++) {
      const other = await createUser(t.db);
      await createStudentLink(t.db, { teacherId: teacher.id, studentId: other.id, status: "approved" });
    }
    const host = await signedIn(t);
    const venue = await createVenue(t.db, { createdBy: host.user.id, city, latitude: -34.6, longitude: -58.4 });
    const night = await createEvent(t.db, { userId: teacherUser.user.id, venueId: venue.id, startDate: new Date(Date.now() - 86_400_000) });
    await rsvp(t.db, night.id, dancer.user.id, "going");
    await createEvent(t.db, { userId: teacherUser.user.id, venueId: venue.id });
    const school = await createSchool(t.db, { ownerId: dancer.user.id, city });
    const link = await createStudentLink(t.db, { teacherId: teacher.id, studentId: dancer.user.id });
    const owner = teacherUser.token;
    const me = dancer.token;
    const calls: [string, () => Promise<ApiResponse>, number][] = [
      ["search teachers", () => t.api.get(`/api/teachers?city=${city}&style=salon&language=es&near=-34.6,-58.4&q=teacher`, { token: me }), 200],
      ["teacher detail", () => t.api.get(`/api/teachers/${teacher.id}`, { token: me }), 200],
      ["a user's teacher", () => t.api.get(`/api/users/${teacherUser.user.id}/teacher`), 200],
      ["edit teacher", () => t.api.patch(`/api/teachers/${teacher.id}`, { token: owner, json: { bio: "More" } }), 200],
      ["visits", () => t.api.get(`/api/teachers/${teacher.id}/locations`), 200],
      ["add visit", () => t.api.post(`/api/teachers/${teacher.id}/locations`, { token: owner, json: { city: "Oslo", country: "Norway", startsOn: "2099-02-01", endsOn: "2099-02-02" } }), 201],
      ["edit visit", () => t.api.patch(`/api/teachers/${teacher.id}/locations/${visit.id}`, { token: owner, json: { note: "Workshops" } }), 200],
      ["students", () => t.api.get(`/api/teachers/${teacher.id}/students`, { token: owner }), 200],
      ["study again", () => t.api.post(`/api/teachers/${teacher.id}/students`, { token: me }), 200],
      ["approve", () => t.api.post(`/api/teacher-students/${link.id}/approve`, { token: owner }), 200],
      ["my teachers", () => t.api.get("/api/users/me/teachers", { token: me }), 200],
      ["review teacher", () => t.api.post(`/api/teachers/${teacher.id}/reviews`, { token: me, json: { rating: 5 } }), 201],
      ["teacher reviews", () => t.api.get(`/api/teachers/${teacher.id}/reviews`), 200],
      ["search venues", () => t.api.get(`/api/venues?city=${city}&near=-34.6,-58.4&q=salon`), 200],
      ["venue detail", () => t.api.get(`/api/venues/${venue.id}`), 200],
      ["venue events", () => t.api.get(`/api/venues/${venue.id}/events`, { token: me }), 200],
      ["review venue", () => t.api.post(`/api/venues/${venue.id}/reviews`, { token: me, json: { rating: 4 } }), 201],
      ["edit venue", () => t.api.patch(`/api/venues/${venue.id}`, { token: host.token, json: { capacity: 120 } }), 200],
      ["search schools", () => t.api.get(`/api/schools?city=${city}`), 200],
      ["school detail", () => t.api.get(`/api/schools/${school.id}`), 200],
      ["add school teacher", () => t.api.post(`/api/schools/${school.id}/teachers`, { token: me, json: { teacherId: teacher.id } }), 200],
      ["end student", () => t.api.delete(`/api/teacher-students/${link.id}`, { token: me }), 204],
    ];
    for (const [label, call, status] of calls) {
      expect(await roundTrips(call), label).toEqual({ status, trips: 1 });
    }
  });
});
