import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { notBlockedBetween } from "../blocks";
import { notificationCtes } from "../notifications";
import { accountUsable } from "../users";
import { teacherVisibleTo } from "./directory.conditions";
import { cannotStudyWithSelf, notStudentTeacher, studentNotPending } from "./directory.policy";
import { type MyTeacher, type MyTeacherRow, type StudentLink, type StudentLinkRow, toMyTeacher, toStudentLink } from "./students.schemas";
import { IdCursor, teacherColumns } from "./teachers.service";

/** The select list of a student link ({@link StudentLinkRow}), `s` joined to the student's users row `u`; the message only for `viewerId`'s eyes when they are one of the two. */
function linkColumns(s: SQL, u: SQL, teacherUser: SQL, viewerId: number | null): SQL {
  const party = viewerId === null ? sql`false` : sql`(${s}.student_id = ${viewerId} OR ${teacherUser} = ${viewerId})`;
  return sql`${s}.id, ${s}.teacher_id, ${s}.student_id, ${u}.username AS student_username, ${u}.name AS student_name,
    ${u}.profile_image AS student_profile_image, ${s}.status, CASE WHEN ${party} THEN ${s}.message END AS message,
    ${s}.created_at::text AS created_key, ${s}.responded_at::text AS responded_key`;
}

/**
 * A dancer says they study with a teacher, in one statement: a pending request (the unique
 * (teacher, student) pair: asking again, also twice at once, answers the same request, whatever
 * its status) and a `student_request` notification to the teacher when it is new. Never
 * yourself (400). A teacher the dancer may not see: 404.
 */
export async function requestStudent(
  ctx: ActorCtx,
  input: { teacherId: number; message?: string },
): Promise<{ link: StudentLink; created: boolean }> {
  const { db, actor } = ctx;
  const me = actor.id;
  const read = () =>
    db.execute<StudentLinkRow & { found: boolean; self: boolean; created: boolean }>(sql`
      WITH teacher AS (
        SELECT t.id, t.user_id FROM teacher_profiles t WHERE t.id = ${input.teacherId} AND ${teacherVisibleTo(me, sql`t`)} FOR KEY SHARE
      ),
      inserted AS (
        INSERT INTO teacher_students (teacher_id, student_id, message)
        SELECT teacher.id, ${me}, ${input.message || null}::text FROM teacher WHERE teacher.user_id <> ${me}
        ON CONFLICT (teacher_id, student_id) DO NOTHING
        RETURNING *
      ),
      ${notificationCtes({
        to: { from: sql`(SELECT teacher.user_id, inserted.id AS link_id FROM teacher JOIN inserted ON true) teacher_user` },
        type: "student_request",
        actorId: me,
        subjectType: "teacher",
        subjectId: input.teacherId,
        data: sql`jsonb_build_object('teacherId', ${input.teacherId}::int, 'linkId', recipient.link_id)`,
      })},
      link AS (
        SELECT i.*, true AS created FROM inserted i
        UNION ALL
        SELECT s.*, false FROM teacher_students s JOIN teacher ON s.teacher_id = teacher.id WHERE s.student_id = ${me}
      )
      SELECT EXISTS (SELECT 1 FROM teacher) AS found, coalesce((SELECT user_id = ${me} FROM teacher), false) AS self,
        coalesce(l.created, false) AS created, ${linkColumns(sql`l`, sql`u`, sql`${me}`, me)}
      FROM (SELECT 1) one LEFT JOIN link l ON true LEFT JOIN users u ON u.id = l.student_id`);
  let row = (await read()).rows[0]!;
  // A twin request committed after this one's snapshot: read it again, now that it is there.
  if (row.found && !row.self && row.id === null) row = (await read()).rows[0]!;
  if (!row.found) throw notFound("teacher");
  if (row.self) throw cannotStudyWithSelf();
  if (row.created) ctx.logger.info("student request", { code: "student_requested", teacherId: input.teacherId, linkId: Number(row.id) });
  return { link: toStudentLink(row), created: row.created };
}

/** The CTE `target`: the link `linkId` when the actor is its student or its teacher (and may see the teacher), locked. */
function targetLink(me: number, linkId: number): SQL {
  return sql`target AS (
    SELECT s.id, s.teacher_id, s.student_id, s.status, t.user_id AS teacher_user FROM teacher_students s
    JOIN teacher_profiles t ON t.id = s.teacher_id
    WHERE s.id = ${linkId} AND (s.student_id = ${me} OR t.user_id = ${me}) AND ${teacherVisibleTo(me, sql`t`)}
    FOR NO KEY UPDATE OF s
  )`;
}

type AnswerRow = StudentLinkRow & { found: boolean; is_teacher: boolean; was_status: string | null };

/**
 * The teacher approves a request (pending or rejected), in one statement: the status flips
 * only when it is not approved yet, and `student_count` moves in the same statement by what
 * flipped, so two approvals at once count one student (the second finds it approved). The
 * student is notified (`student_approved`). Approving an approved student changes nothing.
 * Not the student's or the teacher's: 404; the student's own: 403 `not_the_teacher`.
 */
export async function approveStudent(ctx: ActorCtx, input: { linkId: number }): Promise<StudentLink> {
  const { db, actor } = ctx;
  const me = actor.id;
  const { rows } = await db.execute<AnswerRow>(sql`
    WITH ${targetLink(me, input.linkId)},
    approved AS (
      UPDATE teacher_students s SET status = 'approved', responded_at = now(), updated_at = now()
      FROM target WHERE s.id = target.id AND target.teacher_user = ${me} AND s.status <> 'approved'
      RETURNING s.*
    ),
    counted AS (
      UPDATE teacher_profiles t SET student_count = t.student_count + 1 FROM approved a WHERE t.id = a.teacher_id RETURNING t.id
    ),
    ${notificationCtes({
      to: { from: sql`(SELECT student_id AS user_id FROM approved) student` },
      type: "student_approved",
      actorId: me,
      subjectType: "teacher",
      subjectId: sql`(SELECT teacher_id FROM approved)`,
      data: sql`(SELECT jsonb_build_object('teacherId', teacher_id, 'linkId', id) FROM approved)`,
    })},
    link AS (SELECT a.* FROM approved a UNION ALL SELECT s.* FROM teacher_students s JOIN target ON s.id = target.id WHERE NOT EXISTS (SELECT 1 FROM approved))
    SELECT EXISTS (SELECT 1 FROM target) AS found, coalesce((SELECT teacher_user = ${me} FROM target), false) AS is_teacher,
      (SELECT count(*) FROM counted)::int AS counted, ${linkColumns(sql`l`, sql`u`, sql`${me}`, me)}
    FROM (SELECT 1) one LEFT JOIN link l ON true LEFT JOIN users u ON u.id = l.student_id`);
  const row = rows[0]!;
  if (!row.found) throw notFound("student request");
  if (!row.is_teacher) throw notStudentTeacher();
  ctx.logger.info("student approved", { code: "student_approved", linkId: input.linkId, counted: Number(row.counted) });
  return toStudentLink(row);
}

/**
 * The teacher rejects a pending request, in one statement; rejecting it again changes
 * nothing; an approved student is ended (DELETE), not rejected (409 `student_not_pending`).
 * Nobody is notified. Not theirs to see: 404; the student's own: 403.
 */
export async function rejectStudent(ctx: ActorCtx, input: { linkId: number }): Promise<StudentLink> {
  const { db, actor } = ctx;
  const me = actor.id;
  const { rows } = await db.execute<AnswerRow>(sql`
    WITH ${targetLink(me, input.linkId)},
    rejected AS (
      UPDATE teacher_students s SET status = 'rejected', responded_at = now(), updated_at = now()
      FROM target WHERE s.id = target.id AND target.teacher_user = ${me} AND s.status = 'pending'
      RETURNING s.*
    ),
    link AS (SELECT r.* FROM rejected r UNION ALL SELECT s.* FROM teacher_students s JOIN target ON s.id = target.id WHERE NOT EXISTS (SELECT 1 FROM rejected))
    SELECT EXISTS (SELECT 1 FROM target) AS found, coalesce((SELECT teacher_user = ${me} FROM target), false) AS is_teacher,
      ${linkColumns(sql`l`, sql`u`, sql`${me}`, me)}
    FROM (SELECT 1) one LEFT JOIN link l ON true LEFT JOIN users u ON u.id = l.student_id`);
  const row = rows[0]!;
  if (!row.found) throw notFound("student request");
  if (!row.is_teacher) throw notStudentTeacher();
  if (row.status === "approved") throw studentNotPending();
  return toStudentLink(row);
}

/**
 * The student or the teacher ends the link (a request withdrawn, refused for good, or a
 * student who left), in one statement: the row goes, and `student_count` drops in the same
 * statement when what went was approved (as the row is when deleted: an approval that got
 * there first is counted off). Anyone else: 404.
 */
export async function endStudent(ctx: ActorCtx, input: { linkId: number }): Promise<void> {
  const { db, actor } = ctx;
  const { rows } = await db.execute<{ found: boolean }>(sql`
    WITH ${targetLink(actor.id, input.linkId)},
    deleted AS (DELETE FROM teacher_students s USING target WHERE s.id = target.id RETURNING s.teacher_id, s.status),
    counted AS (
      UPDATE teacher_profiles t SET student_count = t.student_count - 1
      FROM deleted d WHERE t.id = d.teacher_id AND d.status = 'approved' RETURNING t.id
    )
    SELECT EXISTS (SELECT 1 FROM target) AS found, (SELECT count(*) FROM counted)::int AS counted`);
  // Whoever is not one of the two cannot tell the link exists.
  if (!rows[0]?.found) throw notFound("student request");
  ctx.logger.info("student link ended", { code: "student_ended", linkId: input.linkId });
}

/**
 * A teacher's students, by cursor over the student's id (the unique (teacher, student) index
 * serves it), in one statement: the approved ones for everybody, the pending ones too for the
 * teacher. Students whose account is suspended or closed, or blocked either way with the
 * viewer, are not there. 404 when the viewer may not see the teacher.
 */
export async function listStudents({ db, actor }: Ctx, input: { teacherId: number } & PageRequest): Promise<Page<StudentLink>> {
  const viewerId = actor?.id ?? null;
  let found = false;
  const page = await sortedPage(
    input,
    { by: [sql`s.student_id`], direction: "desc", cursor: IdCursor },
    async (keyset) => {
      const { rows } = await db.execute<StudentLinkRow & { teacher_found: boolean }>(sql`
        SELECT teacher.id IS NOT NULL AS teacher_found, page.*
        FROM (SELECT 1) one
        LEFT JOIN (SELECT t.id, t.user_id FROM teacher_profiles t WHERE t.id = ${input.teacherId} AND ${teacherVisibleTo(viewerId, sql`t`)}) teacher ON true
        LEFT JOIN LATERAL (
          SELECT ${linkColumns(sql`s`, sql`u`, sql`teacher.user_id`, viewerId)} FROM teacher_students s JOIN users u ON u.id = s.student_id
          WHERE s.teacher_id = teacher.id
            AND (s.status = 'approved' OR (s.status = 'pending' AND ${viewerId === null ? sql`false` : sql`teacher.user_id = ${viewerId}`}))
            AND ${accountUsable(sql`u`)} AND ${notBlockedBetween(viewerId, sql`u.id`)} AND ${keyset.after}
          ORDER BY ${keyset.order} LIMIT ${keyset.limit}
        ) page ON true
        ORDER BY page.student_id DESC`);
      found = rows[0]?.teacher_found ?? false;
      return rows.filter((row) => row.id !== null);
    },
    { item: toStudentLink, key: (row) => [Number(row.student_id)] as IdCursor },
  );
  if (!found) throw notFound("teacher");
  return page;
}

/** The caller's teachers (any status of their request), newest request first, by cursor (teacher_students_student_idx). */
export async function listMyTeachers({ db, actor }: ActorCtx, input: PageRequest): Promise<Page<MyTeacher>> {
  return sortedPage(
    input,
    { by: [sql`s.id`], direction: "desc", cursor: IdCursor },
    async (keyset) => {
      const { rows } = await db.execute<MyTeacherRow>(sql`
        SELECT s.id AS link_id, s.status AS link_status, s.created_at::text AS link_created_key,
          s.responded_at::text AS link_responded_key, ${teacherColumns(sql`t`, sql`u`)}
        FROM teacher_students s JOIN teacher_profiles t ON t.id = s.teacher_id JOIN users u ON u.id = t.user_id
        WHERE s.student_id = ${actor.id} AND ${teacherVisibleTo(actor.id, sql`t`)} AND ${keyset.after}
        ORDER BY ${keyset.order} LIMIT ${keyset.limit}`);
      return rows;
    },
    { item: toMyTeacher, key: (row) => [Number(row.link_id)] as IdCursor },
  );
}
