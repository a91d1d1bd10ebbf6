import { type SQL, sql } from "drizzle-orm";
import { notBlockedBetween } from "../blocks";
import { notificationCtes } from "../notifications";
import { accountUsable } from "../users";
import { eventVisibleTo } from "./events.conditions";
import type { DanceRole } from "./rsvps.schemas";
import { issueTicketsCte } from "./tickets.statement";

/** More seats than any event has: what an unset capacity or role cap counts as. */
const UNLIMITED = 2_147_483_647;

/** A time as the `timestamp` (UTC) columns hold it. */
const utcAt = (time: Date) => sql`(${time.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

/**
 * The time a dancer joins the waitlist: the clock when the statement runs, not the request's
 * arrival. RSVP statements on one event run one after the other (each takes the event row's
 * lock first), so the clock orders the line exactly as the seats were decided.
 */
const QUEUE_CLOCK = sql`(clock_timestamp() AT TIME ZONE 'UTC')`;

/** `cond` as 0 or 1 (a NULL, e.g. no RSVP before, counts as 0). */
const one = (cond: SQL) => sql`((${cond}) IS TRUE)::int`;

/**
 * Why an event takes no RSVP now (NULL when it does): `event_cancelled`, `event_not_published`
 * (a draft, seen only by its organizers), or `event_ended` once its end (or, without one, its
 * start) has passed at `now`.
 */
function closedReason(event: SQL, now: Date): SQL<string | null> {
  return sql<string | null>`CASE
    WHEN coalesce(${event}.status, 'published') = 'cancelled' THEN 'event_cancelled'
    WHEN coalesce(${event}.status, 'published') <> 'published' THEN 'event_not_published'
    WHEN coalesce(${event}.end_date, ${event}.start_date) <= ${utcAt(now)} THEN 'event_ended'
  END`;
}

/**
 * The first statement of every batch that changes an event's RSVPs: it takes the event row's
 * lock for the transaction. The next statement's snapshot (read committed) is then taken after
 * every earlier RSVP on the event committed, so it reads the dancer's own RSVP, the waitlist
 * and the counters as they are, and decides seats one RSVP at a time: capacity and role caps
 * hold whatever the concurrency (the events CHECK constraints are the last line).
 */
export function lockEventStatement(eventId: number): SQL {
  return sql`SELECT e.id FROM events e WHERE e.id = ${eventId} FOR NO KEY UPDATE`;
}

/**
 * The CTEs that promote waitlisted dancers of one event into the seats in `seats` (a FROM item of
 * one row: `total_left`, `leaders_left`, `followers_left`), first in line first (FIFO by
 * `(queued_at, id)`), each only when they fit: a leader waits while the leaders' cap is reached
 * even if followers' seats are free. Greedy in line order is the same as "the first
 * `total_left` of those whose rank in their own role is within that role's free seats", which
 * is what the window functions compute. Dancers whose account is no longer usable, or blocked
 * either way with the organizer (`organizerId`), are passed over (they keep their place).
 * `promoted` RETURNs `id`, `user_id`, `role` of the rows made going. `exclude` keeps the acting
 * dancer's own row out (the statement writes it itself).
 */
function promotionCtes(input: { eventId: number; organizerId: SQL; seats: SQL; exclude?: number }): SQL {
  const { eventId, seats } = input;
  return sql`
    waiting AS (
      SELECT r.id, r.user_id, r.role, r.queued_at,
             row_number() OVER (PARTITION BY r.role ORDER BY r.queued_at, r.id) AS role_rank
      FROM event_rsvps r JOIN users u ON u.id = r.user_id
      WHERE r.event_id = ${eventId} AND r.status = 'waitlisted'
        ${input.exclude === undefined ? sql`` : sql`AND r.user_id <> ${input.exclude}`}
        AND ${accountUsable(sql`u`)} AND ${notBlockedBetween(sql`r.user_id`, input.organizerId)}
        AND (SELECT s.total_left FROM ${seats} s) > 0
    ),
    promotable AS (
      SELECT w.id, row_number() OVER (ORDER BY w.queued_at, w.id) AS seat_rank
      FROM waiting w CROSS JOIN ${seats} s
      WHERE CASE w.role WHEN 'leader' THEN w.role_rank <= s.leaders_left
                        WHEN 'follower' THEN w.role_rank <= s.followers_left ELSE true END
    ),
    promoted AS (
      UPDATE event_rsvps r SET status = 'going', queued_at = NULL, updated_at = ${QUEUE_CLOCK}
      FROM promotable p CROSS JOIN ${seats} s
      WHERE r.id = p.id AND p.seat_rank <= s.total_left AND r.status = 'waitlisted'
      RETURNING r.id, r.user_id, r.role
    ),
    promoted_counts AS (
      SELECT count(*)::int AS n, count(*) FILTER (WHERE role = 'leader')::int AS leaders,
             count(*) FILTER (WHERE role = 'follower')::int AS followers
      FROM promoted
    )`;
}

/** The promoted dancers' `event_waitlist_promoted` notifications (the event row is the CTE `ev`). */
function promotedNotificationCtes(): SQL {
  return notificationCtes(
    {
      to: { from: sql`(SELECT p.user_id, ev.id AS event_id, ev.title FROM promoted p CROSS JOIN ev) seated` },
      type: "event_waitlist_promoted",
      subjectType: "event",
      subjectId: sql`recipient.event_id`,
      data: sql`jsonb_build_object('eventId', recipient.event_id, 'eventTitle', recipient.title)`,
    },
    { name: "notify_promoted" },
  );
}

/**
 * One statement promoting the waitlisted dancers of an event that fit now (its capacity or a
 * role cap was raised): the seats left are read from the event's counters, promoted dancers are
 * counted in, get their tickets (paid events) and an `event_waitlist_promoted` notification.
 * Nothing for an event that takes no RSVP (cancelled, draft, ended). Returns `promoted`.
 */
export function promoteWaitlistedStatement(input: { eventId: number; now: Date }): SQL {
  const { eventId } = input;
  return sql`
    WITH ev AS (
      SELECT e.id, e.user_id, e.title, coalesce(e.is_paid, false) AS is_paid,
             coalesce(e.max_attendees::bigint, ${UNLIMITED}) - e.going_count AS total_left,
             coalesce(e.max_leaders::bigint, ${UNLIMITED}) - e.leaders_going AS leaders_left,
             coalesce(e.max_followers::bigint, ${UNLIMITED}) - e.followers_going AS followers_left
      FROM events e
      WHERE e.id = ${eventId} AND ${closedReason(sql`e`, input.now)} IS NULL
      FOR NO KEY UPDATE OF e
    ),
    ${promotionCtes({ eventId, organizerId: sql`(SELECT user_id FROM ev)`, seats: sql`ev` })},
    counted AS (
      UPDATE events e SET going_count = e.going_count + p.n, leaders_going = e.leaders_going + p.leaders,
        followers_going = e.followers_going + p.followers, waitlist_count = e.waitlist_count - p.n
      FROM promoted_counts p WHERE e.id = ${eventId} AND p.n > 0
    ),
    ${issueTicketsCte(eventId, sql`promoted`, sql`(SELECT is_paid FROM ev)`)},
    ${promotedNotificationCtes()}
    SELECT (SELECT n FROM promoted_counts) AS promoted`;
}

export interface RsvpStatementInput {
  me: number;
  eventId: number;
  /** The answer, or null to take the RSVP back (DELETE). */
  status: "going" | "interested" | "not_going" | null;
  /** The role asked for; null keeps the stored one. */
  role: DanceRole | null;
  now: Date;
}

/**
 * The statement behind POST and DELETE /api/events/{id}/rsvp, run right after
 * {@link lockEventStatement} in one batch. In order:
 * - `ev`, `verdict`: the event as the dancer may see it (else `not_found`), open for RSVPs
 *   (`event_cancelled`, `event_not_published`, `event_ended`), a usable account
 *   (`account_unusable`), a role when the event caps roles (`role_required`); anything but
 *   `ok` writes nothing;
 * - `outcome`: the dancer's new status. `going` keeps a seat held in the same role, takes a
 *   free seat (capacity and the role's cap, after the dancer's own seat is given back on a role
 *   change) or joins the waitlist (keeping their place when already in line);
 * - the freed or remaining seats promote the first in line that fit ({@link promotionCtes});
 * - the counters move by exactly what changed (`counted`), tickets are issued to whoever became
 *   going on a paid event and cancelled for the dancer who stopped going;
 * - the organizer is told of a new `going` (`event_rsvp`, coalesced per event: "Ana and 12
 *   others are coming"), promoted dancers that they have a seat.
 * It returns the verdict, the dancer's status, role, waitlist position, ticket and the counters.
 */
export function rsvpStatement(input: RsvpStatementInput): SQL {
  const { me, eventId, now } = input;
  const write =
    input.status === null
      ? sql`saved AS (DELETE FROM event_rsvps r USING outcome o WHERE r.id = o.rsvp_id AND o.changed RETURNING r.id)`
      : sql`saved AS (
          INSERT INTO event_rsvps AS r (event_id, user_id, status, role, queued_at, updated_at)
          SELECT ${eventId}, ${me}, o.new_status, o.new_role, o.new_queued_at, ${QUEUE_CLOCK} FROM outcome o WHERE o.changed
          ON CONFLICT (event_id, user_id) DO UPDATE
            SET status = excluded.status, role = excluded.role, queued_at = excluded.queued_at, updated_at = excluded.updated_at
          RETURNING r.id
        )`;
  return sql`
    WITH ev AS (
      SELECT e.id, e.user_id, e.title, coalesce(e.is_paid, false) AS is_paid,
             e.max_attendees, e.max_leaders, e.max_followers,
             e.going_count, e.leaders_going, e.followers_going, e.interested_count, e.waitlist_count,
             ${closedReason(sql`e`, now)} AS closed
      FROM events e
      WHERE e.id = ${eventId} AND ${eventVisibleTo(me, sql`e`)}
    ),
    mine AS (
      SELECT r.id, r.status, r.role, r.queued_at FROM event_rsvps r WHERE r.event_id = ${eventId} AND r.user_id = ${me}
    ),
    asked AS (
      SELECT ${input.status}::varchar AS status, coalesce(${input.role}::varchar, (SELECT role FROM mine)) AS role
    ),
    verdict AS (
      SELECT CASE
        WHEN ev.id IS NULL THEN 'not_found'
        WHEN NOT EXISTS (SELECT 1 FROM users u WHERE u.id = ${me} AND ${accountUsable(sql`u`)}) THEN 'account_unusable'
        WHEN ev.closed IS NOT NULL THEN ev.closed
        WHEN a.status = 'going' AND a.role IS NULL AND (ev.max_leaders IS NOT NULL OR ev.max_followers IS NOT NULL) THEN 'role_required'
        ELSE 'ok' END AS outcome
      FROM asked a LEFT JOIN ev ON true
    ),
    change AS (
      SELECT m.id AS rsvp_id, m.status AS old_status, m.role AS old_role, m.queued_at AS old_queued_at,
             a.status AS want, a.role AS new_role,
             (m.status = 'going' AND a.status = 'going' AND m.role IS NOT DISTINCT FROM a.role) IS TRUE AS keeps_seat
      FROM verdict v CROSS JOIN asked a LEFT JOIN mine m ON true
      WHERE v.outcome = 'ok'
    ),
    free AS (
      SELECT c.*,
        coalesce(ev.max_attendees::bigint, ${UNLIMITED}) - ev.going_count
          + ${one(sql`c.old_status = 'going' AND NOT c.keeps_seat`)} AS total_free,
        coalesce(ev.max_leaders::bigint, ${UNLIMITED}) - ev.leaders_going
          + ${one(sql`c.old_status = 'going' AND NOT c.keeps_seat AND c.old_role = 'leader'`)} AS leaders_free,
        coalesce(ev.max_followers::bigint, ${UNLIMITED}) - ev.followers_going
          + ${one(sql`c.old_status = 'going' AND NOT c.keeps_seat AND c.old_role = 'follower'`)} AS followers_free
      FROM change c CROSS JOIN ev
    ),
    decided AS (
      SELECT f.*, CASE
        WHEN f.want IS NULL OR f.want <> 'going' THEN f.want
        WHEN f.keeps_seat THEN 'going'
        WHEN f.total_free > 0 AND CASE f.new_role WHEN 'leader' THEN f.leaders_free > 0
                                                  WHEN 'follower' THEN f.followers_free > 0 ELSE true END THEN 'going'
        ELSE 'waitlisted' END AS new_status
      FROM free f
    ),
    outcome AS (
      SELECT d.*,
        CASE WHEN d.new_status = 'waitlisted' THEN
          CASE WHEN d.old_status = 'waitlisted' THEN d.old_queued_at ELSE ${QUEUE_CLOCK} END END AS new_queued_at,
        (d.new_status = 'going' AND NOT d.keeps_seat) IS TRUE AS takes_seat,
        (d.new_status IS DISTINCT FROM d.old_status OR d.new_role IS DISTINCT FROM d.old_role) AS changed
      FROM decided d
    ),
    seats AS (
      SELECT o.total_free - o.takes_seat::int AS total_left,
             o.leaders_free - ${one(sql`o.takes_seat AND o.new_role = 'leader'`)} AS leaders_left,
             o.followers_free - ${one(sql`o.takes_seat AND o.new_role = 'follower'`)} AS followers_left
      FROM outcome o
    ),
    ${promotionCtes({ eventId, organizerId: sql`(SELECT user_id FROM ev)`, seats: sql`seats`, exclude: me })},
    ${write},
    counted AS (
      UPDATE events e SET
        going_count = e.going_count + ${one(sql`o.new_status = 'going'`)} - ${one(sql`o.old_status = 'going'`)} + p.n,
        leaders_going = e.leaders_going + ${one(sql`o.new_status = 'going' AND o.new_role = 'leader'`)}
          - ${one(sql`o.old_status = 'going' AND o.old_role = 'leader'`)} + p.leaders,
        followers_going = e.followers_going + ${one(sql`o.new_status = 'going' AND o.new_role = 'follower'`)}
          - ${one(sql`o.old_status = 'going' AND o.old_role = 'follower'`)} + p.followers,
        interested_count = e.interested_count + ${one(sql`o.new_status = 'interested'`)} - ${one(sql`o.old_status = 'interested'`)},
        waitlist_count = e.waitlist_count + ${one(sql`o.new_status = 'waitlisted'`)} - ${one(sql`o.old_status = 'waitlisted'`)} - p.n
      FROM outcome o CROSS JOIN promoted_counts p
      WHERE e.id = ${eventId} AND (o.changed OR p.n > 0)
      RETURNING e.going_count, e.leaders_going, e.followers_going, e.interested_count, e.waitlist_count
    ),
    tickets_cancelled AS (
      UPDATE event_tickets t SET status = 'cancelled', cancelled_at = ${QUEUE_CLOCK}
      FROM outcome o
      WHERE t.event_id = ${eventId} AND t.user_id = ${me} AND t.status = 'active'
        AND o.old_status = 'going' AND o.new_status IS DISTINCT FROM 'going'
    ),
    ${issueTicketsCte(
      eventId,
      sql`(SELECT ${me}::int AS user_id FROM outcome WHERE new_status = 'going' UNION ALL SELECT user_id FROM promoted)`,
      sql`(SELECT is_paid FROM ev)`,
    )},
    ${notificationCtes(
      {
        to: {
          from: sql`(SELECT ev.user_id, ev.id AS event_id, ev.title FROM ev CROSS JOIN outcome o
            WHERE o.new_status IN ('going', 'waitlisted') AND (o.old_status IN ('going', 'waitlisted')) IS NOT TRUE) organizer`,
        },
        type: "event_rsvp",
        actorId: me,
        subjectType: "event",
        subjectId: sql`recipient.event_id`,
        data: sql`jsonb_build_object('eventId', recipient.event_id, 'eventTitle', recipient.title)`,
        coalesce: "subject",
      },
      { name: "notify_rsvp" },
    )},
    ${promotedNotificationCtes()}
    SELECT v.outcome, o.new_status AS status, o.new_role AS role,
      CASE WHEN o.new_status = 'waitlisted' THEN 1 + (
        SELECT count(*) FROM event_rsvps w
        WHERE w.event_id = ${eventId} AND w.status = 'waitlisted' AND w.user_id <> ${me}
          AND (w.queued_at, w.id) < (o.new_queued_at, coalesce((SELECT id FROM saved), o.rsvp_id))
          AND w.id NOT IN (SELECT id FROM promoted)) END AS position,
      tk.code AS ticket_code, tk.status AS ticket_status, tk.created_key AS ticket_created_key,
      coalesce(c.going_count, ev.going_count) AS going_count,
      coalesce(c.leaders_going, ev.leaders_going) AS leaders_going,
      coalesce(c.followers_going, ev.followers_going) AS followers_going,
      coalesce(c.interested_count, ev.interested_count) AS interested_count,
      coalesce(c.waitlist_count, ev.waitlist_count) AS waitlist_count,
      coalesce((SELECT n FROM promoted_counts), 0) AS promoted
    FROM verdict v
    LEFT JOIN outcome o ON true
    LEFT JOIN ev ON true
    LEFT JOIN counted c ON true
    LEFT JOIN LATERAL (
      SELECT i.code, i.status, i.created_key FROM tickets_issued i WHERE i.user_id = ${me}
      UNION ALL
      SELECT t.code, t.status, t.created_at::text FROM event_tickets t
      WHERE t.event_id = ${eventId} AND t.user_id = ${me} AND t.status = 'active' AND o.new_status = 'going'
      LIMIT 1
    ) tk ON true`;
}
