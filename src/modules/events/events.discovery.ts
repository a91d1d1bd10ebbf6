import { type SQL, sql } from "drizzle-orm";
import type { Ctx } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { type Keyset, type Page, sortedPage, TimeIdCursor } from "../../lib/pagination";
import { groupContentVisibleTo } from "../groups";
import { eventCardColumns } from "./events.cards";
import { eventVisibleTo } from "./events.conditions";
import { boundingBoxes, distanceKm, inBoxes } from "./events.geo";
import type { DiscoveryInput, GroupEventsInput } from "./events.input";
import { type Event, type EventCardRow, toEvent } from "./events.schemas";

/** `near` without `radiusKm`: this many kilometres around. */
export const DEFAULT_RADIUS_KM = 25;

/** A text query with no letter or digit matches nothing (there is no word to look for). */
const hasWords = (q: string) => /[\p{L}\p{N}]/u.test(q);

type Filters = Omit<DiscoveryInput, "limit" | "cursor">;

type ListRow = EventCardRow & { start_key: string };

/**
 * The WHERE conditions of a listing, each served by an index: published and not hidden, from a
 * time on, in date order (events_upcoming_idx, a partial index on exactly these two
 * conditions); a city's events (events_city_start_idx), a group's (events_group_idx), words
 * (the search_vector's GIN index) or a place (a bounding box on the `geo` point's GiST index,
 * then the exact distance). Country and type narrow what those find.
 */
function conditions(filters: Filters, now: Date): SQL[] {
  const where: SQL[] = [
    sql`e.status = 'published'`,
    sql`e.hidden_at IS NULL`,
    sql`e.start_date >= (${(filters.from ?? now).toISOString()}::timestamptz AT TIME ZONE 'UTC')`,
  ];
  if (filters.to) where.push(sql`e.start_date < (${filters.to.toISOString()}::timestamptz AT TIME ZONE 'UTC')`);
  if (filters.city !== undefined) where.push(sql`e.city = ${filters.city}`);
  if (filters.country !== undefined) where.push(sql`e.country = ${filters.country}`);
  if (filters.type !== undefined) where.push(sql`e.event_type = ${filters.type}`);
  if (filters.groupId !== undefined) where.push(sql`e.group_id = ${filters.groupId}`);
  if (filters.q !== undefined) where.push(sql`e.search_vector @@ websearch_to_tsquery('simple', mt_unaccent(${filters.q}))`);
  if (filters.near) {
    const radius = filters.radiusKm ?? DEFAULT_RADIUS_KM;
    where.push(inBoxes(sql`e.geo`, boundingBoxes(filters.near, radius)));
    where.push(sql`${distanceKm(sql`e.geo`, filters.near)} <= ${radius}::float8`);
  }
  return where;
}

/** One page of upcoming events matching `filters` that the viewer may see, as card rows in date order. */
function listingSelect(viewerId: number | null, filters: Filters, now: Date, keyset: Keyset): SQL {
  const distance = filters.near ? sql`round(${distanceKm(sql`e.geo`, filters.near)}::numeric, 2)` : sql`NULL::numeric`;
  return sql`
    SELECT ${eventCardColumns(viewerId, sql`e`, sql`o`)}, ${distance}::float8 AS distance_km, e.start_date::text AS start_key
    FROM events e JOIN users o ON o.id = e.user_id
    WHERE ${sql.join(conditions(filters, now), sql` AND `)} AND ${eventVisibleTo(viewerId, sql`e`, sql`o`)} AND ${keyset.after}
    ORDER BY ${keyset.order}
    LIMIT ${keyset.limit}`;
}

/** Upcoming first: by start time, then id, ascending, as `events_upcoming_idx` and `events_city_start_idx` give them. */
const UPCOMING = { by: [sql`e.start_date`, sql`e.id`], direction: "asc", cursor: TimeIdCursor } as const;

const byStart = { item: toEvent, key: (row: ListRow) => [row.start_key, Number(row.id)] as TimeIdCursor };

/**
 * Discovery: published events from `from` (default now) on, soonest first, by keyset over
 * (start_date, id), in one statement, with any of city, country, type, date range, words
 * (`q`, web-search syntax), a place (`near` + `radiusKm`, each card with its `distanceKm`) and
 * a hosting group. Only events the viewer may see (`eventVisibleTo`: no hidden ones, none of
 * a blocked organizer, none of a private group they are not in); cancelled events and drafts
 * are not listed. Each card marks the viewer's friends and follows going.
 */
export async function listEvents({ db, actor, now }: Ctx, input: DiscoveryInput): Promise<Page<Event>> {
  const { limit, cursor, ...filters } = input;
  const viewerId = actor?.id ?? null;
  return sortedPage(
    { limit, cursor },
    UPCOMING,
    async (keyset) => {
      if (filters.q !== undefined && !hasWords(filters.q)) return [];
      const { rows } = await db.execute<ListRow>(listingSelect(viewerId, filters, now, keyset));
      return rows;
    },
    byStart,
  );
}

/**
 * A group's events, as discovery lists them (same cards and order, from `from` on), in one
 * statement: 404 when the group does not exist, is hidden, or is private and the viewer is not
 * an active member of it.
 */
export async function listGroupEvents({ db, actor, now }: Ctx, input: GroupEventsInput & { groupId: number }): Promise<Page<Event>> {
  const { limit, cursor, groupId, ...range } = input;
  const viewerId = actor?.id ?? null;
  let found = false;
  const page = await sortedPage(
    { limit, cursor },
    UPCOMING,
    async (keyset) => {
      const { rows } = await db.execute<ListRow & { group_found: boolean }>(sql`
        SELECT grp.id IS NOT NULL AS group_found, page.*
        FROM (SELECT 1) one
        LEFT JOIN (
          -- Not aliased g: groupContentVisibleTo's own subquery is.
          SELECT host.id FROM groups host
          WHERE host.id = ${groupId} AND host.hidden_at IS NULL AND ${groupContentVisibleTo(viewerId, sql`host.id`)}
        ) grp ON true
        LEFT JOIN LATERAL (${listingSelect(viewerId, { ...range, groupId }, now, keyset)}) page ON grp.id IS NOT NULL
        ORDER BY page.start_date, page.id`);
      found = rows[0]?.group_found ?? false;
      return rows.filter((row) => row.id !== null);
    },
    byStart,
  );
  if (!found) throw notFound("group");
  return page;
}
