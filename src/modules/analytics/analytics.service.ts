import { sql } from "drizzle-orm";
import type { Ctx } from "../../lib/context";
import { isoUtc } from "../../lib/time";
import type { ClientEvent, Stats } from "./analytics.schemas";

/** How long raw client events are kept: the daily figures outlive them. */
export const EVENT_RETENTION_DAYS = 90;

/** The request's or job's time as a SQL `timestamp` (UTC, no zone), like the columns. */
function at(now: Date) {
  return sql`(${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
}

/**
 * Stores a batch of client events in one statement: the batch travels as one JSON parameter
 * and is unpacked by `jsonb_to_recordset`. Events of a signed-in caller carry their id (read
 * from users in the same statement and key-share locked, so an account deleted meanwhile either
 * waits for the batch or is seen gone and its events are stored as anonymous, never failing on
 * the foreign key); an anonymous caller's carry none.
 */
export async function recordEvents({ db, actor }: Ctx, events: readonly ClientEvent[]): Promise<number> {
  const { rows } = await db.execute<{ accepted: number }>(sql`
    WITH author AS (SELECT id FROM users WHERE id = ${actor?.id ?? null}::int FOR KEY SHARE),
    stored AS (
      INSERT INTO analytics_events (user_id, name, properties, occurred_at)
      SELECT (SELECT id FROM author), e.name, e.properties,
             e."time"::timestamptz AT TIME ZONE 'UTC'
      FROM jsonb_to_recordset(${JSON.stringify(events)}::jsonb) AS e(name text, properties jsonb, "time" text)
      RETURNING 1
    )
    SELECT count(*)::int AS accepted FROM stored`);
  return Number(rows[0]!.accepted);
}

/**
 * Computes one UTC day's figures for the whole platform (city '') and for each city (the
 * dancer's `users.city` exactly as stored, today's value: a dancer who moves counts in the new
 * city from the next roll-up on), and upserts them, in one statement: each activity table is
 * read once over the day's range (the `created_at` / `occurred_at` indexes), the two levels
 * come from one GROUPING SETS pass, and a city row the day no longer has (its activity was
 * deleted) is removed. Running it again writes the same figures.
 *
 * Active dancers are the distinct dancers with a client event, a post, an RSVP or a chat
 * message that day; a registration alone is not activity. Anonymous client events count in
 * the platform's `clientEvents` but in no city and in no active-dancer figure.
 */
export async function rollUpDay({ db, now }: Ctx, day: string): Promise<{ rows: number; removed: number }> {
  const { rows } = await db.execute<{ rows: number; removed: number }>(sql`
    WITH span AS (SELECT ${day}::date AS day, ${day}::date::timestamp AS lo, (${day}::date + 1)::timestamp AS hi),
    acts AS (
      SELECT e.user_id, 'event'::text AS kind FROM analytics_events e, span WHERE e.occurred_at >= span.lo AND e.occurred_at < span.hi
      UNION ALL
      SELECT p.user_id, 'post' FROM posts p, span WHERE p.created_at >= span.lo AND p.created_at < span.hi
      UNION ALL
      SELECT r.user_id, 'rsvp' FROM event_rsvps r, span WHERE r.created_at >= span.lo AND r.created_at < span.hi
      UNION ALL
      SELECT m.user_id, 'message' FROM chat_messages m, span WHERE m.created_at >= span.lo AND m.created_at < span.hi
      UNION ALL
      SELECT u.id, 'registration' FROM users u, span WHERE u.created_at >= span.lo AND u.created_at < span.hi
    ),
    placed AS (
      SELECT a.user_id, a.kind, nullif(u.city, '') AS city FROM acts a LEFT JOIN users u ON u.id = a.user_id
    ),
    figures AS (
      SELECT CASE WHEN GROUPING(city) = 1 THEN '' ELSE city END AS city,
             count(DISTINCT user_id) FILTER (WHERE kind <> 'registration')::int AS active_dancers,
             count(*) FILTER (WHERE kind = 'registration')::int AS new_registrations,
             count(*) FILTER (WHERE kind = 'post')::int AS posts,
             count(*) FILTER (WHERE kind = 'rsvp')::int AS rsvps,
             count(*) FILTER (WHERE kind = 'message')::int AS messages,
             count(*) FILTER (WHERE kind = 'event')::int AS client_events
      FROM placed
      GROUP BY GROUPING SETS ((), (city))
      HAVING GROUPING(city) = 1 OR city IS NOT NULL
    ),
    upserted AS (
      INSERT INTO platform_daily_stats AS s
        (day, city, active_dancers, new_registrations, posts, rsvps, messages, client_events, computed_at)
      SELECT span.day, f.city, f.active_dancers, f.new_registrations, f.posts, f.rsvps, f.messages, f.client_events, ${at(now)}
      FROM figures f, span
      -- One order for every run: overlapping runs lock the day's rows alike, never crosswise.
      ORDER BY f.city
      ON CONFLICT (day, city) DO UPDATE SET
        active_dancers = EXCLUDED.active_dancers, new_registrations = EXCLUDED.new_registrations,
        posts = EXCLUDED.posts, rsvps = EXCLUDED.rsvps, messages = EXCLUDED.messages,
        client_events = EXCLUDED.client_events, computed_at = EXCLUDED.computed_at
      RETURNING 1
    ),
    removed AS (
      DELETE FROM platform_daily_stats s USING span
      WHERE s.day = span.day AND s.city NOT IN (SELECT city FROM figures)
      RETURNING 1
    )
    SELECT (SELECT count(*)::int FROM upserted) AS rows, (SELECT count(*)::int FROM removed) AS removed`);
  return { rows: Number(rows[0]!.rows), removed: Number(rows[0]!.removed) };
}

/**
 * Deletes up to `limit` client events older than {@link EVENT_RETENTION_DAYS}, oldest first
 * (the `occurred_at` index): a bounded statement, repeated by the job while it fills.
 */
export async function pruneEvents({ db, now }: Ctx, input: { limit: number }): Promise<number> {
  const { rows } = await db.execute<{ pruned: number }>(sql`
    WITH doomed AS (
      SELECT id FROM analytics_events
      WHERE occurred_at < ${at(now)} - make_interval(days => ${EVENT_RETENTION_DAYS})
      ORDER BY occurred_at LIMIT ${input.limit}
    ),
    gone AS (DELETE FROM analytics_events e USING doomed d WHERE e.id = d.id RETURNING 1)
    SELECT count(*)::int AS pruned FROM gone`);
  return Number(rows[0]!.pruned);
}

interface DayRow {
  day: string;
  active_dancers: number;
  new_registrations: number;
  posts: number;
  rsvps: number;
  messages: number;
  client_events: number;
  rolled_up_at: string | null;
}

/**
 * The daily figures of a range, one entry per day, and their totals, in one statement. A day
 * the roll-up has not computed reads zeros with `rolledUpAt` null; a day it computed where the
 * city had no activity reads zeros with the platform row's time.
 */
export async function platformStats({ db }: Ctx, input: { from: string; to: string; city: string }): Promise<Stats> {
  const { rows } = await db.execute<{ days: DayRow[] }>(sql`
    WITH days AS (
      SELECT d::date AS day FROM generate_series(${input.from}::date, ${input.to}::date, interval '1 day') d
    ),
    joined AS (
      SELECT d.day::text AS day,
             coalesce(s.active_dancers, 0) AS active_dancers, coalesce(s.new_registrations, 0) AS new_registrations,
             coalesce(s.posts, 0) AS posts, coalesce(s.rsvps, 0) AS rsvps, coalesce(s.messages, 0) AS messages,
             coalesce(s.client_events, 0) AS client_events,
             coalesce(s.computed_at, w.computed_at)::text AS rolled_up_at
      FROM days d
      LEFT JOIN platform_daily_stats w ON w.day = d.day AND w.city = ''
      LEFT JOIN platform_daily_stats s ON s.day = d.day AND s.city = ${input.city}
    )
    SELECT coalesce(json_agg(joined ORDER BY joined.day), '[]'::json) AS days FROM joined`);
  const days = rows[0]!.days.map((row) => ({
    day: row.day,
    activeDancers: Number(row.active_dancers),
    newRegistrations: Number(row.new_registrations),
    posts: Number(row.posts),
    rsvps: Number(row.rsvps),
    messages: Number(row.messages),
    clientEvents: Number(row.client_events),
    rolledUpAt: isoUtc(row.rolled_up_at),
  }));
  const sum = (pick: (day: (typeof days)[number]) => number) => days.reduce((total, day) => total + pick(day), 0);
  return {
    from: input.from,
    to: input.to,
    city: input.city,
    days,
    totals: {
      activeDancersPeak: Math.max(0, ...days.map((day) => day.activeDancers)),
      newRegistrations: sum((day) => day.newRegistrations),
      posts: sum((day) => day.posts),
      rsvps: sum((day) => day.rsvps),
      messages: sum((day) => day.messages),
      clientEvents: sum((day) => day.clientEvents),
    },
  };
}
