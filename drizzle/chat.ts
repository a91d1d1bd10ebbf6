import { index, integer, pgTable, serial, text, timestamp, uniqueIndex, varchar } from "drizzle-orm/pg-core";
import { createInsertSchema, createSelectSchema } from "drizzle-zod";
import { users } from "./users";

export const CHAT_ROOM_TYPES = ["direct", "group"] as const;
export const CHAT_MEDIA_TYPES = ["image", "video", "audio", "file"] as const;

export const chatRooms = pgTable("chat_rooms", {
  id: serial("id").primaryKey(),
  type: varchar("type").default("direct").notNull(),
  name: text("name"),
  avatar: text("avatar"),
  lastMessageAt: timestamp("last_message_at"),
  createdAt: timestamp("created_at").defaultNow(),
});

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
  },
  (table) => [
    index("chat_room_users_room_idx").on(table.chatRoomId),
    index("chat_room_users_user_idx").on(table.userId),
    uniqueIndex("unique_chat_participant").on(table.chatRoomId, table.userId),
  ],
);

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
  },
  (table) => [
    index("chat_messages_room_idx").on(table.chatRoomId),
    index("chat_messages_user_idx").on(table.userId),
    index("chat_messages_created_at_idx").on(table.createdAt),
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

export const insertChatMessageSchema = createInsertSchema(chatMessages).omit({ id: true, readBy: true, createdAt: true });
export const selectChatMessageSchema = createSelectSchema(chatMessages);
export type SelectChatMessage = typeof chatMessages.$inferSelect;
