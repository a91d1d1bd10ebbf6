// One moderation pipeline for posts, comments, users, events and groups (chat messages join later):
// reports from dancers, a queue for moderators, and every action recorded.

import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex, varchar } from "drizzle-orm/pg-core";
import { users } from "./users";

/** What can be reported (`target_type` of reports, the queue and actions). */
export const MODERATION_TARGETS = ["post", "comment", "user", "event", "group"] as const;
/** The fixed list of reasons a report gives. */
export const REPORT_REASONS = [
  "spam",
  "harassment",
  "hate",
  "violence",
  "nudity",
  "misinformation",
  "impersonation",
  "other",
] as const;
export const QUEUE_STATUSES = ["pending", "claimed", "resolved", "dismissed"] as const;

/** A dancer's report of a post, comment, user or event: one per reporter and target. */
export const reports = pgTable(
  "reports",
  {
    id: serial("id").primaryKey(),
    reporterId: integer("reporter_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    targetType: varchar("target_type", { length: 16 }).notNull(),
    targetId: integer("target_id").notNull(),
    reason: varchar("reason", { length: 32 }).notNull(),
    details: text("details"),
    queueId: integer("queue_id").references(() => moderationQueue.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    uniqueIndex("reports_reporter_target_idx").on(table.reporterId, table.targetType, table.targetId),
    index("reports_target_idx").on(table.targetType, table.targetId),
    index("reports_queue_idx").on(table.queueId),
  ],
);

/**
 * What moderators work through: one open item per target (pending or claimed), counting its
 * distinct reporters; closed items stay as the record.
 */
export const moderationQueue = pgTable(
  "moderation_queue",
  {
    id: serial("id").primaryKey(),
    targetType: varchar("target_type", { length: 16 }).notNull(),
    targetId: integer("target_id").notNull(),
    /** Whose content it is (the reported user for a user), for the moderator's view. */
    targetOwnerId: integer("target_owner_id").references(() => users.id, { onDelete: "set null" }),
    status: varchar("status", { length: 16 }).default("pending").notNull(),
    reportCount: integer("report_count").default(0).notNull(),
    claimedBy: integer("claimed_by").references(() => users.id, { onDelete: "set null" }),
    claimedAt: timestamp("claimed_at"),
    resolvedBy: integer("resolved_by").references(() => users.id, { onDelete: "set null" }),
    resolvedAt: timestamp("resolved_at"),
    resolution: text("resolution"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
  },
  (table) => [
    check("moderation_queue_status", sql`${table.status} IN ('pending', 'claimed', 'resolved', 'dismissed')`),
    uniqueIndex("moderation_queue_open_target_idx")
      .on(table.targetType, table.targetId)
      .where(sql`${table.status} IN ('pending', 'claimed')`),
    index("moderation_queue_status_created_idx").on(table.status, table.createdAt, table.id),
  ],
);

/** Every moderation action (claim, hide, unhide, remove, dismiss, resolve, suspend...), as it happened. */
export const moderationActions = pgTable(
  "moderation_actions",
  {
    id: serial("id").primaryKey(),
    queueId: integer("queue_id").references(() => moderationQueue.id, { onDelete: "set null" }),
    /** Null for what the system did (hiding content after enough reports). */
    moderatorId: integer("moderator_id").references(() => users.id, { onDelete: "set null" }),
    targetType: varchar("target_type", { length: 16 }).notNull(),
    targetId: integer("target_id").notNull(),
    action: varchar("action", { length: 32 }).notNull(),
    note: text("note"),
    /** The content as it was, for a removal. */
    snapshot: jsonb("snapshot"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    index("moderation_actions_target_idx").on(table.targetType, table.targetId, table.createdAt),
    index("moderation_actions_queue_idx").on(table.queueId),
  ],
);
