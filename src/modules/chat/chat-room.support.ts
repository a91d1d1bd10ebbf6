// What the ChatRoom object is made of besides its class: the identity it is handed, what a
// socket carries, and small pure helpers (time comparison, fingerprints, sizes, error codes).

import { z } from "@hono/zod-openapi";
import { problemType, titleFor } from "../../lib/errors";
import { type ChatMessage, type FrameError, MAX_FRAME_BYTES, type SendMessageInput } from "./chat.protocol";
import type { SendResult } from "./chat-room.rpc";
import type { StoredMessage } from "./chat-room.storage";

/** What each socket carries through hibernation (small: it is stored with the socket). */
export interface SocketAttachment {
  userId: number;
  connId: string;
  canSend: boolean;
  checkedAt: string;
  /** Set when the room closed it: its presence already ended, its close event changes nothing more. */
  closing?: boolean;
}

export const IdentitySchema = z.object({
  roomId: z.number().int().positive(),
  roomType: z.enum(["direct", "group", "event"]),
  userId: z.number().int().positive(),
  checkedAt: z.string().min(1).max(64),
  pgLastSeq: z.number().int().min(0),
  canSend: z.boolean(),
});

export type Refusal = Extract<FrameError, "not_a_member" | "blocked">;
export type Failure = Extract<SendResult, { ok: false }>;

export const fail = (code: FrameError, message: string, retryAfterMs?: number): Failure =>
  retryAfterMs === undefined ? { ok: false, code, message } : { ok: false, code, message, retryAfterMs };

/**
 * An instant in microseconds from an ISO timestamp, keeping Postgres' microseconds (identities
 * and removals are stamped with Postgres' clock, and may fall in the same millisecond).
 */
export function instant(iso: string): number {
  const match = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(iso.trim());
  if (!match) return Date.parse(iso) * 1000;
  const seconds = Date.parse(`${match[1]!.replace(" ", "T")}${match[3] ?? "Z"}`);
  return seconds * 1000 + Number((match[2] ?? "").padEnd(6, "0"));
}

/** A short, stable digest of what a send says, to tell a retry from a different message under a reused client id. */
export function fingerprint(input: SendMessageInput): string {
  const text = JSON.stringify([input.text, input.mediaUrl ?? null, input.replyToId ?? null]);
  // cyrb53: fast, synchronous (a send must not yield between its check and its write).
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** Whether a text frame is over {@link MAX_FRAME_BYTES} in UTF-8 (encoded only when its length leaves a doubt). */
export function tooLarge(frame: string): boolean {
  if (frame.length > MAX_FRAME_BYTES) return true;
  if (frame.length * 3 <= MAX_FRAME_BYTES) return false;
  return new TextEncoder().encode(frame).byteLength > MAX_FRAME_BYTES;
}

/** What a failed Postgres call is logged as: a SQLSTATE, an HTTP status, or a kind; never its text. */
export function failureCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === "object"; depth++) {
    const { code, message, name, cause } = current as { code?: unknown; message?: unknown; name?: unknown; cause?: unknown };
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return `sqlstate_${code}`;
    if (name === "AbortError" || name === "TimeoutError") return "timeout";
    if (typeof message === "string") {
      const status = /^Server error \(HTTP status (\d{3})\)/.exec(message)?.[1];
      if (status) return `http_${status}`;
      if (message.startsWith("Error connecting to database")) return "unreachable";
    }
    current = cause;
  }
  return error instanceof Error ? error.name : "unknown";
}

export function problem(status: number, code: string, detail: string): Response {
  return new Response(JSON.stringify({ type: problemType(code), title: titleFor(status), status, detail, code }), {
    status,
    headers: { "content-type": "application/problem+json" },
  });
}

export function messageOf(roomId: number, m: StoredMessage, reactions: ChatMessage["reactions"] = []): ChatMessage {
  return {
    id: m.seq,
    roomId,
    userId: m.userId,
    clientId: m.clientId,
    text: m.text,
    mediaUrl: m.mediaUrl,
    mediaType: m.mediaType,
    replyToId: m.replyTo,
    createdAt: m.createdAt,
    editedAt: m.editedAt,
    deletedAt: m.deletedAt,
    reactions,
  };
}

export const userTag = (userId: number) => `user:${userId}`;
