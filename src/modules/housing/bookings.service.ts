import { z } from "@hono/zod-openapi";
import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { PG, pgError } from "../../lib/db";
import { forbidden, unauthorized } from "../../lib/errors";
import { type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { notificationCounts, notificationCtes } from "../notifications";
import { accountUsable } from "../users";
import { bookingColumns } from "./housing.cards";
import { homeFreeDuring, homeVisibleTo, mayRequestStay } from "./housing.conditions";
import type { BookingRequestInput } from "./housing.input";
import {
  BOOKING_REFUSALS,
  bookingNotCancellable,
  bookingNotFound,
  bookingNotPending,
  checkBookingRequest,
  datesUnavailable,
  listingNotFound,
  notListingHost,
  today,
} from "./housing.policy";
import { type Booking, type BookingRow, toBooking } from "./housing.schemas";

type RequestOutcome = "ok" | "not_found" | keyof typeof BOOKING_REFUSALS;

/** The notice's data: which stay, of which home. */
const noticeData = sql`jsonb_build_object('bookingId', recipient.booking_id, 'homeId', recipient.home_id, 'homeTitle', recipient.title,
  'checkIn', recipient.check_in, 'checkOut', recipient.check_out)`;

/** A stay's row as the notices read it, from a CTE of changed `guest_bookings` rows, with its home. */
const noticeRows = (changed: SQL, who: SQL) =>
  sql`(SELECT ${who} AS user_id, c.id AS booking_id, h.id AS home_id, h.title, c.check_in::text AS check_in, c.check_out::text AS check_out
    FROM ${changed} c JOIN host_homes h ON h.id = c.home_id)`;

/**
 * A dancer asks to stay at a listing, in one round trip: a batch whose first statement locks
 * the listing's row (`FOR NO KEY UPDATE`: closing dates takes it `FOR UPDATE`, so a request and
 * a closing never pass each other unseen; and requests for one listing take turns, because two
 * overlapping inserts checking the exclusion constraint at once each wait for the other's
 * transaction, a deadlock Postgres breaks only after a second by failing one), and whose
 * second is the request itself, one statement: the rules checked against the listing as it
 * is (visible to the guest, or 404, also across a block; not their own, 403; the booking
 * policy, 403; guests within the maximum, 400; no closed dates or stay over the nights, 409),
 * the stay inserted with its price computed from the listing (nights × price per night, in its
 * currency) and the house rules as the guest accepted them, and the host notified
 * (`booking_requested`). Two pending or approved stays never overlap: the exclusion constraint
 * `guest_bookings_no_overlap` refuses the second of two racing requests (23P01), answered 409
 * `dates_unavailable` like the overlap the statement saw itself.
 */
export async function requestBooking(ctx: ActorCtx, input: { listingId: number } & BookingRequestInput): Promise<Booking> {
  const { db, actor, now } = ctx;
  const me = actor.id;
  checkBookingRequest(input, now);
  const nights = sql`(${input.checkOut}::date - ${input.checkIn}::date)`;
  const [, { rows }] = await db
    .batch([
      db.execute(sql`SELECT h.id FROM host_homes h WHERE h.id = ${input.listingId} FOR NO KEY UPDATE`),
      db.execute<BookingRow & { outcome: RequestOutcome }>(sql`
        WITH home AS (SELECT h.* FROM host_homes h WHERE h.id = ${input.listingId} AND ${homeVisibleTo(me, sql`h`)}),
        verdict AS (
          SELECT CASE
            WHEN NOT EXISTS (SELECT 1 FROM home) THEN 'not_found'
            WHEN (SELECT user_id FROM home) = ${me} THEN 'own_listing'
            WHEN NOT (SELECT ${mayRequestStay(me, sql`h`)} FROM home h) THEN 'booking_not_allowed'
            WHEN (SELECT max_guests FROM home) < ${input.guests} THEN 'too_many_guests'
            WHEN NOT (SELECT ${homeFreeDuring(sql`h`, input.checkIn, input.checkOut)} FROM home h) THEN 'dates_unavailable'
            ELSE 'ok' END AS outcome
        ),
        guest AS (SELECT u.id, u.username, u.name, u.profile_image FROM users u WHERE u.id = ${me} AND ${accountUsable(sql`u`)}),
        created AS (
          INSERT INTO guest_bookings (home_id, guest_id, check_in, check_out, guests, message, rules_accepted_at, house_rules,
                                      nights, price_per_night, total_price, currency)
          SELECT h.id, g.id, ${input.checkIn}::date, ${input.checkOut}::date, ${input.guests}, ${input.message}, now(), h.house_rules,
                 ${nights}, h.price_per_night, h.price_per_night * ${nights}, h.currency
          FROM home h CROSS JOIN guest g JOIN verdict v ON v.outcome = 'ok'
          RETURNING *
        ),
        ${notificationCtes({
          to: { from: sql`${noticeRows(sql`created`, sql`h.user_id`)} host` },
          type: "booking_requested",
          actorId: me,
          subjectType: "booking",
          subjectId: sql`recipient.booking_id`,
          data: noticeData,
        })},
        card AS (
          SELECT ${bookingColumns(me, sql`c`, sql`h`, sql`g`, sql`hu`)}
          FROM created c JOIN home h ON h.id = c.home_id CROSS JOIN guest g JOIN users hu ON hu.id = h.user_id
        )
        SELECT v.outcome, card.* FROM verdict v LEFT JOIN card ON true`),
    ])
    .catch((error: unknown) => {
      const pg = pgError(error);
      if (pg?.code === PG.exclusionViolation) throw datesUnavailable();
      // The listing was deleted while the request was on its way.
      if (pg?.code === PG.foreignKeyViolation) throw listingNotFound();
      throw error;
    });
  const row = rows[0]!;
  if (row.outcome === "not_found") throw listingNotFound();
  if (row.outcome !== "ok") throw BOOKING_REFUSALS[row.outcome]();
  if (row.id === null) throw unauthorized();
  ctx.logger.info("stay requested", { code: "booking_requested", bookingId: Number(row.id), listingId: input.listingId, nights: Number(row.nights) });
  return toBooking(row);
}

/** The stay `bookingId` when the viewer is its guest or its host (a CTE `target`), its listing's row key-share locked. */
function targetBooking(me: number, bookingId: number): SQL {
  return sql`target AS (
    SELECT b.id, b.status, b.guest_id, h.user_id AS host_id FROM guest_bookings b JOIN host_homes h ON h.id = b.home_id
    WHERE b.id = ${bookingId} AND (b.guest_id = ${me} OR h.user_id = ${me})
    FOR KEY SHARE OF h
  )`;
}

/** The stay read back for the viewer (one of its two sides), from a CTE of changed rows. */
const changedCard = (me: number, changed: SQL) => sql`card AS (
  SELECT ${bookingColumns(me, sql`c`, sql`h`, sql`g`, sql`hu`)}
  FROM ${changed} c JOIN host_homes h ON h.id = c.home_id JOIN users g ON g.id = c.guest_id JOIN users hu ON hu.id = h.user_id
)`;

type ChangeRow = BookingRow & { found: boolean; allowed: boolean; was_status: string | null };

interface Transition {
  /** Who may make it. */
  side: "host" | "guest";
  /** The new status and the columns it sets. */
  set: SQL;
  /** Which stays it applies to (the guard of the UPDATE, rechecked on the row it locks). */
  from: SQL;
  notice: "booking_approved" | "booking_rejected" | "booking_cancelled";
  refused: (status: string) => Error;
}

/**
 * A stay's change of state by one of its sides, in one statement: a guarded UPDATE (the guard
 * rechecked on the locked row, so of two racing changes, an approval and a cancel say, the
 * second sees what the first left and applies only when that still allows it), the other side
 * notified in the same statement, and the stay read back. Neither side: 404; the wrong side:
 * 403; the wrong state: 409.
 */
async function changeBooking(ctx: ActorCtx, bookingId: number, t: Transition): Promise<Booking> {
  const { db, actor } = ctx;
  const me = actor.id;
  const mine = t.side === "host" ? sql`t.host_id = ${me}` : sql`t.guest_id = ${me}`;
  const other = t.side === "host" ? sql`c.guest_id` : sql`h.user_id`;
  const { rows } = await db.execute<ChangeRow>(sql`
    WITH ${targetBooking(me, bookingId)},
    changed AS (
      UPDATE guest_bookings b SET ${t.set}, updated_at = now()
      FROM target t WHERE b.id = t.id AND ${mine} AND ${t.from}
      RETURNING b.*
    ),
    ${notificationCtes({
      to: { from: sql`${noticeRows(sql`changed`, other)} side` },
      type: t.notice,
      actorId: me,
      subjectType: "booking",
      subjectId: sql`recipient.booking_id`,
      data: noticeData,
    })},
    ${changedCard(me, sql`changed`)}
    SELECT EXISTS (SELECT 1 FROM target) AS found, coalesce((SELECT ${mine} FROM target t), false) AS allowed,
           (SELECT status FROM target) AS was_status, ${notificationCounts()}, card.*
    FROM (SELECT 1) one LEFT JOIN card ON true`);
  const row = rows[0]!;
  if (!row.found) throw bookingNotFound();
  if (!row.allowed) throw t.side === "host" ? notListingHost() : forbidden("Only the stay's guest may do this.", "not_booking_guest");
  if (row.id === null) throw t.refused(row.was_status === "pending" ? "no longer pending" : (row.was_status ?? "changed"));
  ctx.logger.info("stay changed", { code: t.notice, bookingId });
  return toBooking(row);
}

/** The host approves a pending request (one statement; the guest is told `booking_approved`). */
export function approveBooking(ctx: ActorCtx, input: { bookingId: number; message?: string }): Promise<Booking> {
  return changeBooking(ctx, input.bookingId, {
    side: "host",
    set: sql`status = 'approved', responded_at = now(), host_message = ${input.message || null}::text`,
    from: sql`b.status = 'pending'`,
    notice: "booking_approved",
    refused: bookingNotPending,
  });
}

/** The host refuses a pending request (one statement; the guest is told `booking_rejected`); its dates are free again. */
export function rejectBooking(ctx: ActorCtx, input: { bookingId: number; message?: string }): Promise<Booking> {
  return changeBooking(ctx, input.bookingId, {
    side: "host",
    set: sql`status = 'rejected', responded_at = now(), host_message = ${input.message || null}::text`,
    from: sql`b.status = 'pending'`,
    notice: "booking_rejected",
    refused: bookingNotPending,
  });
}

/**
 * The guest cancels: a pending request at any time, an approved stay before its check-in day
 * (one statement; the host is told `booking_cancelled`); its dates are free again.
 */
export function cancelBooking(ctx: ActorCtx, input: { bookingId: number }): Promise<Booking> {
  return changeBooking(ctx, input.bookingId, {
    side: "guest",
    set: sql`status = 'cancelled', cancelled_at = now()`,
    from: sql`(b.status = 'pending' OR (b.status = 'approved' AND b.check_in > ${today(ctx.now)}::date))`,
    notice: "booking_cancelled",
    refused: bookingNotCancellable,
  });
}

/** One stay, for its guest or its host; anyone else gets a 404. One statement. */
export async function getBooking({ db, actor }: ActorCtx, input: { bookingId: number }): Promise<Booking> {
  const me = actor.id;
  const { rows } = await db.execute<BookingRow>(sql`
    SELECT ${bookingColumns(me, sql`b`, sql`h`, sql`g`, sql`hu`)}
    FROM guest_bookings b JOIN host_homes h ON h.id = b.home_id JOIN users g ON g.id = b.guest_id JOIN users hu ON hu.id = h.user_id
    WHERE b.id = ${input.bookingId} AND (b.guest_id = ${me} OR h.user_id = ${me})`);
  if (!rows[0]) throw bookingNotFound();
  return toBooking(rows[0]);
}

const Id = z.number().int().min(1).max(2_147_483_647);

/** Newest request first, by id. */
const BY_ID = { by: [sql`b.id`], direction: "desc", cursor: z.tuple([Id]) } as const;
const byId = { item: toBooking, key: (row: BookingRow) => [Number(row.id)] as [number] };

/**
 * The caller's stays, newest request first, by cursor, in one statement: as a guest
 * (guest_bookings_guest_idx), or as a host, the requests for all their listings.
 */
export function listMyBookings({ db, actor }: ActorCtx, input: PageRequest & { as: "guest" | "host" }): Promise<Page<Booking>> {
  const me = actor.id;
  const side = input.as === "guest" ? sql`b.guest_id = ${me}` : sql`h.user_id = ${me}`;
  return sortedPage(
    input,
    BY_ID,
    async (keyset) =>
      (
        await db.execute<BookingRow>(sql`
          SELECT ${bookingColumns(me, sql`b`, sql`h`, sql`g`, sql`hu`)}
          FROM guest_bookings b JOIN host_homes h ON h.id = b.home_id JOIN users g ON g.id = b.guest_id JOIN users hu ON hu.id = h.user_id
          WHERE ${side} AND ${keyset.after} ORDER BY ${keyset.order} LIMIT ${keyset.limit}`)
      ).rows,
    byId,
  );
}

/**
 * A listing's stays and requests, for its host, newest request first, by cursor, in one
 * statement. Not visible: 404; not theirs: 403.
 */
export async function listListingBookings(ctx: ActorCtx, input: PageRequest & { listingId: number }): Promise<Page<Booking>> {
  const { db, actor } = ctx;
  const me = actor.id;
  let verdict = { found: false, allowed: false };
  const page = await sortedPage(
    input,
    BY_ID,
    async (keyset) => {
      const { rows } = await db.execute<BookingRow & { found: boolean; allowed: boolean }>(sql`
        SELECT home.id IS NOT NULL AS found, coalesce(home.user_id = ${me}, false) AS allowed, page.*
        FROM (SELECT 1) one
        LEFT JOIN (SELECT h.id, h.user_id FROM host_homes h WHERE h.id = ${input.listingId} AND ${homeVisibleTo(me, sql`h`)}) home ON true
        LEFT JOIN LATERAL (
          SELECT ${bookingColumns(me, sql`b`, sql`h`, sql`g`, sql`hu`)}
          FROM guest_bookings b JOIN host_homes h ON h.id = b.home_id JOIN users g ON g.id = b.guest_id JOIN users hu ON hu.id = h.user_id
          WHERE b.home_id = home.id AND ${keyset.after} ORDER BY ${keyset.order} LIMIT ${keyset.limit}
        ) page ON home.user_id = ${me}
        ORDER BY page.id DESC`);
      verdict = { found: rows[0]?.found ?? false, allowed: rows[0]?.allowed ?? false };
      return rows.filter((row) => row.id !== null);
    },
    byId,
  );
  if (!verdict.found) throw listingNotFound();
  if (!verdict.allowed) throw notListingHost();
  return page;
}

/** How many stays one statement of the completion job takes. */
export const COMPLETION_CHUNK = 500;

/**
 * Marks approved stays whose checkout day has come (`check_out <= today`: the last night was
 * the day before) as completed, up to `limit` of them, in one statement, and tells both sides
 * (`booking_completed`: they may review now). Stays are taken by the partial index
 * guest_bookings_checkout_idx, each row locked with SKIP LOCKED and rechecked, so overlapping
 * runs never complete (or notify) a stay twice. For the job (src/jobs/housing-stays.ts).
 */
export async function completeDueStays(ctx: Ctx, input: { limit: number }): Promise<{ completed: number; notified: number }> {
  const { db, now } = ctx;
  const { rows } = await db.execute<{ completed: number; created: number; bumped: number }>(sql`
    WITH due AS (
      SELECT b.id FROM guest_bookings b
      WHERE b.status = 'approved' AND b.check_out <= ${today(now)}::date
      ORDER BY b.check_out, b.id LIMIT ${input.limit}
      FOR UPDATE SKIP LOCKED
    ),
    done AS (
      UPDATE guest_bookings b SET status = 'completed', completed_at = now(), updated_at = now()
      FROM due WHERE b.id = due.id AND b.status = 'approved'
      RETURNING b.*
    ),
    ${notificationCtes({
      to: { from: sql`(SELECT * FROM ${noticeRows(sql`done`, sql`c.guest_id`)} g UNION ALL SELECT * FROM ${noticeRows(sql`done`, sql`h.user_id`)} hs) side` },
      type: "booking_completed",
      subjectType: "booking",
      subjectId: sql`recipient.booking_id`,
      data: noticeData,
    })}
    SELECT (SELECT count(*) FROM done)::int AS completed, ${notificationCounts()}`);
  const row = rows[0]!;
  return { completed: Number(row.completed), notified: Number(row.created) + Number(row.bumped) };
}
