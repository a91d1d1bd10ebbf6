import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, eventCoOrganizers, users } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createEvent, createGroupWith, createUser } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { allPages } from "../../../test/pages";
import { roundTrips } from "../../../test/roundtrips";
import { notificationsOf } from "../../../test/rsvps";
import { createApplication, createTask, createVolunteer } from "../../../test/volunteers";
import { encodeCursor } from "../../lib/pagination";

const t = await useTestDatabase();

const inDays = (days: number, hour = 20) => {
  const date = new Date(Date.now() + days * 86_400_000);
  date.setUTCHours(hour, 0, 0, 0);
  return date;
};

const body = (overrides: Record<string, unknown> = {}) => ({
  title: "Door at the Thursday milonga",
  description: "Welcome the dancers, take the entrance",
  skillsNeeded: ["door", "registration"],
  startsAt: inDays(10, 22).toISOString(),
  endsAt: inDays(10, 23).toISOString(),
  timezone: "Europe/Berlin",
  location: "Salon Canning",
  city: "Buenos Aires",
  country: "Argentina",
  latitude: -34.5915,
  longitude: -58.4262,
  seats: 3,
  ...overrides,
});

describe("POST /api/volunteer/tasks", () => {
  it("lets an event's organizer and co-organizer post for it (201, one round trip)", async () => {
    const organizer = await signedIn(t);
    const co = await signedIn(t);
    const event = await createEvent(t.db, { userId: organizer.user.id });
    await t.db.insert(eventCoOrganizers).values({ eventId: event.id, userId: co.user.id });
    const { status, trips } = await roundTrips(() => t.api.post("/api/volunteer/tasks", { token: organizer.token, json: body({ eventId: event.id }) }));
    expect([status, trips]).toEqual([201, 1]);
    const res = await t.api.post("/api/volunteer/tasks", { token: co.token, json: body({ eventId: event.id, seats: 1 }) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      createdBy: { id: co.user.id },
      eventId: event.id,
      groupId: null,
      skillsNeeded: ["door", "registration"],
      startsAt: inDays(10, 22).toISOString(),
      timezone: "Europe/Berlin",
      seats: 1,
      seatsTaken: 0,
      applicationCount: 0,
      status: "open",
      viewer: { organizes: true, application: null },
    });
  });

  it("lets a group's admin post for it, and a platform admin post for anything", async () => {
    const admin = await signedIn(t);
    const group = await createGroupWith(t.db, admin.user.id, "admin");
    expect((await t.api.post("/api/volunteer/tasks", { token: admin.token, json: body({ groupId: group.id }) })).status).toBe(201);
    const platform = await signedIn(t, { role: "admin" });
    expect((await t.api.post("/api/volunteer/tasks", { token: platform.token, json: body() })).status).toBe(201);
    expect((await t.api.post("/api/volunteer/tasks", { token: platform.token, json: body({ groupId: group.id }) })).status).toBe(201);
  });

  it("refuses anyone else with 403, and an event they may not see with 404", async () => {
    const { user, token } = await signedIn(t);
    const other = await createUser(t.db);
    const event = await createEvent(t.db, { userId: other.id });
    const member = await createGroupWith(t.db, user.id, "moderator");
    const draft = await createEvent(t.db, { userId: other.id, status: "draft" });
    for (const [json, code] of [
      [body(), "not_task_organizer"],
      [body({ eventId: event.id }), "not_event_organizer"],
      [body({ groupId: member.id }), "not_group_admin"],
    ] as const) {
      const res = await t.api.post("/api/volunteer/tasks", { token, json });
      expect([res.status, res.body.code]).toEqual([403, code]);
    }
    expect((await t.api.post("/api/volunteer/tasks", { token, json: body({ eventId: draft.id }) })).status).toBe(404);
    expect((await t.api.post("/api/volunteer/tasks", { token, json: body({ eventId: 2147483647 }) })).status).toBe(404);
  });

  it.each([
    ["an end before the start", { endsAt: inDays(10, 21).toISOString() }, "ends_before_start"],
    ["an end equal to the start", { endsAt: inDays(10, 22).toISOString() }, "ends_before_start"],
    ["a task over 7 days", { endsAt: inDays(18, 22).toISOString() }, "task_too_long"],
    ["a start in the past", { startsAt: inDays(-1).toISOString(), endsAt: inDays(-1, 23).toISOString() }, "starts_in_past"],
  ])("refuses %s with 400 %s", async (_label, change, code) => {
    const { token } = await signedIn(t, { role: "admin" });
    const res = await t.api.post("/api/volunteer/tasks", { token, json: body(change) });
    expect([res.status, res.body.code]).toEqual([400, code]);
    expect(res.headers.get("content-type")).toMatch(/problem\+json/);
  });

  it.each([
    ["a time that is not one", { startsAt: "2030-13-01T25:00:00Z" }, "body.startsAt"],
    ["a time without its offset", { startsAt: "2030-03-01T20:00:00" }, "body.startsAt"],
    ["an unknown skill", { skillsNeeded: ["juggling"] }, "body.skillsNeeded.0"],
    ["no skill", { skillsNeeded: [] }, "body.skillsNeeded"],
    ["seats 0", { seats: 0 }, "body.seats"],
    ["seats over 1000", { seats: 1001 }, "body.seats"],
    ["a bad time zone", { timezone: "Mars/Olympus" }, "body.timezone"],
    ["one coordinate", { longitude: null }, "body.latitude"],
    ["an event and a group", { eventId: 1, groupId: 1 }, "body.groupId"],
  ])("refuses %s with 400", async (_label, change, path) => {
    const { token } = await signedIn(t, { role: "admin" });
    const res = await t.api.post("/api/volunteer/tasks", { token, json: body(change) });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });
});

describe("GET /api/volunteer/tasks and /{id}", () => {
  it("lists open tasks to come, soonest first, filtered, page by page without gaps or repeats", async () => {
    const { token } = await signedIn(t);
    const creator = await createUser(t.db);
    const city = `Rosario ${crypto.randomUUID()}`;
    const event = await createEvent(t.db, { userId: creator.id });
    const made = [];
    for (const [i, days] of [3, 1, 2, 5, 4].entries()) {
      made.push(await createTask(t.db, { createdBy: creator.id, city, startsAt: inDays(days), skillsNeeded: i % 2 ? ["bar"] : ["door"], eventId: i === 0 ? event.id : null }));
    }
    const tie = inDays(6);
    made.push(await createTask(t.db, { createdBy: creator.id, city, startsAt: tie }), await createTask(t.db, { createdBy: creator.id, city, startsAt: tie }));
    await createTask(t.db, { createdBy: creator.id, city, status: "cancelled" });
    await createTask(t.db, { createdBy: creator.id, city, startsAt: inDays(-1) });

    const pages = await allPages<{ id: number }>(t.api, `/api/volunteer/tasks?city=${encodeURIComponent(city.toUpperCase())}&limit=2`, token);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 2, 1]);
    expect(pages.flatMap((p) => p.items.map((i) => i.id))).toEqual([made[1]!.id, made[2]!.id, made[0]!.id, made[4]!.id, made[3]!.id, made[5]!.id, made[6]!.id]);

    const bar = await t.api.get(`/api/volunteer/tasks?city=${encodeURIComponent(city)}&skill=bar`, { token });
    expect(bar.body.items.map((i: { id: number }) => i.id)).toEqual([made[1]!.id, made[3]!.id]);
    const forEvent = await t.api.get(`/api/volunteer/tasks?eventId=${event.id}`, { token });
    expect(forEvent.body.items.map((i: { id: number }) => i.id)).toEqual([made[0]!.id]);
    const { status, trips } = await roundTrips(() => t.api.get(`/api/volunteer/tasks?city=${encodeURIComponent(city)}`, { token }));
    expect([status, trips]).toEqual([200, 1]);
  });

  it.each([
    ["not ours", "not-a-cursor"],
    ["a time that is not one", encodeCursor(["garbage", 1])],
  ])("rejects a cursor %s with 400", async (_label, cursor) => {
    const { token } = await signedIn(t);
    const res = await t.api.get(`/api/volunteer/tasks?cursor=${encodeURIComponent(cursor)}`, { token });
    expect([res.status, res.body.errors[0].path]).toEqual([400, "query.cursor"]);
  });

  it("hides a task from those who may not see it (404): a draft event's, across a block, a suspended creator's, a private group's", async () => {
    const [creator, viewer, blocker] = await Promise.all([signedIn(t), signedIn(t), signedIn(t)]);
    const draft = await createEvent(t.db, { userId: creator.user.id, status: "draft" });
    const group = await createGroupWith(t.db, creator.user.id, "admin", "private");
    const open = await createTask(t.db, { createdBy: creator.user.id });
    const onDraft = await createTask(t.db, { createdBy: creator.user.id, eventId: draft.id });
    const inGroup = await createTask(t.db, { createdBy: creator.user.id, groupId: group.id });
    await t.db.insert(blockedUsers).values({ blockerId: blocker.user.id, blockedId: creator.user.id });
    const see = async (token: string, id: number) => (await t.api.get(`/api/volunteer/tasks/${id}`, { token })).status;
    expect(await see(viewer.token, open.id)).toBe(200);
    expect(await see(viewer.token, onDraft.id)).toBe(404);
    expect(await see(viewer.token, inGroup.id)).toBe(404);
    expect(await see(creator.token, onDraft.id)).toBe(200);
    expect(await see(creator.token, inGroup.id)).toBe(200);
    expect(await see(blocker.token, open.id)).toBe(404);
    const listed = await t.api.get("/api/volunteer/tasks?limit=100", { token: blocker.token });
    expect(listed.body.items.map((i: { id: number }) => i.id)).not.toContain(open.id);
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, creator.user.id));
    expect(await see(viewer.token, open.id)).toBe(404);
  });
});

describe("PATCH /api/volunteer/tasks/{id}", () => {
  it("lets its organizers edit it, checked as the edit leaves it", async () => {
    const organizer = await signedIn(t);
    const co = await signedIn(t);
    const event = await createEvent(t.db, { userId: organizer.user.id });
    await t.db.insert(eventCoOrganizers).values({ eventId: event.id, userId: co.user.id });
    const task = await createTask(t.db, { createdBy: organizer.user.id, eventId: event.id, seats: 3 });
    const volunteer = await createVolunteer(t.db, (await createUser(t.db)).id);
    const second = await createVolunteer(t.db, (await createUser(t.db)).id);
    await createApplication(t.db, { taskId: task.id, volunteerId: volunteer.id, status: "accepted" });
    await createApplication(t.db, { taskId: task.id, volunteerId: second.id, status: "checked_in" });

    const res = await t.api.patch(`/api/volunteer/tasks/${task.id}`, { token: co.token, json: { title: "Door and bar", seats: 2, city: null } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ title: "Door and bar", seats: 2, seatsTaken: 2, city: null, location: task.location });
    const below = await t.api.patch(`/api/volunteer/tasks/${task.id}`, { token: organizer.token, json: { seats: 1 } });
    expect([below.status, below.body.code]).toEqual([409, "seats_below_taken"]);
    const reversed = await t.api.patch(`/api/volunteer/tasks/${task.id}`, { token: organizer.token, json: { endsAt: task.startsAt.toISOString() } });
    expect([reversed.status, reversed.body.code]).toEqual([400, "ends_before_start"]);
    const nothing = await t.api.patch(`/api/volunteer/tasks/${task.id}`, { token: organizer.token, json: {} });
    expect(nothing.status).toBe(400);
    const seats0 = await t.api.patch(`/api/volunteer/tasks/${task.id}`, { token: organizer.token, json: { seats: 0 } });
    expect([seats0.status, seats0.body.errors[0].path]).toEqual([400, "body.seats"]);
  });

  it("refuses others who see it with 403, those who do not with 404, and a cancelled task with 409", async () => {
    const organizer = await signedIn(t);
    const other = await signedIn(t, { role: "admin" });
    const task = await createTask(t.db, { createdBy: organizer.user.id });
    const res = await t.api.patch(`/api/volunteer/tasks/${task.id}`, { token: other.token, json: { title: "Mine now" } });
    expect([res.status, res.body.code]).toEqual([403, "not_task_organizer"]);
    const draft = await createEvent(t.db, { userId: organizer.user.id, status: "draft" });
    const hidden = await createTask(t.db, { createdBy: organizer.user.id, eventId: draft.id });
    expect((await t.api.patch(`/api/volunteer/tasks/${hidden.id}`, { token: other.token, json: { title: "x" } })).status).toBe(404);
    await t.api.post(`/api/volunteer/tasks/${task.id}/cancel`, { token: organizer.token });
    const cancelled = await t.api.patch(`/api/volunteer/tasks/${task.id}`, { token: organizer.token, json: { title: "Again" } });
    expect([cancelled.status, cancelled.body.code]).toEqual([409, "task_not_open"]);
  });
});

describe("POST /api/volunteer/tasks/{id}/cancel", () => {
  it("cancels once and tells the accepted volunteers, not the others, not twice", async () => {
    const organizer = await signedIn(t);
    const task = await createTask(t.db, { createdBy: organizer.user.id });
    const [accepted, pending] = await Promise.all([createUser(t.db), createUser(t.db)]);
    await createApplication(t.db, { taskId: task.id, volunteerId: (await createVolunteer(t.db, accepted.id)).id, status: "accepted" });
    await createApplication(t.db, { taskId: task.id, volunteerId: (await createVolunteer(t.db, pending.id)).id });
    const { status, trips } = await roundTrips(() => t.api.post(`/api/volunteer/tasks/${task.id}/cancel`, { token: organizer.token }));
    expect([status, trips]).toEqual([200, 1]);
    const again = await t.api.post(`/api/volunteer/tasks/${task.id}/cancel`, { token: organizer.token });
    expect([again.status, again.body.status]).toEqual([200, "cancelled"]);
    expect(await notificationsOf(t.db, accepted.id, "volunteer_task_cancelled")).toEqual([
      expect.objectContaining({ actorId: organizer.user.id, subjectType: "volunteer_task", subjectId: task.id, count: 1 }),
    ]);
    expect(await notificationsOf(t.db, pending.id, "volunteer_task_cancelled")).toEqual([]);
    const listed = await t.api.get("/api/volunteer/tasks?limit=100", { token: organizer.token });
    expect(listed.body.items.map((i: { id: number }) => i.id)).not.toContain(task.id);
  });

  it("refuses a volunteer of the task (403) and a stranger who cannot see it (404)", async () => {
    const organizer = await signedIn(t);
    const helper = await signedIn(t);
    const task = await createTask(t.db, { createdBy: organizer.user.id });
    await createApplication(t.db, { taskId: task.id, volunteerId: (await createVolunteer(t.db, helper.user.id)).id, status: "accepted" });
    expect((await t.api.post(`/api/volunteer/tasks/${task.id}/cancel`, { token: helper.token })).status).toBe(403);
    expect((await t.api.post("/api/volunteer/tasks/2147483647/cancel", { token: helper.token })).status).toBe(404);
    expect((await t.api.post(`/api/volunteer/tasks/${task.id}/cancel`)).status).toBe(401);
  });
});
