import { sql } from "drizzle-orm";
import type { ActorCtx } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { notBlockedBetween } from "../blocks";
import { areFriends } from "../graph";
import { accountUsable } from "../users";
import type { RoomIdentity } from "./chat-room.rpc";

/** What the caller's membership of a room allows, as Postgres saw it at `identity.checkedAt`. */
export interface RoomAccess {
  identity: RoomIdentity;
  role: "member" | "admin";
  /** A direct room's other dancer, else null. */
  peerId: number | null;
  /** A direct room whose two dancers are blocked (either way), or whose other account is unusable. */
  blocked: boolean;
}

/**
 * The caller's access to a room, in one statement: the room, their membership and role,
 * Postgres' clock and the newest message number it has, and for a direct room whether the two
 * are blocked either way and whether the other dancer still takes the caller's messages (their
 * `messagePermission`: everyone, friends, nobody). A room that does not exist, or that the
 * caller is not a member of, is a 404 (rooms are private to their members).
 *
 * @example
 * const access = await roomAccess(ctx, roomId);
 * if (access.blocked) throw forbidden(...);
 */
export async function roomAccess(ctx: ActorCtx, roomId: number): Promise<RoomAccess> {
  const me = ctx.actor.id;
  const { rows } = await ctx.db.execute<{
    type: RoomIdentity["roomType"];
    role: RoomAccess["role"];
    checked_at: string;
    pg_last_seq: number;
    peer_id: number | null;
    blocked: boolean;
    can_send: boolean;
  }>(sql`
    SELECT r.type, m.role,
      to_char(statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS checked_at,
      coalesce((SELECT max(cm.room_seq) FROM chat_messages cm WHERE cm.chat_room_id = r.id), 0)::int AS pg_last_seq,
      peer.id AS peer_id,
      (peer.id IS NOT NULL AND (NOT ${notBlockedBetween(me, sql`peer.id`)} OR NOT ${accountUsable(sql`peer`)})) AS blocked,
      (peer.id IS NULL OR CASE coalesce(ps.message_permission, 'everyone')
        WHEN 'everyone' THEN true
        WHEN 'friends' THEN ${areFriends(sql`peer.id`, me)}
        ELSE false END) AS can_send
    FROM chat_rooms r
    JOIN chat_room_users m ON m.chat_room_id = r.id AND m.user_id = ${me}
    LEFT JOIN LATERAL (
      SELECT u.* FROM chat_room_users o JOIN users u ON u.id = o.user_id
      WHERE r.type = 'direct' AND o.chat_room_id = r.id AND o.user_id <> ${me}
      LIMIT 1
    ) peer ON true
    LEFT JOIN user_settings ps ON ps.user_id = peer.id
    WHERE r.id = ${roomId}`);
  const row = rows[0];
  if (!row) throw notFound("chat room");
  const blocked = Boolean(row.blocked);
  return {
    identity: {
      roomId,
      roomType: row.type,
      userId: me,
      checkedAt: row.checked_at,
      pgLastSeq: Number(row.pg_last_seq),
      canSend: !blocked && Boolean(row.can_send),
    },
    role: row.role,
    peerId: row.peer_id === null ? null : Number(row.peer_id),
    blocked,
  };
}
