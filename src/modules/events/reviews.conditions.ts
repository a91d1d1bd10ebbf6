import { type SQL, sql } from "drizzle-orm";
import { authorColumns } from "./checkins.conditions";
import { ASSUMED_DURATION_HOURS } from "./reviews.policy";

/** The select list of a review ({@link ReviewRow}), for an event_reviews row `review` joined to its author's users row `author`. */
export function reviewColumns(review: SQL, author: SQL): SQL {
  return sql`${review}.id, ${review}.event_id, ${authorColumns(author)}, ${review}.rating, ${review}.text,
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
