import { type SQL, sql } from "drizzle-orm";

/**
 * What moderation does to events, as statements the moderation module folds into its own (a
 * module writes only its own tables and asks the owner for the rest). Each takes a set of ids
 * (`SELECT ...` or a list), changes only what is not already so, and RETURNs what it changed.
 */

/**
 * Hides events from everyone but their organizers (`eventVisibleTo`), RETURNING the `id`s it
 * hid, or shows them again, RETURNING every `id` found (unconditionally, as for posts: an event
 * hidden by a statement that committed after the caller's snapshot is still shown).
 */
export function setEventsHidden(ids: SQL, hidden: boolean): SQL {
  return hidden
    ? sql`UPDATE events SET hidden_at = now() WHERE id IN (${ids}) AND hidden_at IS NULL RETURNING id`
    : sql`UPDATE events SET hidden_at = NULL WHERE id IN (${ids}) RETURNING id`;
}

/**
 * Deletes events (their RSVPs, tickets, co-organizers, reviews and photos go with them by
 * foreign key). RETURNING `id` and `snapshot`, the event as it was, for the moderation record.
 */
export function removeEvents(ids: SQL): SQL {
  return sql`DELETE FROM events WHERE id IN (${ids})
    RETURNING id, jsonb_build_object('id', id, 'userId', user_id, 'title', title, 'description', description,
      'eventType', event_type, 'startDate', start_date, 'location', location, 'city', city, 'imageUrl', image_url,
      'groupId', group_id, 'createdAt', created_at) AS snapshot`;
}
