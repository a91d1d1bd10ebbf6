import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { type IdempotencyClaim, idempotencyRecordCte, idempotent } from "../../lib/idempotency";
import type { Page, PageRequest } from "../../lib/pagination";
import { notificationCtes } from "../notifications";
import { at, checkedIn, contributionVisibleTo, visibleEventCte } from "./checkins.conditions";
import { contributionsPage } from "./checkins.service";
import { eventEnd, reviewColumns } from "./reviews.conditions";
import { alreadyReviewed, nothingToChange, notReviewAuthor, REVIEW_REFUSALS } from "./reviews.policy";
import { type CreateReviewBody, type Review, type ReviewRow, toReview, type UpdateReviewBody } from "./reviews.schemas";

/**
 * The route an `Idempotency-Key` of a review is scoped to. The template, not the path: the
 * event id is part of the request hash instead, so one key sent for two events is a 422.
 */
export const CREATE_REVIEW_SCOPE = "POST /api/events/{id}/reviews";

type Outcome = "ok" | "not_found" | keyof typeof REVIEW_REFUSALS;

/**
 * A dancer reviews an event they were checked in at, once it has ended, in one statement: the
 * review (one per dancer and event: a second is 409 `already_reviewed`, also when two arrive
 * at once) and an `event_review` notification to the organizer, coalesced per event. Refused:
 * an event the dancer may not see (404), their own event (403), not checked in (403), before
 * its end (409; an event without an end time ends some hours after its start, see
 * reviews.policy.ts). The event row is key-share locked, so a review racing its deletion is a 404. With an
 * `Idempotency-Key` the response is stored in the same statement; a repeat replays it, also
 * when the first review is what makes the repeat a 409.
 */
export async function createReview(
  ctx: ActorCtx,
  input: { eventId: number; claim: IdempotencyClaim | null } & CreateReviewBody,
): Promise<{ review: Review; replayed: boolean }> {
  const { db, actor, now } = ctx;
  const me = actor.id;
  const { claim } = input;
  const create = async (): Promise<Review> => {
    const { rows } = await db.execute<ReviewRow & { outcome: Outcome }>(sql`
    WITH ${visibleEventCte(me, input.eventId, sql`FOR KEY SHARE OF e`)},
    verdict AS (
      SELECT CASE
        WHEN NOT EXISTS (SELECT 1 FROM event) THEN 'not_found'
        WHEN (SELECT manages FROM event) THEN 'organizer'
        WHEN NOT (SELECT ${checkedIn(me, sql`event`)} FROM event) THEN 'not_checked_in'
        WHEN (SELECT ${eventEnd(sql`event`)} FROM event) > ${at(now)} THEN 'not_ended'
        ELSE 'ok' END AS outcome
    ),
    inserted AS (
      INSERT INTO event_reviews (event_id, user_id, rating, text)
      SELECT event.id, ${me}, ${input.rating}, ${input.text || null}::text
      FROM event JOIN verdict ON verdict.outcome = 'ok'
      ON CONFLICT (event_id, user_id) DO NOTHING
      RETURNING *
    ),
    ${notificationCtes({
      to: { from: sql`(SELECT event.user_id FROM event JOIN inserted ON true) organizer` },
      type: "event_review",
      actorId: me,
      subjectType: "event",
      subjectId: input.eventId,
      data: sql`(SELECT jsonb_build_object('eventId', event.id, 'eventTitle', event.title, 'rating', inserted.rating)
        FROM event JOIN inserted ON true)`,
      coalesce: "subject",
    })},
    card AS (SELECT ${reviewColumns(sql`r`, sql`u`)} FROM inserted r JOIN users u ON u.id = r.user_id),
    ${idempotencyRecordCte(claim, { status: 201, from: sql`card`, body: sql`to_jsonb(card)` })}
    SELECT verdict.outcome, card.* FROM verdict LEFT JOIN card ON true`);
    const row = rows[0]!;
    if (row.outcome === "not_found") throw notFound("event");
    if (row.outcome !== "ok") throw REVIEW_REFUSALS[row.outcome]();
    if (row.id === null) throw alreadyReviewed();
    return toReview(row);
  };
  const { value, replayed } = await idempotent(ctx, claim, create, (stored) => toReview(stored.body as ReviewRow));
  return { review: value, replayed };
}

/**
 * The CTEs `event` and `target`: the review `reviewId` of the event `eventId`, as the viewer
 * may see it (both visible to them), its row locked for the change that follows.
 */
function targetReview(me: number, input: { eventId: number; reviewId: number }): SQL {
  return sql`${visibleEventCte(me, input.eventId)},
    target AS (
      SELECT r.id, r.user_id FROM event_reviews r JOIN event ON r.event_id = event.id
      WHERE r.id = ${input.reviewId} AND ${contributionVisibleTo(me, sql`r`)}
      FOR NO KEY UPDATE OF r
    )`;
}

/**
 * The review's author changes its rating, its text or both, in one statement (`updatedAt`
 * moves; an empty text removes it). A review the caller may not see (or of an event they may
 * not see) is 404; someone else's is 403; then a change of nothing is 400.
 */
export async function updateReview(
  { db, actor }: ActorCtx,
  input: { eventId: number; reviewId: number } & UpdateReviewBody,
): Promise<Review> {
  const me = actor.id;
  const changes = input.rating !== undefined || input.text !== undefined;
  const text = input.text === undefined ? sql`r.text` : sql`${input.text || null}::text`;
  const { rows } = await db.execute<ReviewRow & { found: boolean; mine: boolean }>(sql`
    WITH ${targetReview(me, input)},
    edited AS (
      UPDATE event_reviews r SET rating = coalesce(${input.rating ?? null}::smallint, r.rating), text = ${text}, updated_at = now()
      FROM target t WHERE r.id = t.id AND t.user_id = ${me} AND ${changes}::boolean
      RETURNING r.*
    )
    SELECT EXISTS (SELECT 1 FROM target) AS found, EXISTS (SELECT 1 FROM target WHERE user_id = ${me}) AS mine,
      ${reviewColumns(sql`r`, sql`u`)}
    FROM (SELECT 1) one LEFT JOIN edited r ON true LEFT JOIN users u ON u.id = r.user_id`);
  const row = rows[0]!;
  if (!row.found) throw notFound("review");
  if (!row.mine) throw notReviewAuthor();
  if (!changes) throw nothingToChange();
  return toReview(row);
}

/** The review's author deletes it, in one statement. 404 for a review the caller may not see; 403 for someone else's. */
export async function deleteReview({ db, actor }: ActorCtx, input: { eventId: number; reviewId: number }): Promise<void> {
  const me = actor.id;
  const { rows } = await db.execute<{ found: boolean; deleted: boolean }>(sql`
    WITH ${targetReview(me, input)},
    deleted AS (DELETE FROM event_reviews r USING target t WHERE r.id = t.id AND t.user_id = ${me} RETURNING r.id)
    SELECT EXISTS (SELECT 1 FROM target) AS found, EXISTS (SELECT 1 FROM deleted) AS deleted`);
  if (!rows[0]?.found) throw notFound("review");
  if (!rows[0].deleted) throw notReviewAuthor();
}

/** An event's reviews, newest first, by cursor, as {@link contributionsPage} reads them (event_reviews_event_idx). */
export function listReviews(ctx: Ctx, input: { eventId: number } & PageRequest): Promise<Page<Review>> {
  return contributionsPage(ctx, input, { table: sql`event_reviews`, columns: reviewColumns(sql`c`, sql`u`), item: toReview });
}
