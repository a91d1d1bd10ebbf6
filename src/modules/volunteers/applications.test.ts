import { describe, expect, it } from "vitest";
import { signedIn } from "../../../test/auth";
import { createEvent, createUser } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { allPages } from "../../../test/pages";
import { roundTrips } from "../../../test/roundtrips";
import { notificationsOf } from "../../../test/rsvps";
import { createApplication, createTask, createVolunteer, taskCounters, volunteerCounters } from "../../../test/volunteers";
import { encodeCursor } from "../../lib/pagination";

const t = await useTestDatabase();

const HOUR = 3_600_000;

/** An organizer, a task of theirs (`overrides`), and a signed-in volunteer with a profile. */
async function world(overrides: Partial<Parameters<typeof createTask>[1]> = {}) {
  const organizer = await signedIn(t);
  const task = await createTask(t.db, { createdBy: organizer.user.id, ...overrides });
  const helper = await signedIn(t);
  const volunteer = await createVolunteer(t.db, helper.user.id);
  return { organizer, task, helper, volunteer };
}

/** A world where the helper's application is in `status`. */
async function withApplication(status: "applied" | "accepted" | "checked_in", overrides: Partial<Parameters<typeof createTask>[1]> = {}) {
  const w = await world(overrides);
  const application = await createApplication(t.db, { taskId: w.task.id, volunteerId: w.volunteer.id, status });
  return { ...w, application };
}

const act = (id: number, action: string, token?: string, json?: unknown) =>
  t.api.post(`/api/volunteer/applications/${id}/${action}`, { token, ...(json === undefined ? {} : { json }) });

describe("POST /api/volunteer/tasks/{id}/apply", () => {
  it("applies once (201, one round trip), counts it and tells the task's creator", async () => {
    const { organizer, task, helper, volunteer } = await world();
    const { status, trips } = await roundTrips(() =>
      t.api.post(`/api/volunteer/tasks/${task.id}/apply`, { token: helper.token, json: { message: "I did the door at CITA" } }),
    );
    expect([status, trips]).toEqual([201, 1]);
    const again = await t.api.post(`/api/volunteer/tasks/${task.id}/apply`, { token: helper.token });
    expect([again.status, again.body.code]).toEqual([409, "already_applied"]);
    expect(await taskCounters(t.db, task.id)).toEqual({ seatsTaken: 0, applicationCount: 1, seated: 0, pending: 1 });
    expect(await notificationsOf(t.db, organizer.user.id, "volunteer_application")).toEqual([
      expect.objectContaining({ actorId: helper.user.id, subjectId: task.id, data: { taskId: task.id, taskTitle: task.title } }),
    ]);
    const seen = await t.api.get(`/api/volunteer/tasks/${task.id}`, { token: helper.token });
    expect(seen.body.viewer.application).toEqual({ id: expect.any(Number), status: "applied" });
    const mine = await t.api.get("/api/volunteer/applications", { token: helper.token });
    expect(mine.body.items).toEqual([
      expect.objectContaining({ status: "applied", message: "I did the door at CITA", task: expect.objectContaining({ id: task.id }), volunteer: { id: volunteer.id, user: expect.objectContaining({ id: helper.user.id }) } }),
    ]);
  });

  it("lets a withdrawn application apply again", async () => {
    const { task, helper } = await world();
    await t.api.post(`/api/volunteer/tasks/${task.id}/apply`, { token: helper.token });
    expect((await t.api.delete(`/api/volunteer/tasks/${task.id}/apply`, { token: helper.token })).status).toBe(204);
    expect(await taskCounters(t.db, task.id)).toMatchObject({ applicationCount: 0, pending: 0 });
    const res = await t.api.post(`/api/volunteer/tasks/${task.id}/apply`, { token: helper.token, json: {} });
    expect([res.status, res.body.status, res.body.message]).toEqual([201, "applied", null]);
    expect(await taskCounters(t.db, task.id)).toMatchObject({ applicationCount: 1, pending: 1 });
  });

  it("refuses without a profile (409), the organizers (403), a cancelled or started task (409), a task not seen (404)", async () => {
    const { organizer, task, helper } = await world();
    const nobody = await signedIn(t);
    const none = await t.api.post(`/api/volunteer/tasks/${task.id}/apply`, { token: nobody.token });
    expect([none.status, none.body.code]).toEqual([409, "no_volunteer_profile"]);
    await createVolunteer(t.db, organizer.user.id);
    const own = await t.api.post(`/api/volunteer/tasks/${task.id}/apply`, { token: organizer.token });
    expect([own.status, own.body.code]).toEqual([403, "organizer_cannot_apply"]);
    const cancelled = await createTask(t.db, { createdBy: organizer.user.id, status: "cancelled" });
    const started = await createTask(t.db, { createdBy: organizer.user.id, startsAt: new Date(Date.now() - HOUR) });
    const draft = await createEvent(t.db, { userId: organizer.user.id, status: "draft" });
    const hidden = await createTask(t.db, { createdBy: organizer.user.id, eventId: draft.id });
    const apply = (id: number) => t.api.post(`/api/volunteer/tasks/${id}/apply`, { token: helper.token });
    expect((await apply(cancelled.id)).body.code).toBe("task_not_open");
    expect((await apply(started.id)).body.code).toBe("task_started");
    expect((await apply(hidden.id)).status).toBe(404);
    const long = await t.api.post(`/api/volunteer/tasks/${task.id}/apply`, { token: helper.token, json: { message: "x".repeat(1001) } });
    expect([long.status, long.body.errors[0].path]).toEqual([400, "body.message"]);
    expect(await taskCounters(t.db, task.id)).toMatchObject({ applicationCount: 0 });
  });
});

describe("DELETE /api/volunteer/tasks/{id}/apply", () => {
  it("withdraws an accepted application and gives its seat back", async () => {
    const { task, helper } = await withApplication("accepted");
    expect(await taskCounters(t.db, task.id)).toMatchObject({ seatsTaken: 1 });
    expect((await t.api.delete(`/api/volunteer/tasks/${task.id}/apply`, { token: helper.token })).status).toBe(204);
    expect(await taskCounters(t.db, task.id)).toEqual({ seatsTaken: 0, applicationCount: 0, seated: 0, pending: 0 });
    const again = await t.api.delete(`/api/volunteer/tasks/${task.id}/apply`, { token: helper.token });
    expect([again.status, again.body.code]).toEqual([409, "application_status"]);
  });

  it("is 404 without an application, and 409 once checked in", async () => {
    const { task, helper, organizer } = await withApplication("checked_in");
    expect((await t.api.delete(`/api/volunteer/tasks/${task.id}/apply`, { token: organizer.token })).status).toBe(404);
    expect((await t.api.delete(`/api/volunteer/tasks/${task.id}/apply`, { token: helper.token })).status).toBe(409);
  });
});

describe("accept and decline", () => {
  it("accepts (one round trip): a seat taken, the pending count down, the volunteer told", async () => {
    const { organizer, task, helper, application } = await withApplication("applied");
    const { status, trips } = await roundTrips(() => act(application.id, "accept", organizer.token));
    expect([status, trips]).toEqual([200, 1]);
    expect(await taskCounters(t.db, task.id)).toEqual({ seatsTaken: 1, applicationCount: 0, seated: 1, pending: 0 });
    expect(await notificationsOf(t.db, helper.user.id, "volunteer_accepted")).toEqual([
      expect.objectContaining({ actorId: organizer.user.id, subjectType: "volunteer_task", subjectId: task.id }),
    ]);
    const again = await act(application.id, "accept", organizer.token);
    expect([again.status, again.body.code]).toEqual([409, "application_status"]);
  });

  it("refuses an accept when every seat is taken (409 task_full), and on a task that is over", async () => {
    const { organizer, task, application } = await withApplication("applied", { seats: 1 });
    await createApplication(t.db, { taskId: task.id, volunteerId: (await createVolunteer(t.db, (await createUser(t.db)).id)).id, status: "accepted" });
    const full = await act(application.id, "accept", organizer.token);
    expect([full.status, full.body.code]).toEqual([409, "task_full"]);
    const past = await withApplication("applied", { startsAt: new Date(Date.now() - 5 * HOUR), endsAt: new Date(Date.now() - HOUR) });
    expect((await act(past.application.id, "accept", past.organizer.token)).body.code).toBe("task_ended");
  });

  it("declines an accepted application, gives its seat back and tells the volunteer", async () => {
    const { organizer, task, helper, application } = await withApplication("accepted");
    const res = await act(application.id, "decline", organizer.token);
    expect([res.status, res.body.status]).toEqual([200, "declined"]);
    expect(await taskCounters(t.db, task.id)).toEqual({ seatsTaken: 0, applicationCount: 0, seated: 0, pending: 0 });
    expect(await notificationsOf(t.db, helper.user.id, "volunteer_declined")).toHaveLength(1);
    const pending = await withApplication("applied");
    await act(pending.application.id, "decline", pending.organizer.token);
    expect(await taskCounters(t.db, pending.task.id)).toEqual({ seatsTaken: 0, applicationCount: 0, seated: 0, pending: 0 });
  });

  it("refuses the volunteer (403), a stranger (404), an anonymous caller (401)", async () => {
    const { helper, application } = await withApplication("applied");
    const stranger = await signedIn(t, { role: "god" });
    for (const action of ["accept", "decline", "hours", "no-show"]) {
      const json = action === "hours" ? { minutes: 60 } : undefined;
      const own = await act(application.id, action, helper.token, json);
      expect([own.status, own.body.code], action).toEqual([403, "not_task_organizer"]);
      expect((await act(application.id, action, stranger.token, json)).status, action).toBe(404);
      expect((await act(application.id, action, undefined, json)).status, action).toBe(401);
    }
    expect((await act(application.id, "check-in", stranger.token)).status).toBe(404);
  });
});

describe("check-in, hours and no-shows", () => {
  it("lets the volunteer check in from an hour before the start to the end, an organizer later too", async () => {
    const early = await withApplication("accepted", { startsAt: new Date(Date.now() + 2 * HOUR), endsAt: new Date(Date.now() + 4 * HOUR) });
    const tooEarly = await act(early.application.id, "check-in", early.helper.token);
    expect([tooEarly.status, tooEarly.body.code]).toEqual([409, "check_in_not_open"]);
    expect((await act(early.application.id, "check-in", early.organizer.token)).status).toBe(409);

    const soon = await withApplication("accepted", { startsAt: new Date(Date.now() + 30 * 60_000), endsAt: new Date(Date.now() + 3 * HOUR) });
    const res = await act(soon.application.id, "check-in", soon.helper.token);
    expect([res.status, res.body.status]).toEqual([200, "checked_in"]);
    expect(res.body.checkedInAt).toEqual(expect.any(String));
    expect((await act(soon.application.id, "check-in", soon.helper.token)).body.code).toBe("application_status");

    const over = await withApplication("accepted", { startsAt: new Date(Date.now() - 4 * HOUR), endsAt: new Date(Date.now() - HOUR) });
    expect((await act(over.application.id, "check-in", over.helper.token)).body.code).toBe("check_in_not_open");
    expect((await act(over.application.id, "check-in", over.organizer.token)).status).toBe(200);
  });

  it("logs hours once after check-in: completed, and the volunteer's counters move with it", async () => {
    const { organizer, application, volunteer, task } = await withApplication("checked_in", { startsAt: new Date(Date.now() - 3 * HOUR), endsAt: new Date(Date.now() - HOUR) });
    const res = await act(application.id, "hours", organizer.token, { minutes: 150 });
    expect([res.status, res.body.status, res.body.minutesLogged]).toEqual([200, "completed", 150]);
    expect(await volunteerCounters(t.db, volunteer.id)).toEqual({ tasksCompleted: 1, noShows: 0, minutesLogged: 150 });
    expect((await act(application.id, "hours", organizer.token, { minutes: 30 })).body.code).toBe("application_status");
    expect(await volunteerCounters(t.db, volunteer.id)).toEqual({ tasksCompleted: 1, noShows: 0, minutesLogged: 150 });
    expect(await taskCounters(t.db, task.id)).toMatchObject({ seatsTaken: 1, seated: 1 });

    const accepted = await withApplication("accepted");
    expect((await act(accepted.application.id, "hours", accepted.organizer.token, { minutes: 30 })).body.code).toBe("application_status");
    for (const minutes of [0, 1441, 1.5, "60"]) {
      const bad = await act(accepted.application.id, "hours", accepted.organizer.token, { minutes });
      expect([bad.status, bad.body.errors?.[0]?.path]).toEqual([400, "body.minutes"]);
    }
  });

  it("marks a no-show after the start, gives the seat back and counts it; not before, not once checked in", async () => {
    const before = await withApplication("accepted");
    expect((await act(before.application.id, "no-show", before.organizer.token)).body.code).toBe("task_not_started");
    const { organizer, application, volunteer, task } = await withApplication("accepted", { startsAt: new Date(Date.now() - HOUR) });
    const res = await act(application.id, "no-show", organizer.token);
    expect([res.status, res.body.status]).toEqual([200, "no_show"]);
    expect(await volunteerCounters(t.db, volunteer.id)).toEqual({ tasksCompleted: 0, noShows: 1, minutesLogged: 0 });
    expect(await taskCounters(t.db, task.id)).toEqual({ seatsTaken: 0, applicationCount: 0, seated: 0, pending: 0 });
    const came = await withApplication("checked_in", { startsAt: new Date(Date.now() - HOUR) });
    expect((await act(came.application.id, "no-show", came.organizer.token)).body.code).toBe("application_status");
  });
});

describe("the lists of applications", () => {
  it("gives a task's organizers its applications, newest first, page by page without gaps or repeats", async () => {
    const organizer = await signedIn(t);
    const task = await createTask(t.db, { createdBy: organizer.user.id, seats: 10 });
    const tie = new Date("2026-02-01T20:00:00.123456Z");
    const times = [new Date("2026-01-01T20:00:00Z"), tie, tie, new Date("2026-03-01T20:00:00Z"), new Date("2026-01-15T20:00:00Z")];
    const made = [];
    for (const createdAt of times) {
      const volunteer = await createVolunteer(t.db, (await createUser(t.db)).id);
      made.push(await createApplication(t.db, { taskId: task.id, volunteerId: volunteer.id, createdAt }));
    }
    const pages = await allPages(t.api, `/api/volunteer/tasks/${task.id}/applications?limit=2`, organizer.token);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.items.map((i) => i.id))).toEqual([made[3]!.id, made[2]!.id, made[1]!.id, made[4]!.id, made[0]!.id]);
    const { status, trips } = await roundTrips(() => t.api.get(`/api/volunteer/tasks/${task.id}/applications`, { token: organizer.token }));
    expect([status, trips]).toEqual([200, 1]);
    const bad = await t.api.get(`/api/volunteer/tasks/${task.id}/applications?cursor=${encodeCursor(["x", 1])}`, { token: organizer.token });
    expect([bad.status, bad.body.errors[0].path]).toEqual([400, "query.cursor"]);
  });

  it("refuses a task's applications to its volunteers (403) and to those who cannot see it (404)", async () => {
    const { organizer, task, helper } = await withApplication("accepted");
    const res = await t.api.get(`/api/volunteer/tasks/${task.id}/applications`, { token: helper.token });
    expect([res.status, res.body.code]).toEqual([403, "not_task_organizer"]);
    const draft = await createEvent(t.db, { userId: organizer.user.id, status: "draft" });
    const hidden = await createTask(t.db, { createdBy: organizer.user.id, eventId: draft.id });
    expect((await t.api.get(`/api/volunteer/tasks/${hidden.id}/applications`, { token: helper.token })).status).toBe(404);
  });

  it("gives a volunteer their own applications, newest first, page by page", async () => {
    const { user, token } = await signedIn(t);
    const volunteer = await createVolunteer(t.db, user.id);
    const organizer = await createUser(t.db);
    const made = [];
    for (let i = 0; i < 5; i++) {
      const task = await createTask(t.db, { createdBy: organizer.id });
      made.push(await createApplication(t.db, { taskId: task.id, volunteerId: volunteer.id, createdAt: new Date(Date.UTC(2026, 0, 1 + (i % 3))) }));
    }
    const pages = await allPages(t.api, "/api/volunteer/applications?limit=2", token);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.items.map((i) => i.id))).toEqual([made[2]!.id, made[4]!.id, made[1]!.id, made[3]!.id, made[0]!.id]);
    const other = await signedIn(t);
    expect((await t.api.get("/api/volunteer/applications", { token: other.token })).body).toEqual({ items: [], nextCursor: null });
    const bad = await t.api.get("/api/volunteer/applications?cursor=nope", { token });
    expect(bad.status).toBe(400);
  });
});
