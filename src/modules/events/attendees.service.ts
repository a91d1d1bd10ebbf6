import { sql } from "drizzle-orm";
import type { Ctx } from "../../lib/context";
import { type Keyset, keysetPage, type Page, type PageRequest, sortedPage, TimeIdCursor } from "../../lib/pagination";
import { notBlockedBetween } from "../blocks";
import { accountUsable } from "../users";
import { attendeeListError, profileOpenTo } from "./attendees.policy";
import { type Attendee, type AttendeeList, type AttendeeRow, toAttendee } from "./attendees.schemas";
import { eventVisibleTo, managesEvent } from "./events.conditions";

/**
 * One page of an event's going, interested or waitlisted dancers, in one statement. The event
 * must be visible to the viewer (else 404); the waitlist is for its organizers (else 403), in
 * line order with each dancer's position, the other lists newest answer first
 * (event_rsvps_event_status_idx). Dancers blocked either way with the viewer and unusable
 * accounts are left out, and so is every dancer whose profile the viewer may not see whole
 * ({@link profileOpenTo}), except for the event's organizers, who see everyone coming.
 */
export async function listAttendees(
  { db, actor }: Ctx,
  input: PageRequest & { eventId: number; status: AttendeeList },
): Promise<Page<Attendee>> {
  const viewerId = actor?.id ?? null;
  const fetch = async (keyset: Keyset) => {
    const { rows } = await db.execute<AttendeeRow & { manages: boolean }>(sql`
      WITH ev AS (
        SELECT e.id, ${managesEvent(viewerId, sql`e`)} AS manages
        FROM events e WHERE e.id = ${input.eventId} AND ${eventVisibleTo(viewerId, sql`e`)}
      )
      SELECT ev.manages, item.* FROM ev
      LEFT JOIN LATERAL (
        SELECT r.id AS rsvp_id, r.created_at::text AS rsvp_key, r.queued_at::text AS queue_key,
               r.updated_at::text AS responded_key, r.status, r.role,
               CASE WHEN r.status = 'waitlisted' THEN 1 + (
                 SELECT count(*) FROM event_rsvps w
                 WHERE w.event_id = ev.id AND w.status = 'waitlisted' AND (w.queued_at, w.id) < (r.queued_at, r.id)) END AS position,
               u.id, u.username, u.name, u.profile_image
        FROM event_rsvps r
        JOIN users u ON u.id = r.user_id
        LEFT JOIN user_settings s ON s.user_id = u.id
        WHERE r.event_id = ev.id AND r.status = ${input.status}
          AND (ev.manages OR r.status <> 'waitlisted')
          AND ${accountUsable(sql`u`)} AND ${notBlockedBetween(viewerId, sql`u.id`)}
          AND (ev.manages OR ${profileOpenTo(viewerId, sql`u`, sql`s`)})
          AND ${keyset.after}
        ORDER BY ${keyset.order}
        LIMIT ${keyset.limit}
      ) item ON true`);
    const refused = attendeeListError({ found: rows.length > 0, manages: rows[0]?.manages ?? false }, input.status);
    if (refused) throw refused;
    return rows.filter((row) => row.rsvp_id !== null);
  };
  if (input.status === "waitlisted") {
    return sortedPage(input, { by: [sql`r.queued_at`, sql`r.id`], direction: "asc", cursor: TimeIdCursor }, fetch, {
      item: toAttendee,
      key: (row) => [row.queue_key!, Number(row.rsvp_id)],
    });
  }
  return keysetPage(input, { time: sql`r.created_at`, id: sql`r.id` }, fetch, {
    item: toAttendee,
    key: (row) => [row.rsvp_key, Number(row.rsvp_id)],
  });
}
