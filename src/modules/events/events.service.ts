import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { PG, pgError } from "../../lib/db";
import { AppError, conflict, notFound, unauthorized } from "../../lib/errors";
import { type IdempotencyClaim, idempotencyRecordCte, idempotent } from "../../lib/idempotency";
import { assertOwnMediaUrls } from "../media";
import { notificationCounts, notificationCtes } from "../notifications";
import { accountUsable } from "../users";
import { eventCardColumns } from "./events.cards";
import { givenColumns, isPaidOf, nextColumns } from "./events.columns";
import { eventVisibleTo, managesEvent } from "./events.conditions";
import { promoteWaitlisted } from "./rsvps.service";
import type { CreateEventInput, UpdateEventInput } from "./events.input";
import {
  brokenRule,
  checkRuleError,
  EVENT_RULES,
  eventCancelledError,
  eventWriteError,
  organizesEvent,
  ruleError,
  seriesOccurrenceError,
} from "./events.policy";
import { type Event, type EventCardRow, type EventDetail, type EventDetailRow, toEvent, toEventDetail } from "./events.schemas";

/** The route an `Idempotency-Key` of an event create is scoped to. */
export const CREATE_EVENT_SCOPE = "POST /api/events";

/** How many of the viewer's friends and follows going the detail names (a card names 3). */
export const DETAIL_CIRCLE_SAMPLE = 10;

/** The cover must be an image this service stored (the media module's rule). */
function checkCover(ctx: Ctx, input: { imageUrl?: string | null }): void {
  if (input.imageUrl != null) assertOwnMediaUrls(ctx.config, [{ path: "body.imageUrl", url: input.imageUrl, family: "image" }]);
}

/**
 * A write the table's own constraints refused after the statement's rules let it through (a
 * race the rules could not see, e.g. a hosting group deleted meanwhile): the matching rule.
 */
function rethrowRefused(error: unknown): never {
  const pg = pgError(error);
  if (pg?.code === PG.checkViolation) {
    const refused = checkRuleError(pg.constraint);
    if (refused) throw refused;
  }
  if (pg?.code === PG.foreignKeyViolation && pg.constraint?.startsWith("events_group_id")) {
    throw ruleError(EVENT_RULES.findIndex((rule) => rule.code === "not_group_host"));
  }
  // The venue's foreign key is its existence check: a venue that does not exist (or was just deleted).
  if (pg?.code === PG.foreignKeyViolation && pg.constraint?.startsWith("events_venue_id")) throw unknownVenue();
  throw error;
}

const unknownVenue = () =>
  new AppError(400, "unknown_venue", "No such venue: link one listed by GET /api/venues.", {
    errors: [{ path: "body.venueId", message: "No such venue" }],
  });

/** The counters of the row as written: none yet for a new event. */
const NO_COUNTERS = sql`0 AS going_count, 0 AS leaders_going, 0 AS followers_going, 0 AS interested_count, 0 AS waitlist_count`;

type CreateRow = EventCardRow & { broken: number | null };

/**
 * Creates an event, in one statement: the rules between its fields checked on the row as it
 * would be written (events.policy.ts: an end before the start, a role cap over the capacity, a
 * hosting group the creator is not an admin or moderator of...), the row inserted only when
 * they all hold, its card answered, and, with an `Idempotency-Key`, the stored response (a
 * repeat replays it and creates nothing). `is_paid` follows the price. The cover must be an
 * image uploaded to this service.
 */
export async function createEvent(
  ctx: ActorCtx,
  input: { event: CreateEventInput; claim: IdempotencyClaim | null },
): Promise<{ event: Event; replayed: boolean }> {
  const { db, actor } = ctx;
  const { event, claim } = input;
  checkCover(ctx, event);
  const columns = givenColumns(event).map((column) => sql.identifier(column));
  const create = async (): Promise<Event> => {
    const { rows } = await db
      .execute<CreateRow>(sql`
        WITH organizer AS (SELECT u.id, u.username, u.name, u.profile_image FROM users u WHERE u.id = ${actor.id} AND ${accountUsable(sql`u`)}),
        next AS (SELECT ${nextColumns(event, null)}, ${NO_COUNTERS}, ${event.status}::text AS was_status, NULL::int AS was_group_id),
        verdict AS (SELECT ${brokenRule(sql`n`, actor.id)} AS broken FROM next n),
        created AS (
          INSERT INTO events (user_id, ${sql.join(columns, sql`, `)}, is_paid)
          SELECT o.id, ${sql.join(columns.map((column) => sql`n.${column}`), sql`, `)}, ${isPaidOf(sql`n`)}
          FROM next n CROSS JOIN organizer o CROSS JOIN verdict v
          WHERE v.broken IS NULL
          RETURNING *
        ),
        card AS (SELECT ${eventCardColumns(actor.id, sql`e`, sql`o`)} FROM created e JOIN organizer o ON o.id = e.user_id),
        ${idempotencyRecordCte(claim, { status: 201, from: sql`card`, body: sql`to_jsonb(card)` })}
        SELECT (SELECT broken FROM verdict) AS broken, card.* FROM (SELECT 1) one LEFT JOIN card ON true`)
      .catch(rethrowRefused);
    const row = rows[0]!;
    if (row.broken !== null) throw ruleError(Number(row.broken));
    if (row.id === null) throw unauthorized();
    ctx.logger.info("event created", { code: "event_created", eventId: Number(row.id), groupId: row.group_id });
    return toEvent(row);
  };
  const { value, replayed } = await idempotent(ctx, claim, create, (stored) => toEvent(stored.body as EventCardRow));
  return { event: value, replayed };
}

/**
 * One event as the viewer sees it, in one statement: its card (counts per status and role from
 * the counters, the viewer's RSVP with their waitlist position, their friends and follows
 * going, whether they organize it) and the average rating of its visible reviews. 404 when it
 * does not exist or the viewer may not see it (`eventVisibleTo`).
 */
export async function getEvent({ db, actor }: Ctx, input: { eventId: number }): Promise<EventDetail> {
  const viewerId = actor?.id ?? null;
  const { rows } = await db.execute<EventDetailRow>(sql`
    SELECT ${eventCardColumns(viewerId, sql`e`, sql`o`, { sample: DETAIL_CIRCLE_SAMPLE })},
           rating.average::text AS rating_average, rating.reviews AS review_count
    FROM events e
    JOIN users o ON o.id = e.user_id
    CROSS JOIN LATERAL (
      SELECT round(avg(rv.rating), 2) AS average, count(*)::int AS reviews
      FROM event_reviews rv WHERE rv.event_id = e.id AND rv.hidden_at IS NULL
    ) rating
    WHERE e.id = ${input.eventId} AND ${eventVisibleTo(viewerId, sql`e`, sql`o`)}`);
  if (!rows[0]) throw notFound("event");
  return toEventDetail(rows[0]);
}

type UpdateRow = EventCardRow & { found: boolean; allowed: boolean | null; cancelled: boolean | null; broken: number | null };

/**
 * Edits an event (its organizer or a co-organizer), in one statement. The stored row is locked
 * first (`FOR NO KEY UPDATE` in a CTE: concurrent RSVPs, which move its counters, wait for it),
 * the edit applied to it (`next`), and the rules checked on the result against the counters as
 * they are now, so a capacity is never set under the dancers going. Every edit bumps
 * `sequence` (iCalendar) and `updated_at`; an edit of a series' occurrence detaches it, so
 * that edits of the series leave it as it is. A cancelled event takes no edit (409). Not
 * visible: 404; visible but not theirs: 403 `not_event_organizer`.
 *
 * An edit of the capacity or a role cap also promotes the waitlist into any seat it frees
 * (`promoteWaitlisted`, the RSVP side's statement, which notifies and issues tickets), in the
 * same batch right after the edit (it holds the row's lock, so the promotion sees every RSVP),
 * and the card is read again after it: still one round trip.
 */
export async function updateEvent(ctx: ActorCtx, input: { eventId: number; changes: UpdateEventInput }): Promise<Event> {
  const { db, actor } = ctx;
  const { changes } = input;
  checkCover(ctx, changes);
  const set = givenColumns(changes).map((column) => sql`${sql.identifier(column)} = n.${sql.identifier(column)}`);
  if (set.length === 0) return unchangedEvent(ctx, input.eventId);
  if (changes.price !== undefined) set.push(sql`is_paid = ${isPaidOf(sql`n`)}`);
  const edit = sql`
      WITH old AS (
        SELECT e.* FROM events e WHERE e.id = ${input.eventId} AND ${eventVisibleTo(actor.id, sql`e`)}
        FOR NO KEY UPDATE
      ),
      next AS (
        SELECT o.id, ${nextColumns(changes, sql`o`)}, o.going_count, o.leaders_going, o.followers_going, o.interested_count,
               o.waitlist_count, coalesce(o.status, 'published') AS was_status, o.group_id AS was_group_id
        FROM old o
      ),
      verdict AS (
        SELECT ${managesEvent(actor.id, sql`o`)} AS allowed, coalesce(o.status, 'published') = 'cancelled' AS cancelled,
               ${brokenRule(sql`n`, actor.id)} AS broken
        FROM old o JOIN next n ON n.id = o.id
      ),
      updated AS (
        UPDATE events e SET ${sql.join(set, sql`, `)}, sequence = e.sequence + 1, updated_at = now(),
          detached = e.detached OR e.series_id IS NOT NULL
        FROM next n CROSS JOIN verdict v
        WHERE e.id = n.id AND v.allowed AND NOT v.cancelled AND v.broken IS NULL
        RETURNING e.*
      ),
      card AS (SELECT ${eventCardColumns(actor.id, sql`e`, sql`o`)} FROM updated e JOIN users o ON o.id = e.user_id)
      SELECT EXISTS (SELECT 1 FROM old) AS found, v.allowed, v.cancelled, v.broken, card.*
      FROM (SELECT 1) one LEFT JOIN verdict v ON true LEFT JOIN card ON true`;
  const seatsChanged = changes.maxAttendees !== undefined || changes.maxLeaders !== undefined || changes.maxFollowers !== undefined;
  const row = seatsChanged ? await editAndPromote(ctx, input.eventId, edit) : (await db.execute<UpdateRow>(edit).catch(rethrowRefused)).rows[0]!;
  const refused = eventWriteError({ found: row.found, allowed: row.allowed === true }, "edit");
  if (refused) throw refused;
  if (row.cancelled) throw eventCancelledError();
  if (row.broken !== null) throw ruleError(Number(row.broken));
  ctx.logger.info("event edited", { code: "event_edited", eventId: input.eventId, fields: set.length, sequence: Number(row.sequence) });
  return toEvent(row);
}

/**
 * The edit, then the waitlist's promotion into the seats it freed, then the card as it is after
 * both: one batch. The card replaces the edit's own only when the edit was made (a refused edit
 * answers with the edit's verdict; the promotion then finds no seat it did not find before).
 */
async function editAndPromote(ctx: ActorCtx, eventId: number, edit: SQL): Promise<UpdateRow> {
  const { db, actor, now } = ctx;
  const [edited, promotion, card] = await db
    .batch([
      db.execute<UpdateRow>(edit),
      promoteWaitlisted(db, { eventId, now }),
      db.execute<EventCardRow>(sql`
        SELECT ${eventCardColumns(actor.id, sql`e`, sql`o`)} FROM events e JOIN users o ON o.id = e.user_id WHERE e.id = ${eventId}`),
    ])
    .catch(rethrowRefused);
  const row = edited.rows[0]!;
  const promoted = Number(promotion.rows[0]?.promoted ?? 0);
  if (promoted > 0) ctx.logger.info("waitlist promoted", { code: "event_waitlist_promoted", eventId, promoted });
  return row.allowed === true && row.broken === null && !row.cancelled && card.rows[0] ? { ...row, ...card.rows[0] } : row;
}

/** An edit that names no field: the same refusals, and the event as it is (no sequence bump). */
async function unchangedEvent({ db, actor }: ActorCtx, eventId: number): Promise<Event> {
  const { rows } = await db.execute<EventCardRow & { allowed: boolean }>(sql`
    SELECT ${managesEvent(actor.id, sql`e`)} AS allowed, ${eventCardColumns(actor.id, sql`e`, sql`o`)}
    FROM events e JOIN users o ON o.id = e.user_id
    WHERE e.id = ${eventId} AND ${eventVisibleTo(actor.id, sql`e`)}`);
  const refused = eventWriteError({ found: rows.length > 0, allowed: rows[0]?.allowed === true }, "edit");
  if (refused) throw refused;
  return toEvent(rows[0]!);
}

/**
 * Deletes an event (its organizer only, not a co-organizer), in one statement whose DELETE
 * holds the condition; its RSVPs, tickets, co-organizers, reviews, photos and reminders go
 * with it (foreign keys cascade). Deleting tells no one: cancelling does. An occurrence of a
 * series is cancelled, not deleted (409 `event_in_series`): the series would make it again.
 * Deleting what a racing delete already took is done (204). Not visible: 404; visible but not
 * theirs: 403 `not_event_organizer`.
 */
export async function deleteEvent(ctx: ActorCtx, input: { eventId: number }): Promise<void> {
  const { db, actor } = ctx;
  const { rows } = await db.execute<{ found: boolean; allowed: boolean; in_series: boolean; deleted: boolean }>(sql`
    WITH target AS (SELECT e.id, e.user_id, e.series_id FROM events e WHERE e.id = ${input.eventId} AND ${eventVisibleTo(actor.id, sql`e`)}),
    deleted AS (
      DELETE FROM events e USING target t
      WHERE e.id = t.id AND ${organizesEvent(actor.id, sql`e`)} AND e.series_id IS NULL
      RETURNING e.id
    )
    SELECT EXISTS (SELECT 1 FROM target) AS found, coalesce((SELECT ${organizesEvent(actor.id, sql`t`)} FROM target t), false) AS allowed,
           coalesce((SELECT series_id IS NOT NULL FROM target), false) AS in_series, EXISTS (SELECT 1 FROM deleted) AS deleted`);
  const row = rows[0]!;
  const refused = eventWriteError(row, "delete");
  if (refused) throw refused;
  if (row.in_series) throw seriesOccurrenceError();
  ctx.logger.info("event deleted", { code: "event_deleted", eventId: input.eventId, deleted: row.deleted });
}

type CancelRow = EventCardRow & {
  found: boolean;
  allowed: boolean | null;
  was_status: string | null;
  cancelled_now: boolean | null;
  tickets_cancelled: number;
  created: number;
  bumped: number;
  emails_queued: number;
};

/** The cancellation notice to every dancer going or waitlisted, from the CTE `ev` (the event, when this transaction cancelled it). */
function cancellationNotice(actorId: number): SQL {
  return notificationCtes({
    to: {
      from: sql`(SELECT r.user_id, ev.id AS event_id, ev.title FROM ev JOIN event_rsvps r ON r.event_id = ev.id
                 WHERE ev.cancelled_now AND r.status IN ('going', 'waitlisted')) attendee`,
    },
    type: "event_cancelled",
    actorId,
    subjectType: "event",
    subjectId: sql`recipient.event_id`,
    data: sql`jsonb_build_object('eventId', recipient.event_id, 'eventTitle', recipient.title)`,
  });
}

/**
 * Cancels a published event (its organizers), in one round trip: a batch of two statements,
 * one transaction. The first flips the status (`cancelled`, `cancelled_at`, `sequence` bumped
 * for calendars, a series' occurrence detached) conditionally on the row, so of racing cancels
 * exactly one flips it; its row lock makes RSVPs in flight finish first and RSVPs after it
 * find the event cancelled. The second, with a snapshot taken after that lock, so that it
 * sees every RSVP that got in, cancels the active tickets and notifies everyone going or
 * waitlisted (`event_cancelled`), only when this transaction did the cancelling
 * (`cancelled_at = now()`, the transaction's time). Cancelling a cancelled event changes
 * nothing (200, nobody told twice); a draft is deleted, not cancelled (409
 * `event_not_published`). Not visible: 404; visible but not theirs: 403.
 */
export async function cancelEvent(ctx: ActorCtx, input: { eventId: number }): Promise<Event> {
  const { db, actor } = ctx;
  const [, { rows }] = await db.batch([
    db.execute(sql`
      UPDATE events e SET status = 'cancelled', cancelled_at = now(), updated_at = now(), sequence = e.sequence + 1,
        detached = e.detached OR e.series_id IS NOT NULL
      WHERE e.id = ${input.eventId} AND coalesce(e.status, 'published') = 'published' AND ${managesEvent(actor.id, sql`e`)}`),
    db.execute<CancelRow>(sql`
      WITH ev AS (
        SELECT e.id, e.title, coalesce(e.status, 'published') AS status, ${managesEvent(actor.id, sql`e`)} AS allowed,
               coalesce(e.status, 'published') = 'cancelled' AND e.cancelled_at = now() AS cancelled_now
        FROM events e WHERE e.id = ${input.eventId} AND ${eventVisibleTo(actor.id, sql`e`)}
      ),
      tickets AS (
        UPDATE event_tickets t SET status = 'cancelled', cancelled_at = now()
        FROM ev WHERE ev.allowed AND ev.status = 'cancelled' AND t.event_id = ev.id AND t.status = 'active'
        RETURNING t.id
      ),
      ${cancellationNotice(actor.id)},
      card AS (
        SELECT ${eventCardColumns(actor.id, sql`e`, sql`o`)} FROM events e JOIN users o ON o.id = e.user_id
        WHERE e.id = (SELECT id FROM ev WHERE allowed)
      )
      SELECT EXISTS (SELECT 1 FROM ev) AS found, ev.allowed, ev.status AS was_status, ev.cancelled_now,
             (SELECT count(*)::int FROM tickets) AS tickets_cancelled, ${notificationCounts()}, card.*
      FROM (SELECT 1) one LEFT JOIN ev ON true LEFT JOIN card ON true`),
  ]);
  const row = rows[0]!;
  const refused = eventWriteError({ found: row.found, allowed: row.allowed === true }, "cancel");
  if (refused) throw refused;
  if (row.was_status === "draft") throw conflict("event_not_published", "A draft is not cancelled: delete it, or publish it first.");
  ctx.logger.info("event cancelled", {
    code: row.cancelled_now ? "event_cancelled" : "event_already_cancelled",
    eventId: input.eventId,
    ticketsCancelled: Number(row.tickets_cancelled),
    notified: Number(row.created) + Number(row.bumped),
  });
  return toEvent(row);
}
