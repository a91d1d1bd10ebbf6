import { z } from "@hono/zod-openapi";
import { VOLUNTEER_SKILLS } from "../../../drizzle/volunteers";
import { PageQuery } from "../../lib/pagination";
import { INT4_MAX, multiLine, singleLine } from "../../lib/text";
import { TimeZone } from "../events";

/**
 * The request bodies and queries of the volunteer routes. Each field is checked here on its
 * own; the rules between fields that an edit can break (a task's end before its start) are
 * checked again in the statement that writes, against the row as it is then.
 */
export const VOLUNTEER_LIMITS = {
  bio: 2000,
  text: 200,
  description: 5000,
  languages: 20,
  availabilityBlocks: 50,
  blockedDates: 366,
  experiences: 50,
  /** The longest task, start to end. */
  taskDays: 7,
  seats: 1000,
  message: 1000,
  /** The most minutes one task may log (a day). */
  minutes: 1440,
} as const;

export const SkillSchema = z.enum(VOLUNTEER_SKILLS).openapi({ description: "A volunteer skill", example: "door" });

/** One skill or more, deduplicated in order. */
const Skills = z
  .array(SkillSchema)
  .min(1)
  .max(VOLUNTEER_SKILLS.length)
  .transform((skills) => [...new Set(skills)])
  .openapi({ example: ["door", "registration"] });

/** Languages as names or codes (`es`, `English`), trimmed and deduplicated in order. */
const Languages = z
  .array(singleLine(40, 1))
  .max(VOLUNTEER_LIMITS.languages)
  .transform((languages) => [...new Set(languages)])
  .openapi({ example: ["es", "en"] });

/** A wall-clock time `HH:MM`; `24:00` only ends a block (the end of the day). */
const ClockTime = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, "A time HH:MM, 00:00 to 23:59").openapi({ example: "19:00" });
const ClockEnd = z
  .string()
  .regex(/^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/, "A time HH:MM, 00:01 to 24:00")
  .openapi({ example: "23:30" });

/** A weekly block when the volunteer is free, in their own time zone: the same day, end after start. */
const AvailabilityBlock = z
  .object({
    weekday: z.number().int().min(0).max(6).openapi({ description: "0 Sunday to 6 Saturday", example: 4 }),
    start: ClockTime,
    end: ClockEnd,
  })
  .refine((block) => block.end > block.start, { message: "The end must be after the start, the same day", path: ["end"] })
  .openapi("AvailabilityBlock");

/** A calendar day `YYYY-MM-DD` between 1900 and 2200. */
const Day = z.iso
  .date()
  .refine((day) => day >= "1900-01-01" && day <= "2200-12-31", "A date between 1900 and 2200")
  .openapi({ example: "2030-03-07" });

const Latitude = z.number().min(-90).max(90).openapi({ example: -34.5915 });
const Longitude = z.number().min(-180).max(180).openapi({ example: -58.4262 });

/** Latitude and longitude come together or not at all. */
const bothCoordinates = (value: { latitude?: number | null; longitude?: number | null }) =>
  (value.latitude == null) === (value.longitude == null);
const coordinatesMessage = { message: "Give latitude and longitude together", path: ["latitude"] };

const place = () => singleLine(VOLUNTEER_LIMITS.text).nullable();

/** The whole profile: a PUT replaces it, availability and blocked dates included. */
export const ProfileBody = z
  .object({
    bio: multiLine(VOLUNTEER_LIMITS.bio).nullable().default(null),
    skills: Skills,
    languages: Languages.default([]),
    city: place().default(null).openapi({ example: "Buenos Aires" }),
    country: place().default(null).openapi({ example: "Argentina" }),
    latitude: Latitude.nullable().default(null),
    longitude: Longitude.nullable().default(null),
    timezone: TimeZone.default("UTC"),
    availability: z
      .array(AvailabilityBlock)
      .max(VOLUNTEER_LIMITS.availabilityBlocks)
      .default([])
      .openapi({ description: "Weekly blocks in `timezone`; replaced as a whole" }),
    blockedDates: z
      .array(Day)
      .max(VOLUNTEER_LIMITS.blockedDates)
      .default([])
      .transform((days) => [...new Set(days)].sort())
      .openapi({ description: "Days not available whatever the blocks say; replaced as a whole" }),
  })
  .refine(bothCoordinates, coordinatesMessage)
  .openapi("VolunteerProfileInput");

export type ProfileInput = z.infer<typeof ProfileBody>;

const ExperienceFields = {
  role: singleLine(VOLUNTEER_LIMITS.text, 1).openapi({ example: "Door and registration" }),
  organization: singleLine(VOLUNTEER_LIMITS.text, 1).openapi({ example: "CITA festival" }),
  description: multiLine(VOLUNTEER_LIMITS.description).nullable(),
  skills: z.array(SkillSchema).max(VOLUNTEER_SKILLS.length).transform((skills) => [...new Set(skills)]),
  startedOn: Day,
  endedOn: Day.nullable(),
};

const endedAfterStart = (value: { startedOn?: string; endedOn?: string | null }) =>
  value.startedOn === undefined || value.endedOn == null || value.endedOn >= value.startedOn;
const endedMessage = { message: "The end must not be before the start", path: ["endedOn"] };

export const ExperienceBody = z
  .object({ ...ExperienceFields, description: ExperienceFields.description.default(null), skills: ExperienceFields.skills.default([]), endedOn: ExperienceFields.endedOn.default(null) })
  .refine(endedAfterStart, endedMessage)
  .openapi("VolunteerExperienceInput");

/** Any subset of the fields (`null` clears an optional one); the dates are checked against the stored ones too. */
export const UpdateExperienceBody = z.object(ExperienceFields).partial().refine(endedAfterStart, endedMessage).openapi("VolunteerExperienceUpdate");

export type ExperienceInput = z.infer<typeof ExperienceBody>;
export type UpdateExperienceInput = z.infer<typeof UpdateExperienceBody>;

/** A date and time with its offset (`2030-03-07T21:00:00-03:00`), stored in UTC. */
const DateTime = z.iso
  .datetime({ offset: true })
  .refine((value) => {
    const year = new Date(value).getUTCFullYear();
    return year >= 1900 && year <= 2200;
  }, "A year between 1900 and 2200")
  .transform((value) => new Date(value))
  .openapi({ type: "string", format: "date-time", example: "2030-03-07T20:00:00-03:00" });

const Id = z.number().int().min(1).max(INT4_MAX);

const TaskFields = {
  title: singleLine(VOLUNTEER_LIMITS.text, 1).openapi({ example: "Door at the Thursday milonga" }),
  description: multiLine(VOLUNTEER_LIMITS.description),
  skillsNeeded: Skills,
  startsAt: DateTime,
  endsAt: DateTime,
  timezone: TimeZone,
  location: singleLine(VOLUNTEER_LIMITS.text, 1).openapi({ example: "Salon Canning, Scalabrini Ortiz 1331" }),
  city: place().openapi({ example: "Buenos Aires" }),
  country: place().openapi({ example: "Argentina" }),
  latitude: Latitude.nullable(),
  longitude: Longitude.nullable(),
  seats: z.number().int().min(1).max(VOLUNTEER_LIMITS.seats).openapi({ description: "How many volunteers", example: 3 }),
};

export const CreateTaskBody = z
  .object({
    ...TaskFields,
    description: TaskFields.description.default(""),
    timezone: TaskFields.timezone.default("UTC"),
    city: TaskFields.city.default(null),
    country: TaskFields.country.default(null),
    latitude: TaskFields.latitude.default(null),
    longitude: TaskFields.longitude.default(null),
    eventId: Id.optional().openapi({ description: "The event it is for: one the caller organizes" }),
    groupId: Id.optional().openapi({ description: "The community it is for: one the caller is an active admin of" }),
  })
  .refine(bothCoordinates, coordinatesMessage)
  .refine((task) => task.eventId === undefined || task.groupId === undefined, { message: "A task is for an event or a group, not both", path: ["groupId"] })
  .openapi("CreateVolunteerTask");

/** Any subset of the task's fields; `null` clears an optional one; an empty body changes nothing. */
export const UpdateTaskBody = z
  .object(TaskFields)
  .partial()
  .refine((task) => (task.latitude === undefined) === (task.longitude === undefined) && bothCoordinates(task), coordinatesMessage)
  .openapi("UpdateVolunteerTask");

export type CreateTaskInput = z.infer<typeof CreateTaskBody>;
export type UpdateTaskInput = z.infer<typeof UpdateTaskBody>;

/** Open tasks to come, filtered. */
export const TaskListQuery = PageQuery.extend({
  city: singleLine(VOLUNTEER_LIMITS.text, 1).optional().openapi({ description: "The city as tasks give it (case ignored)", example: "Buenos Aires" }),
  skill: SkillSchema.optional(),
  eventId: z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, "An event id in plain digits")
    .transform(Number)
    .pipe(z.number().int().max(INT4_MAX))
    .optional()
    .openapi({ type: "integer", description: "Tasks for this event" }),
});

export type TaskListInput = z.infer<typeof TaskListQuery>;

export const ApplyBody = z.object({ message: multiLine(VOLUNTEER_LIMITS.message).optional() }).openapi("VolunteerApplyInput");

export const HoursBody = z
  .object({ minutes: z.number().int().min(1).max(VOLUNTEER_LIMITS.minutes).openapi({ description: "Minutes worked, 1 to 1440", example: 180 }) })
  .openapi("VolunteerHoursInput");
