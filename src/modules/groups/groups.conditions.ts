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
