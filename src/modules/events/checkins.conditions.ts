import { type SQL, sql } from "drizzle-orm";
import { notBlockedBetween } from "../blocks";
import { accountUsable } from "../users";
import { eventVisibleTo, managesEvent } from "./events.conditions";

/** The context's time as a value for the `timestamp` (UTC, no zone) columns. */
export const at = (now: Date): SQL => sql`(${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

/**
 * Holds when the dancer was checked in at the event (`event` is the events row's alias): one
 * probe of event_attendees' primary key. Reviews are for them only; an anonymous viewer
 * attended nothing.
 *
 * @example
 * sql`SELECT e.id FROM events e WHERE e.id = ${id} AND ${checkedIn(viewerId, sql`e`)}`
 */
export function checkedIn(userId: number | SQL | null, event: SQL): SQL<boolean> {
  if (userId === null) return sql<boolean>`false`;
  return sql<boolean>`EXISTS (SELECT 1 FROM event_attendees att WHERE att.event_id = ${event}.id AND att.user_id = ${userId})`;
}

/**
 * Holds when the dancer takes part in the event: checked in, or going (their RSVP, through
 * event_rsvps' unique (event, user) index). Photos are theirs to add.
 */
export function attendeeOf(userId: number | SQL | null, event: SQL): SQL<boolean> {
  if (userId === null) return sql<boolean>`false`;
  return sql<boolean>`(${checkedIn(userId, event)} OR EXISTS (SELECT 1 FROM event_rsvps going
    WHERE going.event_id = ${event}.id AND going.user_id = ${userId} AND going.status = 'going'))`;
}

/**
 * The CTE `event`: the event `eventId` if the viewer may see it (else no row, a 404), with
 * the columns attendance rules read and `manages`, whether the viewer organizes it. `lock`
 * locks its row (e.g. `FOR KEY SHARE OF e`, so that a write racing the event's deletion waits
 * for it and then finds nothing, rather than failing on a foreign key).
 */
export function visibleEventCte(viewerId: number | null, eventId: number, lock: SQL = sql``): SQL {
  return sql`event AS (
    SELECT e.id, e.user_id, e.status, e.start_date, e.end_date, e.title, ${managesEvent(viewerId, sql`e`)} AS manages
    FROM events e
    WHERE e.id = ${eventId} AND ${eventVisibleTo(viewerId, sql`e`)}
    ${lock}
  )`;
}

/**
 * Holds when the viewer may see what a dancer added to an event they may already see (a review
 * or a photo, aliased `row`, with `user_id` and `hidden_at`; the caller folds `eventVisibleTo`
 * in too): their own always; others' when not hidden by moderation, by a usable account, with
 * no block between the two either way.
 *
 * @example
 * sql`SELECT r.id FROM event_reviews r WHERE r.event_id = ${id} AND ${contributionVisibleTo(viewerId, sql`r`)}`
 */
export function contributionVisibleTo(viewerId: number | null, row: SQL): SQL<boolean> {
  const own = viewerId === null ? sql`false` : sql`${row}.user_id = ${viewerId}`;
  return sql<boolean>`(${own} OR (
    ${row}.hidden_at IS NULL
    AND EXISTS (SELECT 1 FROM users contributor WHERE contributor.id = ${row}.user_id AND ${accountUsable(sql`contributor`)})
    AND ${notBlockedBetween(viewerId, sql`${row}.user_id`)}
  ))`;
}

/** The author card of a users row `author`, as `author_*` columns (the shape `authorCard` reads). */
export function authorColumns(author: SQL): SQL {
  return sql`${author}.id AS author_id, ${author}.username AS author_username, ${author}.name AS author_name,
    ${author}.profile_image AS author_profile_image`;
}
