import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { type Page, sortedPage } from "../../lib/pagination";
import { type ColumnMap, insertColumns, setColumns } from "./directory.columns";
import { placeVisibleTo, teacherVisibleTo } from "./directory.conditions";
import type { CreateSchoolInput, SchoolSearchInput, UpdateSchoolInput } from "./directory.input";
import { checkCoordinates, notPlaceOwner, notSchoolOwner, rethrowRefused } from "./directory.policy";
import { type School, type SchoolDetail, type SchoolRow, toSchool, toSchoolDetail } from "./places.schemas";
import type { TeacherRow } from "./teachers.schemas";
import { hasWords, IdCursor, teacherColumns } from "./teachers.service";
import { deletePlace, editsPlace, placeFilters } from "./venues.service";

/** How many teachers a school's detail lists. */
export const SCHOOL_TEACHERS_SHOWN = 100;

const SCHOOL_COLUMNS: ColumnMap<keyof UpdateSchoolInput> = {
  name: { column: "name", kind: "text" },
  description: { column: "description", kind: "text" },
  address: { column: "address", kind: "text" },
  city: { column: "city", kind: "text" },
  country: { column: "country", kind: "text" },
  latitude: { column: "latitude", kind: "float" },
  longitude: { column: "longitude", kind: "float" },
  styles: { column: "styles", kind: "textArray" },
  website: { column: "website", kind: "text" },
  venueId: { column: "venue_id", kind: "int" },
};

function schoolColumns(s: SQL): SQL {
  return sql`${s}.id, ${s}.owner_id, ${s}.venue_id, ${s}.name, ${s}.description, ${s}.address, ${s}.city, ${s}.country,
    ${s}.latitude, ${s}.longitude, ${s}.styles, ${s}.website, ${s}.created_at::text AS created_key, ${s}.updated_at::text AS updated_key`;
}

/** A school's teachers the viewer may see, first added first, as one json column. */
function schoolTeachers(viewerId: number | null, school: SQL): SQL {
  return sql`(SELECT coalesce(json_agg(to_json(card) ORDER BY card.added, card.id), '[]'::json) FROM (
      SELECT ${teacherColumns(sql`t`, sql`u`)}, st.created_at AS added
      FROM school_teachers st JOIN teacher_profiles t ON t.id = st.teacher_id JOIN users u ON u.id = t.user_id
      WHERE st.school_id = ${school}.id AND ${teacherVisibleTo(viewerId, sql`t`)}
      ORDER BY st.created_at, t.id LIMIT ${SCHOOL_TEACHERS_SHOWN}) card)`;
}

/** Any signed-in dancer lists a school they run, in one statement; a `venueId` must name a venue (400 `unknown_venue`). */
export async function createSchool(ctx: ActorCtx, input: CreateSchoolInput): Promise<SchoolDetail> {
  const { db, actor } = ctx;
  checkCoordinates(input);
  const { columns, values } = insertColumns(SCHOOL_COLUMNS, input);
  const { rows } = await db
    .execute<SchoolRow>(sql`INSERT INTO schools (owner_id, ${columns}) VALUES (${actor.id}, ${values}) RETURNING ${schoolColumns(sql`schools`)}`)
    .catch(rethrowRefused);
  ctx.logger.info("school created", { code: "school_created", schoolId: Number(rows[0]!.id) });
  return { ...toSchool(rows[0]!), teachers: [] };
}

/** A school with its teachers, in one statement. 404 when not there or not visible. */
export async function getSchool({ db, actor }: Ctx, input: { schoolId: number }): Promise<SchoolDetail> {
  const viewerId = actor?.id ?? null;
  const { rows } = await db.execute<SchoolRow & { teachers: TeacherRow[] }>(sql`
    SELECT ${schoolColumns(sql`s`)}, ${schoolTeachers(viewerId, sql`s`)} AS teachers
    FROM schools s WHERE s.id = ${input.schoolId} AND ${placeVisibleTo(viewerId, sql`s`, "owner_id")}`);
  if (!rows[0]) throw notFound("school");
  return toSchoolDetail(rows[0]);
}

/** Its owner, or an admin, edits a school, in one statement (as venues). */
export async function updateSchool(ctx: ActorCtx, input: { schoolId: number; changes: UpdateSchoolInput }): Promise<SchoolDetail> {
  const { db, actor } = ctx;
  const set = setColumns(SCHOOL_COLUMNS, input.changes);
  const { rows } = await db
    .execute<SchoolRow & { found: boolean; allowed: boolean; teachers: TeacherRow[] }>(sql`
      WITH target AS (
        SELECT s.id, ${editsPlace(actor, sql`s`, "owner_id")} AS allowed FROM schools s
        WHERE s.id = ${input.schoolId} AND ${placeVisibleTo(actor.id, sql`s`, "owner_id")}
      ),
      updated AS (
        UPDATE schools s SET ${sql.join([...set, sql`updated_at = now()`], sql`, `)}
        FROM target WHERE s.id = target.id AND target.allowed
        RETURNING s.*
      )
      SELECT EXISTS (SELECT 1 FROM target) AS found, coalesce((SELECT allowed FROM target), false) AS allowed, card.*
      FROM (SELECT 1) one LEFT JOIN (SELECT ${schoolColumns(sql`u`)}, ${schoolTeachers(actor.id, sql`u`)} AS teachers FROM updated u) card ON true`)
    .catch(rethrowRefused);
  const row = rows[0]!;
  if (!row.found) throw notFound("school");
  if (!row.allowed) throw notPlaceOwner("school");
  return toSchoolDetail(row);
}

/** Its owner, or an admin, deletes a school (its teacher list goes with it), in one statement. */
export function deleteSchool(ctx: ActorCtx, input: { schoolId: number }): Promise<void> {
  return deletePlace(ctx, { kind: "school", id: input.schoolId });
}

/**
 * The school's owner adds a teacher (a profile they may see), in one statement; adding one
 * already there changes nothing. The school as it is then. Not visible (the school or the
 * teacher): 404; someone else's school: 403 `not_school_owner`.
 */
export async function addSchoolTeacher(ctx: ActorCtx, input: { schoolId: number; teacherId: number }): Promise<SchoolDetail> {
  const { db, actor } = ctx;
  const { rows } = await db.execute<SchoolRow & { found: boolean; mine: boolean; teacher_found: boolean; teachers: TeacherRow[] }>(sql`
    WITH school AS (
      SELECT s.* FROM schools s WHERE s.id = ${input.schoolId} AND ${placeVisibleTo(actor.id, sql`s`, "owner_id")} FOR KEY SHARE
    ),
    teacher AS (SELECT t.id FROM teacher_profiles t WHERE t.id = ${input.teacherId} AND ${teacherVisibleTo(actor.id, sql`t`)} FOR KEY SHARE),
    added AS (
      INSERT INTO school_teachers (school_id, teacher_id)
      SELECT school.id, teacher.id FROM school, teacher WHERE school.owner_id = ${actor.id}
      ON CONFLICT DO NOTHING
      RETURNING teacher_id, created_at
    )
    SELECT EXISTS (SELECT 1 FROM school) AS found, EXISTS (SELECT 1 FROM school WHERE owner_id = ${actor.id}) AS mine,
      EXISTS (SELECT 1 FROM teacher) AS teacher_found, card.*
    FROM (SELECT 1) one LEFT JOIN (
      SELECT ${schoolColumns(sql`s`)}, (
        SELECT coalesce(json_agg(to_json(c) ORDER BY c.added, c.id), '[]'::json) FROM (
          SELECT ${teacherColumns(sql`t`, sql`u`)}, x.added FROM (
            SELECT st.teacher_id, st.created_at AS added FROM school_teachers st WHERE st.school_id = s.id
            UNION ALL SELECT a.teacher_id, a.created_at FROM added a
          ) x JOIN teacher_profiles t ON t.id = x.teacher_id JOIN users u ON u.id = t.user_id
          WHERE ${teacherVisibleTo(actor.id, sql`t`)} ORDER BY x.added, t.id LIMIT ${SCHOOL_TEACHERS_SHOWN}) c) AS teachers
      FROM school s) card ON true`);
  const row = rows[0]!;
  if (!row.found) throw notFound("school");
  if (!row.mine) throw notSchoolOwner();
  if (!row.teacher_found) throw notFound("teacher");
  return toSchoolDetail(row);
}

/**
 * Takes a teacher off a school, in one statement: by the school's owner, or by the teacher
 * themselves. Taking off one who is not there is done (204). Not visible: 404; anyone else: 403.
 */
export async function removeSchoolTeacher(ctx: ActorCtx, input: { schoolId: number; teacherId: number }): Promise<void> {
  const { db, actor } = ctx;
  const { rows } = await db.execute<{ found: boolean; allowed: boolean }>(sql`
    WITH school AS (SELECT s.id, s.owner_id FROM schools s WHERE s.id = ${input.schoolId} AND ${placeVisibleTo(actor.id, sql`s`, "owner_id")}),
    allowed AS (
      SELECT school.owner_id = ${actor.id}
        OR EXISTS (SELECT 1 FROM teacher_profiles t WHERE t.id = ${input.teacherId} AND t.user_id = ${actor.id}) AS allowed
      FROM school
    ),
    removed AS (
      DELETE FROM school_teachers st USING school, allowed
      WHERE st.school_id = school.id AND st.teacher_id = ${input.teacherId} AND allowed.allowed
      RETURNING st.teacher_id
    )
    SELECT EXISTS (SELECT 1 FROM school) AS found, coalesce((SELECT allowed FROM allowed), false) AS allowed`);
  if (!rows[0]?.found) throw notFound("school");
  if (!rows[0].allowed) throw notSchoolOwner();
}

/** The directory's schools, newest first, by keyset over the id, in one statement: by city, style, words, place. */
export async function searchSchools({ db, actor }: Ctx, input: SchoolSearchInput): Promise<Page<School>> {
  const { limit, cursor, ...filters } = input;
  const { where, distance } = placeFilters(sql`s`, filters);
  if (filters.style !== undefined) where.push(sql`s.styles @> ARRAY[${filters.style}]::text[]`);
  return sortedPage(
    { limit, cursor },
    { by: [sql`s.id`], direction: "desc", cursor: IdCursor },
    async (keyset) => {
      if (filters.q !== undefined && !hasWords(filters.q)) return [];
      const { rows } = await db.execute<SchoolRow>(sql`
        SELECT ${schoolColumns(sql`s`)}, round((${distance})::numeric, 2)::float8 AS distance_km
        FROM schools s
        WHERE ${sql.join([...where, placeVisibleTo(actor?.id ?? null, sql`s`, "owner_id"), keyset.after], sql` AND `)}
        ORDER BY ${keyset.order} LIMIT ${keyset.limit}`);
      return rows;
    },
    { item: toSchool, key: (row) => [Number(row.id)] as IdCursor },
  );
}
