import { sql } from "drizzle-orm";
import type { Ctx } from "../../lib/context";

/** The queue event views travel on (wrangler.toml `[[queues.consumers]]`): `batch.queue` of its deliveries, and its receipts' `queue`. */
export const EVENT_VIEWS_QUEUE = "mundo-tango-event-views";

/**
 * How long a counted message is remembered, so that its redelivery is recognised: the queue's
 * default message retention (4 days), longer than any retry of it can come.
 */
export const VIEW_MESSAGE_MEMORY_DAYS = 4;

/** One view of an event, as the queue delivered it: the message id, the event, the UTC day of the view. */
export interface EventView {
  messageId: string;
  eventId: number;
  /** `YYYY-MM-DD` (UTC). */
  day: string;
}

export interface ViewCounts {
  /** Distinct messages in the batch. */
  received: number;
  /** Views added to the counters (a redelivered message, or one for an event since deleted, adds none). */
  counted: number;
  /** Events whose counters moved. */
  events: number;
}

/**
 * Adds a batch of views to the counters in one statement: per event and day in
 * event_analytics, the total in `events.views`. Each message counts once, however many times
 * the queue delivers it (at-least-once delivery, retries after a failed or timed-out
 * invocation): its id is recorded in the same statement in `queue_receipts` (the cleanup job
 * purges the rows after {@link VIEW_MESSAGE_MEMORY_DAYS} days), and a message whose id is
 * there already adds nothing. Two deliveries of one message at the same moment
 * meet on that primary key: the second waits for the first and then adds nothing. Views of an
 * event deleted since are dropped. The events rows are locked in id order, and the day rows
 * written in key order, so concurrent batches never deadlock.
 */
export async function countEventViews({ db }: Ctx, views: EventView[]): Promise<ViewCounts> {
  if (views.length === 0) return { received: 0, counted: 0, events: 0 };
  const batch = JSON.stringify(views.map((v) => ({ id: v.messageId, event_id: v.eventId, day: v.day })));
  const { rows } = await db.execute<{ received: number; counted: number; events: number }>(sql`
    WITH received AS (
      SELECT DISTINCT ON (m.id) m.id, m.event_id, m.day
      FROM jsonb_to_recordset(${batch}::jsonb) AS m(id text, event_id int, day date)
      ORDER BY m.id
    ),
    target AS (
      SELECT e.id, e.user_id FROM events e
      WHERE e.id IN (SELECT event_id FROM received)
      ORDER BY e.id
      FOR NO KEY UPDATE OF e
    ),
    fresh AS (
      INSERT INTO queue_receipts (queue, message_id, expires_at)
      SELECT ${EVENT_VIEWS_QUEUE}, r.id, now() + make_interval(days => ${VIEW_MESSAGE_MEMORY_DAYS})
      FROM received r JOIN target t ON t.id = r.event_id
      ORDER BY r.id
      ON CONFLICT (queue, message_id) DO NOTHING
      RETURNING message_id AS key
    ),
    daily AS (
      SELECT r.event_id, r.day, count(*)::int AS views
      FROM received r JOIN fresh f ON f.key = r.id
      GROUP BY r.event_id, r.day
    ),
    by_day AS (
      INSERT INTO event_analytics AS a (event_id, day, views)
      SELECT event_id, day, views FROM daily
      ORDER BY event_id, day
      ON CONFLICT (event_id, day) DO UPDATE SET views = a.views + excluded.views
    ),
    totals AS (
      UPDATE events e SET views = e.views + d.views
      FROM (SELECT event_id, sum(views)::int AS views FROM daily GROUP BY event_id) d
      WHERE e.id = d.event_id
      RETURNING e.id
    )
    SELECT (SELECT count(*) FROM received)::int AS received,
           (SELECT count(*) FROM fresh)::int AS counted,
           (SELECT count(*) FROM totals)::int AS events`);
  const row = rows[0]!;
  return { received: Number(row.received), counted: Number(row.counted), events: Number(row.events) };
}
