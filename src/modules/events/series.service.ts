import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { PG, pgError } from "../../lib/db";
import { AppError, notFound } from "../../lib/errors";
import { type IdempotencyClaim, idempotencyRecordCte, idempotent } from "../../lib/idempotency";
import { hasGroupRole, MANAGER_ROLES } from "../groups";
import { assertOwnMediaUrls } from "../media";
import { notificationCounts, notificationCtes } from "../notifications";
import { eventVisibleTo } from "./events.conditions";
import { promoteWaitlisted } from "./rsvps.service";
import { seriesVisibleTo } from "./series.conditions";
import { seriesWriteError, SERIES_CHANGED_RETRIES, seriesChangedError } from "./series.policy";
import {
  dateOfDay,
  dayNumber,
  type Occurrence,
  occurrencesBetween,
  type SeriesRule,
  utcDate,
  WEEKDAYS,
  WEEKS_OF_MONTH,
} from "./series.rule";
import {
  type CreateSeriesInput,
  type Series,
  SERIES_LIMITS,
  type SeriesRow,
  toSeries,
  type UpdateSeriesInput,
} from "./series.schemas";

/** The route an `Idempotency-Key` of a series create is scoped to. */
export const CREATE_SERIES_SCOPE = "POST /api/events/series";

/** How far ahead occurrences exist: the create makes them, the cron job keeps the window rolling. */
export const SERIES_WINDOW_DAYS = 90;

/** A JS instant as a `timestamp` (UTC, no zone) value. */
const at = (instant: Date): SQL => sql`${instant.toISOString()}::timestamp`;

/** A list of strings as a text[] parameter. */
const textArray = (values: readonly string[]): SQL =>
  sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))::text[]`;

/** Coordinates are stored as text (the seed's columns), in a form the generated `geo` point parses. */
const coordinate = (value: number | null | undefined): string | null => (value == null ? null : value.toFixed(6));

/** The last local date occurrences are made up to, from a time: the window's end. */
export function windowEnd(now: Date): string {
  return dateOfDay(dayNumber(utcDate(now)) + SERIES_WINDOW_DAYS);
}

/**
 * The occurrences to make from `from` to the window's end: only those still to start (a series
 * starting in the past, or a late run, makes no past occurrences).
 */
function upcomingOccurrences(rule: SeriesRule, from: string, now: Date): Occurrence[] {
  const yesterday = dateOfDay(dayNumber(utcDate(now)) - 1);
  const start = from > yesterday ? from : yesterday;
  return occurrencesBetween(rule, start, windowEnd(now)).filter((occurrence) => occurrence.start > now);
}

/** Occurrences as a `FROM` item `x(occurrence_on, start_date, end_date)` (and `series_id` when given). */
function occurrenceSet(occurrences: (Occurrence & { seriesId?: number })[]): SQL {
  const rows = occurrences.map((o) => ({ series_id: o.seriesId ?? null, occurrence_on: o.on, start_date: o.start.toISOString(), end_date: o.end.toISOString() }));
  return sql`jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(series_id int, occurrence_on date, start_date timestamp, end_date timestamp)`;
}

/**
 * The INSERT of occurrences: each an events row copying its series' template (status, group,
 * organizer), with its local date and start. `source` is a `FROM` clause naming the series
 * rows `s` and the occurrences `x`. The unique (series_id, occurrence_on) index makes it
 * idempotent: an occurrence made already (by another run, or the create) is left as it is.
 */
function occurrencesInsert(source: SQL): SQL {
  return sql`INSERT INTO events (user_id, group_id, title, description, image_url, event_type, location, venue, address,
      city, country, latitude, longitude, is_online, meeting_url, is_paid, price, currency, max_attendees, max_leaders,
      max_followers, tags, status, recurring, timezone, series_id, occurrence_on, start_date, end_date)
    SELECT s.user_id, s.group_id, s.title, s.description, s.image_url, s.event_type, s.location, s.venue, s.address,
      s.city, s.country, s.latitude, s.longitude, s.is_online, s.meeting_url, s.is_paid, s.price, s.currency, s.max_attendees,
      s.max_leaders, s.max_followers, s.tags, s.status, s.frequency, s.timezone, s.id, x.occurrence_on, x.start_date, x.end_date
    FROM ${source}
    ORDER BY s.id, x.occurrence_on
    ON CONFLICT (series_id, occurrence_on) DO NOTHING
    RETURNING *`;
}

/**
 * The series card's columns for a series row `s` joined with its organizer `o`, as the viewer
 * sees it, with the next occurrences among `occurrences` (a `FROM` item of events rows `e`)
 * that the viewer may see and that are not over.
 */
function seriesCardColumns(viewerId: number | null, now: Date, occurrences: SQL): SQL {
  return sql`s.id, s.user_id, o.username AS organizer_username, o.name AS organizer_name, o.profile_image AS organizer_profile_image,
    s.group_id, s.title, s.description, s.event_type, s.location, s.venue, s.address, s.city, s.country, s.latitude, s.longitude,
    s.is_online, s.meeting_url, s.is_paid, s.price, s.currency, s.max_attendees, s.max_leaders, s.max_followers, s.tags,
    s.image_url, s.status, s.timezone, s.frequency, s.interval, s.weekday, s.ordinal, s.start_time, s.duration_minutes,
    s.starts_on::text AS starts_on, s.until::text AS until, s.materialized_until::text AS materialized_until, s.sequence,
    ${viewerId === null ? sql`false` : sql`s.user_id = ${viewerId}`} AS is_organizer,
    s.created_at::text AS created_at, s.updated_at::text AS updated_at,
    (SELECT coalesce(json_agg(json_build_object('id', u.id, 'occurrence_on', u.occurrence_on::text, 'start_date', u.start_date::text,
        'end_date', u.end_date::text, 'status', u.status, 'detached', u.detached, 'sequence', u.sequence,
        'going_count', u.going_count, 'waitlist_count', u.waitlist_count, 'max_attendees', u.max_attendees)
        ORDER BY u.occurrence_on), '[]'::json)
     FROM (SELECT e.* FROM ${occurrences}
           WHERE e.series_id = s.id AND coalesce(e.end_date, e.start_date) >= ${at(now)} AND ${eventVisibleTo(viewerId, sql`e`)}
           ORDER BY e.occurrence_on LIMIT ${SERIES_LIMITS.upcoming}) u) AS upcoming`;
}

/** A series' rule from its row. */
function ruleOf(row: Pick<SeriesRow, "frequency" | "interval" | "weekday" | "ordinal" | "start_time" | "duration_minutes" | "timezone" | "starts_on" | "until">): SeriesRule {
  return {
    frequency: row.frequency as SeriesRule["frequency"],
    interval: Number(row.interval),
    weekday: Number(row.weekday),
    ordinal: row.ordinal === null ? null : Number(row.ordinal),
    startTime: row.start_time,
    durationMinutes: Number(row.duration_minutes),
    timezone: row.timezone,
    startsOn: row.starts_on,
    until: row.until,
  };
}

/** A capacity (or role cap) under the number already going on an occurrence is refused by its CHECK. */
function rethrowCapacity(error: unknown): never {
  const pg = pgError(error);
  if (pg?.code === PG.checkViolation && /^events_(capacity|leaders|followers)_check$/.test(pg.constraint ?? "")) {
    throw new AppError(409, "capacity_below_going", "An occurrence already has more dancers going than this capacity allows.");
  }
  throw error;
}

/** Image URLs must be this service's uploads (the media module's rule). */
function checkOwnMedia(ctx: Ctx, imageUrl: string | null | undefined): void {
  if (imageUrl != null) assertOwnMediaUrls(ctx.config, [{ path: "body.imageUrl", url: imageUrl, family: "image" }]);
}

type CreateResult = SeriesRow & { group_ok: boolean; occurrences: number };

/**
 * Creates a series and its occurrences up to the rolling window's end, in one statement (and
 * with an `Idempotency-Key`, the stored response: a repeat replays it and creates nothing).
 * Occurrences are computed here, in the series' time zone (series.rule.ts); those that would
 * start in the past are not made. A hosting group must be one the creator is an active admin
 * or moderator of (403 `not_group_host` otherwise, the same for a group that does not exist).
 */
export async function createSeries(ctx: ActorCtx, input: { series: CreateSeriesInput; claim: IdempotencyClaim | null }): Promise<{ series: Series; replayed: boolean }> {
  const { db, actor, now } = ctx;
  const { series: body, claim } = input;
  checkOwnMedia(ctx, body.imageUrl);
  const rule: SeriesRule = {
    frequency: body.frequency,
    interval: body.interval,
    weekday: WEEKDAYS.indexOf(body.weekday),
    ordinal: body.weekOfMonth === undefined ? null : WEEKS_OF_MONTH[body.weekOfMonth],
    startTime: body.startTime,
    durationMinutes: body.durationMinutes,
    timezone: body.timezone,
    startsOn: body.startsOn,
    until: body.until ?? null,
  };
  const occurrences = upcomingOccurrences(rule, rule.startsOn, now);
  const groupId = body.groupId ?? null;
  const create = async (): Promise<Series> => {
    const { rows } = await db.execute<CreateResult>(sql`
      WITH group_ok AS (SELECT ${groupId === null ? sql`true` : hasGroupRole(actor.id, sql`${groupId}::int`, MANAGER_ROLES)} AS ok),
      created AS (
        INSERT INTO event_series (user_id, group_id, title, description, image_url, event_type, location, venue, address, city,
          country, latitude, longitude, is_online, meeting_url, is_paid, price, currency, max_attendees, max_leaders, max_followers,
          tags, status, timezone, frequency, interval, weekday, ordinal, start_time, duration_minutes, starts_on, until,
          materialized_until, created_at, updated_at)
        SELECT ${actor.id}::int, ${groupId}::int, ${body.title}::text, ${body.description}::text, ${body.imageUrl ?? null}::text,
          ${body.eventType}::text, ${body.location}::text, ${body.venue ?? null}::text, ${body.address ?? null}::text,
          ${body.city ?? null}::text, ${body.country ?? null}::text, ${coordinate(body.latitude)}::text,
          ${coordinate(body.longitude)}::text, ${body.isOnline ?? false}::boolean, ${body.meetingUrl ?? null}::text,
          ${body.isPaid ?? false}::boolean, ${body.price ?? null}::text, ${body.currency ?? null}::text,
          ${body.maxAttendees ?? null}::int, ${body.maxLeaders ?? null}::int, ${body.maxFollowers ?? null}::int,
          ${textArray(body.tags ?? [])}, ${body.status}::text, ${rule.timezone}::text, ${rule.frequency}::text,
          ${rule.interval}::smallint, ${rule.weekday}::smallint, ${rule.ordinal}::smallint, ${rule.startTime}::text,
          ${rule.durationMinutes}::int, ${rule.startsOn}::date, ${rule.until}::date, ${windowEnd(now)}::date, ${at(now)}, ${at(now)}
        FROM group_ok WHERE group_ok.ok
        RETURNING *
      ),
      made AS (${occurrencesInsert(sql`created s CROSS JOIN ${occurrenceSet(occurrences)}`)}),
      card AS (
        SELECT ${seriesCardColumns(actor.id, now, sql`made e`)}
        FROM created s JOIN users o ON o.id = s.user_id
      ),
      ${idempotencyRecordCte(claim, { status: 201, from: sql`card`, body: sql`to_jsonb(card)` })}
      SELECT (SELECT ok FROM group_ok) AS group_ok, (SELECT count(*) FROM made)::int AS occurrences, card.*
      FROM (SELECT 1) one LEFT JOIN card ON true`);
    const row = rows[0]!;
    if (!row.group_ok) throw new AppError(403, "not_group_host", "Only a group's admins and moderators host events in it.");
    ctx.logger.info("event series created", { code: "event_series_created", seriesId: Number(row.id), occurrences: Number(row.occurrences) });
    return toSeries(row);
  };
  const { value, replayed } = await idempotent(ctx, claim, create, (stored) => toSeries(stored.body as SeriesRow));
  return { series: value, replayed };
}

/** The card of one series, as the viewer may see it (a fresh read: what a batch's last statement returns). */
function seriesCardQuery(viewerId: number | null, seriesId: number, now: Date): SQL {
  return sql`SELECT ${seriesCardColumns(viewerId, now, sql`events e`)}
    FROM event_series s JOIN users o ON o.id = s.user_id
    WHERE s.id = ${seriesId} AND ${seriesVisibleTo(viewerId, sql`s`)}`;
}

/** A series with its next occurrences; 404 when it does not exist or the viewer may not see it. */
export async function getSeries({ db, actor, now }: Ctx, input: { seriesId: number }): Promise<Series> {
  const { rows } = await db.execute<SeriesRow>(seriesCardQuery(actor?.id ?? null, input.seriesId, now));
  if (!rows[0]) throw notFound("event series");
  return toSeries(rows[0]);
}

/** Each template field an edit may change: its column (the same in event_series and events) and its SQL value. */
const TEMPLATE: Record<string, { column: string; value: (v: never) => SQL }> = {
  title: { column: "title", value: (v: string) => sql`${v}::text` },
  description: { column: "description", value: (v: string) => sql`${v}::text` },
  eventType: { column: "event_type", value: (v: string) => sql`${v}::text` },
  location: { column: "location", value: (v: string) => sql`${v}::text` },
  venue: { column: "venue", value: (v: string | null) => sql`${v}::text` },
  address: { column: "address", value: (v: string | null) => sql`${v}::text` },
  city: { column: "city", value: (v: string | null) => sql`${v}::text` },
  country: { column: "country", value: (v: string | null) => sql`${v}::text` },
  latitude: { column: "latitude", value: (v: number | null) => sql`${coordinate(v)}::text` },
  longitude: { column: "longitude", value: (v: number | null) => sql`${coordinate(v)}::text` },
  isOnline: { column: "is_online", value: (v: boolean) => sql`${v}::boolean` },
  meetingUrl: { column: "meeting_url", value: (v: string | null) => sql`${v}::text` },
  isPaid: { column: "is_paid", value: (v: boolean) => sql`${v}::boolean` },
  price: { column: "price", value: (v: string | null) => sql`${v}::text` },
  currency: { column: "currency", value: (v: string | null) => sql`${v}::text` },
  maxAttendees: { column: "max_attendees", value: (v: number | null) => sql`${v}::int` },
  maxLeaders: { column: "max_leaders", value: (v: number | null) => sql`${v}::int` },
  maxFollowers: { column: "max_followers", value: (v: number | null) => sql`${v}::int` },
  tags: { column: "tags", value: (v: string[]) => textArray(v) },
  imageUrl: { column: "image_url", value: (v: string | null) => sql`${v}::text` },
  status: { column: "status", value: (v: string) => sql`${v}::text` },
};

type SeenRow = SeriesRow & { allowed: boolean };

/** The series as its organizer's edit sees it first: 404 unseen, 403 another's, 409 cancelled. */
async function seriesForEdit({ db, actor }: ActorCtx, seriesId: number): Promise<SeenRow> {
  const { rows } = await db.execute<SeenRow>(sql`
    SELECT s.id, s.user_id = ${actor.id} AS allowed, s.status, s.sequence, s.frequency, s.interval, s.weekday, s.ordinal,
           s.start_time, s.duration_minutes, s.timezone, s.starts_on::text AS starts_on, s.until::text AS until,
           s.materialized_until::text AS materialized_until
    FROM event_series s WHERE s.id = ${seriesId} AND ${seriesVisibleTo(actor.id, sql`s`)}`);
  const row = rows[0];
  const refused = seriesWriteError({ found: row !== undefined, allowed: row?.allowed ?? false }, "edit");
  if (refused) throw refused;
  if (row!.status === "cancelled") throw new AppError(409, "series_cancelled", "This series is cancelled.");
  return row!;
}

/**
 * How far a moved schedule is computed: past the window's end as the series had it and as a
 * window extension running now could make it (a run's trigger time is a little behind or
 * ahead of the request's), so no occurrence made in between is left at the old time.
 */
function scheduleEnd(materializedUntil: string | null, now: Date): string {
  const latest = windowEnd(new Date(now.getTime() + 7 * 86_400_000));
  return materializedUntil !== null && materializedUntil > latest ? materializedUntil : latest;
}

/** Locks a series row, so the statements after it in the batch see what a concurrent window extension made. */
const lockSeries = (seriesId: number) => sql`SELECT id FROM event_series WHERE id = ${seriesId} FOR UPDATE`;

/**
 * Edits a series (its organizer only): the template fields named, and `status: published` to
 * publish a draft, on the series and on its future occurrences that were not edited alone
 * (`detached`), each of which gets its `sequence` bumped (calendars see the change); past
 * occurrences and cancelled ones stay as they were. A new start time or duration moves those
 * occurrences, computed again in the series' time zone. Two round trips: the series' rule is
 * read first; then one batch locks the series row, applies the edit to the series and its
 * occurrences in one statement (only if the series is still the version read: a concurrent
 * edit makes it read again, a few times at most, then 409 `series_changed`), and reads the
 * card. A capacity under the number going on an occurrence is 409 `capacity_below_going`.
 * An edit naming no field changes nothing (no sequence is bumped).
 */
export async function updateSeries(ctx: ActorCtx, input: { seriesId: number; changes: UpdateSeriesInput }): Promise<Series> {
  const { db, actor, now } = ctx;
  const { changes } = input;
  checkOwnMedia(ctx, changes.imageUrl);
  const seriesSet: SQL[] = [sql`sequence = s.sequence + 1`, sql`updated_at = ${at(now)}`];
  const eventSet: SQL[] = [sql`sequence = e.sequence + 1`, sql`updated_at = ${at(now)}`];
  for (const [field, { column, value }] of Object.entries(TEMPLATE)) {
    const given = changes[field as keyof UpdateSeriesInput];
    if (given === undefined) continue;
    const assignment = sql`${sql.identifier(column)} = ${value(given as never)}`;
    seriesSet.push(assignment);
    eventSet.push(assignment);
  }
  const moved = changes.startTime !== undefined || changes.durationMinutes !== undefined;
  if (eventSet.length === 2 && !moved) {
    // An edit that names no field changes nothing: the same refusals, and the series as it is.
    await seriesForEdit(ctx, input.seriesId);
    return getSeries(ctx, input);
  }
  if (changes.startTime !== undefined) seriesSet.push(sql`start_time = ${changes.startTime}::text`);
  if (changes.durationMinutes !== undefined) seriesSet.push(sql`duration_minutes = ${changes.durationMinutes}::int`);
  if (moved) eventSet.push(sql`start_date = x.start_date`, sql`end_date = x.end_date`);

  for (let attempt = 0; attempt < SERIES_CHANGED_RETRIES; attempt++) {
    const seen = await seriesForEdit(ctx, input.seriesId);
    const rule = { ...ruleOf(seen), startTime: changes.startTime ?? seen.start_time, durationMinutes: changes.durationMinutes ?? Number(seen.duration_minutes) };
    const schedule = moved ? occurrencesBetween(rule, dateOfDay(dayNumber(utcDate(now)) - 1), scheduleEnd(seen.materialized_until, now)) : [];
    const [, edited, card] = await db
      .batch([
        db.execute(lockSeries(input.seriesId)),
        db.execute<{ series: number; occurrences: number }>(sql`
          WITH updated AS (
            UPDATE event_series s SET ${sql.join(seriesSet, sql`, `)}
            WHERE s.id = ${input.seriesId} AND s.user_id = ${actor.id} AND s.sequence = ${seen.sequence} AND s.status <> 'cancelled'
            RETURNING s.id
          ),
          occurrences AS (
            UPDATE events e SET ${sql.join(eventSet, sql`, `)}
            FROM updated s ${moved ? sql`JOIN ${occurrenceSet(schedule)} ON true` : sql``}
            WHERE e.series_id = s.id AND NOT e.detached AND e.start_date > ${at(now)} AND e.status IS DISTINCT FROM 'cancelled'
              ${moved ? sql`AND e.occurrence_on = x.occurrence_on` : sql``}
            RETURNING e.id
          )
          SELECT (SELECT count(*) FROM updated)::int AS series, (SELECT count(*) FROM occurrences)::int AS occurrences`),
        db.execute<SeriesRow>(seriesCardQuery(actor.id, input.seriesId, now)),
      ])
      .catch(rethrowCapacity);
    const counts = edited.rows[0]!;
    if (Number(counts.series) === 0) continue;
    ctx.logger.info("event series edited", { code: "event_series_edited", seriesId: input.seriesId, occurrences: Number(counts.occurrences) });
    const seatsChanged = changes.maxAttendees !== undefined || changes.maxLeaders !== undefined || changes.maxFollowers !== undefined;
    if (seatsChanged && (await promoteOccurrenceWaitlists(ctx, input.seriesId)) > 0) return getSeries(ctx, input);
    return toSeries(card.rows[0]!);
  }
  throw seriesChangedError();
}

/**
 * After a series edit changed its capacity or a role cap: the waitlists of its occurrences still
 * to start that the edit reached (not detached) are promoted into any seat it freed, each with
 * the RSVP side's statement (`promoteWaitlisted`: first in line first, tickets, notifications).
 * Rare (an organizer raising seats with dancers waiting), so two more round trips at most: the
 * occurrences with a waitlist, then one batch promoting them. Returns how many were promoted.
 */
async function promoteOccurrenceWaitlists(ctx: ActorCtx, seriesId: number): Promise<number> {
  const { db, now } = ctx;
  const { rows } = await db.execute<{ id: number }>(sql`
    SELECT e.id FROM events e
    WHERE e.series_id = ${seriesId} AND NOT e.detached AND e.start_date > ${at(now)} AND e.waitlist_count > 0
    ORDER BY e.id`);
  if (rows.length === 0) return 0;
  const [first, ...rest] = rows.map((row) => promoteWaitlisted(db, { eventId: Number(row.id), now }));
  const results = await db.batch([first!, ...rest]);
  const promoted = results.reduce((sum, result) => sum + Number(result.rows[0]?.promoted ?? 0), 0);
  if (promoted > 0) ctx.logger.info("waitlists promoted", { code: "event_waitlist_promoted", seriesId, occurrences: rows.length, promoted });
  return promoted;
}

type CancelCounts = { cancelled: number; tickets: number } & Record<"created" | "bumped" | "emails_queued", number>;

/**
 * Cancels a series (its organizer only): the series stops (no more occurrences are made) and
 * every future occurrence not cancelled yet, edited alone or not, is cancelled (status,
 * cancelled_at, sequence bumped), its active tickets cancelled with it, and each dancer going
 * to or waiting for one of them notified once (`event_series_cancelled`, with how many of
 * theirs were cancelled). One batch: the series row locked first (so occurrences a concurrent
 * window extension made are seen), then the occurrences' rows (so no RSVP racing the cancel
 * keeps a ticket), the cancel in one statement, then the card. Cancelling
 * again changes nothing more.
 */
export async function cancelSeries(ctx: ActorCtx, input: { seriesId: number }): Promise<{ series: Series; cancelled: number }> {
  const { db, actor, now } = ctx;
  const [seen, , cancel, card] = await db.batch([
    db.execute<{ allowed: boolean }>(sql`
      SELECT s.user_id = ${actor.id} AS allowed FROM event_series s
      WHERE s.id = ${input.seriesId} AND ${seriesVisibleTo(actor.id, sql`s`)} FOR UPDATE`),
    // The occurrences' rows too, as an RSVP takes them (lockEventForRsvps): an RSVP racing the
    // cancel then either lands before it (its ticket is cancelled here) or sees it cancelled.
    db.execute(sql`
      SELECT e.id FROM events e
      WHERE e.series_id = ${input.seriesId} AND e.start_date > ${at(now)} AND e.status IS DISTINCT FROM 'cancelled'
      ORDER BY e.id FOR NO KEY UPDATE`),
    db.execute<CancelCounts>(sql`
      WITH series AS (
        UPDATE event_series s SET status = 'cancelled', sequence = s.sequence + 1, updated_at = ${at(now)}
        WHERE s.id = ${input.seriesId} AND s.user_id = ${actor.id} AND s.status <> 'cancelled'
        RETURNING s.id, s.title
      ),
      cancelled AS (
        UPDATE events e SET status = 'cancelled', cancelled_at = ${at(now)}, sequence = e.sequence + 1, updated_at = ${at(now)}
        FROM event_series s
        WHERE s.id = ${input.seriesId} AND s.user_id = ${actor.id} AND e.series_id = s.id
          AND e.start_date > ${at(now)} AND e.status IS DISTINCT FROM 'cancelled'
        RETURNING e.id
      ),
      tickets AS (
        UPDATE event_tickets t SET status = 'cancelled', cancelled_at = ${at(now)}
        FROM cancelled c WHERE t.event_id = c.id AND t.status = 'active'
        RETURNING t.id
      ),
      ${notificationCtes({
        to: {
          from: sql`(SELECT r.user_id, count(*)::int AS occurrences, min(s.title) AS title
                     FROM event_rsvps r JOIN cancelled c ON c.id = r.event_id CROSS JOIN event_series s
                     WHERE s.id = ${input.seriesId} AND r.status IN ('going', 'waitlisted')
                     GROUP BY r.user_id) affected`,
        },
        type: "event_series_cancelled",
        actorId: actor.id,
        subjectType: "event_series",
        subjectId: input.seriesId,
        data: sql`jsonb_build_object('seriesId', ${input.seriesId}::int, 'eventTitle', recipient.title, 'occurrences', recipient.occurrences)`,
      })}
      SELECT (SELECT count(*) FROM cancelled)::int AS cancelled, (SELECT count(*) FROM tickets)::int AS tickets, ${notificationCounts()}`),
    db.execute<SeriesRow>(seriesCardQuery(actor.id, input.seriesId, now)),
  ]);
  const refused = seriesWriteError({ found: seen.rows.length > 0, allowed: seen.rows[0]?.allowed ?? false }, "cancel");
  if (refused) throw refused;
  const counts = cancel.rows[0]!;
  ctx.logger.info("event series cancelled", {
    code: "event_series_cancelled",
    seriesId: input.seriesId,
    occurrences: Number(counts.cancelled),
    tickets: Number(counts.tickets),
    notified: Number(counts.created) + Number(counts.bumped),
  });
  return { series: toSeries(card.rows[0]!), cancelled: Number(counts.cancelled) };
}

type WindowRow = Pick<SeriesRow, "id" | "sequence" | "frequency" | "interval" | "weekday" | "ordinal" | "start_time" | "duration_minutes" | "timezone" | "starts_on" | "until" | "materialized_until">;

/**
 * Extends the occurrence window of up to `limit` published series (ids after `afterId`, in id
 * order) to the window's end: the cron job's step. Two statements: the series whose window
 * falls short (the partial window index), then one INSERT of their new occurrences (computed
 * here, in each series' zone) that also moves each `materialized_until`. That statement locks
 * the series rows and makes occurrences only for a series still at the version read (an edit
 * in between: it is left for the next run, which computes them again), and the unique
 * (series_id, occurrence_on) index makes overlapping runs and retries make each occurrence
 * once. Returns the last id looked at (null: no series left) and the counts.
 */
export async function extendSeriesWindows(
  { db, now }: Ctx,
  input: { afterId: number; limit: number },
): Promise<{ lastId: number | null; series: number; extended: number; occurrences: number }> {
  const end = windowEnd(now);
  const { rows } = await db.execute<WindowRow>(sql`
    SELECT s.id, s.sequence, s.frequency, s.interval, s.weekday, s.ordinal, s.start_time, s.duration_minutes, s.timezone,
           s.starts_on::text AS starts_on, s.until::text AS until, s.materialized_until::text AS materialized_until
    FROM event_series s
    WHERE s.status = 'published' AND (s.materialized_until IS NULL OR s.materialized_until < ${end}::date)
      AND (s.until IS NULL OR s.materialized_until IS NULL OR s.materialized_until < s.until)
      AND s.id > ${input.afterId}
    ORDER BY s.id LIMIT ${input.limit}`);
  if (rows.length === 0) return { lastId: null, series: 0, extended: 0, occurrences: 0 };
  const occurrences = rows.flatMap((row) => {
    const from = row.materialized_until === null ? row.starts_on : dateOfDay(dayNumber(row.materialized_until) + 1);
    return upcomingOccurrences(ruleOf(row), from, now).map((o) => ({ ...o, seriesId: Number(row.id) }));
  });
  const versions = rows.map((row) => ({ id: Number(row.id), sequence: Number(row.sequence) }));
  const { rows: done } = await db.execute<{ extended: number; occurrences: number }>(sql`
    WITH locked AS (
      SELECT s.* FROM event_series s
      JOIN jsonb_to_recordset(${JSON.stringify(versions)}::jsonb) AS v(id int, sequence int) ON v.id = s.id AND v.sequence = s.sequence
      WHERE s.status = 'published'
      ORDER BY s.id
      FOR UPDATE OF s
    ),
    made AS (${occurrencesInsert(sql`locked s JOIN ${occurrenceSet(occurrences)} ON x.series_id = s.id`)}),
    extended AS (
      UPDATE event_series s SET materialized_until = ${end}::date
      FROM locked l WHERE s.id = l.id AND (s.materialized_until IS NULL OR s.materialized_until < ${end}::date)
      RETURNING s.id
    )
    SELECT (SELECT count(*) FROM extended)::int AS extended, (SELECT count(*) FROM made)::int AS occurrences`);
  return {
    lastId: Number(rows.at(-1)!.id),
    series: rows.length,
    extended: Number(done[0]?.extended ?? 0),
    occurrences: Number(done[0]?.occurrences ?? 0),
  };
}
