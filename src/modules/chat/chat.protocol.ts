// The chat WebSocket protocol (../shared/API.md, "Chat WebSocket messages"): JSON text frames,
// client -> room and room -> client, and the message shape every chat route answers with. The
// ChatRoom Durable Object parses frames with these schemas; the REST routes use the same message
// schema, so a message looks the same in an ack, a broadcast, the history and a resume.

import { z } from "@hono/zod-openapi";
import { multiLine } from "../../lib/text";
import { MediaUrl } from "../media";

/** A message's text: 1 to 4,000 characters (after trimming the ends). */
export const MAX_MESSAGE_CHARS = 4000;
/** A client's id for a send: what makes a retried send the same message. */
export const MAX_CLIENT_ID_CHARS = 64;
/** A text frame longer than this is refused with an `error` frame (`frame_too_large`) and not parsed. */
export const MAX_FRAME_BYTES = 32 * 1024;
/** Reactions: one emoji (a short grapheme sequence), unique per message, user and emoji. */
export const MAX_EMOJI_CHARS = 16;
/** Per connection: a burst of this many frames that write (send, edit, delete, react)... */
export const RATE_BURST = 10;
/** ...then this many a second. Over it, an `error` frame `rate_limited` with `retryAfterMs`. */
export const RATE_PER_SECOND = 5;
/** A member's typing is broadcast at most once per this many milliseconds... */
export const TYPING_THROTTLE_MS = 2000;
/** ...and counts as stopped this long after the last one (clients expire it too). */
export const TYPING_EXPIRES_MS = 5000;
/** A resume replays at most this many messages per frame (`resumed.more` says when there are more). */
export const RESUME_PAGE = 200;

/**
 * Close codes the room uses. 4000-4999 are the application's own (RFC 6455 7.4.2); clients
 * should not reconnect after `removed`, `blocked` or `room_deleted`.
 */
export const CLOSE = {
  /** The member was removed from the room, or left it. */
  removed: 4001,
  /** A direct room whose two dancers are now blocked (either way). */
  blocked: 4002,
  /** The room no longer exists. */
  roomDeleted: 4003,
  /** The account can no longer be used (suspended, deactivated). */
  accountDisabled: 4004,
} as const;

const ClientId = z.string().trim().min(1).max(MAX_CLIENT_ID_CHARS).regex(/^[\x21-\x7e]+$/, "Printable ASCII without spaces");
/** A lone UTF-16 surrogate: not Unicode text, and Postgres refuses it (the room's outbox would stall on it). */
const LONE_SURROGATE = /\p{Cs}/u;
const MessageText = multiLine(MAX_MESSAGE_CHARS, 1).refine((text) => !LONE_SURROGATE.test(text), "Not valid Unicode text");
const MessageId = z.number().int().positive().max(2_147_483_647);
const Emoji = z.string().trim().min(1).max(MAX_EMOJI_CHARS).regex(/^[^\s\p{Cc}\p{Cs}]+$/u, "One emoji");

/** What a send carries (the socket's `send` frame and `POST /api/chat/rooms/{id}/messages`). */
export const SendMessageInput = z.strictObject({
  clientId: ClientId.openapi({ description: "Chosen by the client, unique per sender and room: a retry with the same one is the same message", example: "web-1733462400000-1" }),
  text: MessageText.openapi({ example: "¿Bailamos la próxima tanda?" }),
  mediaUrl: MediaUrl.optional().openapi({ description: "An image or video uploaded with POST /api/media" }),
  replyToId: MessageId.optional().openapi({ description: "The id of a message of this room this one answers" }),
});
export type SendMessageInput = z.infer<typeof SendMessageInput>;

/** Frames a client sends to the room. */
export const ClientFrame = z.discriminatedUnion("type", [
  SendMessageInput.extend({ type: z.literal("send") }),
  z.strictObject({ type: z.literal("typing"), isTyping: z.boolean() }),
  z.strictObject({ type: z.literal("read"), messageId: MessageId }),
  z.strictObject({ type: z.literal("delivered"), messageId: MessageId }),
  z.strictObject({ type: z.literal("react"), messageId: MessageId, emoji: Emoji, on: z.boolean() }),
  z.strictObject({ type: z.literal("edit"), messageId: MessageId, text: MessageText }),
  z.strictObject({ type: z.literal("delete"), messageId: MessageId }),
  z.strictObject({ type: z.literal("resume"), afterId: z.number().int().min(0).max(2_147_483_647) }),
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

/** A chat message as every chat route and frame shows it. `id` is its number in the room. */
export const ChatMessageSchema = z
  .object({
    id: z.number().int().openapi({ description: "The message's number in its room (1, 2, 3...): ids increase within a room" }),
    roomId: z.number().int(),
    userId: z.number().int(),
    clientId: z.string().nullable(),
    text: z.string().openapi({ description: "Empty once deleted" }),
    mediaUrl: z.string().nullable(),
    mediaType: z.enum(["image", "video"]).nullable(),
    replyToId: z.number().int().nullable(),
    createdAt: z.string(),
    editedAt: z.string().nullable(),
    deletedAt: z.string().nullable(),
    reactions: z
      .array(z.object({ emoji: z.string(), count: z.number().int(), userIds: z.array(z.number().int()) }))
      .openapi({ description: "Per emoji: how many, and who (the first 20)" }),
  })
  .openapi("ChatMessage");
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** One member's receipts: the newest message they have read, and the newest delivered to them. */
export const ReceiptSchema = z.object({ userId: z.number().int(), readId: z.number().int(), deliveredId: z.number().int() });
export type Receipt = z.infer<typeof ReceiptSchema>;

/** Error codes of `error` frames. */
export const FRAME_ERRORS = [
  "invalid_json",
  "invalid_frame",
  "frame_too_large",
  "binary_not_supported",
  "rate_limited",
  "media_url_not_allowed",
  "message_not_found",
  "not_message_owner",
  "message_deleted",
  "reply_not_found",
  "client_id_reused",
  "not_a_member",
  "blocked",
  "unavailable",
  "messages_not_allowed",
] as const;
export type FrameError = (typeof FRAME_ERRORS)[number];

/** Frames the room sends to a client. */
export type ServerFrame =
  | {
      type: "ready";
      roomId: number;
      userId: number;
      /** The newest message's id (0 in an empty room). */
      lastMessageId: number;
      /** Every member's receipts. */
      reads: Receipt[];
      /** Members connected now. */
      online: number[];
      /** Members typing now. */
      typing: number[];
    }
  | { type: "message"; message: ChatMessage }
  | { type: "ack"; clientId: string; id: number; duplicate: boolean }
  | { type: "typing"; userId: number; isTyping: boolean }
  | { type: "read"; userId: number; messageId: number }
  | { type: "delivered"; userId: number; messageId: number }
  | { type: "reaction"; messageId: number; userId: number; emoji: string; on: boolean }
  | { type: "edited"; message: ChatMessage }
  | { type: "deleted"; messageId: number }
  | { type: "presence"; userId: number; online: boolean }
  /** After a `resume`: the messages after `afterId` came before this, in order; `more` asks for another resume from `lastId`. */
  | { type: "resumed"; afterId: number; lastId: number; more: boolean }
  | {
      type: "error";
      code: FrameError;
      message: string;
      /** The `clientId` of the send this answers, when it answers one. */
      clientId?: string;
      retryAfterMs?: number;
    };
