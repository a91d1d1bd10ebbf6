import { z } from "@hono/zod-openapi";
import { type AnyColumn, type SQL, sql } from "drizzle-orm";
import { base64Decode, base64UrlEncode, utf8 } from "./encoding";
import { AppError } from "./errors";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** `?limit=&cursor=` as every list takes them. */
export const PageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE)
    .openapi({ description: `Page size, 1-${MAX_PAGE_SIZE}`, example: DEFAULT_PAGE_SIZE }),
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

/**
 * Cuts a page from rows fetched with `limit + 1` (the extra row only says "there is more").
 *
 * @example
 * const rows = await listAfter(after, limit + 1);
 * return toPage(rows, limit, toItem, (row) => [row.createdAtKey, row.id]);
 */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  keyOf: (row: Row) => unknown,
): Page<Item> {
  const visible = rows.slice(0, limit);
  const last = visible.at(-1);
  return {
    items: visible.map(toItem),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}

/**
 * The keyset condition "after this cursor" for a list ordered by `(time DESC, id DESC)`:
 * a row comparison, which the `(…, time, id)` index serves directly. No cursor: no condition.
 *
 * @example
 * .where(and(eq(sessions.userId, id), olderThan(sessions.createdAt, sessions.id, after)))
 * .orderBy(desc(sessions.createdAt), desc(sessions.id))
 */
export function olderThan(time: AnyColumn, id: AnyColumn, after: readonly [string, string | number] | undefined): SQL | undefined {
  if (!after) return undefined;
  return sql`(${time}, ${id}) < (${after[0]}::timestamp, ${after[1]})`;
}

/** A timestamp column as Postgres text (microseconds kept), the first part of a cursor. */
export function timeKey(time: AnyColumn): SQL<string> {
  return sql<string>`${time}::text`;
}
