// Volunteers (the seed's Volunteer System): profiles with skills, languages, weekly
// availability and blocked dates, a resume of experience entries; tasks posted by event
// organizers and community admins; applications that are accepted or declined, checked in and
// given hours. A task's taken seats are a counter the accept statement checks and moves in one
// conditional UPDATE, so concurrent accepts can never overfill it.

import { sql } from "drizzle-orm";
import {
  check,
  date,
  doublePrecision,
  index,
  integer,
  pgTable,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from "drizzle-orm/pg-core";
import { createSelectSchema } from "drizzle-zod";
import { events } from "./events";
import { groups } from "./groups";
import { optionalPoint } from "./geo";
import { point } from "./types";
import { users } from "./users";

export const VOLUNTEER_SKILLS = [
  "dj",
  "door",
  "bar",
  "setup",
  "cleanup",
  "photography",
  "video",
  "translation",
  "registration",
  "hosting",
  "teaching_assistant",
  "first_aid",
  "social_media",
  "driving",
  "decoration",
  "sound",
] as const;
export const TASK_STATUSES = ["open", "cancelled", "completed"] as const;
/**
 * applied → accepted | declined (by the task's organizer) | withdrawn (by the volunteer);
 * accepted → checked_in → (hours logged) completed; accepted → no_show (after the task, by the organizer).
 */
export const ASSIGNMENT_STATUSES = ["applied", "accepted", "declined", "withdrawn", "checked_in", "completed", "no_show"] as const;

export const volunteers = pgTable(
  "volunteers",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    bio: text("bio"),
    skills: text("skills").array().notNull(),
    languages: text("languages").array().default(sql`'{}'::text[]`).notNull(),
    city: varchar("city"),
    country: varchar("country"),
    latitude: doublePrecision("latitude"),
    longitude: doublePrecision("longitude"),
    // the IANA zone the weekly availability is written in;
    timezone: varchar("timezone").default("UTC").notNull(),
    // past reliability, kept by the assignment statements: completed tasks against no-shows;
    tasksCompleted: integer("tasks_completed").default(0).notNull(),
    noShows: integer("no_shows").default(0).notNull(),
    minutesLogged: integer("minutes_logged").default(0).notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
    geo: point("geo").generatedAlwaysAs(optionalPoint),
  },
  (table) => [
    uniqueIndex("volunteers_user_idx").on(table.userId),
    index("volunteers_skills_idx").using("gin", table.skills),
    index("volunteers_geo_idx").using("gist", table.geo),
    check("volunteers_counts_check", sql`${table.tasksCompleted} >= 0 AND ${table.noShows} >= 0 AND ${table.minutesLogged} >= 0`),
    // (the same rule as geo.ts's coordinatesCheck, written before it with other whitespace: drizzle would see a change)
    check(
      "volunteers_coordinates_check",
      sql`(${table.latitude} IS NULL) = (${table.longitude} IS NULL)
        AND (${table.latitude} IS NULL OR (${table.latitude} BETWEEN -90 AND 90 AND ${table.longitude} BETWEEN -180 AND 180))`,
    ),
  ],
);

/** A weekly block when the volunteer is free: a weekday (0 = Sunday) and local times, `end > start` (same day). */
export const volunteerAvailability = pgTable(
  "volunteer_availability",
  {
    id: serial("id").primaryKey(),
    volunteerId: integer("volunteer_id")
      .notNull()
      .references(() => volunteers.id, { onDelete: "cascade" }),
    weekday: smallint("weekday").notNull(),
    startTime: varchar("start_time", { length: 5 }).notNull(),
    endTime: varchar("end_time", { length: 5 }).notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    index("volunteer_availability_volunteer_idx").on(table.volunteerId, table.weekday),
    check("volunteer_availability_weekday_check", sql`${table.weekday} BETWEEN 0 AND 6`),
    check(
      "volunteer_availability_times_check",
      sql`${table.startTime} ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' AND ${table.endTime} ~ '^([01][0-9]|2[0-4]):[0-5][0-9]$' AND ${table.endTime} > ${table.startTime}`,
    ),
  ],
);

/** A day the volunteer is not available, whatever the weekly blocks say. */
export const volunteerBlockedDates = pgTable(
  "volunteer_blocked_dates",
  {
    id: serial("id").primaryKey(),
    volunteerId: integer("volunteer_id")
      .notNull()
      .references(() => volunteers.id, { onDelete: "cascade" }),
    day: date("day").notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [uniqueIndex("volunteer_blocked_dates_day_idx").on(table.volunteerId, table.day)],
);

/** The resume: one experience entry (a role at an event or organization, with dates). */
export const volunteerExperiences = pgTable(
  "volunteer_experiences",
  {
    id: serial("id").primaryKey(),
    volunteerId: integer("volunteer_id")
      .notNull()
      .references(() => volunteers.id, { onDelete: "cascade" }),
    role: varchar("role").notNull(),
    organization: varchar("organization").notNull(),
    description: text("description"),
    skills: text("skills").array().default(sql`'{}'::text[]`).notNull(),
    startedOn: date("started_on").notNull(),
    endedOn: date("ended_on"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
  },
  (table) => [
    index("volunteer_experiences_volunteer_idx").on(table.volunteerId, table.startedOn),
    check("volunteer_experiences_dates_check", sql`${table.endedOn} IS NULL OR ${table.endedOn} >= ${table.startedOn}`),
  ],
);

/** A task an event organizer (for their event) or a community admin (for their group) posts. */
export const volunteerTasks = pgTable(
  "volunteer_tasks",
  {
    id: serial("id").primaryKey(),
    createdBy: integer("created_by")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    eventId: integer("event_id").references(() => events.id, { onDelete: "cascade" }),
    groupId: integer("group_id").references(() => groups.id, { onDelete: "cascade" }),
    title: varchar("title").notNull(),
    description: text("description").notNull(),
    skillsNeeded: text("skills_needed").array().notNull(),
    startsAt: timestamp("starts_at").notNull(),
    endsAt: timestamp("ends_at").notNull(),
    // the IANA zone of the place: availability is matched at the task's local weekday and time;
    timezone: varchar("timezone").default("UTC").notNull(),
    location: text("location").notNull(),
    city: varchar("city"),
    country: varchar("country"),
    latitude: doublePrecision("latitude"),
    longitude: doublePrecision("longitude"),
    seats: smallint("seats").notNull(),
    // accepted (and checked-in, completed) volunteers: never above `seats`;
    seatsTaken: smallint("seats_taken").default(0).notNull(),
    applicationCount: integer("application_count").default(0).notNull(),
    status: varchar("status").default("open").notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
    geo: point("geo").generatedAlwaysAs(optionalPoint),
  },
  (table) => [
    index("volunteer_tasks_event_idx").on(table.eventId),
    index("volunteer_tasks_group_idx").on(table.groupId),
    index("volunteer_tasks_created_by_idx").on(table.createdBy),
    // Open tasks to come, in time order (what matches a volunteer is filtered from these).
    index("volunteer_tasks_open_idx").on(table.startsAt, table.id).where(sql`status = 'open'`),
    index("volunteer_tasks_skills_idx").using("gin", table.skillsNeeded),
    index("volunteer_tasks_geo_idx").using("gist", table.geo),
    check("volunteer_tasks_status_check", sql`${table.status} IN ('open', 'cancelled', 'completed')`),
    check("volunteer_tasks_times_check", sql`${table.endsAt} > ${table.startsAt}`),
    check("volunteer_tasks_seats_check", sql`${table.seats} BETWEEN 1 AND 1000 AND ${table.seatsTaken} BETWEEN 0 AND ${table.seats}`),
    check("volunteer_tasks_skills_check", sql`cardinality(${table.skillsNeeded}) >= 1`),
    check("volunteer_tasks_counts_check", sql`${table.applicationCount} >= 0`),
  ],
);

export const volunteerAssignments = pgTable(
  "volunteer_assignments",
  {
    id: serial("id").primaryKey(),
    taskId: integer("task_id")
      .notNull()
      .references(() => volunteerTasks.id, { onDelete: "cascade" }),
    volunteerId: integer("volunteer_id")
      .notNull()
      .references(() => volunteers.id, { onDelete: "cascade" }),
    status: varchar("status").default("applied").notNull(),
    message: text("message"),
    respondedAt: timestamp("responded_at"),
    checkedInAt: timestamp("checked_in_at"),
    minutesLogged: integer("minutes_logged"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
  },
  (table) => [
    uniqueIndex("volunteer_assignments_pair_idx").on(table.taskId, table.volunteerId),
    index("volunteer_assignments_volunteer_idx").on(table.volunteerId, table.id),
    check(
      "volunteer_assignments_status_check",
      sql`${table.status} IN ('applied', 'accepted', 'declined', 'withdrawn', 'checked_in', 'completed', 'no_show')`,
    ),
    check("volunteer_assignments_minutes_check", sql`${table.minutesLogged} IS NULL OR ${table.minutesLogged} BETWEEN 0 AND 1440`),
  ],
);

export const selectVolunteerSchema = createSelectSchema(volunteers);
export const selectVolunteerTaskSchema = createSelectSchema(volunteerTasks);
export type SelectVolunteer = typeof volunteers.$inferSelect;
export type SelectVolunteerTask = typeof volunteerTasks.$inferSelect;
