import { type SQL, sql } from "drizzle-orm";
import { notBlockedBetween } from "../blocks";
import { groupContentVisibleTo } from "../groups";
import { accountUsable } from "../users";

/**
 * Holds when the viewer may see a series (its template and rule), as eventVisibleTo reads an
 * event: its organizer always; others when it is not a draft, its organizer's account is
 * usable, there is no block either way, and a private hosting group counts the viewer among
 * its members. A cancelled series stays visible, marked cancelled. `series` is the
 * event_series row's alias in raw SQL.
 */
export function seriesVisibleTo(viewerId: number | SQL | null, series: SQL): SQL<boolean> {
  const own = viewerId === null ? sql`false` : sql`${series}.user_id = ${viewerId}`;
  return sql<boolean>`(${own} OR (
    ${series}.status <> 'draft'
    AND EXISTS (SELECT 1 FROM users organizer WHERE organizer.id = ${series}.user_id AND ${accountUsable(sql`organizer`)})
    AND ${notBlockedBetween(viewerId, sql`${series}.user_id`)}
    AND ${groupContentVisibleTo(viewerId, sql`${series}.group_id`)}
  ))`;
}
