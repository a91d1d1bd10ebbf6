import { type SQL, sql } from "drizzle-orm";
import { mayRequestStay } from "./housing.conditions";
import { hostsHome } from "./housing.policy";

/**
 * The select lists of housing's shapes, one fragment per shape for every read and write path,
 * so a listing or a stay looks the same everywhere. The callers filter (`homeVisibleTo`, the
 * stay's two sides): these fragments only shape what the viewer may see.
 */

/**
 * Holds when the viewer may read the home's exact address: its host, or a guest with an
 * approved or completed stay there (guest_bookings_guest_idx: the guest's stays, few).
 */
export function seesAddress(viewerId: number | null, home: SQL): SQL<boolean> {
  if (viewerId === null) return sql<boolean>`false`;
  return sql<boolean>`(${hostsHome(viewerId, home)} OR EXISTS (SELECT 1 FROM guest_bookings ab
    WHERE ab.guest_id = ${viewerId} AND ab.home_id = ${home}.id AND ab.status IN ('approved', 'completed')))`;
}

/** The home's photos in order, as a json array (host_home_photos_position_idx). */
export function storedPhotos(home: SQL): SQL {
  return sql`coalesce((SELECT json_agg(json_build_object('url', p.url, 'caption', p.caption) ORDER BY p.position)
    FROM host_home_photos p WHERE p.home_id = ${home}.id), '[]'::json)`;
}

/**
 * A listing ({@link ListingRow}, shaped by `toListing`) for a `host_homes` row aliased `home`
 * joined to its host's users row `host`. `photos` is the json of its photos (default: as
 * stored; a create gives the ones it is inserting, which its own statement cannot read back).
 *
 * @example
 * sql`SELECT ${listingColumns(viewerId, sql`h`, sql`u`)} FROM host_homes h JOIN users u ON u.id = h.user_id
 *     WHERE h.id = ${id} AND ${homeVisibleTo(viewerId, sql`h`)}`
 */
export function listingColumns(viewerId: number | null, home: SQL, host: SQL, options: { photos?: SQL; distance?: SQL } = {}): SQL {
  const canRequest = viewerId === null ? sql`false` : sql`(${home}.status = 'active' AND ${mayRequestStay(viewerId, home)})`;
  return sql`${home}.id, ${home}.user_id AS host_id, ${host}.username AS host_username, ${host}.name AS host_name,
    ${host}.profile_image AS host_profile_image, ${home}.title, ${home}.description,
    CASE WHEN ${seesAddress(viewerId, home)} THEN ${home}.address END AS address,
    ${home}.city, ${home}.country, ${home}.latitude, ${home}.longitude, ${home}.amenities, ${home}.max_guests,
    ${home}.price_per_night, ${home}.currency, ${home}.house_rules, ${home}.booking_policy, ${home}.status,
    ${home}.review_count, ${home}.rating_sum, ${options.photos ?? storedPhotos(home)} AS photos,
    ${canRequest} AS can_request, ${hostsHome(viewerId, home)} AS viewer_is_host,
    ${options.distance ?? sql`NULL::float8`} AS distance_km, ${home}.created_at, ${home}.updated_at`;
}

/**
 * A stay ({@link BookingRow}, shaped by `toBooking`) as one of its two sides sees it, for a
 * `guest_bookings` row aliased `booking`, its `host_homes` row `home`, and the users rows of
 * its `guest` and `host`. The address goes to the host, and to the guest once approved.
 */
export function bookingColumns(viewerId: number, booking: SQL, home: SQL, guest: SQL, host: SQL): SQL {
  return sql`${booking}.id, ${booking}.home_id, ${home}.title AS home_title, ${home}.city AS home_city, ${home}.country AS home_country,
    CASE WHEN ${home}.user_id = ${viewerId} OR ${booking}.status IN ('approved', 'completed') THEN ${home}.address END AS address,
    ${host}.id AS host_id, ${host}.username AS host_username, ${host}.name AS host_name, ${host}.profile_image AS host_profile_image,
    ${guest}.id AS guest_id, ${guest}.username AS guest_username, ${guest}.name AS guest_name, ${guest}.profile_image AS guest_profile_image,
    ${booking}.check_in::text AS check_in, ${booking}.check_out::text AS check_out, ${booking}.nights, ${booking}.guests,
    ${booking}.message, ${booking}.house_rules, ${booking}.price_per_night, ${booking}.total_price, ${booking}.currency,
    ${booking}.status, ${booking}.host_message,
    CASE WHEN ${home}.user_id = ${viewerId} THEN 'host' ELSE 'guest' END AS viewer_role,
    EXISTS (SELECT 1 FROM housing_reviews r WHERE r.booking_id = ${booking}.id AND r.direction = 'guest_to_home') AS reviewed_by_guest,
    EXISTS (SELECT 1 FROM housing_reviews r WHERE r.booking_id = ${booking}.id AND r.direction = 'host_to_guest') AS reviewed_by_host,
    ${booking}.responded_at, ${booking}.cancelled_at, ${booking}.completed_at, ${booking}.created_at, ${booking}.updated_at`;
}

/** A review ({@link HousingReviewRow}) for a `housing_reviews` row aliased `review` and its reviewer's users row `reviewer`. */
export function reviewColumns(review: SQL, reviewer: SQL): SQL {
  return sql`${review}.id, ${review}.booking_id, ${review}.home_id, ${review}.direction, ${review}.rating, ${review}.comment,
    ${reviewer}.id AS reviewer_id, ${reviewer}.username AS reviewer_username, ${reviewer}.name AS reviewer_name,
    ${reviewer}.profile_image AS reviewer_profile_image, ${review}.reviewee_id, ${review}.created_at`;
}
