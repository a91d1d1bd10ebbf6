import { type SQL, sql } from "drizzle-orm";
import { notBlockedBetween } from "../blocks";
import { eventVisibleTo, managesEvent } from "../events";
import { groupContentVisibleTo, hasGroupRole } from "../groups";
import { accountUsable } from "../users";

/** The lowest role level that posts tasks for any event or group, or for none (a platform admin). */
export const PLATFORM_ADMIN_LEVEL = 5;

/**
 * Holds when the viewer organizes the task: its creator, an organizer or co-organizer of its
 * event, or an active admin of its group. Organizers edit and cancel it, see its matches and
 * applications, accept, decline, check in and log hours. `task` is the volunteer_tasks alias.
 */
export function organizesTask(viewerId: number | SQL, task: SQL): SQL<boolean> {
  return sql<boolean>`(${task}.created_by = ${viewerId}
    OR (${task}.event_id IS NOT NULL AND EXISTS (SELECT 1 FROM events oe WHERE oe.id = ${task}.event_id AND ${managesEvent(viewerId, sql`oe`)}))
    OR (${task}.group_id IS NOT NULL AND ${hasGroupRole(viewerId, sql`${task}.group_id`, ["admin"])}))`;
}

/**
 * Holds when the viewer may see the task: its organizers always; others when its creator's
 * account is usable, there is no block between them either way, its event (if any) is one the
 * viewer may see and its group (if any) is not hidden and, when private, has them as a member.
 * A task the viewer may not see is a 404 everywhere, as if it did not exist.
 */
export function taskVisibleTo(viewerId: number | SQL, task: SQL): SQL<boolean> {
  return sql<boolean>`(${organizesTask(viewerId, task)} OR (
    EXISTS (SELECT 1 FROM users tc WHERE tc.id = ${task}.created_by AND ${accountUsable(sql`tc`)})
    AND ${notBlockedBetween(viewerId, sql`${task}.created_by`)}
    AND (${task}.event_id IS NULL OR EXISTS (SELECT 1 FROM events te WHERE te.id = ${task}.event_id AND ${eventVisibleTo(viewerId, sql`te`)}))
    AND (${task}.group_id IS NULL OR (EXISTS (SELECT 1 FROM groups tg WHERE tg.id = ${task}.group_id AND tg.hidden_at IS NULL)
      AND ${groupContentVisibleTo(viewerId, sql`${task}.group_id`)}))
  ))`;
}

/**
 * How a volunteer and a task are matched: each component is 0 to 1, the score their weighted
 * sum (the weights add up to 1). Skills weigh most (a volunteer without the skill is of little
 * use), then being free at that time, then distance, then past reliability.
 */
export const MATCH_WEIGHTS = { skills: 0.4, availability: 0.3, distance: 0.2, reliability: 0.1 } as const;

/** Kilometres at which the distance component reaches 0 (it falls linearly from 1 at the place). */
export const MATCH_DISTANCE_KM = 100;

/** The distance component when either side has no coordinates: as if a good way off, not nowhere. */
export const MATCH_UNKNOWN_DISTANCE = 0.25;

/**
 * The match of volunteer `v` (volunteers alias) with task `t` (volunteer_tasks alias), as
 * columns for a SELECT list: `skills_score`, `available`, `distance_km`, `distance_score`,
 * `reliability`, and `score` (numeric, six decimals, so a cursor can hold it exactly).
 *
 * - skills: the share of the task's needed skills the volunteer has;
 * - availability (1 or 0): a weekly block of the volunteer's covers the task's start to end,
 *   read in the VOLUNTEER's time zone (its local weekday and times), and that local day is not
 *   one of their blocked dates; a task that runs past local midnight is covered by no block;
 * - distance: haversine km when both have coordinates, scored `1 - km / 100` (0 beyond);
 * - reliability: (completed + 1) / (completed + no-shows + 2), a uniform prior, so a newcomer
 *   is 0.5, never 0.
 */
export function matchColumns(v: SQL, t: SQL): SQL {
  const localStart = sql`((${t}.starts_at AT TIME ZONE 'UTC') AT TIME ZONE ${v}.timezone)`;
  const localEnd = sql`((${t}.ends_at AT TIME ZONE 'UTC') AT TIME ZONE ${v}.timezone)`;
  const endText = sql`(CASE WHEN ${localEnd}::date = ${localStart}::date THEN to_char(${localEnd}, 'HH24:MI')
    WHEN ${localEnd} = date_trunc('day', ${localStart}) + interval '1 day' THEN '24:00' END)`;
  const skills = sql`(cardinality(ARRAY(SELECT unnest(${v}.skills) INTERSECT SELECT unnest(${t}.skills_needed)))::numeric
    / cardinality(${t}.skills_needed))`;
  const available = sql`(EXISTS (SELECT 1 FROM volunteer_availability va
      WHERE va.volunteer_id = ${v}.id AND va.weekday = extract(dow FROM ${localStart})
        AND va.start_time <= to_char(${localStart}, 'HH24:MI') AND va.end_time >= ${endText})
    AND NOT EXISTS (SELECT 1 FROM volunteer_blocked_dates vb WHERE vb.volunteer_id = ${v}.id AND vb.day = ${localStart}::date))`;
  const km = sql`(CASE WHEN ${v}.geo IS NOT NULL AND ${t}.geo IS NOT NULL THEN 2 * 6371.0088 * asin(least(1, sqrt(
    power(sin(radians(${t}.latitude - ${v}.latitude) / 2), 2)
    + cos(radians(${v}.latitude)) * cos(radians(${t}.latitude)) * power(sin(radians(${t}.longitude - ${v}.longitude) / 2), 2)))) END)`;
  const distance = sql`(CASE WHEN ${km} IS NULL THEN ${MATCH_UNKNOWN_DISTANCE}::numeric
    ELSE greatest(0, 1 - ${km} / ${MATCH_DISTANCE_KM})::numeric END)`;
  const reliability = sql`((${v}.tasks_completed + 1)::numeric / (${v}.tasks_completed + ${v}.no_shows + 2))`;
  const w = MATCH_WEIGHTS;
  return sql`${skills} AS skills_score, ${available} AS available, ${km} AS distance_km, ${distance} AS distance_score,
    ${reliability} AS reliability,
    round(${w.skills}::numeric * ${skills} + ${w.availability}::numeric * (CASE WHEN ${available} THEN 1 ELSE 0 END)
      + ${w.distance}::numeric * ${distance} + ${w.reliability}::numeric * ${reliability}, 6) AS score`;
}
