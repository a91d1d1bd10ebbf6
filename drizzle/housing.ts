// Housing: dancers hosting dancers (the seed's Housing category; the original platform's
// `host_homes` and `guest_bookings`). A listing's exact address is for its host and its
// confirmed guests only. Two pending or approved bookings of one home never overlap: an
// exclusion constraint on the stay's date range says so (migrations/0016, with btree_gist),
// so no interleaving of requests can break it.

import { type SQL, sql } from "drizzle-orm";
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
import { daterange, point, tsvector } from "./types";
import { users } from "./users";

/** Who may request a stay: anyone, the host's friends, or friends of their friends too. */
export const BOOKING_POLICIES = ["anyone", "friends", "friends_of_friends"] as const;
export const HOME_STATUSES = ["active", "paused"] as const;
/** pending → approved | rejected (host) | cancelled (guest, also after approval); approved → completed after checkout. */
export const BOOKING_STATUSES = ["pending", "approved", "rejected", "cancelled", "completed"] as const;
/** A guest reviews the home (and so its host); a host reviews the guest. */
export const HOUSING_REVIEW_DIRECTIONS = ["guest_to_home", "host_to_guest"] as const;
/** The longest stay one booking may ask for, in nights. */
export const MAX_STAY_NIGHTS = 90;

/** A listing's searchable text: title (A), city and country (B), description (C); accents folded. */
function homeSearchDocument(): SQL {
  return sql.raw(`setweight(to_tsvector('simple'::regconfig, mt_unaccent(coalesce("title", ''))), 'A')
    || setweight(to_tsvector('simple'::regconfig, mt_unaccent(coalesce("city", '') || ' ' || coalesce("country", ''))), 'B')
    || setweight(to_tsvector('simple'::regconfig, mt_unaccent(coalesce("description", ''))), 'C')`);
}

export const hostHomes = pgTable(
  "host_homes",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: varchar("title").notNull(),
    description: text("description").notNull(),
    // the exact address: shown to the host and to guests with an approved (or completed) stay;
    address: text("address").notNull(),
    city: varchar("city").notNull(),
    country: varchar("country").notNull(),
    latitude: doublePrecision("latitude").notNull(),
    longitude: doublePrecision("longitude").notNull(),
    amenities: text("amenities").array().default(sql`'{}'::text[]`).notNull(),
    maxGuests: smallint("max_guests").notNull(),
    // per night, in the currency's minor unit (cents); the server computes every total;
    pricePerNight: integer("price_per_night").notNull(),
    currency: varchar("currency", { length: 3 }).notNull(),
    houseRules: text("house_rules").notNull(),
    bookingPolicy: varchar("booking_policy").default("anyone").notNull(),
    status: varchar("status").default("active").notNull(),
    // reviews of the home (guest_to_home), kept by the review statements;
    reviewCount: integer("review_count").default(0).notNull(),
    ratingSum: integer("rating_sum").default(0).notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
    // x = longitude, y = latitude: `near=` narrows on the GiST index, then the exact distance;
    geo: point("geo").generatedAlwaysAs((): SQL => sql.raw(`point("longitude", "latitude")`)),
    searchVector: tsvector("search_vector").generatedAlwaysAs(homeSearchDocument),
  },
  (table) => [
    index("host_homes_user_idx").on(table.userId, table.id),
    // "Where can I stay in Buenos Aires": a city's active listings, newest first.
    index("host_homes_city_idx").on(table.city, table.id).where(sql`status = 'active'`),
    index("host_homes_geo_idx").using("gist", table.geo),
    index("host_homes_search_idx").using("gin", table.searchVector),
    check("host_homes_booking_policy_check", sql`${table.bookingPolicy} IN ('anyone', 'friends', 'friends_of_friends')`),
    check("host_homes_status_check", sql`${table.status} IN ('active', 'paused')`),
    check("host_homes_guests_check", sql`${table.maxGuests} BETWEEN 1 AND 50`),
    check("host_homes_price_check", sql`${table.pricePerNight} >= 0`),
    check("host_homes_coordinates_check", sql`${table.latitude} BETWEEN -90 AND 90 AND ${table.longitude} BETWEEN -180 AND 180`),
    check("host_homes_reviews_check", sql`${table.reviewCount} >= 0 AND ${table.ratingSum} >= 0`),
  ],
);

/** A listing's photos, uploaded through the media service (`POST /api/media`), in the host's order. */
export const hostHomePhotos = pgTable(
  "host_home_photos",
  {
    id: serial("id").primaryKey(),
    homeId: integer("home_id")
      .notNull()
      .references(() => hostHomes.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    caption: text("caption"),
    position: smallint("position").notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [uniqueIndex("host_home_photos_position_idx").on(table.homeId, table.position)],
);

/** Dates the host keeps closed (`[starts_on, ends_on)`, as stays): no request may overlap them. */
export const hostHomeBlockedDates = pgTable(
  "host_home_blocked_dates",
  {
    id: serial("id").primaryKey(),
    homeId: integer("home_id")
      .notNull()
      .references(() => hostHomes.id, { onDelete: "cascade" }),
    startsOn: date("starts_on").notNull(),
    endsOn: date("ends_on").notNull(),
    reason: text("reason"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    during: daterange("during").generatedAlwaysAs((): SQL => sql.raw(`daterange("starts_on", "ends_on", '[)')`)),
  },
  (table) => [
    index("host_home_blocked_dates_during_idx").using("gist", table.homeId, table.during),
    check("host_home_blocked_dates_range_check", sql`${table.endsOn} > ${table.startsOn}`),
  ],
);

export const guestBookings = pgTable(
  "guest_bookings",
  {
    id: serial("id").primaryKey(),
    homeId: integer("home_id")
      .notNull()
      .references(() => hostHomes.id, { onDelete: "cascade" }),
    guestId: integer("guest_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // the stay: nights from check-in up to (not including) check-out, so back-to-back stays meet;
    checkIn: date("check_in").notNull(),
    checkOut: date("check_out").notNull(),
    guests: smallint("guests").notNull(),
    message: text("message").notNull(),
    // the house rules the guest accepted, as they read when the request was made;
    rulesAcceptedAt: timestamp("rules_accepted_at").notNull(),
    houseRules: text("house_rules").notNull(),
    // the price, computed by the server from the listing at request time (minor units);
    nights: smallint("nights").notNull(),
    pricePerNight: integer("price_per_night").notNull(),
    totalPrice: integer("total_price").notNull(),
    currency: varchar("currency", { length: 3 }).notNull(),
    status: varchar("status").default("pending").notNull(),
    hostMessage: text("host_message"),
    respondedAt: timestamp("responded_at"),
    cancelledAt: timestamp("cancelled_at"),
    completedAt: timestamp("completed_at"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
    stay: daterange("stay").generatedAlwaysAs((): SQL => sql.raw(`daterange("check_in", "check_out", '[)')`)),
  },
  (table) => [
    index("guest_bookings_home_idx").on(table.homeId, table.checkIn),
    index("guest_bookings_guest_idx").on(table.guestId, table.id),
    // The completion job's work: approved stays whose checkout has passed.
    index("guest_bookings_checkout_idx").on(table.checkOut).where(sql`status = 'approved'`),
    // (The exclusion constraint guest_bookings_no_overlap is in migrations/0016: drizzle cannot declare one.)
    check("guest_bookings_status_check", sql`${table.status} IN ('pending', 'approved', 'rejected', 'cancelled', 'completed')`),
    check("guest_bookings_dates_check", sql`${table.checkOut} > ${table.checkIn} AND ${table.checkOut} - ${table.checkIn} <= 90`),
    check("guest_bookings_guests_check", sql`${table.guests} BETWEEN 1 AND 50`),
    check("guest_bookings_price_check", sql`${table.pricePerNight} >= 0 AND ${table.totalPrice} = ${table.pricePerNight} * ${table.nights}`),
    check("guest_bookings_nights_check", sql`${table.nights} = ${table.checkOut} - ${table.checkIn}`),
  ],
);

/** After a completed stay, once per side: the guest reviews the home, the host reviews the guest. */
export const housingReviews = pgTable(
  "housing_reviews",
  {
    id: serial("id").primaryKey(),
    bookingId: integer("booking_id")
      .notNull()
      .references(() => guestBookings.id, { onDelete: "cascade" }),
    homeId: integer("home_id")
      .notNull()
      .references(() => hostHomes.id, { onDelete: "cascade" }),
    reviewerId: integer("reviewer_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // the host (guest_to_home) or the guest (host_to_guest): reviews show on their profile;
    revieweeId: integer("reviewee_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    direction: varchar("direction").notNull(),
    rating: smallint("rating").notNull(),
    comment: text("comment"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
  },
  (table) => [
    uniqueIndex("housing_reviews_booking_direction_idx").on(table.bookingId, table.direction),
    index("housing_reviews_home_idx").on(table.homeId, table.id).where(sql`direction = 'guest_to_home'`),
    index("housing_reviews_reviewee_idx").on(table.revieweeId, table.id),
    check("housing_reviews_direction_check", sql`${table.direction} IN ('guest_to_home', 'host_to_guest')`),
    check("housing_reviews_rating_check", sql`${table.rating} BETWEEN 1 AND 5`),
  ],
);

export const selectHostHomeSchema = createSelectSchema(hostHomes);
export const selectGuestBookingSchema = createSelectSchema(guestBookings);
export type SelectHostHome = typeof hostHomes.$inferSelect;
export type SelectGuestBooking = typeof guestBookings.$inferSelect;
