import { type SQL, sql } from "drizzle-orm";

/**
 * Holds when the viewer is an active member of the group (a pending request to join a private
 * group is not membership). One probe of group_members' primary key. An anonymous viewer is a
 * member of nothing.
 *
 * @example
 * sql`SELECT p.id FROM posts p WHERE p.group_id IS NULL OR ${isGroupMember(viewerId, sql`p.group_id`)}`
 */
export function isGroupMember(viewerId: number | SQL | null, groupId: SQL): SQL<boolean> {
  if (viewerId === null) return sql<boolean>`false`;
  return sql<boolean>`EXISTS (SELECT 1 FROM group_members gm
    WHERE gm.group_id = ${groupId} AND gm.user_id = ${viewerId} AND gm.status = 'active')`;
}

/**
 * Holds when the viewer may see what a group hosts (its events): anyone for an open group, its
 * active members for a private one. `groupId` may be null (nothing hosts it: holds).
 */
export function groupContentVisibleTo(viewerId: number | SQL | null, groupId: SQL): SQL<boolean> {
  return sql<boolean>`(${groupId} IS NULL OR NOT EXISTS (SELECT 1 FROM groups g WHERE g.id = ${groupId} AND g.type = 'private')
    OR ${isGroupMember(viewerId, groupId)})`;
}

/** The roles that manage a group's members: they approve and reject requests to join. */
export const MANAGER_ROLES = ["admin", "moderator"] as const;

/**
 * Holds when the viewer is an active member of the group with one of `roles` (admins edit the
 * group and change roles; admins and moderators approve requests to join). One probe of
 * group_members' primary key; an anonymous viewer has no role anywhere.
 */
export function hasGroupRole(viewerId: number | SQL | null, groupId: number | SQL, roles: readonly string[]): SQL<boolean> {
  if (viewerId === null) return sql<boolean>`false`;
  return sql<boolean>`EXISTS (SELECT 1 FROM group_members gr WHERE gr.group_id = ${groupId} AND gr.user_id = ${viewerId}
    AND gr.status = 'active' AND gr.role IN (${sql.join(roles.map((role) => sql`${role}`), sql`, `)}))`;
}

/**
 * Holds when the viewer may see a group at all (its card, detail, lists, search): every group
 * the moderators have not hidden; a hidden one only to its admins (as a hidden post stays
 * visible to its author), so they see why. A private group is seen too (its name and
 * description, so that dancers can ask to join); its members and posts are for members only.
 * `group` is the groups row's alias in raw SQL.
 *
 * @example
 * sql`SELECT g.id FROM groups g WHERE g.id = ${id} AND ${groupVisibleTo(viewerId, sql`g`)}`
 */
export function groupVisibleTo(viewerId: number | SQL | null, group: SQL): SQL<boolean> {
  return sql<boolean>`(${group}.hidden_at IS NULL OR ${hasGroupRole(viewerId, sql`${group}.id`, ["admin"])})`;
}

/**
 * A city's key, as city communities are found by it: spaces trimmed and runs of them made one,
 * accents folded and lower-cased (`  São  Paulo` and `sao paulo` are one community); null for
 * a missing or blank city.
 */
export function cityKey(city: SQL): SQL<string | null> {
  return sql<string | null>`nullif(lower(mt_unaccent(regexp_replace(btrim(${city}), ${"[[:space:]]+"}, ' ', 'g'))), '')`;
}

/**
 * The CTE `group_access` (`found`, `member`) that a statement writing into a group (a group
 * post) folds in and makes its write conditional on: whether the group is there for the actor,
 * and whether they are an active member of it. The membership row is locked (`FOR KEY SHARE`),
 * so a post racing its author's leave either lands before the leave (which then waits for it)
 * or finds them gone. Without a group (`null`) both hold.
 */
export function groupAccessCte(actorId: number, groupId: number | null | undefined): SQL {
  if (groupId == null) return sql`group_access AS (SELECT true AS found, true AS member)`;
  return sql`group_access_lock AS (
      SELECT gm.user_id FROM group_members gm
      WHERE gm.group_id = ${groupId} AND gm.user_id = ${actorId} AND gm.status = 'active'
      FOR KEY SHARE
    ),
    group_access AS (
      SELECT EXISTS (SELECT 1 FROM groups g WHERE g.id = ${groupId} AND ${groupVisibleTo(actorId, sql`g`)}) AS found,
        EXISTS (SELECT 1 FROM group_access_lock) AS member
    )`;
}
