import { type SQL, sql } from "drizzle-orm";
import {
  boolean,
  check,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from "drizzle-orm/pg-core";
import { point, tsvector } from "./types";
import { createInsertSchema, createSelectSchema } from "drizzle-zod";
import { venues } from "./directory";
import { groups } from "./groups";
import { users } from "./users";

export const EVENT_TYPES = ["milonga", "practica", "festival", "workshop", "class", "marathon", "encuentro"] as const;
export const EVENT_STATUSES = ["draft", "published", "cancelled"] as const;
export const EVENT_RECURRENCES = ["none", "daily", "weekly", "monthly"] as const;
/** What a dancer answers; `waitlisted` is a `going` that found the event (or its role) full. */
export const RSVP_STATUSES = ["going", "interested", "not_going"] as const;
export const RSVP_STORED_STATUSES = [...RSVP_STATUSES, "waitlisted"] as const;
export const DANCE_ROLES = ["leader", "follower"] as const;
export const SERIES_FREQUENCIES = ["weekly", "monthly"] as const;
export const REMINDER_KINDS = ["24h", "1h"] as const;
export const TICKET_STATUSES = ["active", "cancelled"] as const;
export const CHECK_IN_METHODS = ["user", "ticket"] as const;


/**
 * An event's searchable text, as posts' (social.ts): accents folded, `simple` configuration.
 * Title first (weight A), then venue and city (B), then the description (C).
 */
function eventSearchDocument(): SQL {
  return sql.raw(`setweight(to_tsvector('simple'::regconfig, mt_unaccent(coalesce("title", ''))), 'A')
    || setweight(to_tsvector('simple'::regconfig, mt_unaccent(coalesce("venue", '') || ' ' || coalesce("city", ''))), 'B')
    || setweight(to_tsvector('simple'::regconfig, mt_unaccent(coalesce("description", ''))), 'C')`);
}

/**
 * A recurring series ("every Thursday", "the first Saturday of the month"): the template its
 * occurrences (rows of `events` with `series_id`) are made from, in its own IANA time zone, so
 * that 21:00 in Buenos Aires stays 21:00 across DST. A cron job materialises occurrences up to
 * a rolling window (`materialized_until`, a local date).
 */
export const eventSeries = pgTable(
  "event_series",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    groupId: integer("group_id").references(() => groups.id, { onDelete: "set null" }),
    title: varchar("title").notNull(),
    description: text("description").notNull(),
    imageUrl: text("image_url"),
    eventType: varchar("event_type").notNull(),
    location: text("location").notNull(),
    venue: varchar("venue"),
    address: text("address"),
    city: varchar("city"),
    country: varchar("country"),
    latitude: text("latitude"),
    longitude: text("longitude"),
    isOnline: boolean("is_online").default(false).notNull(),
    meetingUrl: text("meeting_url"),
    isPaid: boolean("is_paid").default(false).notNull(),
    price: text("price"),
    currency: varchar("currency", { length: 3 }),
    maxAttendees: integer("max_attendees"),
    maxLeaders: integer("max_leaders"),
    maxFollowers: integer("max_followers"),
    tags: text("tags").array(),
    status: varchar("status").default("published").notNull(),
    // The rule, in the series' time zone: weekly on `weekday` (0 = Sunday), or monthly on the
    // `ordinal`th `weekday` (1-4, or -1 for the last); every `interval` weeks or months.
    timezone: varchar("timezone").notNull(),
    frequency: varchar("frequency").notNull(),
    interval: smallint("interval").default(1).notNull(),
    weekday: smallint("weekday").notNull(),
    ordinal: smallint("ordinal"),
    startTime: varchar("start_time", { length: 5 }).notNull(),
    durationMinutes: integer("duration_minutes").notNull(),
    startsOn: date("starts_on").notNull(),
    until: date("until"),
    materializedUntil: date("materialized_until"),
    sequence: integer("sequence").default(0).notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
  },
  (table) => [
    index("event_series_user_idx").on(table.userId),
    // The cron job's work: active series whose window needs extending.
    index("event_series_window_idx").on(table.materializedUntil).where(sql`status = 'published'`),
    check("event_series_frequency_check", sql`${table.frequency} IN ('weekly', 'monthly')`),
    check("event_series_weekday_check", sql`${table.weekday} BETWEEN 0 AND 6`),
    check("event_series_ordinal_check", sql`${table.ordinal} IS NULL OR ${table.ordinal} IN (-1, 1, 2, 3, 4)`),
    check("event_series_interval_check", sql`${table.interval} BETWEEN 1 AND 12`),
    check("event_series_status_check", sql`${table.status} IN ('draft', 'published', 'cancelled')`),
  ],
);

export const events = pgTable(
  "events",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),

    // Basic info
    title: varchar("title").notNull(),
    description: text("description").notNull(),
    imageUrl: text("image_url"),
    eventType: varchar("event_type").notNull(),

    // Date and time
    startDate: timestamp("start_date").notNull(),
    endDate: timestamp("end_date"),
    date: text("date"),
    recurring: varchar("recurring"),

    // Location
    location: text("location").notNull(),
    venue: varchar("venue"),
    address: text("address"),
    city: varchar("city"),
    country: varchar("country"),
    latitude: text("latitude"),
    longitude: text("longitude"),
    isOnline: boolean("is_online").default(false),
    meetingUrl: text("meeting_url"),

    // Pricing
    isPaid: boolean("is_paid").default(false),
    price: text("price"),
    currency: varchar("currency"),
    ticketUrl: text("ticket_url"),

    // Capacity
    maxAttendees: integer("max_attendees"),

    // Metadata
    status: varchar("status").default("published"),
    tags: text("tags").array(),

    createdAt: timestamp("created_at").defaultNow(),
    updatedAt: timestamp("updated_at").defaultNow(),

    // Added after the seed (so last, as the migrations added them):
    // role caps that keep a milonga balanced (each within max_attendees);
    maxLeaders: integer("max_leaders"),
    maxFollowers: integer("max_followers"),
    // the counters the RSVP statements keep exact (a conditional UPDATE of this row is what
    // serialises concurrent RSVPs: capacity and caps are checked against these);
    goingCount: integer("going_count").default(0).notNull(),
    leadersGoing: integer("leaders_going").default(0).notNull(),
    followersGoing: integer("followers_going").default(0).notNull(),
    interestedCount: integer("interested_count").default(0).notNull(),
    waitlistCount: integer("waitlist_count").default(0).notNull(),
    // the IANA zone the event's local times are in (series occurrences, iCal);
    timezone: varchar("timezone").default("UTC").notNull(),
    // a series' occurrence: its local date, and whether it was edited alone (series edits skip it);
    seriesId: integer("series_id").references(() => eventSeries.id, { onDelete: "cascade" }),
    occurrenceOn: date("occurrence_on"),
    detached: boolean("detached").default(false).notNull(),
    // hosted by a group (its private groups' events are for members only);
    groupId: integer("group_id").references(() => groups.id, { onDelete: "set null" }),
    // iCal SEQUENCE, bumped by every edit; views counted in batches (not a write per view);
    sequence: integer("sequence").default(0).notNull(),
    views: integer("views").default(0).notNull(),
    cancelledAt: timestamp("cancelled_at"),
    // moderation: hidden from everyone but its organizers while under review;
    hiddenAt: timestamp("hidden_at"),
    // coordinates as a point (x = longitude, y = latitude) when both parse: "near" searches a
    // bounding box on its GiST index, then the exact distance;
    geo: point("geo").generatedAlwaysAs(
      (): SQL =>
        sql.raw(`CASE WHEN "latitude" ~ '^-?[0-9]{1,2}(\\.[0-9]+)?$' AND "longitude" ~ '^-?[0-9]{1,3}(\\.[0-9]+)?$'
          THEN point("longitude"::float8, "latitude"::float8) END`),
    ),
    // full-text search (GIN below), kept by Postgres from the text columns.
    searchVector: tsvector("search_vector").generatedAlwaysAs(eventSearchDocument),
    // the venue from the directory it takes place at, when linked;
    venueId: integer("venue_id").references(() => venues.id, { onDelete: "set null" }),
  },
  (table) => [
    index("events_user_idx").on(table.userId),
    index("events_start_date_idx").on(table.startDate),
    index("events_city_idx").on(table.city),
    // "Milongas in Buenos Aires from today": one index range per city, in date order.
    index("events_city_start_idx").on(table.city, table.startDate),
    // Discovery without a city: published events in date order (upcoming first, by keyset).
    index("events_upcoming_idx").on(table.startDate, table.id).where(sql`status = 'published' AND hidden_at IS NULL`),
    index("events_geo_idx").using("gist", table.geo),
    index("events_search_idx").using("gin", table.searchVector),
    index("events_group_idx").on(table.groupId, table.startDate),
    // A venue's events (its page, and who may review it).
    index("events_venue_idx").on(table.venueId, table.startDate),
    uniqueIndex("events_series_occurrence_idx").on(table.seriesId, table.occurrenceOn),
    check(
      "events_type_check",
      sql`${table.eventType} IN ('milonga', 'practica', 'festival', 'workshop', 'class', 'marathon', 'encuentro')`,
    ),
    check("events_status_check", sql`${table.status} IN ('draft', 'published', 'cancelled')`),
    check("events_dates_check", sql`${table.endDate} IS NULL OR ${table.endDate} >= ${table.startDate}`),
    check(
      "events_counts_check",
      sql`${table.goingCount} >= 0 AND ${table.leadersGoing} >= 0 AND ${table.followersGoing} >= 0
        AND ${table.interestedCount} >= 0 AND ${table.waitlistCount} >= 0`,
    ),
    check("events_capacity_check", sql`${table.maxAttendees} IS NULL OR ${table.goingCount} <= ${table.maxAttendees}`),
    check("events_leaders_check", sql`${table.maxLeaders} IS NULL OR ${table.leadersGoing} <= ${table.maxLeaders}`),
    check("events_followers_check", sql`${table.maxFollowers} IS NULL OR ${table.followersGoing} <= ${table.maxFollowers}`),
  ],
);

export const eventRsvps = pgTable(
  "event_rsvps",
  {
    id: serial("id").primaryKey(),
    eventId: integer("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    status: varchar("status").notNull(),
    createdAt: timestamp("created_at").defaultNow(),

    // Added after the seed: the dance role counted against the event's caps, when the answer
    // last changed, and a waitlisted dancer's place in line (FIFO by (queued_at, id)).
    role: varchar("role"),
    updatedAt: timestamp("updated_at").defaultNow(),
    queuedAt: timestamp("queued_at"),
  },
  (table) => [
    index("event_rsvps_event_idx").on(table.eventId),
    index("event_rsvps_user_idx").on(table.userId),
    // Events two dancers both go to (the closeness job): index-only on both sides of the join.
    index("event_rsvps_going_idx").on(table.userId, table.eventId).where(sql`status = 'going'`),
    uniqueIndex("unique_rsvp").on(table.eventId, table.userId),
    // A day's RSVPs (the analytics roll-up).
    index("event_rsvps_created_at_idx").on(table.createdAt),
    // The attendee list by keyset, and counts per status and role.
    index("event_rsvps_event_status_idx").on(table.eventId, table.status, table.createdAt, table.id),
    // The waitlist in order: the first in line is promoted when a seat frees.
    index("event_rsvps_waitlist_idx").on(table.eventId, table.queuedAt, table.id).where(sql`status = 'waitlisted'`),
    check("event_rsvps_status_check", sql`${table.status} IN ('going', 'interested', 'not_going', 'waitlisted')`),
    check("event_rsvps_role_check", sql`${table.role} IS NULL OR ${table.role} IN ('leader', 'follower')`),
  ],
);

/** Co-organizers: may edit the event (not delete it), check dancers in, see its analytics. */
export const eventCoOrganizers = pgTable(
  "event_co_organizers",
  {
    eventId: integer("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    addedBy: integer("added_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [primaryKey({ columns: [table.eventId, table.userId] }), index("event_co_organizers_user_idx").on(table.userId)],
);

/** A ticket for a paid event: one per going RSVP, with an unguessable code; cancelled with the RSVP. */
export const eventTickets = pgTable(
  "event_tickets",
  {
    id: serial("id").primaryKey(),
    eventId: integer("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    code: varchar("code", { length: 32 }).notNull(),
    status: varchar("status").default("active").notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    cancelledAt: timestamp("cancelled_at"),
  },
  (table) => [
    uniqueIndex("event_tickets_code_idx").on(table.code),
    // One live ticket per dancer and event (a cancelled one stays, for the record).
    uniqueIndex("event_tickets_active_idx").on(table.eventId, table.userId).where(sql`status = 'active'`),
    // A dancer's tickets, newest first by keyset (GET /api/me/tickets).
    index("event_tickets_user_created_idx").on(table.userId, table.createdAt, table.id),
    check("event_tickets_status_check", sql`${table.status} IN ('active', 'cancelled')`),
  ],
);

/** Who was there: written by a check-in (by the organizers), by dancer or by ticket code. */
export const eventAttendees = pgTable(
  "event_attendees",
  {
    eventId: integer("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    method: varchar("method").notNull(),
    ticketId: integer("ticket_id").references(() => eventTickets.id, { onDelete: "set null" }),
    checkedInBy: integer("checked_in_by").references(() => users.id, { onDelete: "set null" }),
    checkedInAt: timestamp("checked_in_at").defaultNow().notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.eventId, table.userId] }),
    index("event_attendees_user_idx").on(table.userId),
    // An event's check-ins in order, by keyset (the organizers' list).
    index("event_attendees_checked_in_idx").on(table.eventId, table.checkedInAt, table.userId),
    check("event_attendees_method_check", sql`${table.method} IN ('user', 'ticket')`),
  ],
);

/** Views per event and day, added in batches by the views queue's consumer. */
export const eventAnalytics = pgTable(
  "event_analytics",
  {
    eventId: integer("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    day: date("day").notNull(),
    views: integer("views").default(0).notNull(),
  },
  (table) => [primaryKey({ columns: [table.eventId, table.day] })],
);

/**
 * A reminder sent (24 h or 1 h before the start): one row per dancer, event, kind and start
 * time, so overlapping cron runs send each exactly once and an event moved later gets new ones.
 */
export const eventReminders = pgTable(
  "event_reminders",
  {
    id: serial("id").primaryKey(),
    eventId: integer("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: varchar("kind", { length: 8 }).notNull(),
    startsAt: timestamp("starts_at").notNull(),
    sentAt: timestamp("sent_at").defaultNow().notNull(),
  },
  (table) => [
    uniqueIndex("event_reminders_once_idx").on(table.eventId, table.userId, table.kind, table.startsAt),
    check("event_reminders_kind_check", sql`${table.kind} IN ('24h', '1h')`),
  ],
);

/** Photos attendees add (media service URLs); the organizers or the author remove them. */
export const eventPhotos = pgTable(
  "event_photos",
  {
    id: serial("id").primaryKey(),
    eventId: integer("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    caption: text("caption"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    hiddenAt: timestamp("hidden_at"),
  },
  (table) => [index("event_photos_event_idx").on(table.eventId, table.createdAt, table.id)],
);

/** A review by a dancer checked in, after the event's end: one each, editable by its author. */
export const eventReviews = pgTable(
  "event_reviews",
  {
    id: serial("id").primaryKey(),
    eventId: integer("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    rating: smallint("rating").notNull(),
    text: text("text"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
    hiddenAt: timestamp("hidden_at"),
  },
  (table) => [
    uniqueIndex("event_reviews_once_idx").on(table.eventId, table.userId),
    index("event_reviews_event_idx").on(table.eventId, table.createdAt, table.id),
    check("event_reviews_rating_check", sql`${table.rating} BETWEEN 1 AND 5`),
  ],
);

/**
 * A dancer's personal calendar feed (the events they go to) behind a secret URL: only the
 * token's SHA-256 is stored; rotating replaces it, and the old URL stops working.
 */
export const calendarFeeds = pgTable("calendar_feeds", {
  userId: integer("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  tokenHash: varchar("token_hash", { length: 64 }).notNull().unique("calendar_feeds_token_idx"),
  createdAt: timestamp("created_at").defaultNow().notNull(),
});

export const insertEventSchema = createInsertSchema(events).omit({
  id: true,
  userId: true,
  createdAt: true,
  updatedAt: true,
});
export const selectEventSchema = createSelectSchema(events);
export const insertEventRsvpSchema = createInsertSchema(eventRsvps).omit({ id: true, createdAt: true });
export type SelectEvent = typeof events.$inferSelect;
export type InsertEvent = typeof events.$inferInsert;
