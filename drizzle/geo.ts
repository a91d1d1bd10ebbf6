import { type SQL, sql } from "drizzle-orm";
import { check } from "drizzle-orm/pg-core";

/**
 * The generated `geo` point (x = longitude, y = latitude) of a row whose optional `latitude`
 * and `longitude` columns are both set, for `near=` searches on a GiST index.
 */
export const optionalPoint = (): SQL =>
  sql.raw(`CASE WHEN "latitude" IS NOT NULL AND "longitude" IS NOT NULL THEN point("longitude", "latitude") END`);

/** Optional coordinates come both or neither, and in range. */
export const coordinatesCheck = (name: string, table: { latitude: unknown; longitude: unknown }) =>
  check(
    name,
    sql`(${table.latitude} IS NULL) = (${table.longitude} IS NULL)
      AND (${table.latitude} IS NULL OR (${table.latitude} BETWEEN -90 AND 90 AND ${table.longitude} BETWEEN -180 AND 180))`,
  );
