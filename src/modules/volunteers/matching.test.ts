import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, users } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createEvent, createUser } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { allPages } from "../../../test/pages";
import { roundTrips } from "../../../test/roundtrips";
import { wallClock } from "../../../test/zones";
import { createApplication, createTask, createVolunteer } from "../../../test/volunteers";
import { encodeCursor } from "../../lib/pagination";

/**
 * Matching with known data. Each test uses skills no other test here uses, so that the
 * volunteers and tasks of one never rank in another's answer (the file shares one database).
 */

const t = await useTestDatabase();

const CANNING = { latitude: -34.6037, longitude: -58.3816 };
/** A point `km` due north of Salon Canning (haversine on a meridian: exactly `km`). */
const north = (km: number) => ({ latitude: CANNING.latitude + (km / 6371.0088) * (180 / Math.PI), longitude: CANNING.longitude });

interface MatchItem {
  volunteer: { id: number; user: { id: number } };
  components: { skills: number; availability: number; distanceKm: number | null; distance: number; reliability: number };
  score: number;
}

describe("GET /api/volunteer/tasks/{id}/matches", () => {
  it("ranks volunteers by skills, availability in their own zone, distance and reliability, each component shown", async () => {
    const organizer = await signedIn(t);
    // Thursday 2030-03-07, 21:00 to 23:00 UTC: 18:00-20:00 in Buenos Aires, 22:00-24:00 in Berlin (CET),
    // Friday 06:00-08:00 in Tokyo.
    const task = await createTask(t.db, {
      createdBy: organizer.user.id,
      skillsNeeded: ["door", "registration"],
      startsAt: new Date("2030-03-07T21:00:00Z"),
      endsAt: new Date("2030-03-07T23:00:00Z"),
      timezone: "America/Argentina/Buenos_Aires",
      ...CANNING,
    });
    expect(wallClock(task.startsAt, "Europe/Berlin")).toBe("2030-03-07 22:00");
    expect(wallClock(task.endsAt, "Asia/Tokyo")).toBe("2030-03-08 08:00");
    const person = () => createUser(t.db);
    const [ana, berlin, tokyo, tokyoFriday, blockedDay, withdrawn] = await Promise.all(Array.from({ length: 6 }, person));
    const made = {
      // All skills, free 17-21 in Buenos Aires, at the place, 3 done: 0.4 + 0.3 + 0.2 + 0.1 * 0.8
      ana: await createVolunteer(t.db, ana!.id, {
        skills: ["door", "registration", "bar"], timezone: "America/Argentina/Buenos_Aires", ...CANNING, tasksCompleted: 3,
        availability: [{ weekday: 4, start: "17:00", end: "21:00" }],
      }),
      // Half the skills, free Thursday 21:00 to midnight in Berlin, no coordinates, new: 0.2 + 0.3 + 0.05 + 0.05
      berlin: await createVolunteer(t.db, berlin!.id, {
        skills: ["door"], timezone: "Europe/Berlin", availability: [{ weekday: 4, start: "21:00", end: "24:00" }],
      }),
      // All skills, but Thursday 18-20 in TOKYO is not the task's time; 50 km; 2 no-shows: 0.4 + 0 + 0.1 + 0.025
      tokyo: await createVolunteer(t.db, tokyo!.id, {
        skills: ["registration", "door"], timezone: "Asia/Tokyo", ...north(50), noShows: 2,
        availability: [{ weekday: 4, start: "18:00", end: "20:00" }],
      }),
      // All skills, free Friday 6-8 in Tokyo (the task's time there), no coordinates, new: 0.4 + 0.3 + 0.05 + 0.05
      tokyoFriday: await createVolunteer(t.db, tokyoFriday!.id, {
        skills: ["door", "registration"], timezone: "Asia/Tokyo", availability: [{ weekday: 5, start: "06:00", end: "08:00" }],
      }),
      // Half the skills, free then but the day is blocked, 200 km, 1 of 2: 0.2 + 0 + 0 + 0.05
      blockedDay: await createVolunteer(t.db, blockedDay!.id, {
        skills: ["registration"], timezone: "America/Argentina/Buenos_Aires", ...north(200), tasksCompleted: 1, noShows: 1,
        availability: [{ weekday: 4, start: "17:00", end: "21:00" }], blockedDates: ["2030-03-07"],
      }),
      // Withdrew an application: a candidate again. Half the skills, never free, new: 0.2 + 0 + 0.05 + 0.05
      withdrawn: await createVolunteer(t.db, withdrawn!.id, { skills: ["door"] }),
    };
    await createApplication(t.db, { taskId: task.id, volunteerId: made.withdrawn.id, status: "withdrawn" });

    // Left out: no needed skill, applied already, accepted, suspended, blocked by the organizer, the organizer.
    const [noSkill, applied, accepted, suspended, blocked] = await Promise.all(Array.from({ length: 5 }, person));
    await createVolunteer(t.db, noSkill!.id, { skills: ["bar"], availability: [{ weekday: 4, start: "00:00", end: "24:00" }] });
    await createApplication(t.db, { taskId: task.id, volunteerId: (await createVolunteer(t.db, applied!.id, { skills: ["door"] })).id });
    await createApplication(t.db, { taskId: task.id, volunteerId: (await createVolunteer(t.db, accepted!.id, { skills: ["door"] })).id, status: "accepted" });
    await createVolunteer(t.db, suspended!.id, { skills: ["door", "registration"] });
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, suspended!.id));
    await createVolunteer(t.db, blocked!.id, { skills: ["door", "registration"] });
    await t.db.insert(blockedUsers).values({ blockerId: organizer.user.id, blockedId: blocked!.id });
    await createVolunteer(t.db, organizer.user.id, { skills: ["door", "registration"] });

    const { status, trips } = await roundTrips(() => t.api.get(`/api/volunteer/tasks/${task.id}/matches`, { token: organizer.token }));
    expect([status, trips]).toEqual([200, 1]);
    const res = await t.api.get(`/api/volunteer/tasks/${task.id}/matches`, { token: organizer.token });
    const items = res.body.items as MatchItem[];
    const byName = new Map(Object.entries(made).map(([name, v]) => [v.id, name]));
    expect(items.map((i) => byName.get(i.volunteer.id))).toEqual(["ana", "tokyoFriday", "berlin", "tokyo", "withdrawn", "blockedDay"]);
    expect(items.map((i) => i.score)).toEqual([0.98, 0.8, 0.6, 0.525, 0.3, 0.25]);
    expect(items[0]!.components).toEqual({ skills: 1, availability: 1, distanceKm: 0, distance: 1, reliability: 0.8 });
    expect(items[1]!.components).toEqual({ skills: 1, availability: 1, distanceKm: null, distance: 0.25, reliability: 0.5 });
    expect(items[2]!.components).toEqual({ skills: 0.5, availability: 1, distanceKm: null, distance: 0.25, reliability: 0.5 });
    expect(items[3]!.components).toEqual({ skills: 1, availability: 0, distanceKm: 50, distance: 0.5, reliability: 0.25 });
    expect(items[4]!.components).toEqual({ skills: 0.5, availability: 0, distanceKm: null, distance: 0.25, reliability: 0.5 });
    expect(items[5]!.components).toEqual({ skills: 0.5, availability: 0, distanceKm: 200, distance: 0, reliability: 0.5 });
    expect(items[0]!.volunteer).toMatchObject({ user: { id: ana!.id }, skills: ["door", "registration", "bar"], tasksCompleted: 3 });

    const pages = await allPages<MatchItem>(t.api, `/api/volunteer/tasks/${task.id}/matches?limit=2`, organizer.token);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 2]);
    expect(pages.flatMap((p) => p.items.map((i) => i.volunteer.id))).toEqual(items.map((i) => i.volunteer.id));
  });

  it("reads availability in the volunteer's zone across a daylight saving change", async () => {
    const organizer = await signedIn(t);
    // Berlin moves to summer time at 01:00 UTC on Sunday 2030-03-31: 08:00 UTC is 10:00 there that day, 09:00 a week before.
    const after = await createTask(t.db, {
      createdBy: organizer.user.id, skillsNeeded: ["sound"], startsAt: new Date("2030-03-31T08:00:00Z"), endsAt: new Date("2030-03-31T10:00:00Z"),
    });
    const before = await createTask(t.db, {
      createdBy: organizer.user.id, skillsNeeded: ["sound"], startsAt: new Date("2030-03-24T08:00:00Z"), endsAt: new Date("2030-03-24T10:00:00Z"),
    });
    expect(wallClock(after.startsAt, "Europe/Berlin")).toBe("2030-03-31 10:00");
    expect(wallClock(before.startsAt, "Europe/Berlin")).toBe("2030-03-24 09:00");
    const volunteer = await createVolunteer(t.db, (await createUser(t.db)).id, {
      skills: ["sound"], timezone: "Europe/Berlin", availability: [{ weekday: 0, start: "10:00", end: "12:00" }],
    });
    // Kolkata is UTC+05:30: 08:00 UTC is 13:30 there.
    const kolkata = await createVolunteer(t.db, (await createUser(t.db)).id, {
      skills: ["sound"], timezone: "Asia/Kolkata", availability: [{ weekday: 0, start: "13:30", end: "15:30" }],
    });
    const availability = async (taskId: number) => {
      const res = await t.api.get(`/api/volunteer/tasks/${taskId}/matches`, { token: organizer.token });
      return Object.fromEntries((res.body.items as MatchItem[]).map((i) => [i.volunteer.id, i.components.availability]));
    };
    expect(await availability(after.id)).toEqual({ [volunteer.id]: 1, [kolkata.id]: 1 });
    expect(await availability(before.id)).toEqual({ [volunteer.id]: 0, [kolkata.id]: 1 });
  });

  it("is for the task's organizers only: 403 for others who see it, 404 for those who do not", async () => {
    const organizer = await signedIn(t);
    const helper = await signedIn(t);
    const admin = await signedIn(t, { role: "god" });
    const task = await createTask(t.db, { createdBy: organizer.user.id, skillsNeeded: ["video"] });
    await createApplication(t.db, { taskId: task.id, volunteerId: (await createVolunteer(t.db, helper.user.id, { skills: ["video"] })).id, status: "accepted" });
    for (const token of [helper.token, admin.token]) {
      const res = await t.api.get(`/api/volunteer/tasks/${task.id}/matches`, { token });
      expect([res.status, res.body.code]).toEqual([403, "not_task_organizer"]);
    }
    const draft = await createEvent(t.db, { userId: organizer.user.id, status: "draft" });
    const hidden = await createTask(t.db, { createdBy: organizer.user.id, eventId: draft.id, skillsNeeded: ["video"] });
    expect((await t.api.get(`/api/volunteer/tasks/${hidden.id}/matches`, { token: admin.token })).status).toBe(404);
    expect((await t.api.get(`/api/volunteer/tasks/${hidden.id}/matches`, { token: organizer.token })).status).toBe(200);
    expect((await t.api.get(`/api/volunteer/tasks/${task.id}/matches`)).status).toBe(401);
  });

  it.each([
    ["not ours", "nope"],
    ["a score out of range", encodeCursor([7, 1])],
    ["a score that is not a number", encodeCursor(["x", 1])],
  ])("rejects a cursor %s with 400", async (_label, cursor) => {
    const organizer = await signedIn(t);
    const task = await createTask(t.db, { createdBy: organizer.user.id, skillsNeeded: ["video"] });
    const res = await t.api.get(`/api/volunteer/tasks/${task.id}/matches?cursor=${encodeURIComponent(cursor)}`, { token: organizer.token });
    expect([res.status, res.body.errors[0].path]).toEqual([400, "query.cursor"]);
  });
});

describe("GET /api/volunteer/tasks/matching", () => {
  it("ranks the open tasks to come that fit the caller, the same way, page by page", async () => {
    const { user, token } = await signedIn(t);
    const organizer = await createUser(t.db);
    const me = await createVolunteer(t.db, user.id, {
      skills: ["first_aid", "driving"], timezone: "Europe/Madrid", tasksCompleted: 3, ...CANNING,
      availability: [{ weekday: 5, start: "09:00", end: "13:00" }],
    });
    const task = (overrides: Parameters<typeof createTask>[1]) => createTask(t.db, overrides);
    // Friday 2030-05-10 08:00-10:00 UTC is 10:00-12:00 in Madrid (summer time).
    const friday = { startsAt: new Date("2030-05-10T08:00:00Z"), endsAt: new Date("2030-05-10T10:00:00Z") };
    const best = await task({ createdBy: organizer.id, skillsNeeded: ["first_aid"], ...friday, ...CANNING });
    const half = await task({ createdBy: organizer.id, skillsNeeded: ["first_aid", "photography"], ...friday });
    const busy = await task({ createdBy: organizer.id, skillsNeeded: ["driving"], startsAt: new Date("2030-05-12T08:00:00Z") });
    // Left out: no skill of mine, full, cancelled, past, applied to, mine to organize.
    await task({ createdBy: organizer.id, skillsNeeded: ["bar"], ...friday });
    await task({ createdBy: organizer.id, skillsNeeded: ["first_aid"], seats: 1, seatsTaken: 1 });
    await task({ createdBy: organizer.id, skillsNeeded: ["first_aid"], status: "cancelled" });
    await task({ createdBy: organizer.id, skillsNeeded: ["first_aid"], startsAt: new Date(Date.now() - 3_600_000) });
    const appliedTo = await task({ createdBy: organizer.id, skillsNeeded: ["first_aid"] });
    await createApplication(t.db, { taskId: appliedTo.id, volunteerId: me.id });
    await task({ createdBy: user.id, skillsNeeded: ["first_aid"] });

    const { status, trips } = await roundTrips(() => t.api.get("/api/volunteer/tasks/matching", { token }));
    expect([status, trips]).toEqual([200, 1]);
    const pages = await allPages<{ task: { id: number }; score: number; components: Record<string, unknown> }>(
      t.api, "/api/volunteer/tasks/matching?limit=2", token,
    );
    const items = pages.flatMap((p) => p.items);
    expect(pages.map((p) => p.items.length)).toEqual([2, 1]);
    expect(items.map((i) => i.task.id)).toEqual([best.id, half.id, busy.id]);
    // 0.4 + 0.3 + 0.2 + 0.08; 0.2 + 0.3 + 0.05 + 0.08; 0.4 (one of one) + 0 + 0.05 + 0.08
    expect(items.map((i) => i.score)).toEqual([0.98, 0.63, 0.53]);
    expect(items[2]!.components).toEqual({ skills: 1, availability: 0, distanceKm: null, distance: 0.25, reliability: 0.8 });
  });

  it("needs a volunteer profile (409)", async () => {
    const { token } = await signedIn(t);
    const res = await t.api.get("/api/volunteer/tasks/matching", { token });
    expect([res.status, res.body.code]).toEqual([409, "no_volunteer_profile"]);
  });
});
