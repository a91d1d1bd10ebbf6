import { type SQL, sql } from "drizzle-orm";
import type { Ctx } from "../../lib/context";
import { notBlockedBetween } from "../blocks";
import { teacherThere, teacherVisibleTo } from "../directory";
import { type EventCardRow, eventCardColumns, eventVisibleTo, toEvent } from "../events";
import { areFriends, friendsOf } from "../graph";
import { homeFreeDuring, homeVisibleTo, mayRequestStay } from "../housing";
import { accountUsable } from "../users";
import { type Plan, PLANNER_LIMITS, type PlannerListing, type PlannerPerson, type PlannerTeacher, type PlannerVenue } from "./planner.schemas";
import type { PlannerInput } from "./travel.input";
import { tripVisibleTo } from "./trips.conditions";

/** The longest event (events.input.ts EVENT_LIMITS.days) plus a day of time zones: how far back an event may start and still run during the dates. */
const EVENT_REACH_DAYS = 32;

/** `column = country` when the question names a country, else nothing. */
const inCountry = (column: SQL, country: string | undefined) => (country === undefined ? sql`true` : sql`${column} = ${country}`);

/** A rating as json, from a row's kept review count and rating sum. */
const rating = (row: SQL) =>
  sql`json_build_object('average', round(${row}.rating_sum::numeric / nullif(${row}.review_count, 0), 2), 'count', ${row}.review_count)`;

const userCard = (user: SQL) =>
  sql`json_build_object('id', ${user}.id, 'username', ${user}.username, 'name', ${user}.name, 'profileImage', ${user}.profile_image)`;

/**
 * Published events in the city running on any of the days, in each event's own time zone (a
 * milonga at 23:00 in Buenos Aires on the last day is in, though it is the next day in UTC):
 * a coarse range on `start_date` first, which events_city_start_idx serves, then the exact
 * local days. Cancelled events, drafts and what the viewer may not see are left out.
 */
function eventsThere(viewerId: number | null, q: PlannerInput): SQL {
  const localDay = (at: SQL) => sql`((${at} AT TIME ZONE 'UTC') AT TIME ZONE coalesce(e.timezone, 'UTC'))::date`;
  return sql`e.city = ${q.city} AND ${inCountry(sql`e.country`, q.country)}
    AND e.status = 'published' AND e.hidden_at IS NULL
    AND e.start_date >= (${q.from}::date - ${EVENT_REACH_DAYS}::int)::timestamp AND e.start_date < (${q.to}::date + 2)::timestamp
    AND ${localDay(sql`e.start_date`)} <= ${q.to}::date AND ${localDay(sql`coalesce(e.end_date, e.start_date)`)} >= ${q.from}::date
    AND ${eventVisibleTo(viewerId, sql`e`, sql`o`)}`;
}

/** Active listings in the city the viewer may see, free for the stay from `from` to the morning after `to`. */
function listingsThere(viewerId: number | null, q: PlannerInput): SQL {
  return sql`h.city = ${q.city} AND ${inCountry(sql`h.country`, q.country)} AND h.status = 'active'
    AND ${homeVisibleTo(viewerId, sql`h`)} AND ${homeFreeDuring(sql`h`, q.from, sql`(${q.to}::date + 1)`)}`;
}

/** A listing as the planner shows it: never its exact address (that is for confirmed guests). */
function listingJson(viewerId: number | null, q: PlannerInput): SQL {
  const nights = sql`(${q.to}::date + 1 - ${q.from}::date)`;
  return sql`json_build_object('id', h.id, 'path', '/api/housing/listings/' || h.id, 'title', h.title, 'city', h.city,
    'country', h.country, 'host', ${userCard(sql`hu`)},
    'photo', (SELECT p.url FROM host_home_photos p WHERE p.home_id = h.id ORDER BY p.position LIMIT 1),
    'maxGuests', h.max_guests, 'pricePerNight', h.price_per_night, 'currency', h.currency,
    'nights', ${nights}, 'totalPrice', h.price_per_night::bigint * ${nights},
    'bookingPolicy', h.booking_policy, 'mayRequest', ${viewerId === null ? sql`false` : mayRequestStay(viewerId, sql`h`)},
    'rating', ${rating(sql`h`)})`;
}

/**
 * The ids of the teachers who may be there, by index: based in the city (teacher_profiles_city_idx)
 * or visiting it then (teacher_locations_city_during_idx). `teacherThere`'s OR of the two would
 * otherwise read every teacher; it still decides.
 */
function teacherCandidates(q: PlannerInput): SQL {
  return sql`SELECT b.id FROM teacher_profiles b WHERE b.city = ${q.city}
    UNION SELECT l.teacher_id FROM teacher_locations l WHERE l.city = ${q.city} AND l.during && daterange(${q.from}::date, ${q.to}::date, '[]')`;
}

/** A teacher's visits to the city overlapping the days (teacher_locations_city_during_idx). */
function visitsOf(q: PlannerInput): SQL {
  return sql`(SELECT coalesce(json_agg(json_build_object('startsOn', v.starts_on::text, 'endsOn', v.ends_on::text) ORDER BY v.starts_on, v.id), '[]'::json)
    FROM teacher_locations v WHERE v.teacher_id = tp.id AND v.city = ${q.city} AND v.during && daterange(${q.from}::date, ${q.to}::date, '[]'))`;
}

/**
 * The viewer's friends (degree 1) and their friends (degree 2), usable accounts only and
 * through usable friends, each once at their nearest degree, as a `FROM` item `(id, degree)`.
 * It starts from the viewer (their friendships, then their friends'), so it costs the size of
 * their circle, not of the city.
 */
function circleOf(viewerId: number): SQL {
  return sql`(SELECT DISTINCT ON (ring.id) ring.id, ring.degree FROM (
      SELECT mine.id, 1 AS degree FROM ${friendsOf(viewerId)} mine
      UNION ALL
      SELECT theirs.friend_id, 2 FROM ${friendsOf(viewerId)} mine
      JOIN friendships theirs ON theirs.user_id = mine.id AND theirs.status = 'active'
      WHERE theirs.friend_id <> ${viewerId} AND NOT ${areFriends(viewerId, sql`theirs.friend_id`)}
    ) ring ORDER BY ring.id, ring.degree)`;
}

/**
 * The people section's rows: each person of the viewer's circle who lives in the city (their
 * profile's city, shown when their profile is open to the viewer: public, or friends-only and
 * a friend) or has a trip there overlapping the days that the viewer may see
 * (`tripVisibleTo`: a friends-only trip only to the traveller's friends, a private one to no
 * one). Never across a block, never a suspended or deactivated account.
 */
function peopleThere(viewerId: number, q: PlannerInput): SQL {
  return sql`SELECT c.id, c.degree, pu.username, pu.name, pu.profile_image, trip.trip_id, trip.starts_on, trip.ends_on,
      (pu.city = ${q.city} AND ${inCountry(sql`pu.country`, q.country)}
        AND (coalesce(ps.profile_visibility, 'public') = 'public' OR (c.degree = 1 AND ps.profile_visibility = 'friends'))) AS lives_there
    FROM ${circleOf(viewerId)} c
    JOIN users pu ON pu.id = c.id
    LEFT JOIN user_settings ps ON ps.user_id = pu.id
    LEFT JOIN LATERAL (
      SELECT t.id AS trip_id, t.starts_on, t.ends_on FROM trips t
      WHERE t.user_id = pu.id AND t.city = ${q.city} AND ${inCountry(sql`t.country`, q.country)}
        AND t.during && daterange(${q.from}::date, ${q.to}::date, '[]') AND ${tripVisibleTo(viewerId, sql`t`, sql`pu`)}
      ORDER BY t.starts_on, t.id LIMIT 1
    ) trip ON true
    WHERE ${accountUsable(sql`pu`)} AND ${notBlockedBetween(viewerId, sql`pu.id`)}`;
}

const personJson = sql`json_build_object('user', json_build_object('id', p.id, 'username', p.username, 'name', p.name, 'profileImage', p.profile_image),
  'path', '/api/users/' || p.id, 'degree', p.degree, 'reason', CASE WHEN p.lives_there THEN 'lives_there' ELSE 'travelling' END,
  'trip', CASE WHEN p.trip_id IS NOT NULL THEN json_build_object('id', p.trip_id, 'path', '/api/trips/' || p.trip_id,
    'startsOn', p.starts_on::text, 'endsOn', p.ends_on::text) END)`;

type PlanRow = {
  events: EventCardRow[];
  events_total: number;
  listings: PlannerListing[];
  listings_total: number;
  teachers: PlannerTeacher[];
  teachers_total: number;
  venues: PlannerVenue[];
  venues_total: number;
  people: PlannerPerson[];
  people_total: number;
};

/**
 * The trip planner: what a dancer going to a city on some days wants to know, in ONE
 * statement whose CTEs build each section as json with its total: events running on those
 * days (the events module's card and visibility), listings free for the whole stay with the
 * stay's price (the housing module's conditions), teachers there then (the directory's), the
 * city's venues, and the viewer's friends and friends of friends who live there or travel
 * there then. Each section lists at most PLANNER_LIMITS of its items.
 */
export async function planTrip({ db, actor }: Ctx, q: PlannerInput): Promise<Plan> {
  const viewerId = actor?.id ?? null;
  const people =
    viewerId === null
      ? sql`people AS (SELECT '[]'::json AS items, 0 AS total)`
      : sql`people_there AS (${peopleThere(viewerId, q)}),
        people_shown AS (SELECT p.* FROM people_there p WHERE p.lives_there OR p.trip_id IS NOT NULL),
        people AS (
          SELECT coalesce((SELECT json_agg(${personJson} ORDER BY p.degree, p.lives_there DESC, p.starts_on NULLS FIRST, p.id)
                   FROM (SELECT * FROM people_shown ORDER BY degree, lives_there DESC, starts_on NULLS FIRST, id LIMIT ${PLANNER_LIMITS.people}) p), '[]'::json) AS items,
                 (SELECT count(*)::int FROM people_shown) AS total
        )`;
  const { rows } = await db.execute<PlanRow>(sql`
    WITH events_found AS (
      SELECT e.id, e.start_date FROM events e JOIN users o ON o.id = e.user_id WHERE ${eventsThere(viewerId, q)}
    ),
    events_shown AS (
      SELECT ${eventCardColumns(viewerId, sql`e`, sql`o`)}
      FROM (SELECT id FROM events_found ORDER BY start_date, id LIMIT ${PLANNER_LIMITS.events}) f
      JOIN events e ON e.id = f.id JOIN users o ON o.id = e.user_id
    ),
    listings_found AS (
      SELECT h.id, h.price_per_night FROM host_homes h WHERE ${listingsThere(viewerId, q)}
    ),
    teachers_found AS (
      SELECT tp.id, tp.city = ${q.city} AS based,
             (SELECT min(v.starts_on) FROM teacher_locations v WHERE v.teacher_id = tp.id AND v.city = ${q.city}
                AND v.during && daterange(${q.from}::date, ${q.to}::date, '[]')) AS first_visit
      FROM teacher_profiles tp
      WHERE tp.id IN (${teacherCandidates(q)}) AND ${teacherThere(sql`tp`, q.city, q.from, q.to)} AND ${teacherVisibleTo(viewerId, sql`tp`)}
    ),
    venues_found AS (
      SELECT v.id, v.name FROM venues v WHERE v.city = ${q.city} AND ${inCountry(sql`v.country`, q.country)}
    ),
    ${people}
    SELECT
      (SELECT coalesce(json_agg(to_jsonb(c) ORDER BY c.start_date, c.id), '[]'::json) FROM events_shown c) AS events,
      (SELECT count(*)::int FROM events_found) AS events_total,
      (SELECT coalesce(json_agg(${listingJson(viewerId, q)} ORDER BY f.price_per_night, f.id), '[]'::json)
       FROM (SELECT * FROM listings_found ORDER BY price_per_night, id LIMIT ${PLANNER_LIMITS.listings}) f
       JOIN host_homes h ON h.id = f.id JOIN users hu ON hu.id = h.user_id) AS listings,
      (SELECT count(*)::int FROM listings_found) AS listings_total,
      (SELECT coalesce(json_agg(json_build_object('id', tp.id, 'path', '/api/teachers/' || tp.id, 'user', ${userCard(sql`tu`)},
                'headline', tp.headline, 'styles', tp.styles, 'languages', tp.languages,
                'presence', CASE WHEN f.based THEN 'based' ELSE 'visiting' END, 'visits', ${visitsOf(q)})
              ORDER BY f.based DESC, f.first_visit NULLS FIRST, f.id), '[]'::json)
       FROM (SELECT * FROM teachers_found ORDER BY based DESC, first_visit NULLS FIRST, id LIMIT ${PLANNER_LIMITS.teachers}) f
       JOIN teacher_profiles tp ON tp.id = f.id JOIN users tu ON tu.id = tp.user_id) AS teachers,
      (SELECT count(*)::int FROM teachers_found) AS teachers_total,
      (SELECT coalesce(json_agg(json_build_object('id', v.id, 'path', '/api/venues/' || v.id, 'name', v.name, 'address', v.address,
                'city', v.city, 'country', v.country, 'latitude', v.latitude, 'longitude', v.longitude, 'floor', v.floor,
                'capacity', v.capacity, 'regularNights', v.regular_nights, 'imageUrl', v.image_url, 'rating', ${rating(sql`v`)})
              ORDER BY f.name, f.id), '[]'::json)
       FROM (SELECT * FROM venues_found ORDER BY name, id LIMIT ${PLANNER_LIMITS.venues}) f JOIN venues v ON v.id = f.id) AS venues,
      (SELECT count(*)::int FROM venues_found) AS venues_total,
      (SELECT items FROM people) AS people,
      (SELECT total FROM people) AS people_total`);
  const row = rows[0]!;
  return {
    city: q.city,
    country: q.country ?? null,
    from: q.from,
    to: q.to,
    events: { items: row.events.map((card) => ({ ...toEvent(card), path: `/api/events/${Number(card.id)}` })), total: Number(row.events_total) },
    listings: { items: row.listings, total: Number(row.listings_total) },
    teachers: { items: row.teachers, total: Number(row.teachers_total) },
    venues: { items: row.venues, total: Number(row.venues_total) },
    people: { items: row.people, total: Number(row.people_total) },
  };
}
