import { z } from "@hono/zod-openapi";
import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { decodeCursor, encodeCursor, type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { INT4_MAX } from "../../lib/text";
import { isoUtc } from "../../lib/time";
import type { ChatMessage } from "./chat.protocol";
import { roomNotFoundError } from "./rooms.policy";

/** How many reacting dancers a message names per emoji (the count says how many in all). */
export const REACTION_SAMPLE = 20;

interface MessageRow extends Record<string, unknown> {
  id: number;
  room_id: number;
  user_id: number;
  client_id: string | null;
  text: string;
  media_url: string | null;
  media_type: string | null;
  reply_to_seq: number | null;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  reactions: { emoji: string; count: number; userIds: number[] }[] | null;
}

/**
 * The columns of a message as every chat route shows it (`ChatMessageSchema`), over the
 * chat_messages row `cm`: its number in the room as its id; a deleted message keeps its place
 * with its text, media and reactions cleared; reactions aggregated per emoji (first reacted
 * first), each with its count and the first {@link REACTION_SAMPLE} dancers, from
 * message_reactions_message_idx.
 */
const messageColumns = sql`cm.room_seq AS id, cm.chat_room_id AS room_id, cm.user_id, cm.client_id,
  CASE WHEN cm.deleted_at IS NULL THEN cm.message ELSE '' END AS text,
  CASE WHEN cm.deleted_at IS NULL THEN cm.media_url END AS media_url,
  CASE WHEN cm.deleted_at IS NULL AND cm.media_type IN ('image', 'video') THEN cm.media_type END AS media_type,
  cm.reply_to_seq, cm.created_at, cm.edited_at, cm.deleted_at,
  CASE WHEN cm.deleted_at IS NULL THEN (
    SELECT coalesce(json_agg(json_build_object('emoji', x.emoji, 'count', x.n, 'userIds', x.user_ids) ORDER BY x.first_at, x.emoji), '[]'::json)
    FROM (
      SELECT mr.emoji, count(*)::int AS n, min(mr.created_at) AS first_at,
        (array_agg(mr.user_id ORDER BY mr.created_at, mr.id))[1:${REACTION_SAMPLE}] AS user_ids
      FROM message_reactions mr WHERE mr.message_id = cm.id GROUP BY mr.emoji
    ) x
  ) ELSE '[]'::json END AS reactions`;

function toMessage(row: MessageRow): ChatMessage {
  return {
    id: Number(row.id),
    roomId: Number(row.room_id),
    userId: Number(row.user_id),
    clientId: row.client_id,
    text: row.text,
    mediaUrl: row.media_url,
    mediaType: row.media_type as ChatMessage["mediaType"],
    replyToId: row.reply_to_seq === null ? null : Number(row.reply_to_seq),
    createdAt: isoUtc(row.created_at),
    editedAt: isoUtc(row.edited_at),
    deletedAt: isoUtc(row.deleted_at),
    reactions: (row.reactions ?? []).map((r) => ({ emoji: r.emoji, count: Number(r.count), userIds: r.userIds.map(Number) })),
  };
}

/**
 * One page of the room's messages for a member, in one statement: the caller's membership
 * (none: 404) and, beside it, the messages matching `where` in the order asked, by keyset over
 * chat_messages_room_seq_idx (room, number).
 */
async function memberPage(
  ctx: ActorCtx,
  input: { roomId: number; where: SQL; order: "asc" | "desc"; limit: number; from?: SQL },
): Promise<MessageRow[]> {
  const direction = input.order === "asc" ? sql`ASC` : sql`DESC`;
  const { rows } = await ctx.db.execute<MessageRow & { found: boolean }>(sql`
    SELECT true AS found, p.*
    FROM chat_room_users mine LEFT JOIN LATERAL (
      SELECT ${messageColumns} FROM chat_messages cm ${input.from ?? sql``}
      WHERE cm.chat_room_id = mine.chat_room_id AND ${input.where}
      ORDER BY cm.room_seq ${direction}
      LIMIT ${input.limit}
    ) p ON true
    WHERE mine.chat_room_id = ${input.roomId} AND mine.user_id = ${ctx.actor.id}
    ORDER BY p.id ${direction}`);
  if (rows.length === 0) throw roomNotFoundError();
  return rows.filter((row) => row.id !== null);
}

const Seq = z.number().int().min(0).max(INT4_MAX);
/** A history cursor carries its direction: newest first (`before` a number) or oldest first (`after` one). */
const HistoryCursor = z.tuple([z.enum(["before", "after"]), Seq]);

/**
 * A room's history for a member, from Postgres (the record): newest first by the messages'
 * numbers, by cursor; or, with `afterId`, the messages after that number oldest first (resume
 * and catch-up), whose cursor goes on oldest first. A cursor carries its direction, so it wins
 * over `afterId`. Messages by dancers the caller blocked (or who blocked them) are shown: the
 * history is the room's, and a message carries its sender's id only.
 */
export async function listMessages(
  ctx: ActorCtx,
  input: { roomId: number; afterId?: number } & PageRequest,
): Promise<Page<ChatMessage>> {
  const cursor = decodeCursor(input.cursor, HistoryCursor);
  const [order, bound] = cursor
    ? ([cursor[0] === "after" ? "asc" : "desc", cursor[1]] as const)
    : input.afterId !== undefined
      ? (["asc", input.afterId] as const)
      : (["desc", undefined] as const);
  const where = order === "asc" ? sql`cm.room_seq > ${bound}` : bound === undefined ? sql`true` : sql`cm.room_seq < ${bound}`;
  const rows = await memberPage(ctx, { roomId: input.roomId, where, order, limit: input.limit + 1 });
  const items = rows.slice(0, input.limit).map(toMessage);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > input.limit && last ? encodeCursor([order === "asc" ? "after" : "before", last.id]) : null,
  };
}

/**
 * Up to `limit` messages of a room after the number `afterId` (and before `beforeId`), oldest
 * first, straight from Postgres with no membership check: for the room's ChatRoom object, which
 * resumes a client from here when the gap is older than what it keeps, and reads back a message
 * it no longer keeps (it knows its members already).
 *
 * @example
 * const missed = await messagesAfter(ctx, roomId, afterId, RESUME_PAGE, oldestKept);
 */
export async function messagesAfter(
  ctx: Ctx,
  roomId: number,
  afterId: number,
  limit: number,
  beforeId: number = INT4_MAX,
): Promise<ChatMessage[]> {
  const { rows } = await ctx.db.execute<MessageRow>(sql`
    SELECT ${messageColumns} FROM chat_messages cm
    WHERE cm.chat_room_id = ${roomId} AND cm.room_seq > ${afterId} AND cm.room_seq < ${beforeId}
    ORDER BY cm.room_seq
    LIMIT ${limit}`);
  return rows.map(toMessage);
}

const SearchCursor = z.tuple([Seq]);

/**
 * Full-text search in a room's messages for a member, newest first by cursor: the accent-folded
 * `simple` document (chat_messages.search_vector, GIN-indexed) against `q` in web-search syntax
 * (`"exact words"`, `-not`, `or`). Deleted messages never match.
 */
export async function searchMessages(
  ctx: ActorCtx,
  input: { roomId: number; q: string } & PageRequest,
): Promise<Page<ChatMessage>> {
  return sortedPage(
    input,
    { by: [sql`cm.room_seq`], direction: "desc", cursor: SearchCursor },
    (keyset) =>
      memberPage(ctx, {
        roomId: input.roomId,
        from: sql`CROSS JOIN websearch_to_tsquery('simple', mt_unaccent(${input.q})) query`,
        where: sql`cm.deleted_at IS NULL AND cm.search_vector @@ query AND ${keyset.after}`,
        order: "desc",
        limit: keyset.limit,
      }),
    { item: toMessage, key: (row) => [Number(row.id)] as z.infer<typeof SearchCursor> },
  );
}
