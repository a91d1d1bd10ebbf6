import { type SQL, sql } from "drizzle-orm";
import { notBlockedBetween } from "../blocks";
import { areFriends } from "../graph";
import { accountUsable } from "../users";
import { managesEvent } from "./events.conditions";

/** How many dancers a card names among the viewer's friends and follows going. */
export const CARD_CIRCLE_SAMPLE = 3;

/**
 * The viewer's friends and the dancers they follow who are going, as one json column
 * (`{friends, following, sample}`): "3 friends going". Friends first (closest first), then
 * follows who are not friends; each counted once. Only usable accounts with no block either
 * way, and only dancers whose profile visibility lets the viewer see them whole (a friend
 * with a public or friends-only profile, a follow with a public one): going somewhere is part
 * of a profile. Starts from the viewer's circle and probes each event's RSVPs by the unique
 * (event_id, user_id) index, or scans the event's going by its (event_id, status) index, as
 * the planner finds cheaper. Null for an anonymous viewer.
 */
function circleGoing(viewerId: number | null, event: SQL, sample: number): SQL {
  if (viewerId === null) return sql`NULL::json`;
  return sql`(SELECT json_build_object(
      'friends', count(*) FILTER (WHERE m.friend),
      'following', count(*) FILTER (WHERE NOT m.friend),
      'sample', coalesce(to_json((array_agg(json_build_object('id', m.id, 'username', m.username, 'name', m.name,
                  'profileImage', m.profile_image) ORDER BY m.friend DESC, m.score DESC, m.id))[1:${sample}]), '[]'::json))
    FROM (
      SELECT u.id, u.username, u.name, u.profile_image, c.friend, c.score
      FROM (
        SELECT f.friend_id AS id, true AS friend, f.closeness_score AS score FROM friendships f
        WHERE f.user_id = ${viewerId} AND f.status = 'active'
        UNION ALL
        SELECT fw.following_id, false, 0 FROM follows fw
        WHERE fw.follower_id = ${viewerId} AND NOT ${areFriends(viewerId, sql`fw.following_id`)}
      ) c
      JOIN event_rsvps r ON r.event_id = ${event}.id AND r.user_id = c.id AND r.status = 'going'
      JOIN users u ON u.id = c.id
      LEFT JOIN user_settings s ON s.user_id = c.id
      WHERE ${accountUsable(sql`u`)} AND ${notBlockedBetween(viewerId, sql`u.id`)}
        AND (coalesce(s.profile_visibility, 'public') = 'public' OR (c.friend AND s.profile_visibility = 'friends'))
    ) m)`;
}

/**
 * The viewer's own RSVP as json (`{status, role, position}`), null when they have none: the
 * unique (event_id, user_id) index. `position` is their place in the waitlist (1 = next), by
 * (queued_at, id) as the waitlist is served, counted on the waitlist's partial index.
 */
function viewerRsvp(viewerId: number | null, event: SQL): SQL {
  if (viewerId === null) return sql`NULL::json`;
  return sql`(SELECT json_build_object('status', r.status, 'role', r.role, 'position',
      CASE WHEN r.status = 'waitlisted' THEN (SELECT count(*)::int FROM event_rsvps w
        WHERE w.event_id = r.event_id AND w.status = 'waitlisted' AND (w.queued_at, w.id) <= (r.queued_at, r.id)) END)
    FROM event_rsvps r WHERE r.event_id = ${event}.id AND r.user_id = ${viewerId})`;
}

/**
 * The select list of an event card ({@link EventCardRow}, shaped by `toEvent`), for an events
 * row aliased `event` joined to its organizer's users row aliased `organizer`: one fragment
 * for every read path (detail, discovery, a group's events, search), so an event looks the
 * same everywhere. Counts come from the event's counters (kept exact by the RSVP statements);
 * the meeting URL only to the organizers and dancers going; the viewer's RSVP and role
 * (`manages`: organizer or co-organizer), and their friends and follows going
 * (`sample` cards, default {@link CARD_CIRCLE_SAMPLE}).
 *
 * The caller filters with `eventVisibleTo(viewerId, event)`: this fragment only shapes what
 * the viewer may see.
 *
 * @example
 * sql`SELECT ${eventCardColumns(viewerId, sql`e`, sql`o`)}
 *     FROM events e JOIN users o ON o.id = e.user_id
 *     WHERE e.id = ${id} AND ${eventVisibleTo(viewerId, sql`e`)}`
 */
export function eventCardColumns(viewerId: number | null, event: SQL, organizer: SQL, options: { sample?: number } = {}): SQL {
  const manages = managesEvent(viewerId, event);
  const going =
    viewerId === null
      ? sql`false`
      : sql`EXISTS (SELECT 1 FROM event_rsvps g WHERE g.event_id = ${event}.id AND g.user_id = ${viewerId} AND g.status = 'going')`;
  return sql`${event}.id, ${event}.user_id AS organizer_id, ${organizer}.username AS organizer_username,
    ${organizer}.name AS organizer_name, ${organizer}.profile_image AS organizer_profile_image,
    ${event}.title, ${event}.description, ${event}.event_type, coalesce(${event}.status, 'published') AS status,
    ${event}.start_date, ${event}.end_date, ${event}.timezone,
    ${event}.location, ${event}.venue, ${event}.address, ${event}.city, ${event}.country, ${event}.latitude, ${event}.longitude,
    coalesce(${event}.is_online, false) AS is_online,
    CASE WHEN ${manages} OR ${going} THEN ${event}.meeting_url END AS meeting_url,
    coalesce(${event}.is_paid, false) AS is_paid, ${event}.price, ${event}.currency, ${event}.ticket_url,
    ${event}.max_attendees, ${event}.max_leaders, ${event}.max_followers,
    ${event}.going_count, ${event}.leaders_going, ${event}.followers_going, ${event}.interested_count, ${event}.waitlist_count,
    ${event}.tags, ${event}.image_url, ${event}.group_id, ${event}.venue_id, ${event}.series_id, ${event}.occurrence_on::text AS occurrence_on,
    ${event}.detached, ${event}.sequence, ${event}.cancelled_at, ${event}.hidden_at IS NOT NULL AS hidden,
    ${event}.created_at, ${event}.updated_at,
    ${viewerRsvp(viewerId, event)} AS viewer_rsvp, ${manages} AS viewer_manages,
    ${viewerId === null ? sql`false` : sql`${event}.user_id = ${viewerId}`} AS viewer_is_organizer,
    ${circleGoing(viewerId, event, options.sample ?? CARD_CIRCLE_SAMPLE)} AS circle_going`;
}
