import { z } from "@hono/zod-openapi";
import { CHAT_MEMBER_ROLES, CHAT_ROOM_TYPES } from "../../../drizzle/chat";
import { INT4_MAX, PositiveIntId, singleLine } from "../../lib/text";
import { isoUtc } from "../../lib/time";
import { MediaUrl } from "../media";
import { type UserCard, UserCardSchema } from "../users";

/** Most dancers a group room is created with, or added in one request. */
export const MAX_MEMBERS_PER_REQUEST = 100;
/** The other members' cards a room item carries. */
export const ROOM_CARDS = 5;

const UserId = z.number().int().min(1).max(INT4_MAX);

/** A list of distinct dancer ids, at most {@link MAX_MEMBERS_PER_REQUEST}. */
const DistinctUserIds = z
  .array(UserId)
  .max(MAX_MEMBERS_PER_REQUEST)
  .refine((ids) => new Set(ids).size === ids.length, "Each dancer once")
  .openapi({ example: [7, 12] });

export const RoomTypeSchema = z.enum(CHAT_ROOM_TYPES).openapi({
  description: "`direct`: two dancers, one room per pair; `group`: named, with admins; `event`: an event's organizers and dancers going",
});
export const RoomRoleSchema = z.enum(CHAT_MEMBER_ROLES).openapi({ description: "Admins rename the room and manage its members" });
export type RoomRole = z.infer<typeof RoomRoleSchema>;

const RoomName = singleLine(80, 1).openapi({ example: "Tanda de los jueves" });

export const CreateRoomBody = z
  .discriminatedUnion("type", [
    z
      .object({
        type: z.literal("direct"),
        userId: UserId.openapi({ description: "The other dancer", example: 7 }),
      })
      .openapi("CreateDirectRoom"),
    z
      .object({
        type: z.literal("group"),
        name: RoomName,
        avatar: MediaUrl.optional().openapi({ description: "An image uploaded with POST /api/media" }),
        memberIds: DistinctUserIds.refine((ids) => ids.length > 0, "At least one other dancer").openapi({ description: `The other members, 1-${MAX_MEMBERS_PER_REQUEST} distinct dancers (not the caller, who is the admin)` }),
      })
      .openapi("CreateGroupRoom"),
    z
      .object({
        type: z.literal("event"),
        eventId: UserId.openapi({ description: "An event the caller organizes", example: 42 }),
      })
      .openapi("CreateEventRoom"),
  ])
  .openapi("CreateChatRoom");
export type CreateRoomInput = z.infer<typeof CreateRoomBody>;
export type CreateGroupRoomInput = Extract<CreateRoomInput, { type: "group" }>;

export const UpdateRoomBody = z
  .object({
    name: RoomName.optional(),
    avatar: MediaUrl.nullable().optional().openapi({ description: "An image uploaded with POST /api/media; null removes it" }),
  })
  .openapi("UpdateChatRoom");
export type UpdateRoomInput = z.infer<typeof UpdateRoomBody>;

export const RoomSettingsBody = z
  .object({
    pinned: z.boolean().optional().openapi({ description: "Pinned rooms come first in the caller's list, the latest pinned first" }),
    muted: z.boolean().optional().openapi({ description: "A muted room sends the caller no notification" }),
  })
  .openapi("ChatRoomSettings");
export type RoomSettingsInput = z.infer<typeof RoomSettingsBody>;

export const LastMessageSchema = z
  .object({
    id: z.number().int().openapi({ description: "The message's number in the room" }),
    userId: z.number().int().nullable().openapi({ description: "Its sender (null once their account is gone)" }),
    preview: z.string(),
    createdAt: z.string().openapi({ format: "date-time" }),
  })
  .nullable()
  .openapi("ChatLastMessage");

/** A room as the caller sees it: in their list, one room, and what creates and edits answer. */
export const ChatRoomSchema = z
  .object({
    id: z.number().int(),
    type: RoomTypeSchema,
    name: z.string().nullable().openapi({ description: "A group or event room's name (null for direct rooms)" }),
    avatar: z.string().nullable(),
    eventId: z.number().int().nullable(),
    role: RoomRoleSchema.openapi({ description: "The caller's role" }),
    pinned: z.boolean(),
    muted: z.boolean(),
    memberCount: z.number().int(),
    lastMessage: LastMessageSchema,
    unreadCount: z.number().int().openapi({ description: "Messages after the last one the caller read" }),
    members: z.array(UserCardSchema).openapi({
      description: `Up to ${ROOM_CARDS} other members, lowest id first: a direct room's other dancer always; in other rooms, dancers blocked either way with the caller and unusable accounts are left out`,
    }),
    blocked: z.boolean().openapi({ description: "A direct room whose two dancers are blocked (either way), or whose other account is suspended or deactivated: readable, no longer writable. Always false for other rooms" }),
    createdAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("ChatRoom");
export type ChatRoom = z.infer<typeof ChatRoomSchema>;

/** The columns `roomItemColumns` selects, as raw SQL rows (or their stored JSON) give them. */
export interface RoomRow extends Record<string, unknown> {
  id: number;
  type: string;
  name: string | null;
  avatar: string | null;
  event_id: number | null;
  role: string;
  pinned: boolean;
  muted: boolean;
  member_count: number;
  last_message_seq: number;
  last_message_user_id: number | null;
  last_message_preview: string | null;
  last_message_at: string | null;
  created_at: string;
  unread_count: number | string;
  members: { id: number; username: string; name: string; profileImage: string | null }[] | null;
  blocked: boolean;
}

function toCard(card: { id: number; username: string; name: string; profileImage: string | null }): UserCard {
  return { id: Number(card.id), username: card.username, name: card.name, profileImage: card.profileImage };
}

/** Shapes a row selected with `roomItemColumns`. */
export function toRoom(row: RoomRow): ChatRoom {
  const lastSeq = Number(row.last_message_seq);
  return {
    id: Number(row.id),
    type: row.type as ChatRoom["type"],
    name: row.name,
    avatar: row.avatar,
    eventId: row.event_id === null ? null : Number(row.event_id),
    role: row.role as RoomRole,
    pinned: Boolean(row.pinned),
    muted: Boolean(row.muted),
    memberCount: Number(row.member_count),
    lastMessage:
      lastSeq > 0
        ? {
            id: lastSeq,
            userId: row.last_message_user_id === null ? null : Number(row.last_message_user_id),
            preview: row.last_message_preview ?? "",
            createdAt: isoUtc(row.last_message_at ?? row.created_at),
          }
        : null,
    unreadCount: Number(row.unread_count),
    members: (row.members ?? []).map(toCard),
    blocked: Boolean(row.blocked),
    createdAt: isoUtc(row.created_at),
  };
}

/** `{id}` the room and `{userId}` one of its members. */
export const MemberParams = z.object({
  id: PositiveIntId.openapi({ param: { name: "id", in: "path" }, example: "42" }),
  userId: PositiveIntId.openapi({ param: { name: "userId", in: "path" }, example: "7" }),
});

export const AddMembersBody = z
  .object({
    userIds: DistinctUserIds.openapi({
      description: `Up to ${MAX_MEMBERS_PER_REQUEST} distinct dancers; members already are left as they are (none: nothing changes)`,
    }),
  })
  .openapi("AddChatMembers");

export const AddedMembersSchema = z
  .object({
    added: z.array(z.number().int()).openapi({ description: "The dancers this request made members (not those who were already)" }),
    memberCount: z.number().int(),
  })
  .openapi("AddedChatMembers");
export type AddedMembers = z.infer<typeof AddedMembersSchema>;

export const RoleBody = z.object({ role: RoomRoleSchema }).openapi("ChatMemberRole");

export const ChatMemberSchema = UserCardSchema.extend({
  role: RoomRoleSchema,
  joinedAt: z.string().openapi({ format: "date-time" }),
}).openapi("ChatMember");
export type ChatMember = z.infer<typeof ChatMemberSchema>;

export interface MemberRow extends Record<string, unknown> {
  id: number;
  username: string;
  name: string;
  profile_image: string | null;
  role: string;
  joined_at: string;
}

export function toMember(row: MemberRow): ChatMember {
  return {
    id: Number(row.id),
    username: row.username,
    name: row.name,
    profileImage: row.profile_image,
    role: row.role as RoomRole,
    joinedAt: isoUtc(row.joined_at),
  };
}
