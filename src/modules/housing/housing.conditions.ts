import { type SQL, sql } from "drizzle-orm";
import { notBlockedBetween } from "../blocks";
import { areFriends, degreeBetween } from "../graph";
import { accountUsable } from "../users";

/**
 * Holds when a home (`home`, the alias of a `host_homes` row) is free for a stay from
 * `checkIn` up to `checkOut` (dates as 'YYYY-MM-DD', `[)`: the checkout day is free for the
 * next guest): no pending or approved booking and no blocked dates overlap it. Served by
 * the exclusion constraint's GiST index and host_home_blocked_dates_during_idx.
 *
 * @example
 * sql`SELECT h.id FROM host_homes h WHERE h.city = ${city} AND ${homeFreeDuring(sql`h`, from, to)}`
 */
export function homeFreeDuring(home: SQL, checkIn: string | SQL, checkOut: string | SQL): SQL<boolean> {
  const stay = sql`daterange(${checkIn}::date, ${checkOut}::date, '[)')`;
  return sql<boolean>`(NOT EXISTS (SELECT 1 FROM guest_bookings fb
      WHERE fb.home_id = ${home}.id AND fb.status IN ('pending', 'approved') AND fb.stay && ${stay})
    AND NOT EXISTS (SELECT 1 FROM host_home_blocked_dates fd
      WHERE fd.home_id = ${home}.id AND fd.during && ${stay}))`;
}

/**
 * Holds when the viewer may see a listing (`home`, a `host_homes` alias): its host always;
 * anyone else (anonymous callers too) when it is active, its host's account is usable and
 * there is no block between the two. A listing the viewer may not see is not there (404).
 */
export function homeVisibleTo(viewerId: number | null, home: SQL): SQL<boolean> {
  const own = viewerId === null ? sql`false` : sql`${home}.user_id = ${viewerId}`;
  return sql<boolean>`(${own} OR (${home}.status = 'active'
    AND EXISTS (SELECT 1 FROM users hu WHERE hu.id = ${home}.user_id AND ${accountUsable(sql`hu`)})
    AND ${notBlockedBetween(viewerId, sql`${home}.user_id`)}))`;
}

/**
 * Holds when the guest may request a stay under the home's booking policy: `anyone`, the
 * host's `friends`, or `friends_of_friends` (a friend in common, or friends). Never the host.
 */
export function mayRequestStay(guestId: number, home: SQL): SQL<boolean> {
  return sql<boolean>`(${home}.user_id <> ${guestId} AND CASE ${home}.booking_policy
    WHEN 'anyone' THEN true
    WHEN 'friends' THEN ${areFriends(guestId, sql`${home}.user_id`)}
    WHEN 'friends_of_friends' THEN coalesce(${degreeBetween(guestId, sql`${home}.user_id`)} <= 2, false)
    ELSE false END)`;
}
