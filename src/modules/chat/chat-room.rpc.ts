// How the API Worker talks to a room's ChatRoom Durable Object. The Worker authenticates the
// caller and checks membership in Postgres (chat.access.ts); the object trusts what the Worker
// forwards, and keeps what only it can know (sockets, numbering, receipts, the outbox).

import type { ChatMessage, FrameError, SendMessageInput } from "./chat.protocol";

/**
 * What the Worker checked, forwarded with every upgrade (header {@link IDENTITY_HEADER}, JSON)
 * and every RPC send.
 */
export interface RoomIdentity {
  roomId: number;
  roomType: "direct" | "group" | "event";
  userId: number;
  /**
   * Postgres' clock when membership was checked (ISO). A member removed, or a direct room
   * blocked, after this instant is refused by the object even though the check passed: the
   * removal reached the object between the check and the forward.
   */
  checkedAt: string;
  /** The newest message number Postgres has for the room: the object never numbers below it. */
  pgLastSeq: number;
  /** False when the caller may read but not send (a direct room whose other dancer no longer takes their messages). */
  canSend: boolean;
}

/** The request header that carries the {@link RoomIdentity} of an upgrade to the object. */
export const IDENTITY_HEADER = "x-chat-identity";

export type SendResult =
  | { ok: true; message: ChatMessage; duplicate: boolean }
  | { ok: false; code: FrameError; message: string; retryAfterMs?: number };

/**
 * The object's RPC methods (Workers RPC on the stub). Membership changes are told to the object
 * after they commit in Postgres, with Postgres' time of the change.
 */
export interface ChatRoomRpc {
  /** A send from REST: the same path as a socket's `send` frame (validated, stored, acked, broadcast). */
  send(identity: RoomIdentity, input: SendMessageInput): Promise<SendResult>;
  /** The member left or was removed at `at`: their sockets close with CLOSE.removed. Answers how many closed. */
  memberRemoved(roomId: number, userId: number, at: string): Promise<number>;
  /** The dancer (re)joined at `at`: a removal before it no longer refuses them. */
  memberAdded(roomId: number, userId: number, at: string): Promise<void>;
  /** A direct room's two dancers were blocked (either way) or unblocked at `at`. Blocking closes every socket with CLOSE.blocked. */
  setBlocked(roomId: number, blocked: boolean, at: string): Promise<number>;
}

/**
 * The stub of a room's object (one per room, named by its id).
 *
 * @example
 * const result = await chatRoomStub(env, roomId).send(identity, { clientId, text });
 */
export function chatRoomStub(env: Env, roomId: number) {
  return env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(`room:${roomId}`));
}
