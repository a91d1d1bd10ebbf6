// Chat: rooms, their members, messages and reactions (the seed's messaging tables), plus what the
// Durable Objects need from Postgres. A room's messages are numbered by its ChatRoom Durable
// Object (`room_seq`, 1, 2, 3... within the room): the object acknowledges a message before
// Postgres has it, so the number cannot come from a Postgres sequence. The API calls that number
// the message's `id`; the serial `id` column stays internal (reactions reference it).

import { type SQL, sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from "drizzle-orm/pg-core";
import { tsvector } from "./types";
import { createInsertSchema, createSelectSchema } from "drizzle-zod";
import { events } from "./events";
import { users } from "./users";

/** `direct`: two dancers, one room per pair; `group`: named, with admins; `event`: an event's dancers going. */
export const CHAT_ROOM_TYPES = ["direct", "group", "event"] as const;
export const CHAT_MEDIA_TYPES = ["image", "video", "audio", "file"] as const;
export const CHAT_MEMBER_ROLES = ["member", "admin"] as const;


export const chatRooms = pgTable(
  "chat_rooms",
  {
    id: serial("id").primaryKey(),
    type: varchar("type").default("direct").notNull(),
    name: text("name"),
    avatar: text("avatar"),
    lastMessageAt: timestamp("last_message_at"),
    createdAt: timestamp("created_at").defaultNow(),

    // Added after the seed (so last, as the migration added them):
    // a direct room's pair, "<smaller id>:<larger id>": unique, so get-or-create makes one room per pair;
    directKey: varchar("direct_key", { length: 32 }),
    // an event room's event (one room per event);
    eventId: integer("event_id").references(() => events.id, { onDelete: "cascade" }),
    createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
    // the newest message flushed to Postgres (room_seq), with a preview, for the room list.
    lastMessageSeq: integer("last_message_seq").default(0).notNull(),
    lastMessagePreview: text("last_message_preview"),
    lastMessageUserId: integer("last_message_user_id").references(() => users.id, { onDelete: "set null" }),
    // members, kept exact by the statements that change memberships.
    memberCount: integer("member_count").default(0).notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
  },
  (table) => [
    uniqueIndex("chat_rooms_direct_key_idx").on(table.directKey).where(sql`direct_key IS NOT NULL`),
    uniqueIndex("chat_rooms_event_idx").on(table.eventId).where(sql`event_id IS NOT NULL`),
    check("chat_rooms_type_check", sql`${table.type} IN ('direct', 'group', 'event')`),
    check("chat_rooms_direct_check", sql`(${table.type} = 'direct') = (${table.directKey} IS NOT NULL)`),
    check("chat_rooms_event_check", sql`(${table.type} = 'event') = (${table.eventId} IS NOT NULL)`),
    check("chat_rooms_member_count_check", sql`${table.memberCount} >= 0`),
  ],
);

export const chatRoomUsers = pgTable(
  "chat_room_users",
  {
    id: serial("id").primaryKey(),
    chatRoomId: integer("chat_room_id")
      .notNull()
      .references(() => chatRooms.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    lastReadAt: timestamp("last_read_at"),
    joinedAt: timestamp("joined_at").defaultNow(),

    // Added after the seed:
    role: varchar("role", { length: 16 }).default("member").notNull(),
    // the member's read and delivery receipts: the newest message (room_seq) read or delivered.
    lastReadSeq: integer("last_read_seq").default(0).notNull(),
    lastDeliveredSeq: integer("last_delivered_seq").default(0).notNull(),
    // per member: pinned rooms first in the list; muted rooms send no notification.
    pinnedAt: timestamp("pinned_at"),
    muted: boolean("muted").default(false).notNull(),
  },
  (table) => [
    index("chat_room_users_room_idx").on(table.chatRoomId),
    index("chat_room_users_user_idx").on(table.userId),
    uniqueIndex("unique_chat_participant").on(table.chatRoomId, table.userId),
    check("chat_room_users_role_check", sql`${table.role} IN ('member', 'admin')`),
    check("chat_room_users_receipts_check", sql`${table.lastReadSeq} >= 0 AND ${table.lastDeliveredSeq} >= 0`),
  ],
);

/** A message's searchable text: accents folded, `simple` configuration (every language alike). */
export function chatMessageSearchDocument(message: SQL | string): SQL {
  return sql`to_tsvector('simple'::regconfig, mt_unaccent(coalesce(${message}, '')))`;
}

export const chatMessages = pgTable(
  "chat_messages",
  {
    id: serial("id").primaryKey(),
    chatRoomId: integer("chat_room_id")
      .notNull()
      .references(() => chatRooms.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    message: text("message").notNull(),
    mediaUrl: text("media_url"),
    mediaType: varchar("media_type"),
    readBy: text("read_by").array(),
    createdAt: timestamp("created_at").defaultNow(),

    // Added after the seed:
    // the message's number in its room, given by the room's Durable Object (the API's message id);
    roomSeq: integer("room_seq").notNull(),
    // the sender's id for the message: a retried send with the same one is the same message;
    clientId: varchar("client_id", { length: 64 }),
    replyToSeq: integer("reply_to_seq"),
    editedAt: timestamp("edited_at"),
    // a deleted message keeps its place (and number) with its text cleared.
    deletedAt: timestamp("deleted_at"),
    searchVector: tsvector("search_vector").generatedAlwaysAs((): SQL => chatMessageSearchDocument(sql.raw(`"message"`))),
  },
  (table) => [
    index("chat_messages_room_idx").on(table.chatRoomId),
    index("chat_messages_user_idx").on(table.userId),
    index("chat_messages_created_at_idx").on(table.createdAt),
    // History newest first by keyset, resume after a number, and the flush's idempotent insert.
    uniqueIndex("chat_messages_room_seq_idx").on(table.chatRoomId, table.roomSeq),
    uniqueIndex("chat_messages_client_idx").on(table.chatRoomId, table.userId, table.clientId).where(sql`client_id IS NOT NULL`),
    // In-room search: the room's id beside the document (btree_gin), so a word the room does not
    // contain is found absent in the index, not by walking the room's history.
    index("chat_messages_room_search_idx").using("gin", table.chatRoomId, table.searchVector),
    check("chat_messages_room_seq_check", sql`${table.roomSeq} > 0`),
  ],
);

export const messageReactions = pgTable(
  "message_reactions",
  {
    id: serial("id").primaryKey(),
    messageId: integer("message_id")
      .notNull()
      .references(() => chatMessages.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    emoji: varchar("emoji").notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    index("message_reactions_message_idx").on(table.messageId),
    index("message_reactions_user_idx").on(table.userId),
    uniqueIndex("unique_message_reaction").on(table.messageId, table.userId, table.emoji),
  ],
);

/**
 * Who has a live connection (`GET /api/live`) right now: written by each dancer's UserHub
 * Durable Object when its first socket opens, refreshed while any stays open, and removed when
 * the last one closes. A row past `expires_at` counts as offline (a hub that died without
 * closing). Chat reads it to choose between a live push and a coalesced notification.
 */
export const livePresence = pgTable(
  "live_presence",
  {
    userId: integer("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    connections: integer("connections").default(0).notNull(),
    connectedAt: timestamp("connected_at").defaultNow().notNull(),
    expiresAt: timestamp("expires_at").notNull(),
  },
  (table) => [index("live_presence_expires_idx").on(table.expiresAt)],
);

export const insertChatMessageSchema = createInsertSchema(chatMessages).omit({
  id: true,
  readBy: true,
  createdAt: true,
});
export const selectChatMessageSchema = createSelectSchema(chatMessages);
export type SelectChatMessage = typeof chatMessages.$inferSelect;
