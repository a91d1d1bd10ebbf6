import { type AnyColumn, type SQL, sql } from "drizzle-orm";
import { accountUsable } from "../users";

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

/**
 * The ids of `user`'s friends (active rows) whose accounts are usable, as a SQL `FROM` item
 * with one column, `id`. Served by the unique (user_id, friend_id) index.
 *
 * @example
 * sql`SELECT count(*) FROM ${friendsOf(me)} mine JOIN ${friendsOf(them)} theirs USING (id)`
 */
export function friendsOf(user: UserRef): SQL {
  return sql`(SELECT f.friend_id AS id FROM friendships f JOIN users fu ON fu.id = f.friend_id
    WHERE f.user_id = ${user} AND f.status = 'active' AND ${accountUsable(sql`fu`)})`;
}

/**
 * The ids of the friends `a` and `b` have in common (usable accounts only), as a `FROM` item
 * with one column, `id`.
 */
export function mutualFriendsOf(a: UserRef, b: UserRef): SQL {
  return sql`(SELECT mine.id FROM ${friendsOf(a)} mine JOIN ${friendsOf(b)} theirs ON theirs.id = mine.id)`;
}

/**
 * How far apart `a` and `b` are in the friendship graph: 1 (friends), 2 (a friend in
 * common), 3 (a friend of `a` is friends with a friend of `b`), else null. The paths go through
 * usable accounts only. It meets in the middle: the third hop joins `a`'s friends' friendship
 * rows to the set of `b`'s friends, so two dancers with 1,000 friends each cost about 1,000²
 * index rows, never 1,000³.
 */
export function degreeBetween(a: UserRef, b: UserRef): SQL<1 | 2 | 3 | null> {
  return sql<1 | 2 | 3 | null>`(CASE
    WHEN ${areFriends(a, b)} THEN 1
    WHEN EXISTS (SELECT 1 FROM ${friendsOf(a)} x
      JOIN friendships f ON f.user_id = x.id AND f.friend_id = ${b} AND f.status = 'active') THEN 2
    WHEN EXISTS (SELECT 1 FROM ${friendsOf(a)} x
      JOIN friendships f ON f.user_id = x.id AND f.status = 'active'
      JOIN ${friendsOf(b)} y ON y.id = f.friend_id) THEN 3
  END)`;
}
