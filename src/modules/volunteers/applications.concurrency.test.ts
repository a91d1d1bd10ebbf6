import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { volunteerAssignments } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createUser } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { notificationsOf } from "../../../test/rsvps";
import { createApplication, createTask, createVolunteer, taskCounters, volunteerCounters } from "../../../test/volunteers";

/**
 * Applications racing each other and the state they depend on. Meaningful on PostgreSQL (real
 * concurrency: `DATABASE_URL=... npx vitest run`); they must hold on PGlite too.
 */

const t = await useTestDatabase();

const HOUR = 3_600_000;

const act = (id: number, action: string, token: string, json?: unknown) =>
  t.api.post(`/api/volunteer/applications/${id}/${action}`, { token, ...(json === undefined ? {} : { json }) });

/** A task of a signed-in organizer with `n` pending applications. */
async function taskWithApplicants(n: number, overrides: Partial<Parameters<typeof createTask>[1]> = {}) {
  const organizer = await signedIn(t);
  const task = await createTask(t.db, { createdBy: organizer.user.id, ...overrides });
  const helpers = await Promise.all(Array.from({ length: n }, () => signedIn(t)));
  const applications = [];
  for (const helper of helpers) {
    const volunteer = await createVolunteer(t.db, helper.user.id);
    applications.push(await createApplication(t.db, { taskId: task.id, volunteerId: volunteer.id }));
  }
  return { organizer, task, helpers, applications };
}

describe("concurrent applications", () => {
  it("seats exactly 3 of 10 accepted at once, the others 409 task_full, counters exact", async () => {
    const { organizer, task, applications } = await taskWithApplicants(10, { seats: 3 });
    const results = await Promise.all(applications.map((a) => act(a.id, "accept", organizer.token)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(3);
    expect(results.filter((r) => r.status === 409).map((r) => r.body.code as string)).toEqual(Array(7).fill("task_full"));
    expect(await taskCounters(t.db, task.id)).toEqual({ seatsTaken: 3, applicationCount: 7, seated: 3, pending: 7 });
  });

  it("stores one application however many times it is sent at once", async () => {
    const organizer = await signedIn(t);
    const task = await createTask(t.db, { createdBy: organizer.user.id });
    const helper = await signedIn(t);
    await createVolunteer(t.db, helper.user.id);
    const results = await Promise.all(Array.from({ length: 6 }, () => t.api.post(`/api/volunteer/tasks/${task.id}/apply`, { token: helper.token })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === "already_applied")).toBe(true);
    expect(await taskCounters(t.db, task.id)).toEqual({ seatsTaken: 0, applicationCount: 1, seated: 0, pending: 1 });
    expect(await notificationsOf(t.db, organizer.user.id, "volunteer_application")).toEqual([expect.objectContaining({ count: 1 })]);
  });

  it("keeps seats exact when accepts race the volunteers' withdrawals", async () => {
    const { organizer, task, helpers, applications } = await taskWithApplicants(6, { seats: 2 });
    const results = await Promise.all(
      applications.flatMap((a, i) => [act(a.id, "accept", organizer.token), t.api.delete(`/api/volunteer/tasks/${task.id}/apply`, { token: helpers[i]!.token })]),
    );
    expect(results.filter((r) => ![200, 204, 409].includes(r.status)).map((r) => JSON.stringify(r.body))).toEqual([]);
    const counters = await taskCounters(t.db, task.id);
    expect(counters.seatsTaken).toBe(counters.seated);
    expect(counters.applicationCount).toBe(counters.pending);
    expect(counters.seatsTaken).toBeLessThanOrEqual(2);
    const statuses = (await t.db.select().from(volunteerAssignments).where(eq(volunteerAssignments.taskId, task.id))).map((a) => a.status);
    // Every withdrawal lands (before the accept, or after it, giving the seat back); nothing is left pending.
    expect(statuses).toEqual(Array(6).fill("withdrawn"));
    expect(counters).toEqual({ seatsTaken: 0, applicationCount: 0, seated: 0, pending: 0 });
  });

  it("decides an accept racing a decline of the same application one way", async () => {
    const { organizer, task, applications } = await taskWithApplicants(4, { seats: 4 });
    await Promise.all(applications.flatMap((a) => [act(a.id, "accept", organizer.token), act(a.id, "decline", organizer.token)]));
    const counters = await taskCounters(t.db, task.id);
    expect(counters.seatsTaken).toBe(counters.seated);
    expect(counters.applicationCount).toBe(counters.pending);
    expect(counters.pending).toBe(0);
  });

  it("logs hours once however many times they are sent at once", async () => {
    const { organizer, applications } = await taskWithApplicants(1, { startsAt: new Date(Date.now() - 3 * HOUR), endsAt: new Date(Date.now() - HOUR) });
    const [application] = applications;
    await t.db.update(volunteerAssignments).set({ status: "checked_in" }).where(eq(volunteerAssignments.id, application!.id));
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => act(application!.id, "hours", organizer.token, { minutes: 60 + i })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
    const logged = results.find((r) => r.status === 200)!.body.minutesLogged;
    expect(await volunteerCounters(t.db, application!.volunteerId)).toEqual({ tasksCompleted: 1, noShows: 0, minutesLogged: logged });
  });

  it("decides a no-show racing the volunteer's check-in one way", async () => {
    const { organizer, helpers, applications, task } = await taskWithApplicants(3, { startsAt: new Date(Date.now() - 10 * 60_000) });
    for (const a of applications) await t.db.update(volunteerAssignments).set({ status: "accepted" }).where(eq(volunteerAssignments.id, a.id));
    await t.db.execute(sql`UPDATE volunteer_tasks SET seats_taken = 3, application_count = 0 WHERE id = ${task.id}`);
    const results = await Promise.all(
      applications.flatMap((a, i) => [act(a.id, "no-show", organizer.token), act(a.id, "check-in", helpers[i]!.token)]),
    );
    for (let i = 0; i < applications.length; i++) {
      const [noShow, checkIn] = [results[2 * i]!, results[2 * i + 1]!];
      expect([noShow.status, checkIn.status].sort()).toEqual([200, 409]);
      const counters = await volunteerCounters(t.db, applications[i]!.volunteerId);
      expect(counters.noShows).toBe(noShow.status === 200 ? 1 : 0);
    }
    const counters = await taskCounters(t.db, task.id);
    expect(counters.seatsTaken).toBe(counters.seated);
  });

  it("tells the accepted volunteers when a cancel races the accepts, and accepts nothing after it", async () => {
    const { organizer, task, helpers, applications } = await taskWithApplicants(4, { seats: 4 });
    const results = await Promise.all([
      ...applications.map((a) => act(a.id, "accept", organizer.token)),
      t.api.post(`/api/volunteer/tasks/${task.id}/cancel`, { token: organizer.token }),
    ]);
    for (const [i, helper] of helpers.entries()) {
      const accepted = results[i]!.status === 200;
      if (!accepted) expect(results[i]!.body.code).toBe("task_not_open");
      expect(await notificationsOf(t.db, helper.user.id, "volunteer_task_cancelled")).toHaveLength(accepted ? 1 : 0);
    }
    const counters = await taskCounters(t.db, task.id);
    expect([counters.seatsTaken, counters.applicationCount]).toEqual([counters.seated, counters.pending]);
  });

  it("decides applications racing a cancel one way: in before it, or 409 task_not_open", async () => {
    const organizer = await signedIn(t);
    const task = await createTask(t.db, { createdBy: organizer.user.id });
    const helpers = await Promise.all(Array.from({ length: 5 }, () => signedIn(t)));
    for (const helper of helpers) await createVolunteer(t.db, helper.user.id);
    const results = await Promise.all([
      ...helpers.map((h) => t.api.post(`/api/volunteer/tasks/${task.id}/apply`, { token: h.token })),
      t.api.post(`/api/volunteer/tasks/${task.id}/cancel`, { token: organizer.token }),
    ]);
    const applies = results.slice(0, 5);
    expect(results[5]!.status).toBe(200);
    for (const r of applies) expect(r.status === 201 || (r.status === 409 && r.body.code === "task_not_open")).toBe(true);
    const counters = await taskCounters(t.db, task.id);
    expect(counters).toEqual({ seatsTaken: 0, applicationCount: applies.filter((r) => r.status === 201).length, seated: 0, pending: counters.pending });
    expect(counters.pending).toBe(counters.applicationCount);
  });

  it("keeps the counters exact when a volunteer deletes their profile while being accepted", async () => {
    const { organizer, task, helpers, applications } = await taskWithApplicants(4, { seats: 4 });
    const other = await createTask(t.db, { createdBy: (await createUser(t.db)).id });
    for (const a of applications) await createApplication(t.db, { taskId: other.id, volunteerId: a.volunteerId });
    await Promise.all(
      applications.flatMap((a, i) => [act(a.id, "accept", organizer.token), t.api.delete("/api/volunteer/profile", { token: helpers[i]!.token })]),
    );
    expect(await taskCounters(t.db, task.id)).toEqual({ seatsTaken: 0, applicationCount: 0, seated: 0, pending: 0 });
    expect(await taskCounters(t.db, other.id)).toEqual({ seatsTaken: 0, applicationCount: 0, seated: 0, pending: 0 });
  });
});
