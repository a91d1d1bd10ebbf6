import { type SQL, sql } from "drizzle-orm";
import { notBlockedBetween } from "../blocks";
import { accountUsable } from "../users";
import { ROOM_CARDS } from "./rooms.schemas";

/**
 * The chat_rooms columns a room item reads, for statements that build a room row of their own
 * (a `RETURNING` of an insert or update, unioned with a row that existed): `r` in
 * {@link roomItemColumns} must have them.
 */
export const ROOM_COLUMNS = sql.raw(
  "id, type, name, avatar, event_id, member_count, last_message_seq, last_message_user_id, last_message_preview, last_message_at, created_at, updated_at",
);

/** Postgres' clock as ISO text (microseconds, `Z`): the time of a membership change the room's object is told. */
export const PG_NOW_ISO = sql<string>`to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Holds when `userId` is a member of the room `roomId` (the unique (room, user) index). */
export function isRoomMember(roomId: SQL | number, userId: SQL | number): SQL<boolean> {
  return sql<boolean>`EXISTS (SELECT 1 FROM chat_room_users cm_member WHERE cm_member.chat_room_id = ${roomId} AND cm_member.user_id = ${userId})`;
}

/**
 * The columns of a room item for `me` (shaped by `toRoom`), over the room row `r` (chat_rooms'
 * {@link ROOM_COLUMNS}) and the caller's membership `m` (role, pinned_at, muted,
 * last_read_seq): the last message from the room's own columns, the unread count, up to
 * {@link ROOM_CARDS} other members' cards as JSON, and a direct room's `blocked`.
 *
 * `others` is a FROM item with a `user_id` column naming the other members: by default the
 * room's chat_room_users rows besides `me` (lowest id first, through the unique (room, user)
 * index, so a room of thousands costs five probes); a statement that has just written the
 * members (which its own reads cannot see) names them itself.
 *
 * `memberCount` replaces the room row's count when the statement has just changed it.
 *
 * A direct room's other dancer is always shown (the room is with them), flagged `blocked` when
 * a block stands either way or their account is unusable; in other rooms such dancers are left
 * out of the cards, as everywhere else.
 */
export function roomItemColumns(me: number, options: { others?: SQL; memberCount?: SQL } = {}): SQL {
  const others =
    options.others ?? sql`(SELECT cu.user_id FROM chat_room_users cu WHERE cu.chat_room_id = r.id AND cu.user_id <> ${me})`;
  const hidden = sql`(NOT ${accountUsable(sql`u`)} OR NOT ${notBlockedBetween(me, sql`u.id`)})`;
  return sql`r.id, r.type, r.name, r.avatar, r.event_id, m.role, m.pinned_at IS NOT NULL AS pinned, m.muted, ${options.memberCount ?? sql`r.member_count`} AS member_count,
    r.last_message_seq, r.last_message_user_id, r.last_message_preview, r.last_message_at,
    coalesce(r.created_at, r.updated_at) AS created_at,
    greatest(r.last_message_seq - m.last_read_seq, 0) AS unread_count,
    (SELECT coalesce(json_agg(json_build_object('id', c.id, 'username', c.username, 'name', c.name, 'profileImage', c.profile_image)
        ORDER BY c.id), '[]'::json)
     FROM (SELECT u.id, u.username, u.name, u.profile_image FROM ${others} o JOIN users u ON u.id = o.user_id
           WHERE r.type = 'direct' OR NOT ${hidden}
           ORDER BY o.user_id LIMIT ${ROOM_CARDS}) c) AS members,
    (r.type = 'direct' AND EXISTS (SELECT 1 FROM ${others} o JOIN users u ON u.id = o.user_id WHERE ${hidden})) AS blocked`;
}

/**
 * The caller's membership of the room `r` as `m` of {@link roomItemColumns}, for statements that
 * may have just made it (their own reads cannot see it): the row when there is one, else a new
 * member's, with `role` (or SQL giving it), not pinned, not muted, and nothing unread.
 */
export function membershipOrNew(me: number, role: "member" | "admin" | SQL): SQL {
  return sql`LATERAL (
    SELECT cu.role, cu.pinned_at, cu.muted, cu.last_read_seq FROM chat_room_users cu WHERE cu.chat_room_id = r.id AND cu.user_id = ${me}
    UNION ALL
    SELECT ${role}::varchar, NULL::timestamp, false, r.last_message_seq
    WHERE NOT ${isRoomMember(sql`r.id`, me)}
  ) m`;
}
