import { sql } from "drizzle-orm";
import { index, integer, pgTable, serial, text, timestamp, uniqueIndex, varchar } from "drizzle-orm/pg-core";
import { createInsertSchema, createSelectSchema } from "drizzle-zod";
import { users } from "./users";

export const FRIEND_REQUEST_STATUSES = ["pending", "accepted", "rejected", "cancelled"] as const;
export const FRIENDSHIP_STATUSES = ["active", "blocked"] as const;
export const FRIENDSHIP_ACTIVITY_TYPES = [
  "message_sent",
  "post_liked",
  "event_attended_together",
  "group_joined_together",
  "memory_shared",
  "dance_together",
] as const;
export const FRIENDSHIP_MEDIA_PHASES = ["request", "acceptance", "memory"] as const;

/** A new friendship starts at this closeness (0-100). */
export const INITIAL_CLOSENESS = 75;

export const friendRequests = pgTable(
  "friend_requests",
  {
    id: serial("id").primaryKey(),
    senderId: integer("sender_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    receiverId: integer("receiver_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    message: text("message"),
    status: varchar("status").default("pending").notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    respondedAt: timestamp("responded_at"),
  },
  (table) => [
    index("friend_requests_sender_idx").on(table.senderId),
    index("friend_requests_receiver_idx").on(table.receiverId),
    index("friend_requests_status_idx").on(table.status),
    uniqueIndex("unique_friend_request").on(table.senderId, table.receiverId),
    // Ours, beside the seed's: the pending lists (incoming, outgoing) page newest first.
    index("friend_requests_pending_in_idx")
      .on(table.receiverId, table.createdAt, table.id)
      .where(sql`status = 'pending'`),
    index("friend_requests_pending_out_idx")
      .on(table.senderId, table.createdAt, table.id)
      .where(sql`status = 'pending'`),
  ],
);

/** One row per direction: a friendship between A and B is (A, B) and (B, A). */
export const friendships = pgTable(
  "friendships",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    friendId: integer("friend_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    closenessScore: integer("closeness_score").default(INITIAL_CLOSENESS).notNull(),
    connectionDegree: integer("connection_degree").default(1).notNull(),
    lastInteractionAt: timestamp("last_interaction_at").defaultNow(),
    status: varchar("status").default("active").notNull(),
  },
  (table) => [
    index("friendships_user_idx").on(table.userId),
    index("friendships_friend_idx").on(table.friendId),
    index("friendships_closeness_idx").on(table.closenessScore),
    uniqueIndex("unique_friendship").on(table.userId, table.friendId),
    // "My closest friends": one index range per user, ordered by closeness (scanned backwards).
    index("friendships_user_closeness_idx").on(table.userId, table.closenessScore),
  ],
);

export const friendshipActivities = pgTable(
  "friendship_activities",
  {
    id: serial("id").primaryKey(),
    friendshipId: integer("friendship_id")
      .notNull()
      .references(() => friendships.id, { onDelete: "cascade" }),
    activityType: varchar("activity_type").notNull(),
    metadata: text("metadata"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    index("friendship_activities_friendship_idx").on(table.friendshipId),
    index("friendship_activities_type_idx").on(table.activityType),
    index("friendship_activities_date_idx").on(table.createdAt),
  ],
);

export const friendshipMedia = pgTable(
  "friendship_media",
  {
    id: serial("id").primaryKey(),
    friendRequestId: integer("friend_request_id").references(() => friendRequests.id, { onDelete: "cascade" }),
    friendshipId: integer("friendship_id").references(() => friendships.id, { onDelete: "cascade" }),
    uploaderId: integer("uploader_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    mediaUrl: text("media_url").notNull(),
    mediaType: varchar("media_type").notNull(),
    caption: text("caption"),
    phase: varchar("phase").notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    index("friendship_media_request_idx").on(table.friendRequestId),
    index("friendship_media_friendship_idx").on(table.friendshipId),
    index("friendship_media_uploader_idx").on(table.uploaderId),
  ],
);

export const insertFriendRequestSchema = createInsertSchema(friendRequests).omit({
  id: true,
  status: true,
  createdAt: true,
  respondedAt: true,
});
export const selectFriendshipSchema = createSelectSchema(friendships);
export type SelectFriendship = typeof friendships.$inferSelect;
export type SelectFriendRequest = typeof friendRequests.$inferSelect;
