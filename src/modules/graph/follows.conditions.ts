import { type AnyColumn, type SQL, sql } from "drizzle-orm";

/** A user id, a column, or SQL computing one inside the caller's statement. */
type UserRef = number | AnyColumn | SQL;

export const FRIENDSHIP_STATES = ["none", "request_sent", "request_received", "friends"] as const;
export type FriendshipState = (typeof FRIENDSHIP_STATES)[number];

/** Holds when `follower` follows `followed` (the unique (follower_id, following_id) index). */
export function isFollowing(follower: UserRef, followed: UserRef): SQL<boolean> {
  return sql<boolean>`EXISTS (SELECT 1 FROM follows fw WHERE fw.follower_id = ${follower} AND fw.following_id = ${followed})`;
}

/**
 * A dancer's graph counts as three int columns of a scalar subquery each: followers and
 * following (index-only scans of `follows_following_idx` / `follows_follower_idx`, measured
 * in `npm run bench -- profile-counts`) and active friends. Raw rows: a follower who was later
 * suspended still counts, as on most networks; the lists leave them out.
 *
 * @example
 * db.select({ id: users.id, ...graphCounts(users.id) }).from(users)
 */
export function graphCounts(user: UserRef) {
  return {
    followersCount: sql<number>`(SELECT count(*) FROM follows c WHERE c.following_id = ${user})::int`,
    followingCount: sql<number>`(SELECT count(*) FROM follows c WHERE c.follower_id = ${user})::int`,
    friendsCount: sql<number>`(SELECT count(*) FROM friendships c WHERE c.user_id = ${user} AND c.status = 'active')::int`,
  };
}

/**
 * Where the viewer stands with `other`: `friends` (an active friendship), else
 * `request_sent` / `request_received` (a pending friend request either way), else `none`.
 */
export function friendshipState(viewer: UserRef, other: UserRef): SQL<FriendshipState> {
  return sql<FriendshipState>`CASE
    WHEN EXISTS (SELECT 1 FROM friendships fs WHERE fs.user_id = ${viewer} AND fs.friend_id = ${other} AND fs.status = 'active') THEN 'friends'
    WHEN EXISTS (SELECT 1 FROM friend_requests fr WHERE fr.sender_id = ${viewer} AND fr.receiver_id = ${other} AND fr.status = 'pending') THEN 'request_sent'
    WHEN EXISTS (SELECT 1 FROM friend_requests fr WHERE fr.sender_id = ${other} AND fr.receiver_id = ${viewer} AND fr.status = 'pending') THEN 'request_received'
    ELSE 'none' END`;
}
