import { z } from "@hono/zod-openapi";
import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { unauthorized } from "../../lib/errors";
import { type IdempotencyClaim, idempotencyRecordCte, idempotent } from "../../lib/idempotency";
import { type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { assertOwnMediaUrls } from "../media";
import { notificationCounts, notificationCtes } from "../notifications";
import { accountUsable } from "../users";
import { listingColumns } from "./housing.cards";
import { homeVisibleTo } from "./housing.conditions";
import type { CreateListingInput, UpdateListingInput } from "./housing.input";
import { listingHasStays, listingNotFound, notListingHost, today } from "./housing.policy";
import { type Listing, type ListingRow, toListing } from "./housing.schemas";

/** The route an `Idempotency-Key` of a listing create is scoped to. */
export const CREATE_LISTING_SCOPE = "POST /api/housing/listings";

/** Photos must be images this service stored (the media module's rule). */
function checkPhotos(ctx: Ctx, photos: { url: string }[] | undefined): void {
  if (photos?.length) assertOwnMediaUrls(ctx.config, photos.map((photo, i) => ({ path: `body.photos.${i}.url`, url: photo.url, family: "image" as const })));
}

/** The photos as the statements take them: one jsonb array, in order, a missing caption as null. */
function photosJson(photos: { url: string; caption?: string | null }[]): string {
  return JSON.stringify(photos.map((photo) => ({ url: photo.url, caption: photo.caption || null })));
}

/** A text[] from a JS array, bound as one jsonb parameter. */
function textArray(items: string[]): SQL {
  return sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(items)}::jsonb))`;
}

/** The photos' rows of the home `home` (a CTE with an `id`), in the given order. */
function photoRows(home: SQL, photos: string): SQL {
  return sql`SELECT home.id, x.photo ->> 'url', x.photo ->> 'caption', (x.ord - 1)::smallint
    FROM ${home} home CROSS JOIN jsonb_array_elements(${photos}::jsonb) WITH ORDINALITY AS x(photo, ord)`;
}

/**
 * Creates a listing hosted by the caller, with its photos, in one statement, and answers it as
 * its host sees it (address included). With an `Idempotency-Key` the response is stored in the
 * same statement, so a repeat replays it and creates nothing.
 */
export async function createListing(
  ctx: ActorCtx,
  input: { listing: CreateListingInput; claim: IdempotencyClaim | null },
): Promise<{ listing: Listing; replayed: boolean }> {
  const { db, actor } = ctx;
  const { listing: l, claim } = input;
  checkPhotos(ctx, l.photos);
  const photos = photosJson(l.photos);
  const create = async (): Promise<Listing> => {
    const { rows } = await db.execute<ListingRow>(sql`
      WITH host AS (SELECT u.id, u.username, u.name, u.profile_image FROM users u WHERE u.id = ${actor.id} AND ${accountUsable(sql`u`)}),
      created AS (
        INSERT INTO host_homes (user_id, title, description, address, city, country, latitude, longitude, amenities, max_guests,
                                price_per_night, currency, house_rules, booking_policy)
        SELECT host.id, ${l.title}, ${l.description}, ${l.address}, ${l.city}, ${l.country}, ${l.latitude}::float8, ${l.longitude}::float8,
               ${textArray(l.amenities)}, ${l.maxGuests}, ${l.pricePerNight}, ${l.currency}, ${l.houseRules}, ${l.bookingPolicy}
        FROM host
        RETURNING *
      ),
      photos AS (INSERT INTO host_home_photos (home_id, url, caption, position) ${photoRows(sql`created`, photos)} RETURNING 1),
      card AS (SELECT ${listingColumns(actor.id, sql`h`, sql`host`, { photos: sql`${photos}::json` })} FROM created h CROSS JOIN host),
      ${idempotencyRecordCte(claim, { status: 201, from: sql`card`, body: sql`to_jsonb(card)` })}
      SELECT * FROM card`);
    if (!rows[0]) throw unauthorized();
    ctx.logger.info("listing created", { code: "listing_created", listingId: Number(rows[0].id), photos: l.photos.length });
    return toListing(rows[0]);
  };
  const { value, replayed } = await idempotent(ctx, claim, create, (stored) => toListing(stored.body as ListingRow));
  return { listing: value, replayed };
}

/** The statement reading one listing as the viewer sees it (nothing when they may not see it). */
function listingSelect(viewerId: number | null, listingId: number): SQL {
  return sql`
    SELECT ${listingColumns(viewerId, sql`h`, sql`u`)}
    FROM host_homes h JOIN users u ON u.id = h.user_id
    WHERE h.id = ${listingId} AND ${homeVisibleTo(viewerId, sql`h`)}`;
}

/**
 * One listing as the viewer sees it, in one statement: its photos, rating, host's card, the
 * address only for its host and guests with an approved or completed stay, and whether the
 * viewer may ask to stay. 404 when the viewer may not see it (`homeVisibleTo`: paused and not
 * theirs, its host suspended or closed, a block either way).
 */
export async function getListing({ db, actor }: Ctx, input: { listingId: number }): Promise<Listing> {
  const { rows } = await db.execute<ListingRow>(listingSelect(actor?.id ?? null, input.listingId));
  if (!rows[0]) throw listingNotFound();
  return toListing(rows[0]);
}

/** The listing's columns by API field, for an edit. */
function setList(changes: UpdateListingInput): SQL[] {
  const set: SQL[] = [];
  const plain = {
    title: "title",
    description: "description",
    address: "address",
    city: "city",
    country: "country",
    maxGuests: "max_guests",
    pricePerNight: "price_per_night",
    currency: "currency",
    houseRules: "house_rules",
    bookingPolicy: "booking_policy",
    status: "status",
  } as const;
  for (const [field, column] of Object.entries(plain) as [keyof typeof plain, string][]) {
    const value = changes[field];
    if (value !== undefined) set.push(sql`${sql.identifier(column)} = ${value}`);
  }
  if (changes.latitude !== undefined) set.push(sql`latitude = ${changes.latitude}::float8`);
  if (changes.longitude !== undefined) set.push(sql`longitude = ${changes.longitude}::float8`);
  if (changes.amenities !== undefined) set.push(sql`amenities = ${textArray(changes.amenities)}`);
  return set;
}

/**
 * The host edits a listing: one round trip, a batch of the edit and the listing read back
 * after it. The edit is one statement: the row locked, the fields set, and, when `photos` is
 * given, the photos replaced (upserted by position, the ones past the new count deleted: no two
 * sub-statements touch one row). Not visible: 404; visible and not theirs: 403.
 */
export async function updateListing(ctx: ActorCtx, input: { listingId: number; changes: UpdateListingInput }): Promise<Listing> {
  const { db, actor } = ctx;
  const { changes } = input;
  checkPhotos(ctx, changes.photos);
  const set = setList(changes);
  const touched = set.length > 0 || changes.photos !== undefined;
  const photos = changes.photos === undefined ? null : photosJson(changes.photos);
  const photoWrites =
    photos === null
      ? sql``
      : sql`, photo_rows AS (
          INSERT INTO host_home_photos (home_id, url, caption, position) ${photoRows(sql`updated`, photos)}
          ON CONFLICT (home_id, position) DO UPDATE SET url = excluded.url, caption = excluded.caption
          RETURNING 1
        ),
        photo_gone AS (
          DELETE FROM host_home_photos p USING updated u WHERE p.home_id = u.id AND p.position >= ${changes.photos!.length}
          RETURNING 1
        )`;
  const [edit, read] = await db.batch([
    db.execute<{ found: boolean; allowed: boolean }>(sql`
      WITH target AS (
        SELECT h.id, h.user_id FROM host_homes h WHERE h.id = ${input.listingId} AND ${homeVisibleTo(actor.id, sql`h`)}
        FOR NO KEY UPDATE
      ),
      updated AS (
        UPDATE host_homes h SET ${sql.join([...set, sql`updated_at = now()`], sql`, `)}
        FROM target t WHERE h.id = t.id AND t.user_id = ${actor.id} AND ${touched}::boolean
        RETURNING h.id
      )${photoWrites}
      SELECT EXISTS (SELECT 1 FROM target) AS found, EXISTS (SELECT 1 FROM target WHERE user_id = ${actor.id}) AS allowed`),
    db.execute<ListingRow>(listingSelect(actor.id, input.listingId)),
  ]);
  const verdict = edit.rows[0]!;
  if (!verdict.found) throw listingNotFound();
  if (!verdict.allowed) throw notListingHost();
  if (touched) ctx.logger.info("listing edited", { code: "listing_edited", listingId: input.listingId, fields: set.length });
  return toListing(read.rows[0]!);
}

/**
 * The host deletes a listing, in one round trip: a batch whose first statement locks the row
 * (so a stay being approved, or a request being made, finishes first or waits), and whose
 * second, with a snapshot taken after that lock, deletes it when no approved stay is still to
 * come (409 `listing_has_stays` otherwise: the host cancels with those guests first). Pending
 * requests go with the listing, and their guests are told in the same statement
 * (`booking_rejected`, `listingDeleted: true`). Past stays and their reviews go too (foreign
 * keys cascade). Not visible: 404; not theirs: 403.
 */
export async function deleteListing(ctx: ActorCtx, input: { listingId: number }): Promise<void> {
  const { db, actor, now } = ctx;
  const [, { rows }] = await db.batch([
    db.execute(sql`SELECT h.id FROM host_homes h WHERE h.id = ${input.listingId} AND h.user_id = ${actor.id} FOR UPDATE`),
    db.execute<{ found: boolean; allowed: boolean; has_stays: boolean; deleted: boolean; created: number; bumped: number }>(sql`
      WITH target AS (
        SELECT h.id, h.user_id, h.title FROM host_homes h WHERE h.id = ${input.listingId} AND ${homeVisibleTo(actor.id, sql`h`)}
      ),
      verdict AS (
        SELECT t.user_id = ${actor.id} AS allowed,
               EXISTS (SELECT 1 FROM guest_bookings b WHERE b.home_id = t.id AND b.status = 'approved' AND b.check_out > ${today(now)}::date) AS has_stays
        FROM target t
      ),
      go AS (SELECT t.* FROM target t JOIN verdict v ON v.allowed AND NOT v.has_stays),
      ${notificationCtes({
        to: { from: sql`(SELECT b.guest_id AS user_id, b.id AS booking_id, go.id AS home_id, go.title FROM go JOIN guest_bookings b ON b.home_id = go.id WHERE b.status = 'pending') pending` },
        type: "booking_rejected",
        actorId: actor.id,
        subjectType: "booking",
        subjectId: sql`recipient.booking_id`,
        data: sql`jsonb_build_object('bookingId', recipient.booking_id, 'homeId', recipient.home_id, 'homeTitle', recipient.title, 'listingDeleted', true)`,
      })},
      deleted AS (DELETE FROM host_homes h USING go WHERE h.id = go.id RETURNING h.id)
      SELECT EXISTS (SELECT 1 FROM target) AS found, coalesce((SELECT allowed FROM verdict), false) AS allowed,
             coalesce((SELECT has_stays FROM verdict), false) AS has_stays, EXISTS (SELECT 1 FROM deleted) AS deleted, ${notificationCounts()}`),
  ]);
  const row = rows[0]!;
  if (!row.found) throw listingNotFound();
  if (!row.allowed) throw notListingHost();
  if (row.has_stays) throw listingHasStays();
  ctx.logger.info("listing deleted", { code: "listing_deleted", listingId: input.listingId, guestsTold: Number(row.created) + Number(row.bumped) });
}

/** Newest first by id (host_homes_user_idx: the host's listings; the id order of a search). */
export const BY_ID = { by: [sql`h.id`], direction: "desc", cursor: z.tuple([z.number().int().min(1).max(2_147_483_647)]) } as const;

/** The caller's own listings, paused ones too, newest first, by cursor (host_homes_user_idx). */
export function listMyListings({ db, actor }: ActorCtx, page: PageRequest): Promise<Page<Listing>> {
  return sortedPage(
    page,
    BY_ID,
    async (keyset) =>
      (
        await db.execute<ListingRow>(sql`
          SELECT ${listingColumns(actor.id, sql`h`, sql`u`)} FROM host_homes h JOIN users u ON u.id = h.user_id
          WHERE h.user_id = ${actor.id} AND ${keyset.after} ORDER BY ${keyset.order} LIMIT ${keyset.limit}`)
      ).rows,
    { item: toListing, key: (row) => [Number(row.id)] as [number] },
  );
}
