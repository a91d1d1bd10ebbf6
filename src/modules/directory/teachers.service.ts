import { type SQL, sql } from "drizzle-orm";
import { z } from "@hono/zod-openapi";
import type { ActorCtx, Ctx } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { type Page, sortedPage } from "../../lib/pagination";
import { INT4_MAX } from "../../lib/text";
import { boundingBoxes, distanceKm, inBoxes } from "../events";
import { type ColumnMap, insertColumns, nextValue, setColumns } from "./directory.columns";
import { teacherThere, teacherVisibleTo } from "./directory.conditions";
import { type CreateTeacherInput, reversedDates, type TeacherSearchInput, type UpdateTeacherInput } from "./directory.input";
import { checkCoordinates, notTeacherOwner, rateWithoutCurrency, rethrowRefused, teacherProfileExists } from "./directory.policy";
import { type Teacher, type TeacherDetail, type TeacherDetailRow, type TeacherRow, toTeacher, toTeacherDetail } from "./teachers.schemas";

/** `near` without `radiusKm`: this many kilometres around (as event discovery). */
export const DEFAULT_RADIUS_KM = 25;

/** How many upcoming visits a teacher's detail shows. */
export const UPCOMING_LOCATIONS = 10;

const TEACHER_COLUMNS: ColumnMap<keyof UpdateTeacherInput> = {
  headline: { column: "headline", kind: "text" },
  bio: { column: "bio", kind: "text" },
  styles: { column: "styles", kind: "textArray" },
  levels: { column: "levels", kind: "textArray" },
  languages: { column: "languages", kind: "textArray" },
  city: { column: "city", kind: "text" },
  country: { column: "country", kind: "text" },
  latitude: { column: "latitude", kind: "float" },
  longitude: { column: "longitude", kind: "float" },
  privateLessons: { column: "private_lessons", kind: "boolean" },
  privateRate: { column: "private_rate", kind: "int" },
  groupRate: { column: "group_rate", kind: "int" },
  currency: { column: "currency", kind: "text" },
  website: { column: "website", kind: "text" },
};

/** A text query with no letter or digit matches nothing (there is no word to look for). */
export const hasWords = (q: string) => /[\p{L}\p{N}]/u.test(q);

/** The words of `q` against a `search_vector` (its GIN index), accents and case ignored, as events and posts search. */
export const matchesWords = (vector: SQL, q: string): SQL => sql`${vector} @@ websearch_to_tsquery('simple', mt_unaccent(${q}))`;

/**
 * The select list of a teacher card ({@link TeacherRow}), for a teacher_profiles row `t`
 * joined to its user's row `u`.
 */
export function teacherColumns(t: SQL, u: SQL): SQL {
  return sql`${t}.id, ${t}.user_id, ${u}.username, ${u}.name, ${u}.profile_image, ${t}.headline, ${t}.bio, ${t}.styles, ${t}.levels,
    ${t}.languages, ${t}.city, ${t}.country, ${t}.latitude, ${t}.longitude, ${t}.private_lessons, ${t}.private_rate, ${t}.group_rate,
    ${t}.currency, ${t}.website, ${t}.student_count, ${t}.review_count, ${t}.rating_sum,
    ${t}.created_at::text AS created_key, ${t}.updated_at::text AS updated_key`;
}

/**
 * The caller's teacher profile, in one statement; one per user (a second, also when two
 * arrive at once, is 409 `teacher_profile_exists`: the unique index on user_id decides).
 */
export async function createTeacher(ctx: ActorCtx, input: CreateTeacherInput): Promise<Teacher> {
  const { db, actor } = ctx;
  checkCoordinates(input);
  if ((input.privateRate != null || input.groupRate != null) && input.currency == null) throw rateWithoutCurrency();
  const { columns, values } = insertColumns(TEACHER_COLUMNS, input);
  const { rows } = await db
    .execute<TeacherRow>(sql`
      WITH created AS (
        INSERT INTO teacher_profiles (user_id, ${columns}) VALUES (${actor.id}, ${values})
        ON CONFLICT (user_id) DO NOTHING
        RETURNING *
      )
      SELECT ${teacherColumns(sql`t`, sql`u`)} FROM created t JOIN users u ON u.id = t.user_id`)
    .catch(rethrowRefused);
  if (!rows[0]) throw teacherProfileExists();
  ctx.logger.info("teacher profile created", { code: "teacher_created", teacherId: Number(rows[0].id) });
  return toTeacher(rows[0]);
}

/**
 * A teacher as the viewer sees it, in one statement: the card, the next visits (from today,
 * soonest first), and the viewer's own request to study with them. 404 when the viewer may
 * not see it (`teacherVisibleTo`: a suspended or closed account, a block either way).
 */
export async function getTeacher({ db, actor, now }: Ctx, input: { teacherId?: number; userId?: number }): Promise<TeacherDetail> {
  const viewerId = actor?.id ?? null;
  const which = input.teacherId !== undefined ? sql`t.id = ${input.teacherId}` : sql`t.user_id = ${input.userId ?? 0}`;
  const { rows } = await db.execute<TeacherDetailRow>(sql`
    SELECT ${teacherColumns(sql`t`, sql`u`)},
      ${viewerId === null ? sql`false` : sql`t.user_id = ${viewerId}`} AS viewer_is_teacher,
      (SELECT coalesce(json_agg(json_build_object('id', l.id, 'teacher_id', l.teacher_id, 'city', l.city, 'country', l.country,
          'latitude', l.latitude, 'longitude', l.longitude, 'starts_on', l.starts_on::text, 'ends_on', l.ends_on::text, 'note', l.note)
          ORDER BY l.starts_on, l.id), '[]'::json)
       FROM (SELECT * FROM teacher_locations l WHERE l.teacher_id = t.id AND l.ends_on >= ${today(now)}::date
             ORDER BY l.starts_on, l.id LIMIT ${UPCOMING_LOCATIONS}) l) AS upcoming,
      ${
        viewerId === null
          ? sql`NULL::json`
          : sql`(SELECT json_build_object('id', s.id, 'status', s.status) FROM teacher_students s WHERE s.teacher_id = t.id AND s.student_id = ${viewerId})`
      } AS viewer_student
    FROM teacher_profiles t JOIN users u ON u.id = t.user_id
    WHERE ${which} AND ${teacherVisibleTo(viewerId, sql`t`)}`);
  if (!rows[0]) throw notFound("teacher");
  return toTeacherDetail(rows[0]);
}

/** The day of `now` in UTC, as the directory's dates are kept. */
export const today = (now: Date) => now.toISOString().slice(0, 10);

/**
 * The teacher edits their profile, in one statement: any subset of the create fields (`null`
 * clears an optional one); a rate left without a currency is 400 `rate_without_currency`,
 * checked on the profile as the edit would leave it. Not visible: 404; someone else's: 403.
 */
export async function updateTeacher(ctx: ActorCtx, input: { teacherId: number; changes: UpdateTeacherInput }): Promise<Teacher> {
  const { db, actor } = ctx;
  const { changes } = input;
  const set = setColumns(TEACHER_COLUMNS, changes);
  const next = (field: keyof UpdateTeacherInput) => nextValue(TEACHER_COLUMNS, changes, sql`old`, field);
  const { rows } = await db
    .execute<TeacherRow & { found: boolean; mine: boolean; rates_ok: boolean }>(sql`
      WITH old AS (
        SELECT t.* FROM teacher_profiles t WHERE t.id = ${input.teacherId} AND ${teacherVisibleTo(actor.id, sql`t`)} FOR NO KEY UPDATE
      ),
      verdict AS (
        SELECT old.user_id = ${actor.id} AS mine,
          (coalesce(${next("privateRate")}, ${next("groupRate")}) IS NULL OR ${next("currency")} IS NOT NULL) AS rates_ok
        FROM old
      ),
      updated AS (
        UPDATE teacher_profiles t SET ${sql.join([...set, sql`updated_at = now()`], sql`, `)}
        FROM verdict v WHERE t.id = ${input.teacherId} AND v.mine AND v.rates_ok
        RETURNING t.*
      )
      SELECT EXISTS (SELECT 1 FROM old) AS found, coalesce(v.mine, false) AS mine, coalesce(v.rates_ok, true) AS rates_ok,
        card.*
      FROM (SELECT 1) one LEFT JOIN verdict v ON true
      LEFT JOIN (SELECT ${teacherColumns(sql`t`, sql`u`)} FROM updated t JOIN users u ON u.id = t.user_id) card ON true`)
    .catch(rethrowRefused);
  const row = rows[0]!;
  if (!row.found) throw notFound("teacher");
  if (!row.mine) throw notTeacherOwner();
  if (!row.rates_ok) throw rateWithoutCurrency();
  ctx.logger.info("teacher profile edited", { code: "teacher_edited", teacherId: input.teacherId, fields: set.length });
  return toTeacher(row);
}

/**
 * The teacher deletes their profile, in one statement: its visits, students, reviews and
 * school memberships go with it (foreign keys cascade). Not visible: 404; someone else's: 403.
 */
export async function deleteTeacher(ctx: ActorCtx, input: { teacherId: number }): Promise<void> {
  const { db, actor } = ctx;
  const { rows } = await db.execute<{ found: boolean; deleted: boolean }>(sql`
    WITH target AS (SELECT t.id, t.user_id FROM teacher_profiles t WHERE t.id = ${input.teacherId} AND ${teacherVisibleTo(actor.id, sql`t`)}),
    deleted AS (DELETE FROM teacher_profiles t USING target WHERE t.id = target.id AND target.user_id = ${actor.id} RETURNING t.id)
    SELECT EXISTS (SELECT 1 FROM target) AS found, EXISTS (SELECT 1 FROM deleted) AS deleted`);
  if (!rows[0]?.found) throw notFound("teacher");
  if (!rows[0].deleted) throw notTeacherOwner();
  ctx.logger.info("teacher profile deleted", { code: "teacher_deleted", teacherId: input.teacherId });
}

/** A keyset over the id alone: listings by id, newest first. */
export const IdCursor = z.tuple([z.number().int().min(1).max(INT4_MAX)]);
export type IdCursor = z.infer<typeof IdCursor>;

/** The dates a search by place looks at: `from` (default today) to `to` (default open-ended). */
function window(input: { from?: string; to?: string }, now: Date): { from: string; to: SQL } {
  const from = input.from ?? today(now);
  if (input.to !== undefined && input.to < from) throw reversedDates("query.to");
  return { from, to: input.to === undefined ? sql`NULL` : sql`${input.to}` };
}

/**
 * The directory's teachers, newest profile first, by keyset over the id, in one statement.
 * Filters, all optional and combined: `city` (based there, or visiting between `from` and `to`:
 * `teacherThere`), `near` + `radiusKm` (the base, or a visit then, within the radius: the
 * GiST indexes on both `geo` points narrow by box, then the exact distance; each card has its
 * `distanceKm`, the nearest of the two), `style` and `language` (`@>` on the arrays' GIN
 * indexes), `level`, `privateLessons`, and words (`q`, the search vector's GIN index). Only
 * teachers the viewer may see (`teacherVisibleTo`).
 */
export async function searchTeachers({ db, actor, now }: Ctx, input: TeacherSearchInput): Promise<Page<Teacher>> {
  const { limit, cursor, ...filters } = input;
  const viewerId = actor?.id ?? null;
  const dates = window(filters, now);
  const range = sql`daterange(${dates.from}::date, ${dates.to}::date, '[]')`;
  const where: SQL[] = [teacherVisibleTo(viewerId, sql`t`)];
  if (filters.city !== undefined) where.push(teacherThere(sql`t`, filters.city, dates.from, dates.to));
  if (filters.style !== undefined) where.push(sql`t.styles @> ARRAY[${filters.style}]::text[]`);
  if (filters.language !== undefined) where.push(sql`t.languages @> ARRAY[${filters.language}]::text[]`);
  if (filters.level !== undefined) where.push(sql`t.levels @> ARRAY[${filters.level}]::text[]`);
  if (filters.privateLessons !== undefined) where.push(sql`t.private_lessons = ${filters.privateLessons}`);
  if (filters.q !== undefined) where.push(matchesWords(sql`t.search_vector`, filters.q));
  let distance = sql`NULL::float8`;
  if (filters.near) {
    const radius = filters.radiusKm ?? DEFAULT_RADIUS_KM;
    const boxes = boundingBoxes(filters.near, radius);
    const from = (point: SQL) => distanceKm(point, filters.near!);
    // The nearest of the base and the visits in the window, among those the boxes let through.
    distance = sql`(SELECT min(d.km) FROM (
        SELECT ${from(sql`t.geo`)} AS km WHERE ${inBoxes(sql`t.geo`, boxes)}
        UNION ALL
        SELECT ${from(sql`nl.geo`)} FROM teacher_locations nl
        WHERE nl.teacher_id = t.id AND nl.during && ${range} AND ${inBoxes(sql`nl.geo`, boxes)}) d)`;
    where.push(sql`t.id IN (SELECT nb.id FROM teacher_profiles nb WHERE ${inBoxes(sql`nb.geo`, boxes)}
      UNION SELECT nv.teacher_id FROM teacher_locations nv WHERE ${inBoxes(sql`nv.geo`, boxes)} AND nv.during && ${range})`);
    where.push(sql`${distance} <= ${radius}::float8`);
  }
  return sortedPage(
    { limit, cursor },
    { by: [sql`t.id`], direction: "desc", cursor: IdCursor },
    async (keyset) => {
      if (filters.q !== undefined && !hasWords(filters.q)) return [];
      const { rows } = await db.execute<TeacherRow>(sql`
        SELECT ${teacherColumns(sql`t`, sql`u`)}, round((${distance})::numeric, 2)::float8 AS distance_km
        FROM teacher_profiles t JOIN users u ON u.id = t.user_id
        WHERE ${sql.join(where, sql` AND `)} AND ${keyset.after}
        ORDER BY ${keyset.order}
        LIMIT ${keyset.limit}`);
      return rows;
    },
    { item: toTeacher, key: (row) => [Number(row.id)] as IdCursor },
  );
}
