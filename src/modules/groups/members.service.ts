import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { type AppError, notFound } from "../../lib/errors";
import { type Keyset, keysetPage, type Page, type PageRequest, sortedPage, TimeIdCursor } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import { notBlockedBetween } from "../blocks";
import { notificationCtes } from "../notifications";
import { accountUsable } from "../users";
import { groupVisibleTo, hasGroupRole, isGroupMember, MANAGER_ROLES } from "./groups.conditions";
import {
  groupActionError,
  lastAdminError,
  noSuchMemberError,
  noSuchRequestError,
  notGroupAdminError,
  notGroupManagerError,
  notGroupMemberError,
} from "./groups.policy";
import {
  type GroupMember,
  type JoinRequest,
  type Membership,
  type MembershipRow,
  toMembership,
} from "./groups.schemas";
import { joinedTogetherCtes, memberCountCte } from "./memberships";

type Role = GroupMember["role"];

/** The row lock that puts the statements which may take a group's last admin away one after another. */
function lockGroup(ctx: Ctx, groupId: number) {
  return ctx.db.execute(sql`SELECT 1 FROM groups WHERE id = ${groupId} FOR NO KEY UPDATE`);
}

/**
 * Holds when the group keeps an admin besides `userId` (an active one). Read in a statement
 * that runs after {@link lockGroup} in the same batch, so it sees every departure committed
 * before it.
 */
function anotherAdmin(groupId: number, userId: SQL | number): SQL<boolean> {
  return sql<boolean>`EXISTS (SELECT 1 FROM group_members o
    WHERE o.group_id = ${groupId} AND o.role = 'admin' AND o.status = 'active' AND o.user_id <> ${userId})`;
}

/**
 * The actor joins a group, in one statement: an open group (a city, interest or professional
 * one) makes them an active member at once, its `member_count` one more and
 * `group_joined_together` recorded with each friend already a member; a private group records
 * a pending request and notifies its admins and moderators (`group_join_request`, one unread
 * notification per group: "Ana and 3 others asked to join"). Joining again changes nothing and
 * answers the membership as it is (the upsert returns the row even when a racing twin made it).
 * A group the actor may not see is a 404.
 */
export async function joinGroup(ctx: ActorCtx, input: { groupId: number }): Promise<Membership> {
  const { db, actor } = ctx;
  const { groupId } = input;
  const { rows } = await db.execute<{ found: boolean; inserted: boolean | null } & MembershipRow>(sql`
    WITH target AS (SELECT g.id, g.type FROM groups g WHERE g.id = ${groupId} AND ${groupVisibleTo(actor.id, sql`g`)}),
    joined AS (
      INSERT INTO group_members (group_id, user_id, role, status, approved_at)
      SELECT t.id, ${actor.id}, 'member', CASE WHEN t.type = 'private' THEN 'pending' ELSE 'active' END,
             CASE WHEN t.type = 'private' THEN NULL ELSE now() END
      FROM target t
      ON CONFLICT (group_id, user_id) DO UPDATE SET role = group_members.role
      RETURNING group_id, user_id, role, status, created_at, xmax = 0 AS inserted
    ),
    fresh_member AS (SELECT group_id, user_id FROM joined WHERE inserted AND status = 'active'),
    ${memberCountCte("counted", sql`(SELECT group_id, 1 AS delta FROM fresh_member)`)},
    ${joinedTogetherCtes(sql`fresh_member`)},
    ${notificationCtes({
      to: {
        from: sql`(SELECT gm.user_id FROM joined j JOIN group_members gm ON gm.group_id = j.group_id
          AND gm.status = 'active' AND gm.role IN ('admin', 'moderator') WHERE j.inserted AND j.status = 'pending') managers`,
      },
      type: "group_join_request",
      actorId: actor.id,
      subjectType: "group",
      subjectId: groupId,
      data: { groupId },
      coalesce: "subject",
    })}
    SELECT EXISTS (SELECT 1 FROM target) AS found, j.group_id, j.role, j.status, j.created_at, j.inserted
    FROM (SELECT 1) one LEFT JOIN joined j ON true`);
  const row = rows[0]!;
  if (!row.found || row.group_id === null) throw notFound("group");
  if (row.inserted) ctx.logger.info("group joined", { code: row.status === "active" ? "group_joined" : "group_join_requested", groupId });
  return toMembership(row);
}

/**
 * The actor leaves a group, or takes back their request to join; `member_count` one less for
 * an active member. Not a member: nothing changes (204). The last admin may not leave (409
 * `last_admin`): they make someone else an admin first, or delete the group. One batch, one
 * round trip: the group's row is locked first, so that of two admins leaving at once the
 * second sees the first gone and stays. A group the actor may not see, and is not in, is a 404.
 */
export async function leaveGroup(ctx: ActorCtx, input: { groupId: number }): Promise<void> {
  const { db, actor } = ctx;
  const { groupId } = input;
  const [, { rows }] = await db.batch([
    lockGroup(ctx, groupId),
    db.execute<{ found: boolean; member: boolean; left: boolean }>(sql`
      WITH mine AS (SELECT role, status FROM group_members WHERE group_id = ${groupId} AND user_id = ${actor.id}),
      departed AS (
        DELETE FROM group_members gm WHERE gm.group_id = ${groupId} AND gm.user_id = ${actor.id}
          AND (gm.role <> 'admin' OR gm.status <> 'active' OR ${anotherAdmin(groupId, actor.id)})
        RETURNING gm.group_id, gm.status
      ),
      ${memberCountCte("counted", sql`(SELECT group_id, -1 AS delta FROM departed WHERE status = 'active')`)}
      SELECT EXISTS (SELECT 1 FROM mine) OR EXISTS (SELECT 1 FROM groups g WHERE g.id = ${groupId} AND ${groupVisibleTo(actor.id, sql`g`)}) AS found,
        EXISTS (SELECT 1 FROM mine) AS member, EXISTS (SELECT 1 FROM departed) AS left`),
  ]);
  const row = rows[0]!;
  const refused = groupActionError({ found: row.found, allowed: !row.member || row.left }, lastAdminError);
  if (refused) throw refused;
  if (row.left) ctx.logger.info("group left", { code: "group_left", groupId });
}

interface MemberRow extends Record<string, unknown> {
  id: number | null;
  username: string;
  name: string;
  profile_image: string | null;
  role: string;
  time_key: string;
}

interface AccessRow extends Record<string, unknown> {
  found: boolean;
  allowed: boolean;
}

const memberCard = (u: SQL) => sql`${u}.id, ${u}.username, ${u}.name, ${u}.profile_image`;

function cardOf(row: MemberRow) {
  return { id: Number(row.id), username: row.username, name: row.name, profileImage: row.profile_image };
}

/**
 * One page of a group's memberships of one status as member cards, in one statement: the
 * group as the viewer may see it (none: a 404), whether `access` lets them read the list (no:
 * `refusal`), and the page, which leaves out accounts not usable and dancers on either side of
 * a block with the viewer. Keyset over group_members_list_idx (group, status, time, user).
 */
async function membershipPage(
  { db }: Ctx,
  input: { groupId: number; viewerId: number | null; status: "active" | "pending"; access: SQL; refusal: () => AppError },
  keyset: Keyset,
): Promise<MemberRow[]> {
  const { groupId, viewerId, status, access } = input;
  const { rows } = await db.execute<AccessRow & MemberRow>(sql`
    SELECT true AS found, ${access} AS allowed, m.*
    FROM groups g LEFT JOIN LATERAL (
      SELECT ${memberCard(sql`u`)}, gm.role, gm.created_at::text AS time_key
      FROM group_members gm JOIN users u ON u.id = gm.user_id
      WHERE gm.group_id = g.id AND gm.status = ${status} AND ${keyset.after}
        AND ${accountUsable(sql`u`)} AND ${notBlockedBetween(viewerId, sql`u.id`)}
      ORDER BY ${keyset.order} LIMIT ${keyset.limit}
    ) m ON ${access}
    WHERE g.id = ${groupId} AND ${groupVisibleTo(viewerId, sql`g`)}`);
  const refused = groupActionError(rows[0] ?? { found: false, allowed: false }, input.refusal);
  if (refused) throw refused;
  return rows.filter((row) => row.id !== null);
}

/**
 * The group's active members, newest first, as cards with their role. A private group's
 * members are seen by its members only (403 `not_group_member`).
 */
export async function listMembers(ctx: Ctx, input: { groupId: number } & PageRequest): Promise<Page<GroupMember>> {
  const viewerId = ctx.actor?.id ?? null;
  const access = sql`(g.type <> 'private' OR ${isGroupMember(viewerId, sql`g.id`)})`;
  return keysetPage(
    input,
    { time: sql`gm.created_at`, id: sql`gm.user_id` },
    (keyset) => membershipPage(ctx, { groupId: input.groupId, viewerId, status: "active", access, refusal: notGroupMemberError }, keyset),
    { item: (row) => ({ ...cardOf(row), role: row.role as Role, joinedAt: isoUtc(row.time_key) }), key: (row) => [row.time_key, Number(row.id)] },
  );
}

/**
 * The requests to join a private group, oldest first (the longest waiting is answered first),
 * for its admins and moderators (403 `not_group_manager` for others).
 */
export async function listJoinRequests(ctx: ActorCtx, input: { groupId: number } & PageRequest): Promise<Page<JoinRequest>> {
  const access = hasGroupRole(ctx.actor.id, sql`g.id`, MANAGER_ROLES);
  return sortedPage(
    input,
    { by: [sql`gm.created_at`, sql`gm.user_id`], direction: "asc", cursor: TimeIdCursor },
    (keyset) =>
      membershipPage(ctx, { groupId: input.groupId, viewerId: ctx.actor.id, status: "pending", access, refusal: notGroupManagerError }, keyset),
    { item: (row) => ({ ...cardOf(row), requestedAt: isoUtc(row.time_key) }), key: (row) => [row.time_key, Number(row.id)] as TimeIdCursor },
  );
}

/** An active member as a card with their role, or nothing. */
async function activeMember(ctx: Ctx, groupId: number, userId: number): Promise<GroupMember | null> {
  const { rows } = await ctx.db.execute<MemberRow>(sql`
    SELECT ${memberCard(sql`u`)}, gm.role, gm.created_at::text AS time_key
    FROM group_members gm JOIN users u ON u.id = gm.user_id
    WHERE gm.group_id = ${groupId} AND gm.user_id = ${userId} AND gm.status = 'active'`);
  const row = rows[0];
  return row ? { ...cardOf(row), role: row.role as Role, joinedAt: isoUtc(row.time_key) } : null;
}

interface DecisionRow extends AccessRow, MemberRow {
  done: boolean;
}

/**
 * An admin or moderator approves a request to join, in one statement: the membership becomes
 * active (its time is the approval's, so the member list orders it as a join), `member_count`
 * one more, `group_joined_together` recorded with the newcomer's friends already members, and
 * the newcomer notified (`group_join_approved`). Approving a dancer who is already a member
 * answers them as they are (a second round trip, only then); no request is a 404.
 */
export async function approveJoinRequest(ctx: ActorCtx, input: { groupId: number; userId: number }): Promise<GroupMember> {
  const { db, actor } = ctx;
  const { groupId, userId } = input;
  const { rows } = await db.execute<DecisionRow>(sql`
    WITH target AS (SELECT g.id FROM groups g WHERE g.id = ${groupId} AND ${groupVisibleTo(actor.id, sql`g`)}),
    manager AS (SELECT ${hasGroupRole(actor.id, groupId, MANAGER_ROLES)} AS ok),
    approved AS (
      UPDATE group_members gm SET status = 'active', created_at = now(), approved_at = now(), approved_by = ${actor.id}
      WHERE gm.group_id = ${groupId} AND gm.user_id = ${userId} AND gm.status = 'pending'
        AND EXISTS (SELECT 1 FROM target) AND (SELECT ok FROM manager)
      RETURNING gm.group_id, gm.user_id, gm.role, gm.created_at
    ),
    ${memberCountCte("counted", sql`(SELECT group_id, 1 AS delta FROM approved)`)},
    ${joinedTogetherCtes(sql`approved`)},
    ${notificationCtes({
      to: { from: sql`(SELECT user_id FROM approved) newcomer` },
      type: "group_join_approved",
      actorId: actor.id,
      subjectType: "group",
      subjectId: groupId,
      data: { groupId },
    })}
    SELECT EXISTS (SELECT 1 FROM target) AS found, (SELECT ok FROM manager) AS allowed, EXISTS (SELECT 1 FROM approved) AS done,
      m.* FROM (SELECT 1) one
    LEFT JOIN (SELECT ${memberCard(sql`u`)}, a.role, a.created_at::text AS time_key FROM approved a JOIN users u ON u.id = a.user_id) m ON true`);
  const row = rows[0]!;
  const refused = groupActionError(row, notGroupManagerError);
  if (refused) throw refused;
  if (row.done) {
    ctx.logger.info("group join approved", { code: "group_join_approved", groupId, userId });
    return { ...cardOf(row), role: row.role as Role, joinedAt: isoUtc(row.time_key) };
  }
  const member = await activeMember(ctx, groupId, userId);
  if (!member) throw noSuchRequestError();
  return member;
}

/** An admin or moderator turns down a request to join (the dancer may ask again); no request is a 404. */
export async function rejectJoinRequest(ctx: ActorCtx, input: { groupId: number; userId: number }): Promise<void> {
  const { db, actor } = ctx;
  const { groupId, userId } = input;
  const { rows } = await db.execute<AccessRow & { done: boolean }>(sql`
    WITH target AS (SELECT g.id FROM groups g WHERE g.id = ${groupId} AND ${groupVisibleTo(actor.id, sql`g`)}),
    manager AS (SELECT ${hasGroupRole(actor.id, groupId, MANAGER_ROLES)} AS ok),
    rejected AS (
      DELETE FROM group_members gm
      WHERE gm.group_id = ${groupId} AND gm.user_id = ${userId} AND gm.status = 'pending'
        AND EXISTS (SELECT 1 FROM target) AND (SELECT ok FROM manager)
      RETURNING gm.user_id
    )
    SELECT EXISTS (SELECT 1 FROM target) AS found, (SELECT ok FROM manager) AS allowed, EXISTS (SELECT 1 FROM rejected) AS done`);
  const row = rows[0]!;
  const refused = groupActionError(row, notGroupManagerError);
  if (refused) throw refused;
  if (!row.done) throw noSuchRequestError();
  ctx.logger.info("group join rejected", { code: "group_join_rejected", groupId, userId });
}

/**
 * An admin gives an active member a role (member, moderator or admin; admins may step down
 * too), in one batch: the group's row is locked first, so the group never loses its last admin,
 * however many demotions and departures race (409 `last_admin`). Not an admin: 403
 * `not_group_admin`; no such active member: 404.
 */
export async function changeMemberRole(ctx: ActorCtx, input: { groupId: number; userId: number; role: Role }): Promise<GroupMember> {
  const { db, actor } = ctx;
  const { groupId, userId, role } = input;
  const [, { rows }] = await db.batch([
    lockGroup(ctx, groupId),
    db.execute<DecisionRow & { member: boolean }>(sql`
      WITH target AS (SELECT g.id FROM groups g WHERE g.id = ${groupId} AND ${groupVisibleTo(actor.id, sql`g`)}),
      admin AS (SELECT ${hasGroupRole(actor.id, groupId, ["admin"])} AS ok),
      member AS (SELECT role FROM group_members WHERE group_id = ${groupId} AND user_id = ${userId} AND status = 'active'),
      changed AS (
        UPDATE group_members gm SET role = ${role}
        WHERE gm.group_id = ${groupId} AND gm.user_id = ${userId} AND gm.status = 'active'
          AND EXISTS (SELECT 1 FROM target) AND (SELECT ok FROM admin)
          AND (gm.role <> 'admin' OR ${role} = 'admin' OR ${anotherAdmin(groupId, userId)})
        RETURNING gm.user_id, gm.role, gm.created_at
      )
      SELECT EXISTS (SELECT 1 FROM target) AS found, (SELECT ok FROM admin) AS allowed, EXISTS (SELECT 1 FROM member) AS member,
        EXISTS (SELECT 1 FROM changed) AS done, m.* FROM (SELECT 1) one
      LEFT JOIN (SELECT ${memberCard(sql`u`)}, c.role, c.created_at::text AS time_key FROM changed c JOIN users u ON u.id = c.user_id) m ON true`),
  ]);
  const row = rows[0]!;
  const refused = groupActionError(row, notGroupAdminError);
  if (refused) throw refused;
  if (!row.member) throw noSuchMemberError();
  if (!row.done) throw lastAdminError();
  ctx.logger.info("group role changed", { code: "group_role_changed", groupId, userId, role });
  return { ...cardOf(row), role: row.role as Role, joinedAt: isoUtc(row.time_key) };
}
