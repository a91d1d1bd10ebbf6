import { type AnyColumn, type SQL, sql } from "drizzle-orm";

/**
 * A SQL condition that holds when there is no block between the viewer and another user,
 * in either direction: the one helper every read path uses to hide blocked users from each
 * other (profiles, feeds, search, comments, chat, friend requests, notifications). Served
 * by the unique (blocker_id, blocked_id) index both ways. An anonymous viewer blocks no one.
 *
 * @example
 * db.select().from(posts).where(and(visible, notBlockedBetween(viewer?.id ?? null, posts.userId)))
 */
export function notBlockedBetween(viewerId: number | SQL | null, otherUserId: AnyColumn | SQL | number): SQL {
  if (viewerId === null) return sql`true`;
  return sql`NOT EXISTS (
    SELECT 1 FROM blocked_users b
    WHERE (b.blocker_id = ${viewerId} AND b.blocked_id = ${otherUserId})
       OR (b.blocker_id = ${otherUserId} AND b.blocked_id = ${viewerId}))`;
}
