import { z } from "@hono/zod-openapi";
import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { AppError, notFound } from "../../lib/errors";
import { type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { homeVisibleTo } from "./housing.conditions";
import { type BlockDatesInput, Day, HOUSING_LIMITS } from "./housing.input";
import { addDays, checkBlockDates, datesBooked, daysBetween, listingNotFound, notListingHost, today } from "./housing.policy";
import { type Availability, type BlockedDates, type BlockedDatesRow, toBlockedDates } from "./housing.schemas";

/** A listing's calendar: the stays and closed dates in a window, and the host's closed dates. */

const range = (from: string, to: string) => sql`daterange(${from}::date, ${to}::date, '[)')`;

/**
 * The listing's calendar from `from` (default today) up to `to` (default and at most
 * HOUSING_LIMITS.calendarDays later), in one statement: the pending and approved stays (as
 * date ranges, never whose) and the closed dates overlapping it, in date order. Anyone who may
 * see the listing may read it (404 otherwise).
 */
export async function getAvailability({ db, actor, now }: Ctx, input: { listingId: number; from?: string; to?: string }): Promise<Availability> {
  const from = input.from ?? today(now);
  const to = input.to ?? addDays(from, HOUSING_LIMITS.calendarDays);
  const days = daysBetween(from, to);
  if (days < 1 || days > HOUSING_LIMITS.calendarDays) {
    throw new AppError(400, "bad_range", `\`to\` comes after \`from\`, at most ${HOUSING_LIMITS.calendarDays} days later.`, {
      errors: [{ path: "query.to", message: `After from, within ${HOUSING_LIMITS.calendarDays} days` }],
    });
  }
  const window = range(from, to);
  const { rows } = await db.execute<{ booked: { from: string; to: string }[] | string; blocked: { from: string; to: string }[] | string }>(sql`
    SELECT
      coalesce((SELECT json_agg(json_build_object('from', b.check_in::text, 'to', b.check_out::text) ORDER BY b.check_in)
        FROM guest_bookings b WHERE b.home_id = h.id AND b.status IN ('pending', 'approved') AND b.stay && ${window}), '[]'::json) AS booked,
      coalesce((SELECT json_agg(json_build_object('from', d.starts_on::text, 'to', d.ends_on::text) ORDER BY d.starts_on, d.id)
        FROM host_home_blocked_dates d WHERE d.home_id = h.id AND d.during && ${window}), '[]'::json) AS blocked
    FROM host_homes h WHERE h.id = ${input.listingId} AND ${homeVisibleTo(actor?.id ?? null, sql`h`)}`);
  const row = rows[0];
  if (!row) throw listingNotFound();
  const parse = (value: { from: string; to: string }[] | string) => (typeof value === "string" ? (JSON.parse(value) as { from: string; to: string }[]) : value);
  return { listingId: input.listingId, from, to, booked: parse(row.booked), blocked: parse(row.blocked) };
}

const blockedColumns = (d: SQL) =>
  sql`${d}.id, ${d}.home_id, ${d}.starts_on::text AS starts_on, ${d}.ends_on::text AS ends_on, ${d}.reason, ${d}.created_at`;

/**
 * The host closes dates, in one round trip: a batch whose first statement locks the listing's
 * row (`FOR UPDATE`: a booking request locks it too, so the two are taken one after
 * the other), and whose second, with a snapshot taken after that lock, inserts the closed dates
 * unless a pending or approved stay overlaps them (409 `dates_booked`: answer or cancel it
 * first). Closed dates may overlap each other. Not visible: 404; not theirs: 403.
 */
export async function blockDates(ctx: ActorCtx, input: { listingId: number } & BlockDatesInput): Promise<BlockedDates> {
  const { db, actor } = ctx;
  checkBlockDates(input);
  const stay = range(input.startsOn, input.endsOn);
  const [, { rows }] = await db.batch([
    db.execute(sql`SELECT h.id FROM host_homes h WHERE h.id = ${input.listingId} AND h.user_id = ${actor.id} FOR UPDATE`),
    db.execute<BlockedDatesRow & { found: boolean; allowed: boolean; booked: boolean }>(sql`
      WITH home AS (SELECT h.id, h.user_id FROM host_homes h WHERE h.id = ${input.listingId} AND ${homeVisibleTo(actor.id, sql`h`)}),
      verdict AS (
        SELECT h.user_id = ${actor.id} AS allowed,
               EXISTS (SELECT 1 FROM guest_bookings b WHERE b.home_id = h.id AND b.status IN ('pending', 'approved') AND b.stay && ${stay}) AS booked
        FROM home h
      ),
      inserted AS (
        INSERT INTO host_home_blocked_dates (home_id, starts_on, ends_on, reason)
        SELECT h.id, ${input.startsOn}::date, ${input.endsOn}::date, ${input.reason || null}::text
        FROM home h JOIN verdict v ON v.allowed AND NOT v.booked
        RETURNING *
      )
      SELECT EXISTS (SELECT 1 FROM home) AS found, coalesce((SELECT allowed FROM verdict), false) AS allowed,
             coalesce((SELECT booked FROM verdict), false) AS booked, ${blockedColumns(sql`d`)}
      FROM (SELECT 1) one LEFT JOIN inserted d ON true`),
  ]);
  const row = rows[0]!;
  if (!row.found) throw listingNotFound();
  if (!row.allowed) throw notListingHost();
  if (row.booked) throw datesBooked();
  ctx.logger.info("dates blocked", { code: "listing_dates_blocked", listingId: input.listingId, days: daysBetween(input.startsOn, input.endsOn) });
  return toBlockedDates(row);
}

/** Soonest first by (starts_on, id). */
const BY_START = {
  by: [sql`d.starts_on`, sql`d.id`],
  direction: "asc",
  cursor: z.tuple([Day, z.number().int().min(1).max(2_147_483_647)]),
} as const;

/**
 * The host's closed dates of a listing (past ones too), soonest first, by cursor, in one
 * statement. Not visible: 404; not theirs: 403.
 */
export async function listBlockedDates({ db, actor }: ActorCtx, input: { listingId: number } & PageRequest): Promise<Page<BlockedDates>> {
  let verdict = { found: false, allowed: false };
  const page = await sortedPage(
    input,
    BY_START,
    async (keyset) => {
      const { rows } = await db.execute<BlockedDatesRow & { found: boolean; allowed: boolean }>(sql`
        SELECT home.id IS NOT NULL AS found, coalesce(home.user_id = ${actor.id}, false) AS allowed, page.*
        FROM (SELECT 1) one
        LEFT JOIN (SELECT h.id, h.user_id FROM host_homes h WHERE h.id = ${input.listingId} AND ${homeVisibleTo(actor.id, sql`h`)}) home ON true
        LEFT JOIN LATERAL (
          SELECT ${blockedColumns(sql`d`)} FROM host_home_blocked_dates d
          WHERE d.home_id = home.id AND ${keyset.after} ORDER BY ${keyset.order} LIMIT ${keyset.limit}
        ) page ON home.user_id = ${actor.id}
        ORDER BY page.starts_on, page.id`);
      verdict = { found: rows[0]?.found ?? false, allowed: rows[0]?.allowed ?? false };
      return rows.filter((row) => row.id !== null);
    },
    { item: toBlockedDates, key: (row) => [row.starts_on, Number(row.id)] as [string, number] },
  );
  if (!verdict.found) throw listingNotFound();
  if (!verdict.allowed) throw notListingHost();
  return page;
}

/** The host reopens closed dates, in one statement. Anyone else (and a block id that does not exist) is a 404. */
export async function unblockDates(ctx: ActorCtx, input: { blockId: number }): Promise<void> {
  const { db, actor } = ctx;
  const { rows } = await db.execute<{ deleted: boolean }>(sql`
    WITH deleted AS (
      DELETE FROM host_home_blocked_dates d USING host_homes h
      WHERE d.id = ${input.blockId} AND h.id = d.home_id AND h.user_id = ${actor.id}
      RETURNING d.id
    )
    SELECT EXISTS (SELECT 1 FROM deleted) AS deleted`);
  if (!rows[0]?.deleted) throw notFound("blocked dates");
  ctx.logger.info("dates reopened", { code: "listing_dates_unblocked", blockId: input.blockId });
}
