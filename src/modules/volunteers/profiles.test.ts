import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, users, volunteerAvailability, volunteers } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createUser } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { roundTrips } from "../../../test/roundtrips";
import { createApplication, createTask, createVolunteer, taskCounters } from "../../../test/volunteers";

const t = await useTestDatabase();

const profile = {
  bio: "Door and registration at Buenos Aires milongas",
  skills: ["door", "registration", "door"],
  languages: ["es", "en"],
  city: "Buenos Aires",
  country: "Argentina",
  latitude: -34.5915,
  longitude: -58.4262,
  timezone: "america/argentina/buenos_aires",
  availability: [
    { weekday: 4, start: "19:00", end: "24:00" },
    { weekday: 6, start: "10:00", end: "14:30" },
  ],
  blockedDates: ["2030-03-09", "2030-03-07", "2030-03-09"],
};

describe("PUT /api/volunteer/profile", () => {
  it("creates the profile (201) with its blocks and days, and GET gives it back", async () => {
    const { user, token } = await signedIn(t);
    const { status, trips } = await roundTrips(() => t.api.put("/api/volunteer/profile", { token, json: profile }));
    expect([status, trips]).toEqual([201, 1]);
    const res = await t.api.get("/api/volunteer/profile", { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      user: { id: user.id, username: user.username },
      skills: ["door", "registration"],
      languages: ["es", "en"],
      timezone: expect.stringMatching(/^America\/(Argentina\/)?Buenos_Aires$/),
      latitude: -34.5915,
      availability: [
        { weekday: 4, start: "19:00", end: "24:00" },
        { weekday: 6, start: "10:00", end: "14:30" },
      ],
      blockedDates: ["2030-03-07", "2030-03-09"],
      experiences: [],
      tasksCompleted: 0,
      noShows: 0,
    });
  });

  it("replaces the profile (200) and its lists as a whole", async () => {
    const { token } = await signedIn(t);
    await t.api.put("/api/volunteer/profile", { token, json: profile });
    const res = await t.api.put("/api/volunteer/profile", {
      token,
      json: { skills: ["bar"], availability: [{ weekday: 1, start: "08:00", end: "09:00" }], blockedDates: ["2030-03-09"] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      bio: null,
      skills: ["bar"],
      latitude: null,
      timezone: "UTC",
      availability: [{ weekday: 1, start: "08:00", end: "09:00" }],
      blockedDates: ["2030-03-09"],
    });
  });

  it("keeps one profile and one set of blocks when saves race", async () => {
    const { user, token } = await signedIn(t);
    const saves = Array.from({ length: 5 }, (_, i) => ({ skills: ["door"], availability: [{ weekday: i, start: "10:00", end: "12:00" }] }));
    const results = await Promise.all(saves.map((json) => t.api.put("/api/volunteer/profile", { token, json })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    const rows = await t.db.select().from(volunteers).where(eq(volunteers.userId, user.id));
    expect(rows).toHaveLength(1);
    expect(await t.db.select().from(volunteerAvailability).where(eq(volunteerAvailability.volunteerId, rows[0]!.id))).toHaveLength(1);
  });

  it.each([
    ["no skill", { skills: [] }, "body.skills"],
    ["an unknown skill", { skills: ["juggling"] }, "body.skills.0"],
    ["a time zone that does not exist", { timezone: "America/Atlantis" }, "body.timezone"],
    ["an offset for a time zone", { timezone: "+03:00" }, "body.timezone"],
    ["a weekday out of range", { availability: [{ weekday: 7, start: "10:00", end: "11:00" }] }, "body.availability.0.weekday"],
    ["a bad time", { availability: [{ weekday: 1, start: "25:00", end: "26:00" }] }, "body.availability.0.start"],
    ["an end before the start", { availability: [{ weekday: 1, start: "12:00", end: "11:00" }] }, "body.availability.0.end"],
    ["a day that is not one", { blockedDates: ["2030-02-30"] }, "body.blockedDates.0"],
    ["one coordinate", { latitude: 10 }, "body.latitude"],
  ])("refuses %s with 400", async (_label, change, path) => {
    const { token } = await signedIn(t);
    const res = await t.api.put("/api/volunteer/profile", { token, json: { skills: ["door"], ...change } });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/problem\+json/);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it("is 404 on GET without a profile", async () => {
    const { token } = await signedIn(t);
    expect((await t.api.get("/api/volunteer/profile", { token })).status).toBe(404);
  });
});

describe("GET /api/volunteers/{id}", () => {
  it("shows another dancer the profile without coordinates or blocked days", async () => {
    const owner = await signedIn(t);
    const viewer = await signedIn(t);
    const created = await t.api.put("/api/volunteer/profile", { token: owner.token, json: profile });
    const res = await t.api.get(`/api/volunteers/${created.body.id}`, { token: viewer.token });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(owner.user.id);
    expect(res.body.availability).toHaveLength(2);
    expect(res.body).not.toHaveProperty("latitude");
    expect(res.body).not.toHaveProperty("blockedDates");
  });

  it("is 404 across a block either way and for a suspended account", async () => {
    const [owner, blocker, blocked, viewer] = await Promise.all([signedIn(t), signedIn(t), signedIn(t), signedIn(t)]);
    const volunteer = await createVolunteer(t.db, owner.user.id);
    await t.db.insert(blockedUsers).values([
      { blockerId: blocker.user.id, blockedId: owner.user.id },
      { blockerId: owner.user.id, blockedId: blocked.user.id },
    ]);
    expect((await t.api.get(`/api/volunteers/${volunteer.id}`, { token: blocker.token })).status).toBe(404);
    expect((await t.api.get(`/api/volunteers/${volunteer.id}`, { token: blocked.token })).status).toBe(404);
    expect((await t.api.get(`/api/volunteers/${volunteer.id}`, { token: viewer.token })).status).toBe(200);
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, owner.user.id));
    expect((await t.api.get(`/api/volunteers/${volunteer.id}`, { token: viewer.token })).status).toBe(404);
    expect((await t.api.get("/api/volunteers/2147483647", { token: viewer.token })).status).toBe(404);
  });

  it("is 401 anonymously", async () => {
    const volunteer = await createVolunteer(t.db, (await createUser(t.db)).id);
    expect((await t.api.get(`/api/volunteers/${volunteer.id}`)).status).toBe(401);
  });
});

describe("DELETE /api/volunteer/profile", () => {
  it("deletes the profile and gives back the seats and pending places its applications held", async () => {
    const { user, token } = await signedIn(t);
    const organizer = await createUser(t.db);
    const volunteer = await createVolunteer(t.db, user.id);
    const [a, b] = await Promise.all([createTask(t.db, { createdBy: organizer.id }), createTask(t.db, { createdBy: organizer.id })]);
    await createApplication(t.db, { taskId: a.id, volunteerId: volunteer.id, status: "accepted" });
    await createApplication(t.db, { taskId: b.id, volunteerId: volunteer.id, status: "applied" });
    const { status, trips } = await roundTrips(() => t.api.delete("/api/volunteer/profile", { token }));
    expect([status, trips]).toEqual([204, 1]);
    expect(await taskCounters(t.db, a.id)).toEqual({ seatsTaken: 0, applicationCount: 0, seated: 0, pending: 0 });
    expect(await taskCounters(t.db, b.id)).toEqual({ seatsTaken: 0, applicationCount: 0, seated: 0, pending: 0 });
    expect((await t.api.delete("/api/volunteer/profile", { token })).status).toBe(404);
  });
});

describe("the resume", () => {
  it("adds, lists newest first with the profile, edits and removes entries", async () => {
    const { user, token } = await signedIn(t);
    await createVolunteer(t.db, user.id);
    const first = await t.api.post("/api/volunteer/experiences", {
      token,
      json: { role: "Door", organization: "CITA", skills: ["door"], startedOn: "2024-03-01", endedOn: "2024-03-10" },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ role: "Door", organization: "CITA", skills: ["door"], startedOn: "2024-03-01", endedOn: "2024-03-10" });
    const second = await t.api.post("/api/volunteer/experiences", { token, json: { role: "DJ", organization: "La Viruta", startedOn: "2025-01-01" } });
    expect(second.body).toMatchObject({ description: null, skills: [], endedOn: null });
    const mine = await t.api.get("/api/volunteer/profile", { token });
    expect(mine.body.experiences.map((e: { id: number }) => e.id)).toEqual([second.body.id, first.body.id]);

    const edited = await t.api.patch(`/api/volunteer/experiences/${first.body.id}`, { token, json: { description: "Two weeks", endedOn: null } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ role: "Door", description: "Two weeks", endedOn: null });
    const bad = await t.api.patch(`/api/volunteer/experiences/${first.body.id}`, { token, json: { endedOn: "2020-01-01" } });
    expect([bad.status, bad.body.code]).toEqual([400, "ended_before_started"]);
    expect((await t.api.delete(`/api/volunteer/experiences/${first.body.id}`, { token })).status).toBe(204);
    expect((await t.api.delete(`/api/volunteer/experiences/${first.body.id}`, { token })).status).toBe(404);
  });

  it("needs a profile (409) and refuses dates in the wrong order (400)", async () => {
    const { user, token } = await signedIn(t);
    const entry = { role: "Door", organization: "CITA", startedOn: "2024-03-01" };
    const none = await t.api.post("/api/volunteer/experiences", { token, json: entry });
    expect([none.status, none.body.code]).toEqual([409, "no_volunteer_profile"]);
    await createVolunteer(t.db, user.id);
    const reversed = await t.api.post("/api/volunteer/experiences", { token, json: { ...entry, endedOn: "2024-02-01" } });
    expect([reversed.status, reversed.body.errors[0].path]).toEqual([400, "body.endedOn"]);
  });

  it("lets no one else edit or remove an entry (404)", async () => {
    const owner = await signedIn(t);
    const other = await signedIn(t);
    await createVolunteer(t.db, owner.user.id);
    await createVolunteer(t.db, other.user.id);
    const entry = await t.api.post("/api/volunteer/experiences", { token: owner.token, json: { role: "Door", organization: "CITA", startedOn: "2024-03-01" } });
    expect((await t.api.patch(`/api/volunteer/experiences/${entry.body.id}`, { token: other.token, json: { role: "X" } })).status).toBe(404);
    expect((await t.api.delete(`/api/volunteer/experiences/${entry.body.id}`, { token: other.token })).status).toBe(404);
    expect((await t.api.patch(`/api/volunteer/experiences/${entry.body.id}`, { json: { role: "X" } })).status).toBe(401);
    expect((await t.api.get("/api/volunteer/profile", { token: owner.token })).body.experiences[0].role).toBe("Door");
  });
});
