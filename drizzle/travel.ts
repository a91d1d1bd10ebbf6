// Trips: a dancer publishes where they travel and when, so friends there are told and so they
// can be found by the trip planner (`GET /api/travel`). Visibility as for posts.

import { type SQL, sql } from "drizzle-orm";
import { check, date, doublePrecision, index, integer, pgTable, serial, text, timestamp, varchar } from "drizzle-orm/pg-core";
import { createSelectSchema } from "drizzle-zod";
import { optionalPoint } from "./geo";
import { daterange, point } from "./types";
import { users } from "./users";

export const TRIP_VISIBILITIES = ["public", "friends", "private"] as const;

export const trips = pgTable(
  "trips",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    city: varchar("city").notNull(),
    country: varchar("country").notNull(),
    latitude: doublePrecision("latitude"),
    longitude: doublePrecision("longitude"),
    // both days included: there from `starts_on` to `ends_on`;
    startsOn: date("starts_on").notNull(),
    endsOn: date("ends_on").notNull(),
    note: text("note"),
    visibility: varchar("visibility").default("friends").notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
    during: daterange("during").generatedAlwaysAs((): SQL => sql.raw(`daterange("starts_on", "ends_on", '[]')`)),
    geo: point("geo").generatedAlwaysAs(optionalPoint),
  },
  (table) => [
    index("trips_user_idx").on(table.userId, table.startsOn),
    // "Who is in Buenos Aires in March": a city's trips overlapping the dates.
    index("trips_city_during_idx").using("gist", table.city, table.during),
    check("trips_visibility_check", sql`${table.visibility} IN ('public', 'friends', 'private')`),
    check("trips_dates_check", sql`${table.endsOn} >= ${table.startsOn} AND ${table.endsOn} - ${table.startsOn} <= 365`),
    // (the same rule as geo.ts's coordinatesCheck, written before it with other whitespace: drizzle would see a change)
    check(
      "trips_coordinates_check",
      sql`(${table.latitude} IS NULL) = (${table.longitude} IS NULL)
        AND (${table.latitude} IS NULL OR (${table.latitude} BETWEEN -90 AND 90 AND ${table.longitude} BETWEEN -180 AND 180))`,
    ),
  ],
);

export const selectTripSchema = createSelectSchema(trips);
export type SelectTrip = typeof trips.$inferSelect;
