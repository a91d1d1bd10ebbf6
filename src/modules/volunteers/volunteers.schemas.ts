import { z } from "@hono/zod-openapi";
import { ASSIGNMENT_STATUSES, TASK_STATUSES } from "../../../drizzle/volunteers";
import { isoUtc } from "../../lib/time";
import { type UserCard, UserCardSchema } from "../users";

/**
 * The API shapes of the volunteer routes. The statements build each object as jsonb in the
 * shape below (snake_case columns never leave); the `to*` functions here only turn database
 * timestamps into ISO 8601 UTC and numbers into numbers.
 */

const time = () => z.string().openapi({ format: "date-time" });
const day = () => z.string().openapi({ format: "date" });

export const AvailabilitySchema = z
  .object({ weekday: z.number().int(), start: z.string(), end: z.string() })
  .openapi("VolunteerAvailability");

export const ExperienceSchema = z
  .object({
    id: z.number().int(),
    role: z.string(),
    organization: z.string(),
    description: z.string().nullable(),
    skills: z.array(z.string()),
    startedOn: day(),
    endedOn: day().nullable(),
    createdAt: time(),
    updatedAt: time(),
  })
  .openapi("VolunteerExperience");

export type Experience = z.infer<typeof ExperienceSchema>;

const reliabilityFields = {
  tasksCompleted: z.number().int(),
  noShows: z.number().int(),
  minutesLogged: z.number().int(),
};

/** A volunteer as another signed-in dancer sees them: no coordinates, no blocked dates. */
export const VolunteerSchema = z
  .object({
    id: z.number().int(),
    user: UserCardSchema,
    bio: z.string().nullable(),
    skills: z.array(z.string()),
    languages: z.array(z.string()),
    city: z.string().nullable(),
    country: z.string().nullable(),
    timezone: z.string().openapi({ description: "The IANA zone the availability is written in" }),
    availability: z.array(AvailabilitySchema),
    experiences: z.array(ExperienceSchema).openapi({ description: "The resume, newest first" }),
    ...reliabilityFields,
    createdAt: time(),
    updatedAt: time(),
  })
  .openapi("Volunteer");

/** The caller's own profile: everything, coordinates and blocked dates included. */
export const MyVolunteerSchema = VolunteerSchema.extend({
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  blockedDates: z.array(day()),
}).openapi("MyVolunteerProfile");

export type Volunteer = z.infer<typeof VolunteerSchema>;
export type MyVolunteer = z.infer<typeof MyVolunteerSchema>;

export const TaskSchema = z
  .object({
    id: z.number().int(),
    createdBy: UserCardSchema,
    eventId: z.number().int().nullable(),
    groupId: z.number().int().nullable(),
    title: z.string(),
    description: z.string(),
    skillsNeeded: z.array(z.string()),
    startsAt: time(),
    endsAt: time(),
    timezone: z.string().openapi({ description: "The IANA zone of the place" }),
    location: z.string(),
    city: z.string().nullable(),
    country: z.string().nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    seats: z.number().int(),
    seatsTaken: z.number().int().openapi({ description: "Volunteers accepted (checked in and completed included)" }),
    applicationCount: z.number().int().openapi({ description: "Applications waiting for an answer" }),
    status: z.enum(TASK_STATUSES),
    viewer: z.object({
      organizes: z.boolean(),
      application: z
        .object({ id: z.number().int(), status: z.enum(ASSIGNMENT_STATUSES) })
        .nullable()
        .openapi({ description: "The caller's own application to it" }),
    }),
    createdAt: time(),
    updatedAt: time(),
  })
  .openapi("VolunteerTask");

export type Task = z.infer<typeof TaskSchema>;

export const MatchComponentsSchema = z
  .object({
    skills: z.number().openapi({ description: "Share of the needed skills the volunteer has (0-1)" }),
    availability: z.number().openapi({ description: "1 when a weekly block covers the task's time and the day is not blocked, else 0" }),
    distanceKm: z.number().nullable().openapi({ description: "Haversine km, when both have coordinates" }),
    distance: z.number().openapi({ description: "1 at the place, falling to 0 at 100 km; 0.25 when unknown" }),
    reliability: z.number().openapi({ description: "(completed + 1) / (completed + no-shows + 2)" }),
  })
  .openapi("VolunteerMatchComponents");

const scoreField = z.number().openapi({ description: "0.4 skills + 0.3 availability + 0.2 distance + 0.1 reliability" });

export const MatchSchema = z
  .object({
    volunteer: z.object({
      id: z.number().int(),
      user: UserCardSchema,
      skills: z.array(z.string()),
      city: z.string().nullable(),
      country: z.string().nullable(),
      ...reliabilityFields,
    }),
    components: MatchComponentsSchema,
    score: scoreField,
  })
  .openapi("VolunteerMatch");

export const TaskMatchSchema = z.object({ task: TaskSchema, components: MatchComponentsSchema, score: scoreField }).openapi("VolunteerTaskMatch");

export type Match = z.infer<typeof MatchSchema>;
export type TaskMatch = z.infer<typeof TaskMatchSchema>;

export const ApplicationSchema = z
  .object({
    id: z.number().int(),
    task: z.object({ id: z.number().int(), title: z.string(), startsAt: time(), endsAt: time(), status: z.enum(TASK_STATUSES) }),
    volunteer: z.object({ id: z.number().int(), user: UserCardSchema }),
    status: z.enum(ASSIGNMENT_STATUSES),
    message: z.string().nullable(),
    respondedAt: time().nullable(),
    checkedInAt: time().nullable(),
    minutesLogged: z.number().int().nullable(),
    createdAt: time(),
    updatedAt: time(),
  })
  .openapi("VolunteerApplication");

export type Application = z.infer<typeof ApplicationSchema>;

type Json = Record<string, unknown>;

const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));

export function toExperience(row: Json): Experience {
  return {
    id: Number(row.id),
    role: String(row.role),
    organization: String(row.organization),
    description: (row.description as string | null) ?? null,
    skills: row.skills as string[],
    startedOn: String(row.startedOn),
    endedOn: (row.endedOn as string | null) ?? null,
    createdAt: isoUtc(row.createdAt as string),
    updatedAt: isoUtc(row.updatedAt as string),
  };
}

export function toVolunteer(row: Json): Volunteer {
  return {
    id: Number(row.id),
    user: row.user as UserCard,
    bio: (row.bio as string | null) ?? null,
    skills: row.skills as string[],
    languages: row.languages as string[],
    city: (row.city as string | null) ?? null,
    country: (row.country as string | null) ?? null,
    timezone: String(row.timezone),
    availability: (row.availability as Json[]).map((a) => ({ weekday: Number(a.weekday), start: String(a.start), end: String(a.end) })),
    experiences: (row.experiences as Json[]).map(toExperience),
    tasksCompleted: Number(row.tasksCompleted),
    noShows: Number(row.noShows),
    minutesLogged: Number(row.minutesLogged),
    createdAt: isoUtc(row.createdAt as string),
    updatedAt: isoUtc(row.updatedAt as string),
  };
}

export function toMyVolunteer(row: Json): MyVolunteer {
  return { ...toVolunteer(row), latitude: num(row.latitude), longitude: num(row.longitude), blockedDates: row.blockedDates as string[] };
}

export function toTask(row: Json): Task {
  const application = row.application as Json | null;
  return {
    id: Number(row.id),
    createdBy: row.createdBy as UserCard,
    eventId: num(row.eventId),
    groupId: num(row.groupId),
    title: String(row.title),
    description: String(row.description),
    skillsNeeded: row.skillsNeeded as string[],
    startsAt: isoUtc(row.startsAt as string),
    endsAt: isoUtc(row.endsAt as string),
    timezone: String(row.timezone),
    location: String(row.location),
    city: (row.city as string | null) ?? null,
    country: (row.country as string | null) ?? null,
    latitude: num(row.latitude),
    longitude: num(row.longitude),
    seats: Number(row.seats),
    seatsTaken: Number(row.seatsTaken),
    applicationCount: Number(row.applicationCount),
    status: row.status as Task["status"],
    viewer: {
      organizes: Boolean(row.organizes),
      application: application ? { id: Number(application.id), status: application.status as Application["status"] } : null,
    },
    createdAt: isoUtc(row.createdAt as string),
    updatedAt: isoUtc(row.updatedAt as string),
  };
}

/** A component to six decimals, as the score is rounded (no `0.49999999999` from float arithmetic). */
const sixDecimals = (value: unknown) => Number(Number(value).toFixed(6));

/** The components of a match, from the columns `matchColumns` selects. */
export function toComponents(row: Json): Match["components"] {
  return {
    skills: sixDecimals(row.skills_score),
    availability: row.available ? 1 : 0,
    distanceKm: row.distance_km === null ? null : Number(Number(row.distance_km).toFixed(3)),
    distance: sixDecimals(row.distance_score),
    reliability: sixDecimals(row.reliability),
  };
}

export function toApplication(row: Json): Application {
  const task = row.task as Json;
  return {
    id: Number(row.id),
    task: {
      id: Number(task.id),
      title: String(task.title),
      startsAt: isoUtc(task.startsAt as string),
      endsAt: isoUtc(task.endsAt as string),
      status: task.status as Task["status"],
    },
    volunteer: row.volunteer as Application["volunteer"],
    status: row.status as Application["status"],
    message: (row.message as string | null) ?? null,
    respondedAt: isoUtc(row.respondedAt as string | null),
    checkedInAt: isoUtc(row.checkedInAt as string | null),
    minutesLogged: num(row.minutesLogged),
    createdAt: isoUtc(row.createdAt as string),
    updatedAt: isoUtc(row.updatedAt as string),
  };
}
