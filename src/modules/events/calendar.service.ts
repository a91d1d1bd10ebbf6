import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { randomToken, sha256Hex } from "../../lib/crypto";
import { notFound } from "../../lib/errors";
import { isoUtc } from "../../lib/time";
import { accountUsable } from "../users";
import { eventVisibleTo, managesEvent } from "./events.conditions";
import { type IcsEvent, icsCalendar } from "./calendar.ics";
import type { CalendarEventRow, CalendarFeed } from "./calendar.schemas";

/** The personal feed reaches back this far (calendar apps keep what they already have). */
export const FEED_PAST_DAYS = 30;
/** At most this many events in a feed, the soonest first. */
export const FEED_LIMIT = 500;

/** The path of a personal feed, for its secret token. */
export const feedPath = (token: string) => `/api/calendar/${token}.ics`;

/**
 * The calendar columns of an events row `e` for a viewer: the online meeting URL only when the
 * viewer goes (or organizes), as everywhere else.
 */
function calendarColumns(viewerId: number | SQL | null): SQL {
  const seesMeeting =
    viewerId === null
      ? sql`false`
      : sql`(${managesEvent(viewerId, sql`e`)} OR EXISTS (SELECT 1 FROM event_rsvps mine
          WHERE mine.event_id = e.id AND mine.user_id = ${viewerId} AND mine.status = 'going'))`;
  return sql`e.id, e.title, e.description, e.event_type, e.location, e.latitude, e.longitude, e.start_date::text AS start_date,
    e.end_date::text AS end_date, e.status, e.tags, e.sequence, e.created_at::text AS created_at, e.updated_at::text AS updated_at,
    CASE WHEN e.is_online AND ${seesMeeting} THEN e.meeting_url END AS meeting_url`;
}

const STATUS: Record<string, IcsEvent["status"]> = { cancelled: "CANCELLED", draft: "TENTATIVE" };

/** Shapes a row as a VEVENT: UID `event-<id>@<APP_URL's host>`, its page on the web app as URL. */
function toIcsEvent(row: CalendarEventRow, appUrl: string): IcsEvent {
  const latitude = row.latitude === null ? NaN : Number(row.latitude);
  const longitude = row.longitude === null ? NaN : Number(row.longitude);
  const meeting = row.meeting_url ? `\n\nJoin online: ${row.meeting_url}` : "";
  const created = isoUtc(row.created_at);
  return {
    uid: `event-${row.id}@${new URL(appUrl).hostname}`,
    stamp: new Date(isoUtc(row.updated_at ?? row.created_at ?? row.start_date)),
    start: new Date(isoUtc(row.start_date)),
    end: row.end_date === null ? null : new Date(isoUtc(row.end_date)),
    summary: row.title,
    description: `${row.description}${meeting}`,
    location: row.location,
    geo: Number.isFinite(latitude) && Number.isFinite(longitude) ? { latitude, longitude } : null,
    url: `${appUrl.replace(/\/$/, "")}/events/${row.id}`,
    categories: [row.event_type, ...(row.tags ?? [])],
    sequence: Number(row.sequence),
    status: STATUS[row.status ?? "published"] ?? "CONFIRMED",
    created: created === null ? null : new Date(created),
  };
}

/**
 * One event as an iCalendar document, for whoever may see it (eventVisibleTo, else 404); a
 * cancelled event says STATUS:CANCELLED, and SEQUENCE is the event's, bumped by each edit.
 */
export async function eventCalendar({ db, actor, config }: Ctx, input: { eventId: number }): Promise<{ ics: string; eventId: number }> {
  const viewerId = actor?.id ?? null;
  const { rows } = await db.execute<CalendarEventRow>(sql`
    SELECT ${calendarColumns(viewerId)} FROM events e WHERE e.id = ${input.eventId} AND ${eventVisibleTo(viewerId, sql`e`)}`);
  const row = rows[0];
  if (!row) throw notFound("event");
  return { ics: icsCalendar([toIcsEvent(row, config.APP_URL)], { name: row.title }), eventId: Number(row.id) };
}

/**
 * Makes the caller's personal calendar feed, or rotates it: a new secret token whose SHA-256
 * replaces the old one in the same statement (the old URL stops working at once). The URL is
 * answered this once; the token itself is never stored, nor logged.
 */
export async function createCalendarFeed(ctx: ActorCtx, input: { origin: string }): Promise<CalendarFeed> {
  const { db, actor } = ctx;
  const token = randomToken(32);
  const { rows } = await db.execute<{ created_at: string; rotated: boolean }>(sql`
    INSERT INTO calendar_feeds AS f (user_id, token_hash, created_at) VALUES (${actor.id}, ${await sha256Hex(token)}, now())
    ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at
    RETURNING f.created_at::text AS created_at, f.xmax <> 0 AS rotated`);
  const row = rows[0]!;
  ctx.logger.info("calendar feed made", { code: row.rotated ? "calendar_feed_rotated" : "calendar_feed_created", userId: actor.id });
  return { url: `${input.origin}${feedPath(token)}`, createdAt: isoUtc(row.created_at) };
}

/** Revokes the caller's feed (its URL stops working); idempotent. */
export async function revokeCalendarFeed(ctx: ActorCtx): Promise<void> {
  const { rows } = await ctx.db.execute<{ user_id: number }>(sql`DELETE FROM calendar_feeds WHERE user_id = ${ctx.actor.id} RETURNING user_id`);
  ctx.logger.info("calendar feed revoked", { code: "calendar_feed_revoked", userId: ctx.actor.id, revoked: rows.length });
}

/**
 * A personal feed, by its secret token (no sign-in: calendar apps fetch it): the events its
 * owner is going to, from {@link FEED_PAST_DAYS} days ago on, soonest first, as far as the owner
 * may still see each (cancelled ones included, so apps mark them). One statement; an unknown or
 * revoked token, or an owner whose account is not usable, is a 404.
 */
export async function feedCalendar({ db, now, config }: Ctx, input: { token: string }): Promise<string> {
  const { rows } = await db.execute<CalendarEventRow & { owner_id: number }>(sql`
    WITH owner AS (
      SELECT u.id FROM calendar_feeds f JOIN users u ON u.id = f.user_id
      WHERE f.token_hash = ${await sha256Hex(input.token)} AND ${accountUsable(sql`u`)}
    )
    SELECT owner.id AS owner_id, ev.* FROM owner
    LEFT JOIN LATERAL (
      SELECT ${calendarColumns(sql`owner.id`)}
      FROM event_rsvps r JOIN events e ON e.id = r.event_id
      WHERE r.user_id = owner.id AND r.status = 'going'
        AND coalesce(e.end_date, e.start_date) >= ${now.toISOString()}::timestamp - make_interval(days => ${FEED_PAST_DAYS})
        AND ${eventVisibleTo(sql`owner.id`, sql`e`)}
      ORDER BY e.start_date, e.id
      LIMIT ${FEED_LIMIT}
    ) ev ON true`);
  if (rows.length === 0) throw notFound("calendar feed");
  const events = rows.filter((row) => row.id !== null).map((row) => toIcsEvent(row, config.APP_URL));
  return icsCalendar(events, { name: "Mundo Tango" });
}
