import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { type Page, type PageRequest, sortedPage, TimeIdCursor } from "../../lib/pagination";
import { boundingBoxes, distanceKm, type Event, type EventCardRow, eventCardColumns, eventVisibleTo, inBoxes, toEvent } from "../events";
import { assertOwnMediaUrls } from "../media";
import { type ColumnMap, insertColumns, setColumns } from "./directory.columns";
import { placeVisibleTo } from "./directory.conditions";
import type { CreateVenueInput, UpdateVenueInput, VenueSearchInput } from "./directory.input";
import { checkCoordinates, mayEditAnyPlace, notPlaceOwner, rethrowRefused } from "./directory.policy";
import { toVenue, type Venue, type VenueRow } from "./places.schemas";
import { DEFAULT_RADIUS_KM, hasWords, IdCursor, matchesWords } from "./teachers.service";

const VENUE_COLUMNS: ColumnMap<keyof UpdateVenueInput> = {
  name: { column: "name", kind: "text" },
  description: { column: "description", kind: "text" },
  address: { column: "address", kind: "text" },
  city: { column: "city", kind: "text" },
  country: { column: "country", kind: "text" },
  latitude: { column: "latitude", kind: "float" },
  longitude: { column: "longitude", kind: "float" },
  floor: { column: "floor", kind: "text" },
  capacity: { column: "capacity", kind: "int" },
  regularNights: { column: "regular_nights", kind: "jsonb" },
  website: { column: "website", kind: "text" },
  imageUrl: { column: "image_url", kind: "text" },
};

/** The select list of a venue ({@link VenueRow}) for a venues row `v`. */
export function venueColumns(v: SQL): SQL {
  return sql`${v}.id, ${v}.created_by, ${v}.name, ${v}.description, ${v}.address, ${v}.city, ${v}.country, ${v}.latitude, ${v}.longitude,
    ${v}.floor, ${v}.capacity, ${v}.regular_nights, ${v}.website, ${v}.image_url, ${v}.review_count, ${v}.rating_sum,
    ${v}.created_at::text AS created_key, ${v}.updated_at::text AS updated_key`;
}

/** The image must be one this service stored (the media module's rule). */
function checkImage(ctx: Ctx, input: { imageUrl?: string | null }): void {
  if (input.imageUrl != null) assertOwnMediaUrls(ctx.config, [{ path: "body.imageUrl", url: input.imageUrl, family: "image" }]);
}

/** Whether the actor may edit the place `row` (`owner`, the column naming its maker): its maker, or an admin. */
export function editsPlace(actor: ActorCtx["actor"], row: SQL, owner: "created_by" | "owner_id"): SQL<boolean> {
  return mayEditAnyPlace(actor) ? sql<boolean>`true` : sql<boolean>`${row}.${sql.identifier(owner)} = ${actor.id}`;
}

/**
 * The WHERE conditions and the distance of a search of places (`p`: venues or schools): a city
 * (its `(city, id)` index), words (the search vector's GIN index), a place around (a box on the
 * `geo` GiST index, then the exact distance).
 */
export function placeFilters(p: SQL, filters: Pick<VenueSearchInput, "city" | "q" | "near" | "radiusKm">): { where: SQL[]; distance: SQL } {
  const where: SQL[] = [];
  if (filters.city !== undefined) where.push(sql`${p}.city = ${filters.city}`);
  if (filters.q !== undefined) where.push(matchesWords(sql`${p}.search_vector`, filters.q));
  if (!filters.near) return { where, distance: sql`NULL::float8` };
  const radius = filters.radiusKm ?? DEFAULT_RADIUS_KM;
  const distance = distanceKm(sql`${p}.geo`, filters.near);
  where.push(inBoxes(sql`${p}.geo`, boundingBoxes(filters.near, radius)), sql`${distance} <= ${radius}::float8`);
  return { where, distance };
}

/** Any signed-in dancer lists a venue, in one statement. The image must be one uploaded to this service. */
export async function createVenue(ctx: ActorCtx, input: CreateVenueInput): Promise<Venue> {
  const { db, actor } = ctx;
  checkCoordinates(input);
  checkImage(ctx, input);
  const { columns, values } = insertColumns(VENUE_COLUMNS, input);
  const { rows } = await db
    .execute<VenueRow>(sql`INSERT INTO venues (created_by, ${columns}) VALUES (${actor.id}, ${values}) RETURNING ${venueColumns(sql`venues`)}`)
    .catch(rethrowRefused);
  ctx.logger.info("venue created", { code: "venue_created", venueId: Number(rows[0]!.id) });
  return toVenue(rows[0]!);
}

/** A venue, in one statement. 404 when it is not there or not visible (`placeVisibleTo`: its maker's account suspended or closed). */
export async function getVenue({ db, actor }: Ctx, input: { venueId: number }): Promise<Venue> {
  const { rows } = await db.execute<VenueRow>(sql`
    SELECT ${venueColumns(sql`v`)} FROM venues v WHERE v.id = ${input.venueId} AND ${placeVisibleTo(actor?.id ?? null, sql`v`, "created_by")}`);
  if (!rows[0]) throw notFound("venue");
  return toVenue(rows[0]);
}

/**
 * Its creator, or an admin (role level 5 and up), edits a venue, in one statement: any subset
 * of the create fields (`null` clears an optional one); one coordinate without the other is
 * 400 (the table's check, on the row as edited). Not visible: 404; someone else's: 403.
 */
export async function updateVenue(ctx: ActorCtx, input: { venueId: number; changes: UpdateVenueInput }): Promise<Venue> {
  const { db, actor } = ctx;
  checkImage(ctx, input.changes);
  const set = setColumns(VENUE_COLUMNS, input.changes);
  const { rows } = await db
    .execute<VenueRow & { found: boolean; allowed: boolean }>(sql`
      WITH target AS (
        SELECT v.id, ${editsPlace(actor, sql`v`, "created_by")} AS allowed FROM venues v
        WHERE v.id = ${input.venueId} AND ${placeVisibleTo(actor.id, sql`v`, "created_by")}
      ),
      updated AS (
        UPDATE venues v SET ${sql.join([...set, sql`updated_at = now()`], sql`, `)}
        FROM target WHERE v.id = target.id AND target.allowed
        RETURNING v.*
      )
      SELECT EXISTS (SELECT 1 FROM target) AS found, coalesce((SELECT allowed FROM target), false) AS allowed, card.*
      FROM (SELECT 1) one LEFT JOIN (SELECT ${venueColumns(sql`u`)} FROM updated u) card ON true`)
    .catch(rethrowRefused);
  const row = rows[0]!;
  if (!row.found) throw notFound("venue");
  if (!row.allowed) throw notPlaceOwner("venue");
  ctx.logger.info("venue edited", { code: "venue_edited", venueId: input.venueId, fields: set.length });
  return toVenue(row);
}

/**
 * Its creator, or an admin, deletes a venue, in one statement: its reviews go with it; events
 * and schools that linked it keep their own place text and lose the link (`ON DELETE SET NULL`).
 */
export function deleteVenue(ctx: ActorCtx, input: { venueId: number }): Promise<void> {
  return deletePlace(ctx, { kind: "venue", id: input.venueId });
}

const PLACES = {
  venue: { table: sql`venues`, owner: "created_by" },
  school: { table: sql`schools`, owner: "owner_id" },
} as const;

/**
 * A place (venue or school) deleted by its maker or an admin, in one statement: not visible,
 * 404; visible but someone else's, 403 `not_<kind>_owner`. What hangs off it goes by cascade.
 */
export async function deletePlace(ctx: ActorCtx, input: { kind: keyof typeof PLACES; id: number }): Promise<void> {
  const { db, actor } = ctx;
  const { table, owner } = PLACES[input.kind];
  const { rows } = await db.execute<{ found: boolean; deleted: boolean }>(sql`
    WITH target AS (
      SELECT p.id, ${editsPlace(actor, sql`p`, owner)} AS allowed FROM ${table} p
      WHERE p.id = ${input.id} AND ${placeVisibleTo(actor.id, sql`p`, owner)}
    ),
    deleted AS (DELETE FROM ${table} p USING target WHERE p.id = target.id AND target.allowed RETURNING p.id)
    SELECT EXISTS (SELECT 1 FROM target) AS found, EXISTS (SELECT 1 FROM deleted) AS deleted`);
  if (!rows[0]?.found) throw notFound(input.kind);
  if (!rows[0].deleted) throw notPlaceOwner(input.kind);
  ctx.logger.info(`${input.kind} deleted`, { code: `${input.kind}_deleted`, [`${input.kind}Id`]: input.id });
}

/**
 * The directory's venues, newest first, by keyset over the id, in one statement: by `city`,
 * words (`q`) and a place around (`near` + `radiusKm`, each with its `distanceKm`).
 */
export async function searchVenues({ db, actor }: Ctx, input: VenueSearchInput): Promise<Page<Venue>> {
  const { limit, cursor, ...filters } = input;
  const { where, distance } = placeFilters(sql`v`, filters);
  return sortedPage(
    { limit, cursor },
    { by: [sql`v.id`], direction: "desc", cursor: IdCursor },
    async (keyset) => {
      if (filters.q !== undefined && !hasWords(filters.q)) return [];
      const { rows } = await db.execute<VenueRow>(sql`
        SELECT ${venueColumns(sql`v`)}, round((${distance})::numeric, 2)::float8 AS distance_km
        FROM venues v
        WHERE ${sql.join([...where, placeVisibleTo(actor?.id ?? null, sql`v`, "created_by"), keyset.after], sql` AND `)}
        ORDER BY ${keyset.order} LIMIT ${keyset.limit}`);
      return rows;
    },
    { item: toVenue, key: (row) => [Number(row.id)] as IdCursor },
  );
}

type EventRow = EventCardRow & { start_key: string; venue_found: boolean };

/**
 * A venue's upcoming events (from now on, soonest first, by keyset over (start_date, id):
 * events_venue_idx), as event discovery shows them, in one statement: published, not hidden,
 * and visible to the viewer (the events module's `eventVisibleTo`). 404 for a venue not visible.
 */
export async function listVenueEvents({ db, actor, now }: Ctx, input: { venueId: number } & PageRequest): Promise<Page<Event>> {
  const viewerId = actor?.id ?? null;
  let found = false;
  const page = await sortedPage(
    input,
    { by: [sql`e.start_date`, sql`e.id`], direction: "asc", cursor: TimeIdCursor },
    async (keyset) => {
      const { rows } = await db.execute<EventRow>(sql`
        SELECT venue.id IS NOT NULL AS venue_found, page.*
        FROM (SELECT 1) one
        LEFT JOIN (SELECT v.id FROM venues v WHERE v.id = ${input.venueId} AND ${placeVisibleTo(viewerId, sql`v`, "created_by")}) venue ON true
        LEFT JOIN LATERAL (
          SELECT ${eventCardColumns(viewerId, sql`e`, sql`o`)}, e.start_date::text AS start_key
          FROM events e JOIN users o ON o.id = e.user_id
          WHERE e.venue_id = venue.id AND e.start_date >= (${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')
            AND e.status = 'published' AND e.hidden_at IS NULL AND ${eventVisibleTo(viewerId, sql`e`, sql`o`)} AND ${keyset.after}
          ORDER BY ${keyset.order} LIMIT ${keyset.limit}
        ) page ON true
        ORDER BY page.start_date, page.id`);
      found = rows[0]?.venue_found ?? false;
      return rows.filter((row) => row.id !== null);
    },
    { item: toEvent, key: (row) => [row.start_key, Number(row.id)] as TimeIdCursor },
  );
  if (!found) throw notFound("venue");
  return page;
}
