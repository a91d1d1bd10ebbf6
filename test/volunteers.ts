import { eq, sql } from "drizzle-orm";
import { volunteerAssignments, volunteerAvailability, volunteerBlockedDates, volunteers, volunteerTasks } from "../drizzle/volunteers";
import type { Db } from "../src/lib/db";
import { unique } from "./factories";

type NewVolunteer = Partial<typeof volunteers.$inferInsert>;
type NewTask = Partial<typeof volunteerTasks.$inferInsert>;

/**
 * A volunteer profile for a user, written directly (skills `door` unless given), with its weekly
 * blocks (`{weekday, start, end}` in its time zone) and blocked days.
 */
export async function createVolunteer(
  db: Db,
  userId: number,
  overrides: NewVolunteer & { availability?: { weekday: number; start: string; end: string }[]; blockedDates?: string[] } = {},
) {
  const { availability = [], blockedDates = [], ...fields } = overrides;
  const [volunteer] = await db.insert(volunteers).values({ userId, skills: ["door"], ...fields }).returning();
  if (availability.length) {
    await db
      .insert(volunteerAvailability)
      .values(availability.map((b) => ({ volunteerId: volunteer!.id, weekday: b.weekday, startTime: b.start, endTime: b.end })));
  }
  if (blockedDates.length) await db.insert(volunteerBlockedDates).values(blockedDates.map((day) => ({ volunteerId: volunteer!.id, day })));
  return volunteer!;
}

/** A task written directly: open, three seats, `door` needed, a week from now for three hours unless given. */
export async function createTask(db: Db, overrides: NewTask & { createdBy: number }) {
  const startsAt = overrides.startsAt ?? new Date(Date.now() + 7 * 86_400_000);
  const [task] = await db
    .insert(volunteerTasks)
    .values({
      title: `Door ${unique()}`,
      description: "Welcome the dancers",
      skillsNeeded: ["door"],
      endsAt: new Date(startsAt.getTime() + 3 * 3_600_000),
      location: "Salon Canning",
      city: "Buenos Aires",
      country: "Argentina",
      seats: 3,
      ...overrides,
      startsAt,
    })
    .returning();
  return task!;
}

/**
 * An application written directly in `status`, with the task's counters kept in step as the
 * module keeps them: seat-holding statuses in `seats_taken`, pending ones in `application_count`.
 */
export async function createApplication(
  db: Db,
  input: { taskId: number; volunteerId: number; status?: (typeof volunteerAssignments.$inferInsert)["status"]; createdAt?: Date },
) {
  const status = input.status ?? "applied";
  const seat = ["accepted", "checked_in", "completed"].includes(status) ? 1 : 0;
  const pending = status === "applied" ? 1 : 0;
  const [[row]] = await db.batch([
    db
      .insert(volunteerAssignments)
      .values({ taskId: input.taskId, volunteerId: input.volunteerId, status, ...(input.createdAt ? { createdAt: input.createdAt } : {}) })
      .returning(),
    db.execute(sql`UPDATE volunteer_tasks SET seats_taken = seats_taken + ${seat}, application_count = application_count + ${pending}
      WHERE id = ${input.taskId}`),
  ]);
  return row!;
}

/** A task's stored counters beside the applications counted, for tests that the counters stay exact. */
export async function taskCounters(db: Db, taskId: number) {
  const { rows } = await db.execute<{ seats_taken: number; application_count: number; seated: number; pending: number }>(sql`
    SELECT t.seats_taken, t.application_count,
      (SELECT count(*) FROM volunteer_assignments a WHERE a.task_id = t.id AND a.status IN ('accepted', 'checked_in', 'completed'))::int AS seated,
      (SELECT count(*) FROM volunteer_assignments a WHERE a.task_id = t.id AND a.status = 'applied')::int AS pending
    FROM volunteer_tasks t WHERE t.id = ${taskId}`);
  const row = rows[0]!;
  return { seatsTaken: Number(row.seats_taken), applicationCount: Number(row.application_count), seated: Number(row.seated), pending: Number(row.pending) };
}

/** A volunteer's reliability counters as stored. */
export async function volunteerCounters(db: Db, volunteerId: number) {
  const [row] = await db
    .select({ tasksCompleted: volunteers.tasksCompleted, noShows: volunteers.noShows, minutesLogged: volunteers.minutesLogged })
    .from(volunteers)
    .where(eq(volunteers.id, volunteerId));
  return row!;
}
