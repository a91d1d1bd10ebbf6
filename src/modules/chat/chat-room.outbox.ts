// What a ChatRoom object writes to Postgres and reads back from it. The flush is one atomic
// `db.batch` (one round trip) and idempotent: run again after its reply was lost, it writes
// nothing twice (every insert has its ON CONFLICT, receipts only move forward, side effects
// hang off the rows this run inserted).

import { type SQL, sql } from "drizzle-orm";
import type { Ctx } from "../../lib/context";
import { isoUtc } from "../../lib/time";
import { friendshipActivityCount, friendshipActivityCtes } from "../graph";
import { notificationCounts, notificationCtes } from "../notifications";
import type { PendingOutbox } from "./chat-room.storage";

/** How many characters of a message a room list, a notification and a live event show. */
export const PREVIEW_CHARS = 140;
/** A read receipt appends the reader to `read_by` of at most this many messages per flush. */
export const READ_BY_SPAN = 500;

/** A member online on `/api/live` but not in the room: what their UserHub is told after the flush. */
export interface LiveTarget {
  userId: number;
  message: { id: number; userId: number; preview: string; createdAt: string };
  count: number;
}

export interface FlushResult {
  /** False when the room no longer exists in Postgres (nothing was written). */
  roomExists: boolean;
  /** Messages new to Postgres (a rerun after a lost reply counts 0). */
  inserted: number;
  /** Messages written (new, edited or deleted). */
  written: number;
  notified: number;
  activities: number;
  reactions: number;
  receipts: number;
  live: LiveTarget[];
}

/**
 * A JSON array parameter, read in SQL with `jsonb_to_recordset`. A lone surrogate (which the
 * frames refuse) is replaced rather than sent: Postgres would refuse the whole batch, every time.
 */
const json = (rows: unknown[]) =>
  sql`${JSON.stringify(rows, (_key, value: unknown) => (typeof value === "string" ? value.replace(/\p{Cs}/gu, "\uFFFD") : value))}::jsonb`;

function receiptsStatement(roomId: number, receipts: PendingOutbox["receipts"]): SQL {
  return sql`
    UPDATE chat_room_users cu SET
      last_read_at = CASE WHEN x.read_seq > cu.last_read_seq THEN coalesce(x.read_at, cu.last_read_at) ELSE cu.last_read_at END,
      last_read_seq = greatest(cu.last_read_seq, x.read_seq),
      last_delivered_seq = greatest(cu.last_delivered_seq, x.delivered_seq)
    FROM jsonb_to_recordset(${json(receipts.map((r) => ({ user_id: r.userId, read_seq: r.readSeq, read_at: r.readAt, delivered_seq: r.deliveredSeq })))})
      AS x(user_id int, read_seq int, read_at timestamp, delivered_seq int)
    WHERE cu.chat_room_id = ${roomId} AND cu.user_id = x.user_id`;
}

/**
 * New, edited and deleted messages in one statement, with what follows from the new ones: the
 * room's last message, `message_sent` friendship activities in a direct room between friends
 * (one per sender per flush), one coalesced notification per room for members offline
 * everywhere (not connected to the room, no live channel, not muted, something unread from
 * someone else), and the members on a live channel elsewhere, to be told after the commit.
 */
function messagesStatement(roomId: number, messages: PendingOutbox["messages"], connected: number[]): SQL {
  const rows = messages.map((m) => ({
    seq: m.seq,
    user_id: m.userId,
    client_id: m.clientId,
    text: m.text,
    media_url: m.mediaUrl,
    media_type: m.mediaType,
    reply_to: m.replyTo,
    created_at: m.createdAt,
    edited_at: m.editedAt,
    deleted_at: m.deletedAt,
  }));
  return sql`
    WITH room AS (SELECT id, type FROM chat_rooms WHERE id = ${roomId}),
    incoming AS (
      SELECT x.* FROM jsonb_to_recordset(${json(rows)}) AS x(seq int, user_id int, client_id text, text text, media_url text,
        media_type text, reply_to int, created_at timestamp, edited_at timestamp, deleted_at timestamp)
      JOIN users u ON u.id = x.user_id
      WHERE EXISTS (SELECT 1 FROM room)
        -- A client id Postgres has under another number (remembered longer than the object keeps it) is not stored twice.
        AND NOT EXISTS (SELECT 1 FROM chat_messages c WHERE c.chat_room_id = ${roomId} AND c.user_id = x.user_id
                        AND c.client_id = x.client_id AND c.room_seq <> x.seq)
    ),
    written AS (
      INSERT INTO chat_messages AS m (chat_room_id, user_id, message, media_url, media_type, room_seq, client_id, reply_to_seq,
        created_at, edited_at, deleted_at)
      SELECT ${roomId}, user_id, text, media_url, media_type, seq, client_id, reply_to, created_at, edited_at, deleted_at
      FROM incoming ORDER BY seq
      ON CONFLICT (chat_room_id, room_seq) DO UPDATE SET message = excluded.message, media_url = excluded.media_url,
        media_type = excluded.media_type, edited_at = excluded.edited_at, deleted_at = excluded.deleted_at
      WHERE (m.message, m.media_url, m.media_type, m.edited_at, m.deleted_at)
        IS DISTINCT FROM (excluded.message, excluded.media_url, excluded.media_type, excluded.edited_at, excluded.deleted_at)
      RETURNING m.room_seq, m.user_id, m.message, m.created_at, m.deleted_at, (m.xmax = 0) AS inserted
    ),
    fresh AS (SELECT * FROM written WHERE inserted AND deleted_at IS NULL),
    latest AS (SELECT seq, user_id, text, created_at, deleted_at FROM incoming ORDER BY seq DESC LIMIT 1),
    room_updated AS (
      UPDATE chat_rooms r SET last_message_seq = l.seq,
        last_message_preview = CASE WHEN l.deleted_at IS NULL THEN left(l.text, ${PREVIEW_CHARS}) ELSE '' END,
        last_message_user_id = l.user_id, last_message_at = l.created_at, updated_at = now()
      FROM latest l WHERE r.id = ${roomId} AND r.last_message_seq <= l.seq
      RETURNING r.id
    ),
    audience AS (
      SELECT cu.user_id, cu.muted, lp.user_id IS NOT NULL AS live, f.room_seq AS seq, f.user_id AS actor_id,
        left(f.message, ${PREVIEW_CHARS}) AS preview, f.created_at, f.count
      FROM chat_room_users cu
      JOIN LATERAL (
        SELECT fr.room_seq, fr.user_id, fr.message, fr.created_at, count(*) OVER ()::int AS count
        FROM fresh fr WHERE fr.user_id <> cu.user_id ORDER BY fr.room_seq DESC LIMIT 1
      ) f ON true
      LEFT JOIN live_presence lp ON lp.user_id = cu.user_id AND lp.expires_at > now()
      WHERE cu.chat_room_id = ${roomId} AND cu.last_read_seq < f.room_seq
        AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text(${JSON.stringify(connected)}::jsonb) c WHERE c.value::int = cu.user_id)
    ),
    ${friendshipActivityCtes(
      {
        pairs: {
          from: sql`(SELECT DISTINCT fr.user_id, o.user_id AS friend_id FROM fresh fr
            JOIN chat_room_users o ON o.chat_room_id = ${roomId} AND o.user_id <> fr.user_id
            WHERE (SELECT type FROM room) = 'direct') senders`,
        },
        type: "message_sent",
        metadata: { roomId },
      },
      { name: "activity" },
    )},
    ${notificationCtes(
      {
        to: { from: sql`(SELECT user_id, actor_id, preview FROM audience WHERE NOT live AND NOT muted) offline` },
        type: "message",
        actorId: sql`recipient.actor_id`,
        subjectType: "chat_room",
        subjectId: roomId,
        data: sql`jsonb_build_object('roomId', ${roomId}::int, 'preview', recipient.preview)`,
        coalesce: "subject",
      },
      { name: "notify" },
    )}
    SELECT EXISTS (SELECT 1 FROM room) AS room_exists,
      (SELECT count(*) FROM written WHERE inserted)::int AS inserted,
      (SELECT count(*) FROM written)::int AS written,
      ${notificationCounts("notify")},
      ${friendshipActivityCount("activity")},
      coalesce((SELECT json_agg(json_build_object('userId', a.user_id, 'id', a.seq, 'senderId', a.actor_id, 'preview', a.preview,
        'createdAt', a.created_at, 'count', a.count) ORDER BY a.user_id) FROM audience a WHERE a.live), '[]'::json) AS live`;
}

/** Reactions on and off; `message_reactions.message_id` is the message's serial, found by its number. */
function reactionsStatement(roomId: number, reactions: PendingOutbox["reactions"]): SQL {
  const rows = reactions.map((r) => ({ seq: r.seq, user_id: r.userId, emoji: r.emoji, active: r.active }));
  return sql`
    WITH target AS (
      SELECT m.id AS message_id, x.user_id, x.emoji, x.active
      FROM jsonb_to_recordset(${json(rows)}) AS x(seq int, user_id int, emoji text, active boolean)
      JOIN chat_messages m ON m.chat_room_id = ${roomId} AND m.room_seq = x.seq
      JOIN users u ON u.id = x.user_id
    ),
    added AS (
      INSERT INTO message_reactions (message_id, user_id, emoji)
      SELECT message_id, user_id, emoji FROM target WHERE active ORDER BY message_id, user_id, emoji
      ON CONFLICT (message_id, user_id, emoji) DO NOTHING
      RETURNING id
    ),
    removed AS (
      DELETE FROM message_reactions r USING target t
      WHERE NOT t.active AND r.message_id = t.message_id AND r.user_id = t.user_id AND r.emoji = t.emoji
      RETURNING r.id
    )
    SELECT (SELECT count(*) FROM added)::int + (SELECT count(*) FROM removed)::int AS changed`;
}

/** Appends each reader to `read_by` of the others' messages newly read (at most {@link READ_BY_SPAN} each). */
function readByStatement(roomId: number, receipts: PendingOutbox["receipts"]): SQL {
  const ranges = receipts
    .filter((r) => r.readSeq > r.flushedReadSeq)
    .map((r) => ({ user_id: r.userId, from_seq: Math.max(r.flushedReadSeq, r.readSeq - READ_BY_SPAN), to_seq: r.readSeq }));
  return sql`
    WITH readers AS (
      SELECT m.id, array_agg(x.user_id::text ORDER BY x.user_id) AS ids
      FROM jsonb_to_recordset(${json(ranges)}) AS x(user_id int, from_seq int, to_seq int)
      JOIN chat_messages m ON m.chat_room_id = ${roomId} AND m.room_seq > x.from_seq AND m.room_seq <= x.to_seq
      WHERE m.user_id <> x.user_id AND NOT (coalesce(m.read_by, '{}') @> ARRAY[x.user_id::text])
      GROUP BY m.id
    )
    UPDATE chat_messages m SET read_by = coalesce(m.read_by, '{}') || r.ids FROM readers r WHERE m.id = r.id`;
}

/**
 * Writes a room's pending outbox to Postgres in one atomic batch: receipts, then messages (and
 * what follows from new ones), then reactions and `read_by` (which need the messages). Throws
 * when Postgres is out of reach or refuses; nothing is then written, and the caller keeps it
 * all for the next try.
 *
 * @example
 * const result = await flushOutbox(ctx, { roomId, batch: store.pending(500, lastSeq), connected: [12, 40] });
 */
export async function flushOutbox(ctx: Ctx, input: { roomId: number; batch: PendingOutbox; connected: number[] }): Promise<FlushResult> {
  const { db } = ctx;
  const { roomId, batch, connected } = input;
  const statements: { kind: "receipts" | "messages" | "reactions" | "read_by"; query: SQL }[] = [];
  if (batch.receipts.length) statements.push({ kind: "receipts", query: receiptsStatement(roomId, batch.receipts) });
  if (batch.messages.length) statements.push({ kind: "messages", query: messagesStatement(roomId, batch.messages, connected) });
  if (batch.reactions.length) statements.push({ kind: "reactions", query: reactionsStatement(roomId, batch.reactions) });
  if (batch.receipts.some((r) => r.readSeq > r.flushedReadSeq)) statements.push({ kind: "read_by", query: readByStatement(roomId, batch.receipts) });
  const result: FlushResult = { roomExists: true, inserted: 0, written: 0, notified: 0, activities: 0, reactions: 0, receipts: 0, live: [] };
  if (statements.length === 0) return result;

  const queries = statements.map((s) => db.execute<Record<string, unknown>>(s.query));
  const replies = await db.batch(queries as [(typeof queries)[number], ...(typeof queries)[number][]]);
  replies.forEach((reply, index) => {
    const row = reply.rows[0] ?? {};
    switch (statements[index]!.kind) {
      case "receipts":
        result.receipts = reply.rowCount ?? 0;
        break;
      case "messages":
        result.roomExists = Boolean(row.room_exists);
        result.inserted = Number(row.inserted ?? 0);
        result.written = Number(row.written ?? 0);
        result.notified = Number(row.created ?? 0) + Number(row.bumped ?? 0);
        result.activities = Number(row.recorded ?? 0);
        result.live = ((typeof row.live === "string" ? JSON.parse(row.live) : row.live) as Record<string, unknown>[]).map((t) => ({
          userId: Number(t.userId),
          count: Number(t.count),
          message: { id: Number(t.id), userId: Number(t.senderId), preview: String(t.preview), createdAt: isoUtc(String(t.createdAt)) },
        }));
        break;
      case "reactions":
        result.reactions = Number(row.changed ?? 0);
        break;
      case "read_by":
        break;
    }
  });
  return result;
}

/** The members' receipts as Postgres has them, read once by a room's object. */
export async function memberReceipts({ db }: Ctx, roomId: number): Promise<{ userId: number; readSeq: number; deliveredSeq: number }[]> {
  const { rows } = await db.execute<{ user_id: number; last_read_seq: number; last_delivered_seq: number }>(sql`
    SELECT user_id, last_read_seq, last_delivered_seq FROM chat_room_users WHERE chat_room_id = ${roomId}`);
  return rows.map((row) => ({ userId: Number(row.user_id), readSeq: Number(row.last_read_seq), deliveredSeq: Number(row.last_delivered_seq) }));
}
