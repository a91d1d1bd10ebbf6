import { type SQL, sql } from "drizzle-orm";
import { notBlockedBetween } from "../blocks";
import { accountUsable } from "../users";

/**
 * Holds when a teacher (`teacher`, a `teacher_profiles` alias) teaches in `city` at some point
 * from `from` to `to` (dates, both included): based there, or visiting then
 * (teacher_locations, served by teacher_locations_city_during_idx).
 *
 * @example
 * sql`SELECT t.id FROM teacher_profiles t WHERE ${teacherThere(sql`t`, "Berlin", "2027-03-01", "2027-03-08")}`
 */
export function teacherThere(teacher: SQL, city: string | SQL, from: string | SQL, to: string | SQL): SQL<boolean> {
  return sql<boolean>`(${teacher}.city = ${city} OR EXISTS (SELECT 1 FROM teacher_locations tl
    WHERE tl.teacher_id = ${teacher}.id AND tl.city = ${city}
      AND tl.during && daterange(${from}::date, ${to}::date, '[]')))`;
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
