import { type SQL, sql } from "drizzle-orm";

/** The Earth's mean radius (IUGG), the radius distances are measured on. */
export const EARTH_RADIUS_KM = 6371.0088;

const toRadians = (degrees: number) => (degrees * Math.PI) / 180;
const toDegrees = (radians: number) => (radians * 180) / Math.PI;

/** A longitude/latitude box, corners as `[minLng, minLat, maxLng, maxLat]`. */
export type Box = readonly [number, number, number, number];

/**
 * The boxes (one, or two across the antimeridian) that hold every point within `radiusKm` of
 * a place, for a GiST index to narrow the candidates before the exact distance: the latitude
 * band is the radius north and south; the longitude span is the widest the circle reaches
 * (asin(sin r / cos lat), J. P. Matuschek's bounds), and a circle holding a pole takes every
 * longitude.
 *
 * @example
 * boundingBoxes({ lat: -34.6, lng: -58.4 }, 25); // [[-58.67, -34.82, -58.13, -34.38]]
 */
export function boundingBoxes(center: { lat: number; lng: number }, radiusKm: number): Box[] {
  const angular = radiusKm / EARTH_RADIUS_KM;
  const minLat = center.lat - toDegrees(angular);
  const maxLat = center.lat + toDegrees(angular);
  if (minLat <= -90 || maxLat >= 90) return [[-180, Math.max(minLat, -90), 180, Math.min(maxLat, 90)]];
  const span = toDegrees(Math.asin(Math.sin(angular) / Math.cos(toRadians(center.lat))));
  const minLng = center.lng - span;
  const maxLng = center.lng + span;
  if (minLng < -180) return [[minLng + 360, minLat, 180, maxLat], [-180, minLat, maxLng, maxLat]];
  if (maxLng > 180) return [[minLng, minLat, 180, maxLat], [-180, minLat, maxLng - 360, maxLat]];
  return [[minLng, minLat, maxLng, maxLat]];
}

/** Holds when the point (x = longitude, y = latitude) lies in one of the boxes: served by a GiST index on it. */
export function inBoxes(point: SQL, boxes: Box[]): SQL<boolean> {
  const tests = boxes.map(
    ([x1, y1, x2, y2]) => sql`${point} <@ box(point(${x1}::float8, ${y1}::float8), point(${x2}::float8, ${y2}::float8))`,
  );
  return sql<boolean>`(${sql.join(tests, sql` OR `)})`;
}

/** The great-circle distance in km from a place to a point (x = longitude, y = latitude), by the haversine formula. */
export function distanceKm(point: SQL, center: { lat: number; lng: number }): SQL<number> {
  const lat = sql`${center.lat}::float8`;
  const lng = sql`${center.lng}::float8`;
  return sql<number>`(2 * ${EARTH_RADIUS_KM}::float8 * asin(least(1, sqrt(
    power(sin(radians(${point}[1] - ${lat}) / 2), 2)
    + cos(radians(${lat})) * cos(radians(${point}[1])) * power(sin(radians(${point}[0] - ${lng}) / 2), 2)))))`;
}
