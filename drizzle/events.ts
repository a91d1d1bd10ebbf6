import { sql } from "drizzle-orm";
import { boolean, index, integer, pgTable, serial, text, timestamp, uniqueIndex, varchar } from "drizzle-orm/pg-core";
import { createInsertSchema, createSelectSchema } from "drizzle-zod";
import { users } from "./users";

export const EVENT_TYPES = ["milonga", "practica", "festival", "workshop", "class"] as const;
export const EVENT_STATUSES = ["draft", "published", "cancelled"] as const;
export const EVENT_RECURRENCES = ["none", "daily", "weekly", "monthly"] as const;
export const RSVP_STATUSES = ["going", "interested", "not_going"] as const;

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
  },
  (table) => [
    index("events_user_idx").on(table.userId),
    index("events_start_date_idx").on(table.startDate),
    index("events_city_idx").on(table.city),
    // "Milongas in Buenos Aires from today": one index range per city, in date order.
    index("events_city_start_idx").on(table.city, table.startDate),
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
  },
  (table) => [
    index("event_rsvps_event_idx").on(table.eventId),
    index("event_rsvps_user_idx").on(table.userId),
    // Events two dancers both go to (the closeness job): index-only on both sides of the join.
    index("event_rsvps_going_idx").on(table.userId, table.eventId).where(sql`status = 'going'`),
    uniqueIndex("unique_rsvp").on(table.eventId, table.userId),
  ],
);

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
