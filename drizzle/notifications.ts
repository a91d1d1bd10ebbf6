import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from "drizzle-orm/pg-core";
import { users } from "./users";

export const EMAIL_STATUSES = ["pending", "sending", "sent", "failed"] as const;

/**
 * In-app notifications. Repeats of one event (same type, subject and actor) coalesce into
 * the unread row with the same `group_key`: its `count` grows and it moves to the top.
 */
export const notifications = pgTable(
  "notifications",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: varchar("type", { length: 64 }).notNull(),
    actorId: integer("actor_id").references(() => users.id, { onDelete: "cascade" }),
    subjectType: varchar("subject_type", { length: 32 }),
    subjectId: integer("subject_id"),
    data: jsonb("data").default({}).notNull(),
    groupKey: text("group_key").notNull(),
    count: integer("count").default(1).notNull(),
    isRead: boolean("is_read").default(false).notNull(),
    readAt: timestamp("read_at"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
  },
  (table) => [
    // The list, newest activity first, keyset-paginated.
    index("notifications_user_updated_idx").on(table.userId, table.updatedAt, table.id),
    // At most one unread row per event group: the coalescing target.
    uniqueIndex("notifications_unread_group_idx")
      .on(table.userId, table.groupKey)
      .where(sql`NOT ${table.isRead}`),
    // Cleanup: old read notifications.
    index("notifications_read_updated_idx").on(table.updatedAt).where(sql`${table.isRead}`),
    // The live watch (src/modules/notifications/notify.watch.ts): the unread rows a statement
    // just wrote or bumped (updated_at = its transaction's now()), read in the same round trip.
    index("notifications_unread_updated_idx").on(table.updatedAt).where(sql`NOT ${table.isRead}`),
  ],
);

/**
 * Outgoing email, drained by a cron job in batches with exponential backoff, a maximum
 * number of attempts, a per-user daily cap and a final `failed` state. Account emails
 * (verification, reset) hold no link: `data` carries their token encrypted, and the job
 * renders the email when it sends it. Nothing is sent after `expires_at` (a token's
 * expiry; two days for notification mail).
 */
export const emailQueue = pgTable(
  "email_queue",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id").references(() => users.id, { onDelete: "set null" }),
    toEmail: varchar("to_email").notNull(),
    template: varchar("template", { length: 64 }).notNull(),
    subject: text("subject").notNull(),
    bodyText: text("body_text").notNull(),
    bodyHtml: text("body_html"),
    status: varchar("status", { length: 16 }).default("pending").notNull(),
    attempts: integer("attempts").default(0).notNull(),
    maxAttempts: integer("max_attempts").default(12).notNull(),
    nextAttemptAt: timestamp("next_attempt_at").defaultNow().notNull(),
    lockedUntil: timestamp("locked_until"),
    lastError: text("last_error"),
    sentAt: timestamp("sent_at"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    /** What the job renders the email from at send time (secrets in it are encrypted). */
    data: jsonb("data"),
    /** Not sent after this: dropped as failed ("expired"). */
    expiresAt: timestamp("expires_at").default(sql`now() + interval '2 days'`),
  },
  (table) => [
    index("email_queue_due_idx")
      .on(table.nextAttemptAt)
      .where(sql`${table.status} IN ('pending', 'sending')`),
    index("email_queue_user_sent_idx").on(table.userId, table.sentAt),
    // Cleanup: delivered mail, and failed mail (bodies scrubbed, then rows deleted).
    index("email_queue_sent_idx").on(table.sentAt).where(sql`${table.status} = 'sent'`),
    index("email_queue_failed_idx").on(table.createdAt).where(sql`${table.status} = 'failed'`),
    check("email_queue_status_check", sql`${table.status} IN ('pending', 'sending', 'sent', 'failed')`),
  ],
);

export type SelectNotification = typeof notifications.$inferSelect;
export type SelectEmail = typeof emailQueue.$inferSelect;
