import { type SQL, sql } from "drizzle-orm";
import { notBlockedBetween } from "../blocks";
import { groupContentVisibleTo } from "../groups";
import { accountUsable } from "../users";

/**
 * Holds when the viewer organizes the event: its organizer (`user_id`) or a co-organizer.
 * Organizers edit it, check dancers in and see its analytics; only the organizer deletes it.
 * `event` is the events row's alias in raw SQL.
 */
export function managesEvent(viewerId: number | SQL | null, event: SQL): SQL<boolean> {
  if (viewerId === null) return sql<boolean>`false`;
  return sql<boolean>`(${event}.user_id = ${viewerId} OR EXISTS (SELECT 1 FROM event_co_organizers co
    WHERE co.event_id = ${event}.id AND co.user_id = ${viewerId}))`;
}

/**
 * Holds when the viewer may see an event: the one condition every event read path folds into
 * its statement (detail, discovery, attendees, calendar, search, a group's events), so that an
 * event the viewer may not see is simply not there (a 404, never a 403). Its organizers always
 * see it. Others see it when it is not a draft, not hidden by moderation, its organizer's
 * account is usable, there is no block between the viewer and the organizer either way, and,
 * when a private group hosts it, the viewer is one of the group's members. A cancelled event
 * stays visible, marked cancelled.
 *
 * `organizerRow`, the alias of the organizer's users row when the caller has joined it, reads
 * the account from that row instead of probing for it: a statement that tests many events in
 * order (discovery, search) needs it, as the planner would otherwise hash every usable account
 * up front (as posts' `visibleTo` does with its author's row).
 *
 * @example
 * sql`SELECT e.id FROM events e WHERE e.id = ${id} AND ${eventVisibleTo(viewerId, sql`e`)}`
 * sql`SELECT e.id FROM events e JOIN users o ON o.id = e.user_id WHERE ${eventVisibleTo(viewerId, sql`e`, sql`o`)}`
 */
export function eventVisibleTo(viewerId: number | SQL | null, event: SQL, organizerRow?: SQL): SQL<boolean> {
  const organizerUsable = organizerRow
    ? accountUsable(organizerRow)
    : sql`EXISTS (SELECT 1 FROM users organizer WHERE organizer.id = ${event}.user_id AND ${accountUsable(sql`organizer`)})`;
  return sql<boolean>`(${managesEvent(viewerId, event)} OR (
    coalesce(${event}.status, 'published') <> 'draft'
    AND ${event}.hidden_at IS NULL
    AND ${organizerUsable}
    AND ${notBlockedBetween(viewerId, sql`${event}.user_id`)}
    AND ${groupContentVisibleTo(viewerId, sql`${event}.group_id`)}
  ))`;
}
