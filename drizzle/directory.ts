// The tango world's directory (the seed's Tango Specific category): teachers and where they
// teach when (travelling teachers), their students, venues (milongas' homes) and schools, and
// dancers' reviews of teachers and venues. Events link their venue (`events.venue_id`).

import { type SQL, sql } from "drizzle-orm";
import {
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from "drizzle-orm/pg-core";
import { createSelectSchema } from "drizzle-zod";
import { coordinatesCheck, optionalPoint } from "./geo";
import { daterange, point, tsvector } from "./types";
import { users } from "./users";

export const TANGO_STYLES = ["salon", "milonguero", "nuevo", "vals", "milonga"] as const;
export const TEACHING_LEVELS = ["beginner", "intermediate", "advanced", "professional"] as const;
export const STUDENT_STATUSES = ["pending", "approved", "rejected"] as const;
export const VENUE_FLOORS = ["wood", "parquet", "marble", "tile", "concrete", "other"] as const;

/** A searchable text from weighted columns, accents folded, `simple` configuration (as posts and events). */
function searchDocument(...columns: [string, "A" | "B" | "C"][]): () => SQL {
  return () =>
    sql.raw(
      columns
        .map(([column, weight]) => `setweight(to_tsvector('simple'::regconfig, mt_unaccent(coalesce("${column}", ''))), '${weight}')`)
        .join(" || "),
    );
}

/** A dancer's teaching profile: one per user. The name and photo are the user's. */
export const teacherProfiles = pgTable(
  "teacher_profiles",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    headline: varchar("headline").notNull(),
    bio: text("bio").notNull(),
    styles: text("styles").array().notNull(),
    levels: text("levels").array().notNull(),
    languages: text("languages").array().notNull(),
    // where they are based; travelling dates are teacher_locations;
    city: varchar("city").notNull(),
    country: varchar("country").notNull(),
    latitude: doublePrecision("latitude"),
    longitude: doublePrecision("longitude"),
    // rates in the currency's minor unit (cents); null when not offered;
    privateLessons: boolean("private_lessons").default(false).notNull(),
    privateRate: integer("private_rate"),
    groupRate: integer("group_rate"),
    currency: varchar("currency", { length: 3 }),
    website: text("website"),
    // kept by the students and reviews statements;
    studentCount: integer("student_count").default(0).notNull(),
    reviewCount: integer("review_count").default(0).notNull(),
    ratingSum: integer("rating_sum").default(0).notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
    geo: point("geo").generatedAlwaysAs(optionalPoint),
    searchVector: tsvector("search_vector").generatedAlwaysAs(searchDocument(["headline", "A"], ["city", "B"], ["bio", "C"])),
  },
  (table) => [
    uniqueIndex("teacher_profiles_user_idx").on(table.userId),
    index("teacher_profiles_city_idx").on(table.city, table.id),
    index("teacher_profiles_geo_idx").using("gist", table.geo),
    index("teacher_profiles_search_idx").using("gin", table.searchVector),
    index("teacher_profiles_styles_idx").using("gin", table.styles),
    index("teacher_profiles_languages_idx").using("gin", table.languages),
    check("teacher_profiles_styles_check", sql`cardinality(${table.styles}) >= 1 AND ${table.styles} <@ ARRAY['salon', 'milonguero', 'nuevo', 'vals', 'milonga']::text[]`),
    check("teacher_profiles_levels_check", sql`${table.levels} <@ ARRAY['beginner', 'intermediate', 'advanced', 'professional']::text[]`),
    check("teacher_profiles_rates_check", sql`coalesce(${table.privateRate}, 0) >= 0 AND coalesce(${table.groupRate}, 0) >= 0`),
    check("teacher_profiles_counts_check", sql`${table.studentCount} >= 0 AND ${table.reviewCount} >= 0 AND ${table.ratingSum} >= 0`),
    coordinatesCheck("teacher_profiles_coordinates_check", table),
  ],
);

/** Where a travelling teacher teaches, and when (`[starts_on, ends_on]`, both days included). */
export const teacherLocations = pgTable(
  "teacher_locations",
  {
    id: serial("id").primaryKey(),
    teacherId: integer("teacher_id")
      .notNull()
      .references(() => teacherProfiles.id, { onDelete: "cascade" }),
    city: varchar("city").notNull(),
    country: varchar("country").notNull(),
    latitude: doublePrecision("latitude"),
    longitude: doublePrecision("longitude"),
    startsOn: date("starts_on").notNull(),
    endsOn: date("ends_on").notNull(),
    note: text("note"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
    during: daterange("during").generatedAlwaysAs((): SQL => sql.raw(`daterange("starts_on", "ends_on", '[]')`)),
    geo: point("geo").generatedAlwaysAs(optionalPoint),
  },
  (table) => [
    index("teacher_locations_teacher_idx").on(table.teacherId, table.startsOn),
    // "Teachers in Berlin in March": a city's visits overlapping the dates.
    index("teacher_locations_city_during_idx").using("gist", table.city, table.during),
    index("teacher_locations_geo_idx").using("gist", table.geo),
    check("teacher_locations_dates_check", sql`${table.endsOn} >= ${table.startsOn}`),
    coordinatesCheck("teacher_locations_coordinates_check", table),
  ],
);

/** A dancer says they study with a teacher; the teacher approves (or rejects). */
export const teacherStudents = pgTable(
  "teacher_students",
  {
    id: serial("id").primaryKey(),
    teacherId: integer("teacher_id")
      .notNull()
      .references(() => teacherProfiles.id, { onDelete: "cascade" }),
    studentId: integer("student_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    status: varchar("status").default("pending").notNull(),
    message: text("message"),
    respondedAt: timestamp("responded_at"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
  },
  (table) => [
    uniqueIndex("teacher_students_pair_idx").on(table.teacherId, table.studentId),
    index("teacher_students_student_idx").on(table.studentId, table.id),
    check("teacher_students_status_check", sql`${table.status} IN ('pending', 'approved', 'rejected')`),
  ],
);

/**
 * A milonga's home: address, floor, capacity and its regular nights
 * (`[{weekday: 0-6, start: "21:00", end: "02:00", name?}]`, local time).
 */
export const venues = pgTable(
  "venues",
  {
    id: serial("id").primaryKey(),
    createdBy: integer("created_by")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: varchar("name").notNull(),
    description: text("description").notNull(),
    address: text("address").notNull(),
    city: varchar("city").notNull(),
    country: varchar("country").notNull(),
    latitude: doublePrecision("latitude"),
    longitude: doublePrecision("longitude"),
    floor: varchar("floor"),
    capacity: integer("capacity"),
    regularNights: jsonb("regular_nights").default(sql`'[]'::jsonb`).notNull(),
    website: text("website"),
    imageUrl: text("image_url"),
    reviewCount: integer("review_count").default(0).notNull(),
    ratingSum: integer("rating_sum").default(0).notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
    geo: point("geo").generatedAlwaysAs(optionalPoint),
    searchVector: tsvector("search_vector").generatedAlwaysAs(searchDocument(["name", "A"], ["city", "B"], ["description", "C"])),
  },
  (table) => [
    index("venues_city_idx").on(table.city, table.id),
    index("venues_created_by_idx").on(table.createdBy),
    index("venues_geo_idx").using("gist", table.geo),
    index("venues_search_idx").using("gin", table.searchVector),
    check("venues_floor_check", sql`${table.floor} IS NULL OR ${table.floor} IN ('wood', 'parquet', 'marble', 'tile', 'concrete', 'other')`),
    check("venues_capacity_check", sql`${table.capacity} IS NULL OR ${table.capacity} BETWEEN 1 AND 100000`),
    check("venues_counts_check", sql`${table.reviewCount} >= 0 AND ${table.ratingSum} >= 0`),
    coordinatesCheck("venues_coordinates_check", table),
  ],
);

/** A tango school: where it teaches (optionally a venue), its styles and its teachers. */
export const schools = pgTable(
  "schools",
  {
    id: serial("id").primaryKey(),
    ownerId: integer("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    venueId: integer("venue_id").references(() => venues.id, { onDelete: "set null" }),
    name: varchar("name").notNull(),
    description: text("description").notNull(),
    address: text("address"),
    city: varchar("city").notNull(),
    country: varchar("country").notNull(),
    latitude: doublePrecision("latitude"),
    longitude: doublePrecision("longitude"),
    styles: text("styles").array().default(sql`'{}'::text[]`).notNull(),
    website: text("website"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
    geo: point("geo").generatedAlwaysAs(optionalPoint),
    searchVector: tsvector("search_vector").generatedAlwaysAs(searchDocument(["name", "A"], ["city", "B"], ["description", "C"])),
  },
  (table) => [
    index("schools_city_idx").on(table.city, table.id),
    index("schools_owner_idx").on(table.ownerId),
    index("schools_geo_idx").using("gist", table.geo),
    index("schools_search_idx").using("gin", table.searchVector),
    check("schools_styles_check", sql`${table.styles} <@ ARRAY['salon', 'milonguero', 'nuevo', 'vals', 'milonga']::text[]`),
    coordinatesCheck("schools_coordinates_check", table),
  ],
);

export const schoolTeachers = pgTable(
  "school_teachers",
  {
    schoolId: integer("school_id")
      .notNull()
      .references(() => schools.id, { onDelete: "cascade" }),
    teacherId: integer("teacher_id")
      .notNull()
      .references(() => teacherProfiles.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [primaryKey({ columns: [table.schoolId, table.teacherId] }), index("school_teachers_teacher_idx").on(table.teacherId)],
);

/** A dancer's review of a teacher they studied with or took a class from: one per pair. */
export const teacherReviews = pgTable(
  "teacher_reviews",
  {
    id: serial("id").primaryKey(),
    teacherId: integer("teacher_id")
      .notNull()
      .references(() => teacherProfiles.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    rating: smallint("rating").notNull(),
    comment: text("comment"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
  },
  (table) => [
    uniqueIndex("teacher_reviews_pair_idx").on(table.teacherId, table.userId),
    index("teacher_reviews_teacher_idx").on(table.teacherId, table.id),
    index("teacher_reviews_user_idx").on(table.userId),
    check("teacher_reviews_rating_check", sql`${table.rating} BETWEEN 1 AND 5`),
  ],
);

/** A dancer's review of a venue where they attended an event: one per pair. */
export const venueReviews = pgTable(
  "venue_reviews",
  {
    id: serial("id").primaryKey(),
    venueId: integer("venue_id")
      .notNull()
      .references(() => venues.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    rating: smallint("rating").notNull(),
    comment: text("comment"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
  },
  (table) => [
    uniqueIndex("venue_reviews_pair_idx").on(table.venueId, table.userId),
    index("venue_reviews_venue_idx").on(table.venueId, table.id),
    index("venue_reviews_user_idx").on(table.userId),
    check("venue_reviews_rating_check", sql`${table.rating} BETWEEN 1 AND 5`),
  ],
);

export const selectTeacherProfileSchema = createSelectSchema(teacherProfiles);
export const selectVenueSchema = createSelectSchema(venues);
export type SelectTeacherProfile = typeof teacherProfiles.$inferSelect;
export type SelectVenue = typeof venues.$inferSelect;
