import { sql } from "drizzle-orm";
import type { ActorCtx } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { visibleEventCte } from "./checkins.conditions";
import { notEventOrganizer } from "./checkins.policy";
import { type AnalyticsRow, type EventAnalytics, toAnalytics } from "./analytics.schemas";
import { ratingColumns } from "./reviews.conditions";

/** The most recent days the per-day lists give (a year: an event's whole life, in practice). */
export const ANALYTICS_MAX_DAYS = 366;

/**
 * An event's figures for its organizers, in one statement: views (the total the views queue
 * keeps on the event, and per UTC day from event_analytics), RSVPs (the event's counters, and
 * the RSVPs first made each day by their answer now), the going dancers' role balance against
 * the caps (and who waits per role), check-ins (of going dancers, walk-ins, by ticket, and the
 * rate of going dancers checked in) and the rating. 403 for anyone else who can see the event,
 * 404 for whoever cannot. Every part reads one event's rows through an index led by the event
 * id (event_analytics' and event_attendees' primary keys, event_rsvps_event_idx,
 * event_reviews_event_idx).
 */
export async function eventAnalytics({ db, actor }: ActorCtx, input: { eventId: number }): Promise<EventAnalytics> {
  const me = actor.id;
  const { rows } = await db.execute<AnalyticsRow>(sql`
    WITH ${visibleEventCte(me, input.eventId)}
    SELECT event.manages, figures.* FROM event
    LEFT JOIN LATERAL (
      SELECT e.id AS event_id, e.views, e.going_count, e.interested_count, e.waitlist_count, e.leaders_going,
        e.followers_going, e.max_leaders, e.max_followers, answers.*, attended.*, ${ratingColumns(sql`e`)},
        (SELECT json_agg(json_build_object('day', d.day::text, 'views', d.views) ORDER BY d.day) FROM (
          SELECT day, views FROM event_analytics WHERE event_id = e.id ORDER BY day DESC LIMIT ${ANALYTICS_MAX_DAYS}
        ) d) AS views_by_day,
        (SELECT json_agg(json_build_object('day', d.day::text, 'going', d.going, 'interested', d.interested,
            'waitlisted', d.waitlisted, 'not_going', d.not_going) ORDER BY d.day) FROM (
          SELECT r.created_at::date AS day,
            count(*) FILTER (WHERE r.status = 'going') AS going,
            count(*) FILTER (WHERE r.status = 'interested') AS interested,
            count(*) FILTER (WHERE r.status = 'waitlisted') AS waitlisted,
            count(*) FILTER (WHERE r.status = 'not_going') AS not_going
          FROM event_rsvps r WHERE r.event_id = e.id
          GROUP BY 1 ORDER BY 1 DESC LIMIT ${ANALYTICS_MAX_DAYS}
        ) d) AS rsvps_by_day
      FROM events e
      CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE r.status = 'not_going')::int AS not_going,
          count(*) FILTER (WHERE r.status = 'waitlisted' AND r.role = 'leader')::int AS waitlisted_leaders,
          count(*) FILTER (WHERE r.status = 'waitlisted' AND r.role = 'follower')::int AS waitlisted_followers
        FROM event_rsvps r WHERE r.event_id = e.id
      ) answers
      CROSS JOIN LATERAL (
        SELECT count(*)::int AS checked_in,
          count(*) FILTER (WHERE EXISTS (SELECT 1 FROM event_rsvps r
            WHERE r.event_id = a.event_id AND r.user_id = a.user_id AND r.status = 'going'))::int AS checked_in_going,
          count(*) FILTER (WHERE a.method = 'ticket')::int AS checked_in_by_ticket
        FROM event_attendees a WHERE a.event_id = e.id
      ) attended
      WHERE e.id = event.id AND event.manages
    ) figures ON true`);
  const row = rows[0];
  if (!row) throw notFound("event");
  if (!row.manages) throw notEventOrganizer();
  return toAnalytics(row);
}
