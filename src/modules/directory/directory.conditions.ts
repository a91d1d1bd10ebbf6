import { type SQL, sql } from "drizzle-orm";
import { notBlockedBetween } from "../blocks";
import { attendeeOf } from "../events";
import { accountUsable } from "../users";

/**
 * Holds when a teacher (`teacher`, a `teacher_profiles` alias) teaches in `city` at some point
 * from `from` to `to` (dates, both included; a NULL `to` is open-ended): based there, or
 * visiting then. Written as a semi-join on the union of the two index scans
 * (teacher_profiles_city_idx and teacher_locations_city_during_idx), so that a city's
 * teachers are found by index, not by testing every profile.
 *
 * @example
 * sql`SELECT t.id FROM teacher_profiles t WHERE ${teacherThere(sql`t`, "Berlin", "2027-03-01", "2027-03-08")}`
 */
export function teacherThere(teacher: SQL, city: string | SQL, from: string | SQL, to: string | SQL): SQL<boolean> {
  return sql<boolean>`(${teacher}.id IN (
    SELECT based.id FROM teacher_profiles based WHERE based.city = ${city}
    UNION
    SELECT tl.teacher_id FROM teacher_locations tl
    WHERE tl.city = ${city} AND tl.during && daterange(${from}::date, ${to}::date, '[]')))`;
}

/**
 * Holds when the viewer may see a teacher profile (`teacher`, a `teacher_profiles` alias): its
 * owner always; anyone else when the teacher's account is usable and there is no block between
 * the two.
 */
export function teacherVisibleTo(viewerId: number | null, teacher: SQL): SQL<boolean> {
  const own = viewerId === null ? sql`false` : sql`${teacher}.user_id = ${viewerId}`;
  return sql<boolean>`(${own} OR (EXISTS (SELECT 1 FROM users tu WHERE tu.id = ${teacher}.user_id AND ${accountUsable(sql`tu`)})
    AND ${notBlockedBetween(viewerId, sql`${teacher}.user_id`)}))`;
}

/**
 * Holds when the viewer may see a venue or a school (`place`, its alias; `owner`, the column
 * naming who made it: `created_by` for venues, `owner_id` for schools): a place is everyone's
 * to find, unless the account that made it is suspended or closed (spam goes with its
 * author). Its maker always sees it. Blocks do not hide a place: it is not its maker's to hide.
 */
export function placeVisibleTo(viewerId: number | null, place: SQL, owner: "created_by" | "owner_id"): SQL<boolean> {
  const column = sql`${place}.${sql.identifier(owner)}`;
  const own = viewerId === null ? sql`false` : sql`${column} = ${viewerId}`;
  return sql<boolean>`(${own} OR EXISTS (SELECT 1 FROM users pu WHERE pu.id = ${column} AND ${accountUsable(sql`pu`)}))`;
}

/** An event that is over (its end, or its start when it has none, before `now`). */
const past = (event: SQL, now: Date) => sql`coalesce(${event}.end_date, ${event}.start_date) < ${now.toISOString()}::timestamptz AT TIME ZONE 'UTC'`;

/**
 * Holds when the dancer may review the teacher (`teacher`, a `teacher_profiles` alias): an
 * approved student of theirs, or a dancer who attended (checked in, or going: the events
 * module's `attendeeOf`) a past event the teacher's user organized or co-organized (their
 * events by events_user_idx, their co-organized ones by event_co_organizers_user_idx). Not the
 * teacher themselves.
 */
export function mayReviewTeacher(userId: number, teacher: SQL, now: Date): SQL<boolean> {
  return sql<boolean>`(${teacher}.user_id <> ${userId} AND (
    EXISTS (SELECT 1 FROM teacher_students ts WHERE ts.teacher_id = ${teacher}.id AND ts.student_id = ${userId} AND ts.status = 'approved')
    OR EXISTS (SELECT 1 FROM events ev
      WHERE ev.id IN (SELECT own.id FROM events own WHERE own.user_id = ${teacher}.user_id
                      UNION ALL SELECT co.event_id FROM event_co_organizers co WHERE co.user_id = ${teacher}.user_id)
        AND ${past(sql`ev`, now)} AND ${attendeeOf(userId, sql`ev`)})))`;
}

/** Holds when the dancer attended (checked in, or going) a past event at the venue (`venue`, a `venues` alias): events_venue_idx. */
export function mayReviewVenue(userId: number, venue: SQL, now: Date): SQL<boolean> {
  return sql<boolean>`EXISTS (SELECT 1 FROM events ev
    WHERE ev.venue_id = ${venue}.id AND ${past(sql`ev`, now)} AND ${attendeeOf(userId, sql`ev`)})`;
}
