import { type AnyColumn, type SQL, sql } from "drizzle-orm";

/** A user id, a column, or SQL computing one inside the caller's statement. */
type UserRef = number | AnyColumn | SQL;

/**
 * Holds when `a` and `b` are friends: an active friendship row from `a` to `b` (friendships
 * are stored as two rows, one each way). Served by the unique (user_id, friend_id) index.
 * An anonymous viewer (`null`) is nobody's friend.
 *
 * @example
 * db.select({ isFriend: areFriends(viewerId, users.id) }).from(users)
 */
export function areFriends(a: UserRef | null, b: UserRef): SQL<boolean> {
  if (a === null) return sql<boolean>`false`;
  return sql<boolean>`EXISTS (SELECT 1 FROM friendships f
    WHERE f.user_id = ${a} AND f.friend_id = ${b} AND f.status = 'active')`;
}

/**
 * The CTEs that cut every tie between two users, to fold into the caller's `WITH` (a block
 * uses it): follows both ways and both rows of a friendship are removed, pending friend
 * requests either way are cancelled (so their history stays). `when` guards every write, e.g.
 * `EXISTS (SELECT 1 FROM target)`.
 *
 * @example
 * db.execute(sql`WITH target AS (...), ${cutTies(me, them, sql`EXISTS (SELECT 1 FROM target)`)} SELECT ...`)
 */
export function cutTies(a: number, b: number, when: SQL = sql`true`): SQL {
  return sql`
    ties_unfollowed AS (
      DELETE FROM follows
      WHERE ${when}
        AND ((follower_id = ${a} AND following_id = ${b}) OR (follower_id = ${b} AND following_id = ${a}))
    ),
    ties_unfriended AS (
      DELETE FROM friendships
      WHERE ${when}
        AND ((user_id = ${a} AND friend_id = ${b}) OR (user_id = ${b} AND friend_id = ${a}))
    ),
    ties_requests_cancelled AS (
      UPDATE friend_requests SET status = 'cancelled', responded_at = now()
      WHERE status = 'pending' AND ${when}
        AND ((sender_id = ${a} AND receiver_id = ${b}) OR (sender_id = ${b} AND receiver_id = ${a}))
    )`;
}
