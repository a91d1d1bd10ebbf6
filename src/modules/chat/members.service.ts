import { z } from "@hono/zod-openapi";
import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import type { Logger } from "../../lib/logger";
import { type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { INT4_MAX } from "../../lib/text";
import { notBlockedBetween } from "../blocks";
import { eventVisibleTo, managesEvent } from "../events";
import { accountUsable } from "../users";
import { chatRoomStub, type ChatRoomRpc } from "./chat-room.rpc";
import { membershipOrNew, PG_NOW_ISO, ROOM_COLUMNS, roomItemColumns } from "./rooms.conditions";
import {
  lastAdminError,
  membershipError,
  noSuchMemberError,
  roomNotFoundError,
  unknownMembersError,
} from "./rooms.policy";
import {
  type AddedMembers,
  type ChatMember,
  type ChatRoom,
  type MemberRow,
  type RoomRole,
  type RoomRow,
  toMember,
  toRoom,
} from "./rooms.schemas";

/**
 * The row lock that puts a room's membership changes one after another: the second statement
 * of the change's batch starts after it, so it sees every change committed before (the last
 * admin leaving, the last member leaving and the room with them). `FOR UPDATE`, not `FOR NO KEY
 * UPDATE`, because the change may delete the room, which would otherwise upgrade the lock under
 * a message flush's foreign-key share lock and deadlock with it.
 */
function lockRoom(ctx: Ctx, roomId: number, when: SQL) {
  return ctx.db.execute(sql`SELECT 1 FROM chat_rooms r WHERE r.id = ${roomId} AND ${when} FOR UPDATE`);
}

/** Only a member's changes lock the room: anyone else changes nothing, and holds no lock on it. */
const byMember = (me: number) => sql`EXISTS (SELECT 1 FROM chat_room_users cu WHERE cu.chat_room_id = r.id AND cu.user_id = ${me})`;

/** The caller's membership and the room it is of, as the first CTEs of a membership change. */
function callerCtes(roomId: number, me: number): SQL {
  return sql`mine AS (SELECT cu.role FROM chat_room_users cu WHERE cu.chat_room_id = ${roomId} AND cu.user_id = ${me}),
    target AS (SELECT ${ROOM_COLUMNS} FROM chat_rooms WHERE id = ${roomId} AND EXISTS (SELECT 1 FROM mine)),
    admin AS (SELECT EXISTS (SELECT 1 FROM mine WHERE role = 'admin') AS is_admin)`;
}

interface SeenRow extends Record<string, unknown> {
  found: boolean;
  room_type: string | null;
  allowed: boolean;
}

const seenColumns = sql`EXISTS (SELECT 1 FROM target) AS found, (SELECT type FROM target) AS room_type`;

function seen(row: SeenRow) {
  return { found: row.found, type: row.room_type, allowed: row.allowed };
}

/** A membership change, committed, that the room's object is told about. */
export interface MembershipChange {
  kind: "added" | "removed";
  roomId: number;
  userIds: number[];
  /** Postgres' time of the change (ISO). */
  at: string;
}

/**
 * Tells the room's ChatRoom object about membership changes that have committed: a removal
 * closes the dancer's sockets, an addition lifts an earlier removal. A failure is logged and
 * does not fail the request: membership is checked again in Postgres at every upgrade and send,
 * so a missed call only leaves an open socket until it reconnects.
 */
export async function tellRoomObject(env: Env, logger: Logger, change: MembershipChange): Promise<void> {
  if (change.userIds.length === 0) return;
  // Typed by the contract (chat-room.rpc.ts), which the object implements.
  const stub = chatRoomStub(env, change.roomId) as unknown as ChatRoomRpc;
  const results = await Promise.allSettled(
    change.userIds.map((userId) =>
      change.kind === "removed" ? stub.memberRemoved(change.roomId, userId, change.at) : stub.memberAdded(change.roomId, userId, change.at),
    ),
  );
  results.forEach((result, i) => {
    if (result.status === "rejected") {
      logger.warn("chat room object not told of a membership change", {
        code: "chat_room_rpc_failed",
        kind: change.kind,
        roomId: change.roomId,
        userId: change.userIds[i],
        error: result.reason instanceof Error ? result.reason.name : "unknown",
      });
    }
  });
}

/** The member list's keyset: the membership's serial id, which follows the order members joined. */
const MemberCursor = z.tuple([z.number().int().min(1).max(INT4_MAX)]);

/**
 * A room's members, in the order they joined, as cards with their role and when they joined, in
 * one statement: the caller's membership (none: 404) and the page. In group and event rooms
 * dancers blocked either way with the caller and unusable accounts are left out, as everywhere;
 * a direct room shows both of its dancers.
 */
export async function listMembers(ctx: ActorCtx, input: { roomId: number } & PageRequest): Promise<Page<ChatMember>> {
  const me = ctx.actor.id;
  let found = false;
  const page = await sortedPage(
    input,
    { by: [sql`cu.id`], direction: "asc", cursor: MemberCursor },
    async (keyset) => {
      const { rows } = await ctx.db.execute<MemberRow & { found: boolean; member_key: number | null }>(sql`
        SELECT true AS found, p.*
        FROM chat_room_users mine JOIN chat_rooms r ON r.id = mine.chat_room_id
        LEFT JOIN LATERAL (
          SELECT u.id, u.username, u.name, u.profile_image, cu.role, coalesce(cu.joined_at, r.created_at, r.updated_at) AS joined_at,
            cu.id AS member_key
          FROM chat_room_users cu JOIN users u ON u.id = cu.user_id
          WHERE cu.chat_room_id = r.id AND ${keyset.after}
            AND (r.type = 'direct' OR u.id = ${me} OR (${accountUsable(sql`u`)} AND ${notBlockedBetween(me, sql`u.id`)}))
          ORDER BY ${keyset.order}
          LIMIT ${keyset.limit}
        ) p ON true
        WHERE mine.chat_room_id = ${input.roomId} AND mine.user_id = ${me}
        ORDER BY p.member_key`);
      found = rows.length > 0;
      return rows.filter((row) => row.member_key !== null);
    },
    { item: toMember, key: (row) => [Number(row.member_key)] as z.infer<typeof MemberCursor> },
  );
  if (!found) throw roomNotFoundError();
  return page;
}

/** An int4[] of bound parameters. */
function intArray(values: number[]): SQL {
  return sql`ARRAY[${sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  )}]::int[]`;
}

/**
 * An admin adds dancers to a group room, in one batch (the room's row locked first): each must
 * be a usable account with no block either way with the admin, else nothing changes and each is
 * named (400 `unknown_user`). Members already are left as they are (idempotent);
 * `member_count` grows by the memberships the INSERT returns, so concurrent adds count exactly.
 * New members start with nothing unread. Not the caller's room: 404; direct: 400
 * `direct_room`; event: 400 `event_room`; not an admin: 403 `not_room_admin`.
 */
export async function addMembers(
  ctx: ActorCtx,
  input: { roomId: number; userIds: number[] },
): Promise<AddedMembers & { at: string }> {
  const { db, actor } = ctx;
  const me = actor.id;
  const { roomId, userIds } = input;
  const [, { rows }] = await db.batch([
    lockRoom(ctx, roomId, byMember(me)),
    db.execute<SeenRow & { bad: number[] | null; added: number[]; member_count: number; at: string }>(sql`
      WITH ${callerCtes(roomId, me)},
      wanted AS (SELECT x.id, x.ord FROM unnest(${intArray(userIds)}) WITH ORDINALITY AS x(id, ord)),
      eligible AS (
        SELECT w.id FROM wanted w JOIN users u ON u.id = w.id
        WHERE w.id = ${me} OR (${accountUsable(sql`u`)} AND ${notBlockedBetween(me, sql`u.id`)})
      ),
      bad AS (SELECT array_agg(w.ord - 1 ORDER BY w.ord)::int[] AS indexes FROM wanted w WHERE w.id NOT IN (SELECT id FROM eligible)),
      added AS (
        INSERT INTO chat_room_users (chat_room_id, user_id, role, last_read_seq, last_delivered_seq)
        SELECT t.id, e.id, 'member', t.last_message_seq, t.last_message_seq FROM target t CROSS JOIN eligible e
        WHERE t.type = 'group' AND (SELECT is_admin FROM admin) AND (SELECT indexes FROM bad) IS NULL
        ORDER BY e.id
        ON CONFLICT (chat_room_id, user_id) DO NOTHING
        RETURNING user_id
      ),
      counted AS (
        UPDATE chat_rooms c SET member_count = c.member_count + (SELECT count(*) FROM added), updated_at = now()
        WHERE c.id = ${roomId} AND EXISTS (SELECT 1 FROM added)
        RETURNING c.member_count
      )
      SELECT ${seenColumns}, (SELECT is_admin FROM admin) AS allowed, (SELECT indexes FROM bad) AS bad,
        coalesce((SELECT array_agg(user_id ORDER BY user_id) FROM added), '{}'::int[]) AS added,
        coalesce((SELECT member_count FROM counted), (SELECT member_count FROM target)) AS member_count,
        ${PG_NOW_ISO} AS at`),
  ]);
  const row = rows[0]!;
  const refused = membershipError(seen(row), { groupOnly: true });
  if (refused) throw refused;
  if (row.bad) throw unknownMembersError("body.userIds", row.bad.map(Number));
  const added = row.added.map(Number);
  if (added.length) ctx.logger.info("chat members added", { code: "chat_members_added", roomId, count: added.length });
  return { added, memberCount: Number(row.member_count), at: row.at };
}

/**
 * Takes a dancer out of a room, in one batch (the room's row locked first): an admin removes
 * anyone; anyone removes themselves (leaving). The room keeps an admin while it has other
 * members: the last admin leaving is 409 `last_admin`, however many leave or step down at once.
 * The last member leaving deletes the room (its messages go with it). `member_count` shrinks by
 * the membership the DELETE returns. Not the caller's room: 404; direct: 400 `direct_room`;
 * another member, not an admin: 403 `not_room_admin`; no such member: 404. Answers Postgres'
 * time of the removal and whether the room was deleted.
 */
export async function removeMember(
  ctx: ActorCtx,
  input: { roomId: number; userId: number },
): Promise<{ at: string; roomDeleted: boolean }> {
  const { db, actor } = ctx;
  const me = actor.id;
  const { roomId, userId } = input;
  const self = userId === me;
  const [, { rows }] = await db.batch([
    lockRoom(ctx, roomId, byMember(me)),
    db.execute<SeenRow & { member: boolean; removed: boolean; deleted: boolean; at: string }>(sql`
      WITH ${callerCtes(roomId, me)},
      member AS (SELECT cu.role FROM chat_room_users cu WHERE cu.chat_room_id = ${roomId} AND cu.user_id = ${userId} AND EXISTS (SELECT 1 FROM target)),
      rest AS (
        SELECT count(*) AS members, count(*) FILTER (WHERE cu.role = 'admin') AS admins
        FROM chat_room_users cu WHERE cu.chat_room_id = ${roomId} AND cu.user_id <> ${userId}
      ),
      removed AS (
        DELETE FROM chat_room_users cu
        WHERE cu.chat_room_id = ${roomId} AND cu.user_id = ${userId}
          AND EXISTS (SELECT 1 FROM target WHERE type <> 'direct')
          AND (${self}::boolean OR (SELECT is_admin FROM admin))
          AND (cu.role <> 'admin' OR (SELECT admins FROM rest) > 0 OR (SELECT members FROM rest) = 0)
        RETURNING cu.user_id
      ),
      emptied AS (
        DELETE FROM chat_rooms c WHERE c.id = ${roomId} AND EXISTS (SELECT 1 FROM removed) AND (SELECT members FROM rest) = 0
        RETURNING c.id
      ),
      counted AS (
        UPDATE chat_rooms c SET member_count = c.member_count - 1, updated_at = now()
        WHERE c.id = ${roomId} AND EXISTS (SELECT 1 FROM removed) AND (SELECT members FROM rest) > 0
        RETURNING c.id
      )
      SELECT ${seenColumns}, ${self}::boolean OR (SELECT is_admin FROM admin) AS allowed,
        EXISTS (SELECT 1 FROM member) AS member, EXISTS (SELECT 1 FROM removed) AS removed,
        EXISTS (SELECT 1 FROM emptied) AS deleted, ${PG_NOW_ISO} AS at`),
  ]);
  const row = rows[0]!;
  const refused = membershipError(seen(row));
  if (refused) throw refused;
  if (!row.member) throw noSuchMemberError();
  if (!row.removed) throw lastAdminError();
  ctx.logger.info(self ? "chat room left" : "chat member removed", {
    code: self ? "chat_room_left" : "chat_member_removed",
    roomId,
    userId,
    roomDeleted: row.deleted,
  });
  return { at: row.at, roomDeleted: row.deleted };
}

/**
 * An admin gives a member a role, in one batch (the room's row locked first, so the room never
 * loses its last admin whatever demotions and departures race: 409 `last_admin`). The member
 * must be one the admin may see (not blocked either way, usable; else 404 as if not a member).
 * Not the caller's room: 404; direct: 400 `direct_room`; not an admin: 403 `not_room_admin`.
 */
export async function changeMemberRole(ctx: ActorCtx, input: { roomId: number; userId: number; role: RoomRole }): Promise<ChatMember> {
  const { db, actor } = ctx;
  const me = actor.id;
  const { roomId, userId, role } = input;
  const [, { rows }] = await db.batch([
    lockRoom(ctx, roomId, byMember(me)),
    db.execute<SeenRow & MemberRow & { member: boolean; done: boolean }>(sql`
      WITH ${callerCtes(roomId, me)},
      member AS (
        SELECT cu.user_id FROM chat_room_users cu JOIN users u ON u.id = cu.user_id
        WHERE cu.chat_room_id = ${roomId} AND cu.user_id = ${userId} AND EXISTS (SELECT 1 FROM target)
          AND (u.id = ${me} OR (${accountUsable(sql`u`)} AND ${notBlockedBetween(me, sql`u.id`)}))
      ),
      changed AS (
        UPDATE chat_room_users cu SET role = ${role}
        WHERE cu.chat_room_id = ${roomId} AND cu.user_id IN (SELECT user_id FROM member)
          AND EXISTS (SELECT 1 FROM target WHERE type <> 'direct') AND (SELECT is_admin FROM admin)
          AND (cu.role <> 'admin' OR ${role}::text = 'admin' OR EXISTS (SELECT 1 FROM chat_room_users o
            WHERE o.chat_room_id = ${roomId} AND o.role = 'admin' AND o.user_id <> ${userId}))
        RETURNING cu.user_id, cu.role, cu.joined_at
      )
      SELECT ${seenColumns}, (SELECT is_admin FROM admin) AS allowed, EXISTS (SELECT 1 FROM member) AS member,
        EXISTS (SELECT 1 FROM changed) AS done, card.*
      FROM (SELECT 1) one LEFT JOIN (
        SELECT u.id, u.username, u.name, u.profile_image, c.role, coalesce(c.joined_at, now() AT TIME ZONE 'UTC') AS joined_at
        FROM changed c JOIN users u ON u.id = c.user_id
      ) card ON true`),
  ]);
  const row = rows[0]!;
  const refused = membershipError(seen(row));
  if (refused) throw refused;
  if (!row.member) throw noSuchMemberError();
  if (!row.done) throw lastAdminError();
  ctx.logger.info("chat member role changed", { code: "chat_member_role_changed", roomId, userId, role });
  return toMember(row);
}

/**
 * The caller joins an event room, in one batch (the room's row locked first, so a room whose
 * last member is leaving is never joined as it goes): its event's organizers (as admins) and the
 * dancers whose RSVP is `going` (as members), when they may see the event. A member already is
 * answered the room as it is (idempotent), in any kind of room. New members start with nothing
 * unread. Anyone else: 404, as for any room they are not in. Answers the room and Postgres' time
 * of the join (null when the caller was a member already).
 */
export async function joinRoom(ctx: ActorCtx, input: { roomId: number }): Promise<{ room: ChatRoom; joinedAt: string | null }> {
  const { db, actor } = ctx;
  const me = actor.id;
  const { roomId } = input;
  const [, { rows }] = await db.batch([
    lockRoom(ctx, roomId, sql`r.type = 'event' AND NOT ${byMember(me)}`),
    db.execute<RoomRow & { joined_at: string | null }>(sql`
      WITH room AS (SELECT ${ROOM_COLUMNS} FROM chat_rooms WHERE id = ${roomId}),
      already AS (SELECT 1 FROM chat_room_users WHERE chat_room_id = ${roomId} AND user_id = ${me}),
      eligible AS (
        SELECT CASE WHEN ${managesEvent(me, sql`e`)} THEN 'admin' ELSE 'member' END AS role
        FROM room r JOIN events e ON e.id = r.event_id
        WHERE r.type = 'event' AND NOT EXISTS (SELECT 1 FROM already)
          AND EXISTS (SELECT 1 FROM users caller WHERE caller.id = ${me} AND ${accountUsable(sql`caller`)})
          AND ${eventVisibleTo(me, sql`e`)}
          AND (${managesEvent(me, sql`e`)} OR EXISTS (SELECT 1 FROM event_rsvps rs
            WHERE rs.event_id = e.id AND rs.user_id = ${me} AND rs.status = 'going'))
      ),
      joined AS (
        INSERT INTO chat_room_users (chat_room_id, user_id, role, last_read_seq, last_delivered_seq)
        SELECT r.id, ${me}, el.role, r.last_message_seq, r.last_message_seq FROM room r CROSS JOIN eligible el
        ON CONFLICT (chat_room_id, user_id) DO NOTHING
        RETURNING chat_room_id
      ),
      counted AS (
        UPDATE chat_rooms c SET member_count = c.member_count + 1, updated_at = now()
        FROM joined j WHERE c.id = j.chat_room_id
        RETURNING c.id
      )
      SELECT item.*, CASE WHEN EXISTS (SELECT 1 FROM joined) THEN ${PG_NOW_ISO} END AS joined_at
      FROM (SELECT 1) one JOIN (
        SELECT ${roomItemColumns(me, { memberCount: sql`r.member_count + (SELECT count(*) FROM joined)::int` })}
        FROM room r CROSS JOIN ${membershipOrNew(me, sql`(SELECT el.role FROM eligible el)`)}
        WHERE EXISTS (SELECT 1 FROM already) OR EXISTS (SELECT 1 FROM joined)
      ) item ON true`),
  ]);
  const row = rows[0];
  if (!row) throw roomNotFoundError();
  if (row.joined_at) ctx.logger.info("chat room joined", { code: "chat_room_joined", roomId });
  return { room: toRoom(row), joinedAt: row.joined_at };
}
