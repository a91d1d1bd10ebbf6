import { type SQL, sql } from "drizzle-orm";
import { notBlockedBetween } from "../blocks";
import { areFriends } from "../graph";
import { accountUsable } from "../users";

/**
 * Holds when the viewer may see a trip (`trip`, a `trips` alias), as posts are seen: its
 * traveller always; anyone else when the traveller's account is usable, there is no block
 * between the two either way, and the trip is `public`, or `friends` and the viewer is one of
 * the traveller's friends. A `private` trip is the traveller's alone. Every read path folds it
 * in (a trip, a dancer's trips, the planner's people), so what may not be seen is not there.
 *
 * `travellerRow`, the alias of the traveller's users row when the caller has joined it, reads
 * the account from it instead of probing for it.
 *
 * @example
 * sql`SELECT t.id FROM trips t JOIN users u ON u.id = t.user_id WHERE ${tripVisibleTo(viewerId, sql`t`, sql`u`)}`
 */
export function tripVisibleTo(viewerId: number | null, trip: SQL, travellerRow?: SQL): SQL<boolean> {
  const own = viewerId === null ? sql`false` : sql`${trip}.user_id = ${viewerId}`;
  const usable = travellerRow
    ? accountUsable(travellerRow)
    : sql`EXISTS (SELECT 1 FROM users traveller WHERE traveller.id = ${trip}.user_id AND ${accountUsable(sql`traveller`)})`;
  return sql<boolean>`(${own} OR (${usable}
    AND ${notBlockedBetween(viewerId, sql`${trip}.user_id`)}
    AND (${trip}.visibility = 'public' OR (${trip}.visibility = 'friends' AND ${areFriends(viewerId, sql`${trip}.user_id`)}))))`;
}
