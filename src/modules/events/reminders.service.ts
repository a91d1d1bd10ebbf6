import { type SQL, sql } from "drizzle-orm";
import type { Ctx } from "../../lib/context";
import { PgTimestampText } from "../../lib/pagination";
import { notificationCounts, notificationCtes } from "../notifications";
import { accountUsable } from "../users";
import { eventVisibleTo } from "./events.conditions";

/**
 * The reminders, each sent from `lead` before the start until `next` before it (when the
 * following one takes over): a run that finds an event between the two sends that kind.
 */
export const REMINDER_SCHEDULE = [
  { kind: "24h", lead: "24 hours", next: "1 hour" },
  { kind: "1h", lead: "1 hour", next: "0 hours" },
] as const;

/** Where a reminders pass is: the last event looked at, by (start_date, id). */
export type ReminderKey = readonly [startDate: string, id: number];

export interface ReminderCounts {
  /** Events starting within 24 hours looked at by this chunk. */
  events: number;
  /** Reminders recorded (one per dancer, event, kind and start time, ever). */
  sent: number;
  created: number;
  bumped: number;
  emailsQueued: number;
  /** The last event of the chunk, to start the next one after; null when the chunk was the last. */
  last: ReminderKey | null;
}

/**
 * Sends the reminders due at `ctx.now` for up to `limit` events starting within 24 hours (by
 * start time, after `after`), in one statement: each going dancer (usable, still allowed to see
 * the event) of a published event gets the kind due, recorded in event_reminders with the
 * event's start time (`INSERT ... ON CONFLICT DO NOTHING RETURNING`), and only the rows this
 * statement inserted are notified (`event_reminder`, and an email when the dancer asked for
 * one: notify's rules). So overlapping runs and retries send each reminder exactly once; an
 * event moved to another time gets new ones (its start time is part of the key); a
 * cancelled, draft or hidden one gets none. Each reminder is the notification's subject, so
 * the 1-hour one is a notification (and an email) of its own, not a bump of the 24-hour one.
 */
export async function sendDueReminders({ db, now }: Ctx, input: { after: ReminderKey | null; limit: number }): Promise<ReminderCounts> {
  const { rows } = await db.execute<ReminderRow>(dueRemindersStatement(now, input));
  const row = rows[0]!;
  const events = Number(row.events);
  return {
    events,
    sent: Number(row.sent),
    created: Number(row.created),
    bumped: Number(row.bumped),
    emailsQueued: Number(row.emails_queued),
    last: events === input.limit && row.last_start !== null ? [PgTimestampText.parse(row.last_start), Number(row.last_id)] : null,
  };
}

type ReminderRow = { events: number; sent: number; last_start: string | null; last_id: number | null } & Record<"created" | "bumped" | "emails_queued", number>;

/** The statement of {@link sendDueReminders} (what the index test EXPLAINs). */
export function dueRemindersStatement(now: Date, input: { after: ReminderKey | null; limit: number }): SQL {
  const at = sql`${now.toISOString()}::timestamp`;
  const after = input.after ? sql`(e.start_date, e.id) > (${input.after[0]}::timestamp, ${input.after[1]}::int)` : sql`true`;
  const kinds = sql.join(
    REMINDER_SCHEDULE.map((r) => sql`(${r.kind}::text, ${r.lead}::interval, ${r.next}::interval)`),
    sql`, `,
  );
  return sql`
    WITH soon AS (
      SELECT e.id, e.user_id, e.status, e.hidden_at, e.group_id, e.title, e.start_date, e.start_date::text AS start_key
      FROM events e
      WHERE e.status = 'published' AND e.hidden_at IS NULL
        AND e.start_date > ${at} AND e.start_date <= ${at} + interval '24 hours' AND ${after}
      ORDER BY e.start_date, e.id
      LIMIT ${input.limit}
    ),
    due AS (
      SELECT d.id AS event_id, r.user_id, k.kind, d.start_date AS starts_at
      FROM soon d
      JOIN (VALUES ${kinds}) AS k(kind, lead, next) ON d.start_date - k.lead <= ${at} AND d.start_date - k.next > ${at}
      JOIN event_rsvps r ON r.event_id = d.id AND r.status = 'going'
      JOIN users u ON u.id = r.user_id
      WHERE ${accountUsable(sql`u`)} AND ${eventVisibleTo(sql`r.user_id`, sql`d`)}
    ),
    sent AS (
      INSERT INTO event_reminders (event_id, user_id, kind, starts_at, sent_at)
      SELECT event_id, user_id, kind, starts_at, ${at} FROM due
      ORDER BY event_id, user_id, kind
      ON CONFLICT (event_id, user_id, kind, starts_at) DO NOTHING
      RETURNING id, event_id, user_id, kind, starts_at
    ),
    ${notificationCtes({
      to: { from: sql`(SELECT s.id, s.user_id, s.event_id, s.kind, s.starts_at, d.title FROM sent s JOIN soon d ON d.id = s.event_id) reminder` },
      type: "event_reminder",
      subjectType: "event_reminder",
      subjectId: sql`recipient.id`,
      data: sql`jsonb_build_object('eventId', recipient.event_id, 'eventTitle', recipient.title, 'kind', recipient.kind,
        'startsAt', to_char(recipient.starts_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))`,
    })}
    SELECT (SELECT count(*) FROM soon)::int AS events, (SELECT count(*) FROM sent)::int AS sent,
           (SELECT start_key FROM soon ORDER BY start_date DESC, id DESC LIMIT 1) AS last_start,
           (SELECT id FROM soon ORDER BY start_date DESC, id DESC LIMIT 1) AS last_id,
           ${notificationCounts()}`;
}
