import { z } from "@hono/zod-openapi";
import { type AnyColumn, type SQL, sql } from "drizzle-orm";
import { base64Decode, base64UrlEncode, utf8 } from "./encoding";
import { AppError } from "./errors";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** `?limit=&cursor=` as every list takes them (`limit` in plain digits: `0x10` or `1e1` is a 400). */
export const PageQuery = z.object({
  limit: z
    .string()
    .regex(/^[1-9][0-9]{0,2}$/, "Use a whole number in plain digits")
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_PAGE_SIZE))
    .default(DEFAULT_PAGE_SIZE)
    .openapi({ type: "integer", description: `Page size, 1-${MAX_PAGE_SIZE}`, example: DEFAULT_PAGE_SIZE }),
  cursor: z.string().max(512).optional().openapi({ description: "Opaque cursor from a previous page's nextCursor" }),
});

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The reply shape of every list: `{items, nextCursor}`. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** Makes an opaque cursor from the sort key of the last item on a page. */
export function encodeCursor(key: unknown): string {
  return base64UrlEncode(utf8.encode(JSON.stringify(key)));
}

/**
 * Reads a cursor back into its sort key; anything that is not one of ours is a 400.
 *
 * @example
 * const after = decodeCursor(query.cursor, z.tuple([z.string(), z.number().int()]));
 */
export function decodeCursor<T>(cursor: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(utf8.decode(base64Decode(cursor))));
    if (parsed.success) return parsed.data;
  } catch {
    // Falls through to the error below.
  }
  throw new AppError(400, "invalid_cursor", "The cursor is not valid for this list.", {
    errors: [{ path: "query.cursor", message: "Invalid cursor" }],
  });
}

/**
 * A timestamp as Postgres prints it (`2026-03-01 21:30:00.123456`), strictly: a forged
 * cursor is a 400 here, never a cast error in the database.
 */
export const PgTimestampText = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/);

/** A keyset over `(created_at, id)`: the timestamp as Postgres text, so no precision is lost. */
export const TimeIdCursor = z.tuple([PgTimestampText, z.number().int().min(1).max(2_147_483_647)]);
export type TimeIdCursor = z.infer<typeof TimeIdCursor>;

/** What a list asks for: a page size and the cursor from the previous page, as the query gave them. */
export interface PageRequest {
  limit: number;
  cursor?: string;
}

/** A keyset sort key: the time as Postgres text (no precision lost) and the id that breaks ties. */
export type KeysetKey = readonly [string, string | number];

/** What {@link keysetPage} gives the query: the condition, the order and the row count to fetch. */
export interface Keyset {
  /** "After the cursor" (`true` on the first page), for the query's WHERE. */
  after: SQL;
  /** `time DESC, id DESC`, for the query's ORDER BY. */
  order: SQL;
  /** One more row than the page holds: the extra row only says "there is more". */
  limit: number;
}

/**
 * One page of a list ordered by `(time DESC, id DESC)`, newest first, by keyset (never
 * OFFSET): reads the cursor (a forged one is a 400), lets `fetch` run the query with the
 * keyset's condition, order and limit, and cuts the page with its next cursor. The `(…, time,
 * id)` index serves the row comparison directly.
 *
 * @example
 * return keysetPage(page, { time: blockedUsers.createdAt, id: blockedUsers.id }, (keyset) =>
 *   db.select({ ...fields, key: timeKey(blockedUsers.createdAt) }).from(blockedUsers)
 *     .where(and(eq(blockedUsers.blockerId, me), keyset.after)).orderBy(keyset.order).limit(keyset.limit),
 * { item: toBlockedUser, key: (row) => [row.key, row.id] });
 */
export async function keysetPage<Row, Item>(
  page: PageRequest,
  columns: { time: AnyColumn | SQL; id: AnyColumn | SQL; cursor?: z.ZodType<KeysetKey> },
  fetch: (keyset: Keyset) => Promise<Row[]>,
  map: { item: (row: Row) => Item; key: (row: Row) => KeysetKey },
): Promise<Page<Item>> {
  const after = decodeCursor(page.cursor, columns.cursor ?? TimeIdCursor);
  const rows = await fetch({
    after: olderThan(columns.time, columns.id, after) ?? sql`true`,
    order: sql`${columns.time} DESC, ${columns.id} DESC`,
    limit: page.limit + 1,
  });
  return cutPage(rows, page.limit, map);
}

/**
 * The keyset condition "after this cursor" for a list ordered by `(time DESC, id DESC)`:
 * a row comparison, which the `(…, time, id)` index serves directly. No cursor: no condition.
 */
function olderThan(time: AnyColumn | SQL, id: AnyColumn | SQL, after: KeysetKey | undefined): SQL | undefined {
  if (!after) return undefined;
  return sql`(${time}, ${id}) < (${after[0]}::timestamp, ${after[1]})`;
}

/** A timestamp column as Postgres text (microseconds kept), the first part of a cursor. */
export function timeKey(time: AnyColumn): SQL<string> {
  return sql<string>`${time}::text`;
}

/** A sort key of any length whose last part is the id that breaks ties (e.g. `[score, id]`, `[name, id]`). */
export type SortKey = readonly (string | number)[];

/**
 * One page of a list ordered by any key (`score DESC, id DESC`, `lower(name) ASC, id ASC`),
 * all parts in one direction, by keyset like {@link keysetPage}: the cursor holds the last
 * row's key, checked by `columns.cursor` (a forged one is a 400), and the condition is a row
 * comparison, which an index on the same columns serves.
 *
 * @example
 * sortedPage(page, { by: [sql`f.closeness_score`, sql`f.id`], direction: "desc", cursor: z.tuple([score, id]) },
 *   (keyset) => db.execute(sql`... WHERE ${keyset.after} ORDER BY ${keyset.order} LIMIT ${keyset.limit}`).then((r) => r.rows),
 *   { item: toItem, key: (row) => [row.score, row.id] });
 */
export async function sortedPage<Row, Item, K extends SortKey>(
  page: PageRequest,
  columns: { by: readonly (AnyColumn | SQL)[]; direction: "asc" | "desc"; cursor: z.ZodType<K> },
  fetch: (keyset: Keyset) => Promise<Row[]>,
  map: { item: (row: Row) => Item; key: (row: Row) => K },
): Promise<Page<Item>> {
  const after = decodeCursor(page.cursor, columns.cursor);
  const direction = columns.direction === "asc" ? sql`ASC` : sql`DESC`;
  const comparison = columns.direction === "asc" ? sql`>` : sql`<`;
  const rows = await fetch({
    after: after
      ? sql`(${sql.join([...columns.by], sql`, `)}) ${comparison} (${sql.join(after.map((part) => sql`${part}`), sql`, `)})`
      : sql`true`,
    order: sql.join(columns.by.map((column) => sql`${column} ${direction}`), sql`, `),
    limit: page.limit + 1,
  });
  return cutPage(rows, page.limit, map);
}

/** The first `limit` rows as items, and a cursor from the last of them when there was one more row. */
function cutPage<Row, Item>(rows: Row[], limit: number, map: { item: (row: Row) => Item; key: (row: Row) => unknown }): Page<Item> {
  const visible = rows.slice(0, limit);
  const last = visible.at(-1);
  return {
    items: visible.map(map.item),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(map.key(last)) : null,
  };
}
