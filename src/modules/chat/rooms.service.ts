import { z } from "@hono/zod-openapi";
import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { notFound, unauthorized } from "../../lib/errors";
import { type IdempotencyClaim, idempotencyRecordCte, idempotent } from "../../lib/idempotency";
import { type Keyset, type Page, type PageRequest, PgTimestampText, sortedPage } from "../../lib/pagination";
import { INT4_MAX } from "../../lib/text";
import { notBlockedBetween } from "../blocks";
import { eventVisibleTo, managesEvent } from "../events";
import { areFriends } from "../graph";
import { assertOwnMediaUrls } from "../media";
import { accountUsable } from "../users";
import { isRoomMember, membershipOrNew, PG_NOW_ISO, ROOM_COLUMNS, roomItemColumns } from "./rooms.conditions";
import {
  cannotMessageSelfError,
  membershipError,
  messagesNotAllowedError,
  noSuchDancerError,
  notEventOrganizerError,
  roomNotFoundError,
  selfAsMemberError,
  unknownMembersError,
} from "./rooms.policy";
import {
  type ChatRoom,
  type CreateGroupRoomInput,
  type RoomRow,
  type RoomSettingsInput,
  toRoom,
  type UpdateRoomInput,
} from "./rooms.schemas";

/** The route an `Idempotency-Key` of a room create is scoped to. */
export const CREATE_ROOM_SCOPE = "POST /api/chat/rooms";

/** What a create answers: the room, whether this request made it, and a join of the caller to tell the room's object about. */
export interface OpenedRoom {
  room: ChatRoom;
  created: boolean;
  /** Postgres' time the caller joined an existing room (an organizer opening their event's room), else null. */
  joinedAt: string | null;
}

/** A room image must be this service's own upload of an image (the media module's rule). */
function checkAvatar(ctx: Ctx, avatar: string | null | undefined): void {
  if (avatar != null) assertOwnMediaUrls(ctx.config, [{ path: "body.avatar", url: avatar, family: "image" }]);
}

/** An int4[] literal of bound parameters (drizzle expands a JS array into a list, not an array). */
function intArray(values: number[]): SQL {
  return sql`ARRAY[${sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  )}]::int[]`;
}

/** The caller, when their account may act (a token outlives a suspension by up to 15 minutes). */
const usableCaller = (me: number) => sql`EXISTS (SELECT 1 FROM users caller WHERE caller.id = ${me} AND ${accountUsable(sql`caller`)})`;

/**
 * Gets or creates the direct room of the caller and another dancer, in one statement: exactly
 * one room per pair, however many ask at once. The room with the pair's `direct_key` is read
 * first; when there is none it is inserted with both memberships and `member_count` 2, and a
 * racing twin's insert meets the unique `chat_rooms_direct_key_idx` and takes the row the first
 * made (`ON CONFLICT ... DO UPDATE` returns it, unlike `DO NOTHING`).
 *
 * The other dancer must be a usable account with no block either way (404 otherwise, whichever
 * it is). When they take messages only from friends (and the caller is not one) or from nobody,
 * no new room is made (403 `messages_not_allowed`), but a room the two already have is answered
 * (200): its history stays the caller's to read, and sends are refused by the room itself.
 */
export async function openDirectRoom(ctx: ActorCtx, input: { userId: number }): Promise<OpenedRoom> {
  const { db, actor } = ctx;
  const me = actor.id;
  const peer = input.userId;
  if (me === peer) throw cannotMessageSelfError();
  const key = `${Math.min(me, peer)}:${Math.max(me, peer)}`;
  const { rows } = await db.execute<RoomRow & { found: boolean; inserted: boolean | null }>(sql`
    WITH peer AS (
      SELECT u.id, CASE coalesce(s.message_permission, 'everyone')
          WHEN 'everyone' THEN true
          WHEN 'friends' THEN ${areFriends(sql`u.id`, me)}
          ELSE false END AS takes_messages
      FROM users u LEFT JOIN user_settings s ON s.user_id = u.id
      WHERE u.id = ${peer} AND ${accountUsable(sql`u`)} AND ${notBlockedBetween(me, sql`u.id`)} AND ${usableCaller(me)}
    ),
    existing AS (SELECT ${ROOM_COLUMNS} FROM chat_rooms WHERE direct_key = ${key} AND EXISTS (SELECT 1 FROM peer)),
    created AS (
      INSERT INTO chat_rooms (type, direct_key, created_by, member_count)
      SELECT 'direct', ${key}, ${me}, 2 FROM peer WHERE peer.takes_messages AND NOT EXISTS (SELECT 1 FROM existing)
      ON CONFLICT (direct_key) WHERE direct_key IS NOT NULL DO UPDATE SET direct_key = EXCLUDED.direct_key
      RETURNING ${ROOM_COLUMNS}, xmax = 0 AS inserted
    ),
    seated AS (
      INSERT INTO chat_room_users (chat_room_id, user_id, role)
      SELECT c.id, pair.user_id, 'member' FROM created c CROSS JOIN (VALUES (${me}::int), (${peer}::int)) pair(user_id)
      WHERE c.inserted
    ),
    room AS (
      SELECT ${ROOM_COLUMNS}, false AS inserted FROM existing
      UNION ALL SELECT ${ROOM_COLUMNS}, inserted FROM created
    )
    SELECT EXISTS (SELECT 1 FROM peer) AS found, item.*
    FROM (SELECT 1) one LEFT JOIN (
      SELECT ${roomItemColumns(me, { others: sql`(SELECT ${peer}::int AS user_id)` })}, r.inserted
      FROM room r CROSS JOIN ${membershipOrNew(me, "member")}
    ) item ON true`);
  const row = rows[0]!;
  if (!row.found) throw noSuchDancerError();
  if (row.id === null) throw messagesNotAllowedError();
  if (row.inserted) ctx.logger.info("chat room created", { code: "chat_room_created", roomId: Number(row.id), type: "direct" });
  return { room: toRoom(row), created: Boolean(row.inserted), joinedAt: null };
}

/**
 * Creates a group room, in one statement: the room (`member_count` the members and the
 * creator), the creator as its admin, the members, and with an `Idempotency-Key` the stored
 * response (a repeat replays it and creates nothing). Every member must be a usable account
 * with no block either way with the creator: otherwise nothing is made and each such dancer is
 * named (400 `unknown_user`, one answer whichever it is).
 */
export async function createGroupRoom(
  ctx: ActorCtx,
  input: { room: CreateGroupRoomInput; claim: IdempotencyClaim | null },
): Promise<{ room: ChatRoom; replayed: boolean }> {
  const { db, actor } = ctx;
  const me = actor.id;
  const { room, claim } = input;
  const self = room.memberIds.indexOf(me);
  if (self >= 0) throw selfAsMemberError("body.memberIds", self);
  checkAvatar(ctx, room.avatar);
  const create = async (): Promise<ChatRoom> => {
    const { rows } = await db.execute<RoomRow & { bad: number[] | null }>(sql`
      WITH wanted AS (SELECT x.id, x.ord FROM unnest(${intArray(room.memberIds)}) WITH ORDINALITY AS x(id, ord)),
      ok AS (
        SELECT w.id FROM wanted w JOIN users u ON u.id = w.id
        WHERE ${accountUsable(sql`u`)} AND ${notBlockedBetween(me, sql`u.id`)}
      ),
      bad AS (SELECT array_agg(w.ord - 1 ORDER BY w.ord)::int[] AS indexes FROM wanted w WHERE w.id NOT IN (SELECT id FROM ok)),
      created AS (
        INSERT INTO chat_rooms (type, name, avatar, created_by, member_count)
        SELECT 'group', ${room.name}, ${room.avatar ?? null}, ${me}, ${room.memberIds.length + 1}
        WHERE ${usableCaller(me)} AND (SELECT indexes FROM bad) IS NULL
        RETURNING ${ROOM_COLUMNS}
      ),
      seated AS (
        INSERT INTO chat_room_users (chat_room_id, user_id, role)
        SELECT c.id, ${me}, 'admin' FROM created c
        UNION ALL SELECT c.id, ok.id, 'member' FROM created c CROSS JOIN ok
      ),
      shown AS (
        SELECT ${roomItemColumns(me, { others: sql`(SELECT ok.id AS user_id FROM ok)` })}
        FROM created r CROSS JOIN ${membershipOrNew(me, "admin")}
      ),
      ${idempotencyRecordCte(claim, { status: 201, from: sql`shown`, body: sql`to_jsonb(shown)` })}
      SELECT (SELECT indexes FROM bad) AS bad, shown.* FROM (SELECT 1) one LEFT JOIN shown ON true`);
    const row = rows[0]!;
    if (row.bad) throw unknownMembersError("body.memberIds", row.bad.map(Number));
    if (row.id === null) throw unauthorized();
    ctx.logger.info("chat room created", { code: "chat_room_created", roomId: Number(row.id), type: "group", members: room.memberIds.length + 1 });
    return toRoom(row);
  };
  const { value, replayed } = await idempotent(ctx, claim, create, (stored) => toRoom(stored.body as RoomRow));
  return { room: value, replayed };
}

/**
 * An organizer or co-organizer opens their event's room, in one batch of two statements: the
 * event's room row (if any) is locked first (by its organizers only), so a room whose last
 * member is leaving is either gone or still there for the second statement, never deleted under
 * its insert. One room per
 * event (`chat_rooms_event_idx`, racing openers take the same row as direct rooms do): a new
 * room seats the event's organizers as admins and the dancers going as members (usable
 * accounts); an existing one is answered, and an organizer not in it (named after it opened, or
 * who left) joins it as an admin. Dancers who RSVP `going` later join with
 * `POST /api/chat/rooms/{id}/join`. An event the caller may not see is a 404; one they see but
 * do not organize a 403 `not_event_organizer`.
 */
export async function openEventRoom(ctx: ActorCtx, input: { eventId: number }): Promise<OpenedRoom> {
  const { db, actor } = ctx;
  const me = actor.id;
  const { eventId } = input;
  const others = sql`(
    SELECT k.user_id FROM candidates k WHERE r.inserted AND k.user_id <> ${me}
    UNION ALL
    SELECT cu.user_id FROM chat_room_users cu WHERE NOT r.inserted AND cu.chat_room_id = r.id AND cu.user_id <> ${me})`;
  const [, { rows }] = await db.batch([
    db.execute(sql`SELECT 1 FROM chat_rooms r JOIN events e ON e.id = r.event_id
      WHERE r.event_id = ${eventId} AND ${managesEvent(me, sql`e`)} FOR UPDATE OF r`),
    db.execute<RoomRow & { found: boolean; allowed: boolean; inserted: boolean | null; joined_at: string | null }>(sql`
      WITH ev AS (
        SELECT e.id, e.title, ${managesEvent(me, sql`e`)} AS organizes FROM events e
        WHERE e.id = ${eventId} AND ${eventVisibleTo(me, sql`e`)}
      ),
      opener AS (SELECT ev.id, ev.title FROM ev WHERE ev.organizes AND ${usableCaller(me)}),
      existing AS (SELECT ${ROOM_COLUMNS} FROM chat_rooms WHERE event_id = ${eventId} AND EXISTS (SELECT 1 FROM opener)),
      candidates AS (
        SELECT DISTINCT ON (p.user_id) p.user_id, p.role FROM (
          SELECT e.user_id, 'admin'::varchar AS role FROM events e WHERE e.id = ${eventId}
          UNION ALL SELECT co.user_id, 'admin' FROM event_co_organizers co WHERE co.event_id = ${eventId}
          UNION ALL SELECT rs.user_id, 'member' FROM event_rsvps rs WHERE rs.event_id = ${eventId} AND rs.status = 'going'
        ) p JOIN users u ON u.id = p.user_id
        WHERE ${accountUsable(sql`u`)} AND EXISTS (SELECT 1 FROM opener) AND NOT EXISTS (SELECT 1 FROM existing)
        ORDER BY p.user_id, p.role = 'admin' DESC
      ),
      created AS (
        INSERT INTO chat_rooms (type, name, event_id, created_by, member_count)
        SELECT 'event', left(o.title, 80), o.id, ${me}, (SELECT count(*) FROM candidates) FROM opener o
        WHERE NOT EXISTS (SELECT 1 FROM existing)
        ON CONFLICT (event_id) WHERE event_id IS NOT NULL DO UPDATE SET event_id = EXCLUDED.event_id
        RETURNING ${ROOM_COLUMNS}, xmax = 0 AS inserted
      ),
      seated AS (
        INSERT INTO chat_room_users (chat_room_id, user_id, role)
        SELECT c.id, k.user_id, k.role FROM created c CROSS JOIN candidates k WHERE c.inserted
      ),
      room AS (
        SELECT ${ROOM_COLUMNS}, false AS inserted FROM existing
        UNION ALL SELECT ${ROOM_COLUMNS}, inserted FROM created
      ),
      joined AS (
        INSERT INTO chat_room_users (chat_room_id, user_id, role, last_read_seq, last_delivered_seq)
        SELECT r.id, ${me}, 'admin', r.last_message_seq, r.last_message_seq FROM room r
        WHERE NOT r.inserted AND NOT ${isRoomMember(sql`r.id`, me)}
        ON CONFLICT (chat_room_id, user_id) DO NOTHING
        RETURNING chat_room_id
      ),
      counted AS (
        UPDATE chat_rooms c SET member_count = c.member_count + 1, updated_at = now()
        FROM joined j WHERE c.id = j.chat_room_id
        RETURNING c.id
      )
      SELECT EXISTS (SELECT 1 FROM ev) AS found, EXISTS (SELECT 1 FROM opener) AS allowed, item.*,
        CASE WHEN EXISTS (SELECT 1 FROM joined) THEN ${PG_NOW_ISO} END AS joined_at
      FROM (SELECT 1) one LEFT JOIN (
        SELECT ${roomItemColumns(me, { others, memberCount: sql`r.member_count + (SELECT count(*) FROM joined)::int` })}, r.inserted
        FROM room r CROSS JOIN ${membershipOrNew(me, "admin")}
      ) item ON true`),
  ]);
  const row = rows[0]!;
  if (!row.found) throw notFound("event");
  if (!row.allowed || row.id === null) throw notEventOrganizerError();
  const roomId = Number(row.id);
  if (row.inserted) ctx.logger.info("chat room created", { code: "chat_room_created", roomId, type: "event", members: Number(row.member_count) });
  if (row.joined_at) ctx.logger.info("chat room joined", { code: "chat_room_joined", roomId });
  return { room: toRoom(row), created: Boolean(row.inserted), joinedAt: row.joined_at };
}

/** A room list sort key's time: Postgres' text of a timestamp, or `-infinity` (not pinned; no time). */
const KeyTime = z.union([PgTimestampText, z.literal("-infinity")]);
const RoomListCursor = z.tuple([KeyTime, KeyTime, z.number().int().min(1).max(INT4_MAX)]);

const pinnedKey = sql`coalesce(m.pinned_at, '-infinity'::timestamp)`;
const activityKey = sql`coalesce(r.last_message_at, r.created_at, '-infinity'::timestamp)`;

/** The room list's order, all descending: pinned rooms first (the latest pinned first), then the latest activity, then the id. */
export const ROOM_LIST_ORDER = [pinnedKey, activityKey, sql`r.id`] as const;

/**
 * The statement of one page of the room list (what the index test EXPLAINs): the caller's
 * memberships from chat_room_users_user_idx, each room by its primary key, and a top-N sort; the
 * cards and the blocked flag are computed after the sort, for the page's rows only.
 */
export function roomListStatement(me: number, keyset: Keyset): SQL {
  return sql`
    SELECT ${roomItemColumns(me)}, ${pinnedKey}::text AS pin_key, ${activityKey}::text AS activity_key
    FROM chat_room_users m JOIN chat_rooms r ON r.id = m.chat_room_id
    WHERE m.user_id = ${me} AND ${keyset.after}
    ORDER BY ${keyset.order}
    LIMIT ${keyset.limit}`;
}

/**
 * The caller's rooms, in one statement: pinned rooms first (the latest pinned first), then by
 * last activity (the last message, else the room's creation), newest first, by keyset over
 * {@link ROOM_LIST_ORDER}, each a room item (`roomItemColumns`). The order spans two tables, so
 * the caller's memberships are sorted (a top-N sort), not read in index order: the cost grows
 * with the number of rooms the caller is in, not with the platform.
 */
export async function listRooms(ctx: ActorCtx, page: PageRequest): Promise<Page<ChatRoom>> {
  const me = ctx.actor.id;
  return sortedPage(
    page,
    { by: ROOM_LIST_ORDER, direction: "desc", cursor: RoomListCursor },
    async (keyset) => (await ctx.db.execute<RoomRow & { pin_key: string; activity_key: string }>(roomListStatement(me, keyset))).rows,
    { item: toRoom, key: (row) => [row.pin_key, row.activity_key, Number(row.id)] as z.infer<typeof RoomListCursor> },
  );
}

/** One of the caller's rooms, as its list shows it; a room they are not in is a 404. */
export async function getRoom(ctx: ActorCtx, input: { roomId: number }): Promise<ChatRoom> {
  const me = ctx.actor.id;
  const { rows } = await ctx.db.execute<RoomRow>(sql`
    SELECT ${roomItemColumns(me)}
    FROM chat_room_users m JOIN chat_rooms r ON r.id = m.chat_room_id
    WHERE m.user_id = ${me} AND m.chat_room_id = ${input.roomId}`);
  if (!rows[0]) throw roomNotFoundError();
  return toRoom(rows[0]);
}

/**
 * Renames a group or event room, or changes its avatar (admins only), in one statement whose
 * UPDATE holds the conditions. No field: the room as it is (still refused to others). Not the
 * caller's room: 404; a direct room: 400 `direct_room`; not an admin: 403 `not_room_admin`.
 */
export async function updateRoom(ctx: ActorCtx, input: { roomId: number; changes: UpdateRoomInput }): Promise<ChatRoom> {
  const { db, actor } = ctx;
  const me = actor.id;
  const { roomId, changes } = input;
  checkAvatar(ctx, changes.avatar);
  const set: SQL[] = [];
  if (changes.name !== undefined) set.push(sql`name = ${changes.name}`);
  if (changes.avatar !== undefined) set.push(sql`avatar = ${changes.avatar}`);
  set.push(set.length === 0 ? sql`updated_at = updated_at` : sql`updated_at = now()`);
  const { rows } = await db.execute<RoomRow & { found: boolean; room_type: string | null; allowed: boolean }>(sql`
    WITH mine AS (SELECT cu.role FROM chat_room_users cu WHERE cu.chat_room_id = ${roomId} AND cu.user_id = ${me}),
    target AS (SELECT r.type FROM chat_rooms r WHERE r.id = ${roomId} AND EXISTS (SELECT 1 FROM mine)),
    updated AS (
      UPDATE chat_rooms SET ${sql.join(set, sql`, `)}
      WHERE id = ${roomId} AND type <> 'direct' AND EXISTS (SELECT 1 FROM mine WHERE role = 'admin')
      RETURNING ${ROOM_COLUMNS}
    )
    SELECT EXISTS (SELECT 1 FROM target) AS found, (SELECT type FROM target) AS room_type,
      EXISTS (SELECT 1 FROM mine WHERE role = 'admin') AS allowed, item.*
    FROM (SELECT 1) one LEFT JOIN (
      SELECT ${roomItemColumns(me)} FROM updated r JOIN chat_room_users m ON m.chat_room_id = r.id AND m.user_id = ${me}
    ) item ON true`);
  const row = rows[0]!;
  const refused = membershipError({ found: row.found, type: row.room_type, allowed: row.allowed });
  if (refused) throw refused;
  ctx.logger.info("chat room edited", { code: "chat_room_edited", roomId });
  return toRoom(row);
}

/**
 * The caller's own pin and mute of a room, in one statement (their membership row only: no one
 * else's is touched). Pinning a pinned room keeps its place. Not the caller's room: 404.
 */
export async function updateRoomSettings(ctx: ActorCtx, input: { roomId: number; settings: RoomSettingsInput }): Promise<ChatRoom> {
  const me = ctx.actor.id;
  const { roomId, settings } = input;
  const set: SQL[] = [];
  if (settings.pinned !== undefined) set.push(settings.pinned ? sql`pinned_at = coalesce(pinned_at, now())` : sql`pinned_at = NULL`);
  if (settings.muted !== undefined) set.push(sql`muted = ${settings.muted}`);
  if (set.length === 0) set.push(sql`muted = muted`);
  const { rows } = await ctx.db.execute<RoomRow>(sql`
    WITH m AS (
      UPDATE chat_room_users SET ${sql.join(set, sql`, `)}
      WHERE chat_room_id = ${roomId} AND user_id = ${me}
      RETURNING chat_room_id, role, pinned_at, muted, last_read_seq
    )
    SELECT ${roomItemColumns(me)} FROM m JOIN chat_rooms r ON r.id = m.chat_room_id`);
  if (!rows[0]) throw roomNotFoundError();
  return toRoom(rows[0]);
}
