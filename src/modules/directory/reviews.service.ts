import { z } from "@hono/zod-openapi";
import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import { notBlockedBetween } from "../blocks";
import { notificationCtes } from "../notifications";
import { accountUsable, UserCardSchema } from "../users";
import { mayReviewTeacher, mayReviewVenue, placeVisibleTo, teacherVisibleTo } from "./directory.conditions";
import type { CreateReviewInput, UpdateReviewInput } from "./directory.input";
import { alreadyReviewed, notEligible, nothingToChange, notReviewAuthor } from "./directory.policy";
import { IdCursor } from "./teachers.service";

export const DirectoryReviewSchema = z
  .object({
    id: z.number().int(),
    subjectId: z.number().int().openapi({ description: "The teacher's or the venue's id" }),
    author: UserCardSchema,
    rating: z.number().int(),
    comment: z.string().nullable(),
    edited: z.boolean(),
    createdAt: z.string().openapi({ format: "date-time" }),
    updatedAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("DirectoryReview");

export type DirectoryReview = z.infer<typeof DirectoryReviewSchema>;

interface ReviewRow extends Record<string, unknown> {
  id: number;
  subject_id: number;
  author_id: number;
  author_username: string;
  author_name: string;
  author_profile_image: string | null;
  rating: number;
  comment: string | null;
  created_key: string;
  updated_key: string;
}

function toReview(row: ReviewRow): DirectoryReview {
  return {
    id: Number(row.id),
    subjectId: Number(row.subject_id),
    author: { id: Number(row.author_id), username: row.author_username, name: row.author_name, profileImage: row.author_profile_image },
    rating: Number(row.rating),
    comment: row.comment,
    edited: row.updated_key !== row.created_key,
    createdAt: isoUtc(row.created_key),
    updatedAt: isoUtc(row.updated_key),
  };
}

/** What differs between a teacher's reviews and a venue's: the tables, who may see and review, whom to tell. */
interface ReviewKind {
  what: "teacher" | "venue";
  reviews: SQL;
  subjects: SQL;
  key: SQL;
  /** The subject's owner column: told of a new review. */
  owner: SQL;
  visible: (viewerId: number | null, subject: SQL) => SQL;
  eligible: (userId: number, subject: SQL, now: Date) => SQL;
  type: "teacher_review" | "venue_review";
  data: (subject: SQL, review: SQL) => SQL;
}

export const TEACHER_REVIEWS: ReviewKind = {
  what: "teacher",
  reviews: sql`teacher_reviews`,
  subjects: sql`teacher_profiles`,
  key: sql`teacher_id`,
  owner: sql`user_id`,
  visible: (viewerId, subject) => teacherVisibleTo(viewerId, subject),
  eligible: mayReviewTeacher,
  type: "teacher_review",
  data: (subject, review) => sql`jsonb_build_object('teacherId', ${subject}.id, 'rating', ${review}.rating)`,
};

export const VENUE_REVIEWS: ReviewKind = {
  what: "venue",
  reviews: sql`venue_reviews`,
  subjects: sql`venues`,
  key: sql`venue_id`,
  owner: sql`created_by`,
  visible: (viewerId, subject) => placeVisibleTo(viewerId, subject, "created_by"),
  eligible: (userId, subject, now) => sql`(${subject}.created_by <> ${userId} AND ${mayReviewVenue(userId, subject, now)})`,
  type: "venue_review",
  data: (subject, review) => sql`jsonb_build_object('venueId', ${subject}.id, 'venueName', ${subject}.name, 'rating', ${review}.rating)`,
};

function reviewColumns(kind: ReviewKind, r: SQL, u: SQL): SQL {
  return sql`${r}.id, ${r}.${kind.key} AS subject_id, ${u}.id AS author_id, ${u}.username AS author_username, ${u}.name AS author_name,
    ${u}.profile_image AS author_profile_image, ${r}.rating, ${r}.comment, ${r}.created_at::text AS created_key, ${r}.updated_at::text AS updated_key`;
}

/**
 * A dancer reviews a teacher or a venue, in one statement: the review (one per dancer and
 * subject: a second is 409 `already_reviewed`, also when two arrive at once, by the unique
 * pair index; edit it with PATCH instead), the subject's `review_count` and `rating_sum` moved
 * by what was inserted, and a notification to the teacher or the venue's creator. Who may:
 * see `mayReviewTeacher` / `mayReviewVenue` (403 `not_eligible`). Not visible: 404.
 */
export async function createReview(ctx: ActorCtx, kind: ReviewKind, input: { subjectId: number } & CreateReviewInput): Promise<DirectoryReview> {
  const { db, actor, now } = ctx;
  const me = actor.id;
  const { rows } = await db.execute<ReviewRow & { found: boolean; eligible: boolean }>(sql`
    WITH subject AS (
      SELECT s.*, ${kind.eligible(me, sql`s`, now)} AS eligible FROM ${kind.subjects} s
      WHERE s.id = ${input.subjectId} AND ${kind.visible(me, sql`s`)} FOR KEY SHARE OF s
    ),
    inserted AS (
      INSERT INTO ${kind.reviews} (${kind.key}, user_id, rating, comment)
      SELECT subject.id, ${me}, ${input.rating}, ${input.comment || null}::text FROM subject WHERE subject.eligible
      ON CONFLICT (${kind.key}, user_id) DO NOTHING
      RETURNING *
    ),
    counted AS (
      UPDATE ${kind.subjects} s SET review_count = s.review_count + 1, rating_sum = s.rating_sum + i.rating
      FROM inserted i WHERE s.id = i.${kind.key} RETURNING s.id
    ),
    ${notificationCtes({
      to: { from: sql`(SELECT subject.${kind.owner} AS user_id, ${kind.data(sql`subject`, sql`inserted`)} AS data FROM subject JOIN inserted ON true) owner` },
      type: kind.type,
      actorId: me,
      subjectType: kind.what,
      subjectId: input.subjectId,
      data: sql`recipient.data`,
      coalesce: "subject",
    })}
    SELECT EXISTS (SELECT 1 FROM subject) AS found, coalesce((SELECT eligible FROM subject), false) AS eligible,
      (SELECT count(*) FROM counted)::int AS counted, card.*
    FROM (SELECT 1) one LEFT JOIN (SELECT ${reviewColumns(kind, sql`i`, sql`u`)} FROM inserted i JOIN users u ON u.id = i.user_id) card ON true`);
  const row = rows[0]!;
  if (!row.found) throw notFound(kind.what);
  if (!row.eligible) throw notEligible(kind.what);
  if (row.id === null) throw alreadyReviewed();
  ctx.logger.info("directory review", { code: `${kind.type}_created`, subjectId: input.subjectId, reviewId: Number(row.id) });
  return toReview(row);
}

/** The CTEs `subject` and `target`: the review `reviewId` of the subject, both visible to the actor, the review locked. */
function targetReview(kind: ReviewKind, me: number, input: { subjectId: number; reviewId: number }): SQL {
  return sql`subject AS (SELECT s.id FROM ${kind.subjects} s WHERE s.id = ${input.subjectId} AND ${kind.visible(me, sql`s`)}),
    target AS (
      SELECT r.id, r.user_id, r.rating FROM ${kind.reviews} r JOIN subject ON r.${kind.key} = subject.id
      JOIN users a ON a.id = r.user_id
      WHERE r.id = ${input.reviewId} AND (r.user_id = ${me} OR (${accountUsable(sql`a`)} AND ${notBlockedBetween(me, sql`r.user_id`)}))
      FOR NO KEY UPDATE OF r
    )`;
}

/**
 * The author changes their rating, their comment or both, in one statement; the subject's
 * `rating_sum` moves by the difference in the same statement (the review row is locked first,
 * so two edits at once each move it from what the other left). Someone else's: 403; a review
 * the caller may not see: 404; then a change of nothing: 400.
 */
export async function updateReview(
  ctx: ActorCtx,
  kind: ReviewKind,
  input: { subjectId: number; reviewId: number } & UpdateReviewInput,
): Promise<DirectoryReview> {
  const { db, actor } = ctx;
  const me = actor.id;
  const changes = input.rating !== undefined || input.comment !== undefined;
  const comment = input.comment === undefined ? sql`r.comment` : sql`${input.comment || null}::text`;
  const { rows } = await db.execute<ReviewRow & { found: boolean; mine: boolean }>(sql`
    WITH ${targetReview(kind, me, input)},
    edited AS (
      UPDATE ${kind.reviews} r SET rating = coalesce(${input.rating ?? null}::smallint, r.rating), comment = ${comment}, updated_at = now()
      FROM target t WHERE r.id = t.id AND t.user_id = ${me} AND ${changes}::boolean
      RETURNING r.*, t.rating AS old_rating
    ),
    counted AS (
      UPDATE ${kind.subjects} s SET rating_sum = s.rating_sum + e.rating - e.old_rating FROM edited e WHERE s.id = e.${kind.key} RETURNING s.id
    )
    SELECT EXISTS (SELECT 1 FROM target) AS found, EXISTS (SELECT 1 FROM target WHERE user_id = ${me}) AS mine,
      (SELECT count(*) FROM counted)::int AS counted, card.*
    FROM (SELECT 1) one LEFT JOIN (SELECT ${reviewColumns(kind, sql`e`, sql`u`)} FROM edited e JOIN users u ON u.id = e.user_id) card ON true`);
  const row = rows[0]!;
  if (!row.found) throw notFound("review");
  if (!row.mine) throw notReviewAuthor();
  if (!changes) throw nothingToChange();
  return toReview(row);
}

/** The author deletes their review, in one statement, and the subject's counters drop by it in the same statement. */
export async function deleteReview(ctx: ActorCtx, kind: ReviewKind, input: { subjectId: number; reviewId: number }): Promise<void> {
  const { db, actor } = ctx;
  const me = actor.id;
  const { rows } = await db.execute<{ found: boolean; mine: boolean }>(sql`
    WITH ${targetReview(kind, me, input)},
    deleted AS (DELETE FROM ${kind.reviews} r USING target t WHERE r.id = t.id AND t.user_id = ${me} RETURNING r.${kind.key} AS subject_id, r.rating),
    counted AS (
      UPDATE ${kind.subjects} s SET review_count = s.review_count - 1, rating_sum = s.rating_sum - d.rating
      FROM deleted d WHERE s.id = d.subject_id RETURNING s.id
    )
    SELECT EXISTS (SELECT 1 FROM target) AS found, EXISTS (SELECT 1 FROM target WHERE user_id = ${me}) AS mine,
      (SELECT count(*) FROM counted)::int AS counted`);
  if (!rows[0]?.found) throw notFound("review");
  if (!rows[0].mine) throw notReviewAuthor();
}

/**
 * A teacher's or a venue's reviews, newest first, by keyset over the id (the `(subject, id)`
 * index), in one statement. Reviews by suspended or closed accounts, or by dancers blocked
 * either way with the viewer, are not there. 404 when the viewer may not see the subject.
 */
export async function listReviews({ db, actor }: Ctx, kind: ReviewKind, input: { subjectId: number } & PageRequest): Promise<Page<DirectoryReview>> {
  const viewerId = actor?.id ?? null;
  let found = false;
  const page = await sortedPage(
    input,
    { by: [sql`r.id`], direction: "desc", cursor: IdCursor },
    async (keyset) => {
      const { rows } = await db.execute<ReviewRow & { subject_found: boolean }>(sql`
        SELECT subject.id IS NOT NULL AS subject_found, page.*
        FROM (SELECT 1) one
        LEFT JOIN (SELECT s.id FROM ${kind.subjects} s WHERE s.id = ${input.subjectId} AND ${kind.visible(viewerId, sql`s`)}) subject ON true
        LEFT JOIN LATERAL (
          SELECT ${reviewColumns(kind, sql`r`, sql`u`)} FROM ${kind.reviews} r JOIN users u ON u.id = r.user_id
          WHERE r.${kind.key} = subject.id AND ${accountUsable(sql`u`)} AND ${notBlockedBetween(viewerId, sql`u.id`)} AND ${keyset.after}
          ORDER BY ${keyset.order} LIMIT ${keyset.limit}
        ) page ON true
        ORDER BY page.id DESC`);
      found = rows[0]?.subject_found ?? false;
      return rows.filter((row) => row.id !== null);
    },
    { item: toReview, key: (row) => [Number(row.id)] as IdCursor },
  );
  if (!found) throw notFound(kind.what);
  return page;
}
