import { type SQL, sql } from "drizzle-orm";
import type { Ctx } from "../../lib/context";
import { type Page, sortedPage } from "../../lib/pagination";
import { boundingBoxes, distanceKm, inBoxes } from "../events";
import { listingColumns } from "./housing.cards";
import { homeFreeDuring, homeVisibleTo } from "./housing.conditions";
import type { SearchInput } from "./housing.input";
import { checkStayDates, datesIncomplete } from "./housing.policy";
import { type Listing, type ListingRow, toListing } from "./housing.schemas";
import { BY_ID } from "./housing.service";

/** `near` without `radiusKm`: this many kilometres around. */
export const DEFAULT_RADIUS_KM = 25;

/** A text query with no letter or digit matches nothing (there is no word to look for). */
const hasWords = (q: string) => /[\p{L}\p{N}]/u.test(q);

type Filters = Omit<SearchInput, "limit" | "cursor">;

/**
 * The WHERE conditions of a search, each served by an index: active listings of a city
 * (host_homes_city_idx, partial on `status = 'active'`), words (the search vector's GIN
 * index), a place (a bounding box on the GiST `geo` index, then the exact distance); free
 * for the dates (`homeFreeDuring`: the exclusion constraint's GiST index and the blocked
 * dates' one), room for the guests.
 */
function conditions(filters: Filters): SQL[] {
  const where: SQL[] = [sql`h.status = 'active'`];
  if (filters.city !== undefined) where.push(sql`h.city = ${filters.city}`);
  if (filters.country !== undefined) where.push(sql`h.country = ${filters.country}`);
  if (filters.guests !== undefined) where.push(sql`h.max_guests >= ${filters.guests}`);
  if (filters.q !== undefined) where.push(sql`h.search_vector @@ websearch_to_tsquery('simple', mt_unaccent(${filters.q}))`);
  if (filters.checkIn !== undefined && filters.checkOut !== undefined) where.push(homeFreeDuring(sql`h`, filters.checkIn, filters.checkOut));
  if (filters.near) {
    const radius = filters.radiusKm ?? DEFAULT_RADIUS_KM;
    where.push(inBoxes(sql`h.geo`, boundingBoxes(filters.near, radius)));
    where.push(sql`${distanceKm(sql`h.geo`, filters.near)} <= ${radius}::float8`);
  }
  return where;
}

/**
 * Search: active listings the viewer may see (`homeVisibleTo`), newest first by keyset on the
 * id, in one statement, with any of city, country, words (`q`), a place (`near` + `radiusKm`,
 * each card with its `distanceKm`), room for `guests`, and free for `checkIn`-`checkOut`
 * (both or neither: 400 `dates_incomplete`; in order and at most 90 nights, as a stay).
 */
export async function searchListings({ db, actor }: Ctx, input: SearchInput): Promise<Page<Listing>> {
  const { limit, cursor, ...filters } = input;
  if ((filters.checkIn === undefined) !== (filters.checkOut === undefined)) throw datesIncomplete();
  if (filters.checkIn !== undefined && filters.checkOut !== undefined) {
    checkStayDates(filters.checkIn, filters.checkOut, { checkOut: "query.checkOut" });
  }
  const viewerId = actor?.id ?? null;
  const distance = filters.near ? sql`round(${distanceKm(sql`h.geo`, filters.near)}::numeric, 2)::float8` : undefined;
  return sortedPage(
    { limit, cursor },
    BY_ID,
    async (keyset) => {
      if (filters.q !== undefined && !hasWords(filters.q)) return [];
      const { rows } = await db.execute<ListingRow>(sql`
        SELECT ${listingColumns(viewerId, sql`h`, sql`u`, { distance })}
        FROM host_homes h JOIN users u ON u.id = h.user_id
        WHERE ${sql.join(conditions(filters), sql` AND `)} AND ${homeVisibleTo(viewerId, sql`h`)} AND ${keyset.after}
        ORDER BY ${keyset.order}
        LIMIT ${keyset.limit}`);
      return rows;
    },
    { item: toListing, key: (row) => [Number(row.id)] as [number] },
  );
}
