import { type SQL, sql } from "drizzle-orm";
import { z } from "@hono/zod-openapi";
import type { ActorCtx, Ctx } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { INT4_MAX } from "../../lib/text";
import { type ColumnMap, insertColumns, nextValue, setColumns } from "./directory.columns";
import { teacherVisibleTo } from "./directory.conditions";
import { type CreateLocationInput, reversedDates, type UpdateLocationInput } from "./directory.input";
import { checkCoordinates, notTeacherOwner, rethrowRefused } from "./directory.policy";
import { type LocationRow, type TeacherLocation, toLocation } from "./teachers.schemas";
import { today } from "./teachers.service";

const LOCATION_COLUMNS: ColumnMap<keyof UpdateLocationInput> = {
  city: { column: "city", kind: "text" },
  country: { column: "country", kind: "text" },
  latitude: { column: "latitude", kind: "float" },
  longitude: { column: "longitude", kind: "float" },
  startsOn: { column: "starts_on", kind: "date" },
  endsOn: { column: "ends_on", kind: "date" },
  note: { column: "note", kind: "text" },
};

const locationColumns = (l: SQL) =>
  sql`${l}.id, ${l}.teacher_id, ${l}.city, ${l}.country, ${l}.latitude, ${l}.longitude,
    ${l}.starts_on::text AS starts_on, ${l}.ends_on::text AS ends_on, ${l}.note`;

/** The teacher `teacherId` as the actor sees it (CTE `teacher`), locked against its deletion meanwhile. */
const visibleTeacher = (actorId: number, teacherId: number) => sql`
  teacher AS (SELECT t.id, t.user_id FROM teacher_profiles t WHERE t.id = ${teacherId} AND ${teacherVisibleTo(actorId, sql`t`)} FOR KEY SHARE)`;

type WriteRow = LocationRow & { found: boolean; mine: boolean };

function outcome(row: WriteRow | undefined, what: string): void {
  if (!row?.found) throw notFound(what);
  if (!row.mine) throw notTeacherOwner();
}

/** The teacher adds a visit (a city and days), in one statement. Not visible: 404; someone else's profile: 403. */
export async function addLocation(ctx: ActorCtx, input: { teacherId: number } & CreateLocationInput): Promise<TeacherLocation> {
  const { db, actor } = ctx;
  const { teacherId, ...fields } = input;
  checkCoordinates(fields);
  if (fields.endsOn < fields.startsOn) throw reversedDates("body.endsOn");
  const { columns, values } = insertColumns(LOCATION_COLUMNS, fields);
  const { rows } = await db
    .execute<WriteRow>(sql`
      WITH ${visibleTeacher(actor.id, teacherId)},
      created AS (
        INSERT INTO teacher_locations (teacher_id, ${columns})
        SELECT teacher.id, ${values} FROM teacher WHERE teacher.user_id = ${actor.id}
        RETURNING *
      )
      SELECT EXISTS (SELECT 1 FROM teacher) AS found, EXISTS (SELECT 1 FROM teacher WHERE user_id = ${actor.id}) AS mine, l.*
      FROM (SELECT 1) one LEFT JOIN (SELECT ${locationColumns(sql`c`)} FROM created c) l ON true`)
    .catch(rethrowRefused);
  outcome(rows[0], "teacher");
  ctx.logger.info("teacher location added", { code: "teacher_location_added", teacherId });
  return toLocation(rows[0]!);
}

/**
 * The teacher edits a visit, in one statement; the dates are checked as the edit leaves them
 * (`teacher_locations_dates_check`: 400 `dates_reversed`). Not visible: 404; not theirs: 403.
 */
export async function updateLocation(
  ctx: ActorCtx,
  input: { teacherId: number; locationId: number; changes: UpdateLocationInput },
): Promise<TeacherLocation> {
  const { db, actor } = ctx;
  const { changes } = input;
  if (changes.startsOn !== undefined && changes.endsOn !== undefined && changes.endsOn < changes.startsOn) throw reversedDates("body.endsOn");
  const set = setColumns(LOCATION_COLUMNS, changes);
  // Checked here, not left to the table's check: the `during` range is computed first and would fail on its own.
  const datesOk = sql`${nextValue(LOCATION_COLUMNS, changes, sql`l`, "endsOn")} >= ${nextValue(LOCATION_COLUMNS, changes, sql`l`, "startsOn")}`;
  const { rows } = await db
    .execute<WriteRow & { dates_ok: boolean }>(sql`
      WITH ${visibleTeacher(actor.id, input.teacherId)},
      target AS (
        SELECT l.id, ${datesOk} AS dates_ok FROM teacher_locations l JOIN teacher ON teacher.id = l.teacher_id
        WHERE l.id = ${input.locationId} FOR NO KEY UPDATE OF l
      ),
      updated AS (
        UPDATE teacher_locations l SET ${sql.join([...set, sql`updated_at = now()`], sql`, `)}
        FROM target, teacher WHERE l.id = target.id AND teacher.user_id = ${actor.id} AND target.dates_ok
        RETURNING l.*
      )
      SELECT EXISTS (SELECT 1 FROM target) AS found, EXISTS (SELECT 1 FROM teacher WHERE user_id = ${actor.id}) AS mine,
        coalesce((SELECT dates_ok FROM target), true) AS dates_ok, l.*
      FROM (SELECT 1) one LEFT JOIN (SELECT ${locationColumns(sql`u`)} FROM updated u) l ON true`)
    .catch(rethrowRefused);
  outcome(rows[0], "location");
  if (!rows[0]!.dates_ok) throw reversedDates("body.endsOn");
  return toLocation(rows[0]!);
}

/** The teacher deletes a visit, in one statement. Not visible: 404; not theirs: 403. */
export async function deleteLocation(ctx: ActorCtx, input: { teacherId: number; locationId: number }): Promise<void> {
  const { db, actor } = ctx;
  const { rows } = await db.execute<WriteRow>(sql`
    WITH ${visibleTeacher(actor.id, input.teacherId)},
    target AS (SELECT l.id FROM teacher_locations l JOIN teacher ON teacher.id = l.teacher_id WHERE l.id = ${input.locationId}),
    deleted AS (DELETE FROM teacher_locations l USING target, teacher WHERE l.id = target.id AND teacher.user_id = ${actor.id} RETURNING l.id)
    SELECT EXISTS (SELECT 1 FROM target) AS found, EXISTS (SELECT 1 FROM teacher WHERE user_id = ${actor.id}) AS mine`);
  outcome(rows[0], "location");
}

/** A keyset over (starts_on, id), soonest first: teacher_locations_teacher_idx. */
const DayIdCursor = z.tuple([z.iso.date(), z.number().int().min(1).max(INT4_MAX)]);

/**
 * A teacher's visits, soonest first, by cursor, in one statement: those not over yet (ending
 * today or later) unless `past` asks for every one. 404 when the viewer may not see the teacher.
 */
export async function listLocations(
  { db, actor, now }: Ctx,
  input: { teacherId: number; past?: boolean } & PageRequest,
): Promise<Page<TeacherLocation>> {
  const viewerId = actor?.id ?? null;
  let found = false;
  const page = await sortedPage(
    input,
    { by: [sql`l.starts_on`, sql`l.id`], direction: "asc", cursor: DayIdCursor },
    async (keyset) => {
      const upcoming = input.past ? sql`true` : sql`l.ends_on >= ${today(now)}::date`;
      const { rows } = await db.execute<LocationRow & { teacher_found: boolean }>(sql`
        SELECT teacher.id IS NOT NULL AS teacher_found, page.*
        FROM (SELECT 1) one
        LEFT JOIN (SELECT t.id FROM teacher_profiles t WHERE t.id = ${input.teacherId} AND ${teacherVisibleTo(viewerId, sql`t`)}) teacher ON true
        LEFT JOIN LATERAL (
          SELECT ${locationColumns(sql`l`)} FROM teacher_locations l
          WHERE l.teacher_id = teacher.id AND ${upcoming} AND ${keyset.after}
          ORDER BY ${keyset.order} LIMIT ${keyset.limit}
        ) page ON true
        ORDER BY page.starts_on, page.id`);
      found = rows[0]?.teacher_found ?? false;
      return rows.filter((row) => row.id !== null);
    },
    { item: toLocation, key: (row) => [row.starts_on, Number(row.id)] as const },
  );
  if (!found) throw notFound("teacher");
  return page;
}
