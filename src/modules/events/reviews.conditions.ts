import { type SQL, sql } from "drizzle-orm";
import { notBlockedBetween } from "../blocks";
import { accountUsable } from "../users";
import { ASSUMED_DURATION_HOURS } from "./reviews.policy";

/**
 * Holds when the viewer may see a review (aliased `review`) of an event they may already see
 * (the caller folds `eventVisibleTo` in too): their own always; others' when not hidden by
 * moderation, by a usable account, with no block between the two either way.
 *
 * @example
 * sql`SELECT r.id FROM event_reviews r WHERE r.event_id = ${id} AND ${reviewVisibleTo(viewerId, sql`r`)}`
 */
export function reviewVisibleTo(viewerId: number | null, review: SQL): SQL<boolean> {
  const own = viewerId === null ? sql`false` : sql`${review}.user_id = ${viewerId}`;
  return sql<boolean>`(${own} OR (
    ${review}.hidden_at IS NULL
    AND EXISTS (SELECT 1 FROM users reviewer WHERE reviewer.id = ${review}.user_id AND ${accountUsable(sql`reviewer`)})
    AND ${notBlockedBetween(viewerId, sql`${review}.user_id`)}
  ))`;
}

/** The select list of a review ({@link ReviewRow}), for an event_reviews row `review` joined to its author's users row `author`. */
export function reviewColumns(review: SQL, author: SQL): SQL {
  return sql`${review}.id, ${review}.event_id, ${author}.id AS author_id, ${author}.username AS author_username,
    ${author}.name AS author_name, ${author}.profile_image AS author_profile_image, ${review}.rating, ${review}.text,
    ${review}.hidden_at IS NOT NULL AS hidden, ${review}.created_at::text AS created_key, ${review}.updated_at::text AS updated_key`;
}

/**
 * When an event (aliased `event`) ends: its end time, or {@link ASSUMED_DURATION_HOURS} after
 * its start when it has none. Reviews open then.
 */
export function eventEnd(event: SQL): SQL {
  return sql`coalesce(${event}.end_date, ${event}.start_date + make_interval(hours => ${ASSUMED_DURATION_HOURS}))`;
}

/**
 * An event's rating as everyone sees it, for the caller's select list: `review_count` and
 * `average_rating` (to 2 decimals, null without reviews) over its reviews not hidden by
 * moderation, through event_reviews_event_idx.
 */
export function ratingColumns(event: SQL): SQL {
  return sql`(SELECT count(*) FROM event_reviews rv WHERE rv.event_id = ${event}.id AND rv.hidden_at IS NULL)::int AS review_count,
    (SELECT round(avg(rv.rating), 2) FROM event_reviews rv WHERE rv.event_id = ${event}.id AND rv.hidden_at IS NULL)::text AS average_rating`;
}
