import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { notBlockedBetween } from "../blocks";
import { notificationCtes } from "../notifications";
import { accountUsable } from "../users";
import { reviewColumns } from "./housing.cards";
import { homeVisibleTo } from "./housing.conditions";
import type { ReviewInput } from "./housing.input";
import { alreadyReviewed, bookingNotFound, listingNotFound, stayNotCompleted } from "./housing.policy";
import { type HousingReview, type HousingReviewRow, toHousingReview } from "./housing.schemas";

type Outcome = "ok" | "not_found" | "not_completed";

/**
 * One side of a completed stay reviews the other, in one statement: the guest reviews the home
 * (`guest_to_home`, about its host), the host reviews the guest (`host_to_guest`). Once per
 * side: the unique (booking_id, direction) index makes a second a 409 `already_reviewed`,
 * also when two arrive at once. A guest's review moves the home's counters (`review_count`,
 * `rating_sum`) in the same statement, and the reviewed side is told (`housing_review`).
 * Neither side of the stay: 404; a stay not completed: 409 `stay_not_completed`. The listing's
 * row is key-share locked first, as the other stay writes do, so a review racing the listing's
 * deletion waits for it (and then finds no stay: 404) instead of deadlocking with its cascade.
 */
export async function reviewStay(ctx: ActorCtx, input: { bookingId: number } & ReviewInput): Promise<HousingReview> {
  const { db, actor } = ctx;
  const me = actor.id;
  const { rows } = await db.execute<HousingReviewRow & { outcome: Outcome }>(sql`
    WITH stay AS (
      SELECT b.id, b.home_id, b.guest_id, b.status, h.user_id AS host_id,
             CASE WHEN b.guest_id = ${me} THEN 'guest_to_home' ELSE 'host_to_guest' END AS direction,
             CASE WHEN b.guest_id = ${me} THEN h.user_id ELSE b.guest_id END AS reviewee_id
      FROM guest_bookings b JOIN host_homes h ON h.id = b.home_id
      WHERE b.id = ${input.bookingId} AND (b.guest_id = ${me} OR h.user_id = ${me})
      FOR KEY SHARE OF h
    ),
    verdict AS (
      SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM stay) THEN 'not_found'
                  WHEN (SELECT status FROM stay) <> 'completed' THEN 'not_completed'
                  ELSE 'ok' END AS outcome
    ),
    inserted AS (
      INSERT INTO housing_reviews (booking_id, home_id, reviewer_id, reviewee_id, direction, rating, comment)
      SELECT s.id, s.home_id, ${me}, s.reviewee_id, s.direction, ${input.rating}, ${input.comment || null}::text
      FROM stay s JOIN verdict v ON v.outcome = 'ok'
      ON CONFLICT (booking_id, direction) DO NOTHING
      RETURNING *
    ),
    counted AS (
      UPDATE host_homes h SET review_count = h.review_count + 1, rating_sum = h.rating_sum + i.rating
      FROM inserted i WHERE h.id = i.home_id AND i.direction = 'guest_to_home'
      RETURNING h.id
    ),
    ${notificationCtes({
      to: { from: sql`(SELECT i.reviewee_id AS user_id, i.booking_id, i.home_id, i.rating, i.direction FROM inserted i) reviewed` },
      type: "housing_review",
      actorId: me,
      subjectType: "booking",
      subjectId: sql`recipient.booking_id`,
      data: sql`jsonb_build_object('bookingId', recipient.booking_id, 'homeId', recipient.home_id, 'rating', recipient.rating,
        'direction', recipient.direction)`,
    })},
    card AS (SELECT ${reviewColumns(sql`r`, sql`u`)} FROM inserted r JOIN users u ON u.id = r.reviewer_id)
    SELECT v.outcome, card.* FROM verdict v LEFT JOIN card ON true`);
  const row = rows[0]!;
  if (row.outcome === "not_found") throw bookingNotFound();
  if (row.outcome === "not_completed") throw stayNotCompleted();
  if (row.id === null) throw alreadyReviewed();
  ctx.logger.info("stay reviewed", { code: "housing_review", bookingId: input.bookingId, direction: row.direction });
  return toHousingReview(row);
}

const Id = z.number().int().min(1).max(2_147_483_647);
const BY_ID = { by: [sql`r.id`], direction: "desc", cursor: z.tuple([Id]) } as const;
const byId = { item: toHousingReview, key: (row: HousingReviewRow) => [Number(row.id)] as [number] };

/** Reviews by usable accounts the viewer is not blocked with (either way). */
const reviewerShown = (viewerId: number | null) => sql`${accountUsable(sql`u`)} AND ${notBlockedBetween(viewerId, sql`u.id`)}`;

/**
 * The guests' reviews of a listing, newest first, by cursor, in one statement
 * (housing_reviews_home_idx). The listing must be one the viewer may see (404 otherwise).
 */
export async function listListingReviews({ db, actor }: Ctx, input: PageRequest & { listingId: number }): Promise<Page<HousingReview>> {
  const viewerId = actor?.id ?? null;
  let found = false;
  const page = await sortedPage(
    input,
    BY_ID,
    async (keyset) => {
      const { rows } = await db.execute<HousingReviewRow & { found: boolean }>(sql`
        SELECT home.id IS NOT NULL AS found, page.*
        FROM (SELECT 1) one
        LEFT JOIN (SELECT h.id FROM host_homes h WHERE h.id = ${input.listingId} AND ${homeVisibleTo(viewerId, sql`h`)}) home ON true
        LEFT JOIN LATERAL (
          SELECT ${reviewColumns(sql`r`, sql`u`)} FROM housing_reviews r JOIN users u ON u.id = r.reviewer_id
          WHERE r.home_id = home.id AND r.direction = 'guest_to_home' AND ${reviewerShown(viewerId)} AND ${keyset.after}
          ORDER BY ${keyset.order} LIMIT ${keyset.limit}
        ) page ON home.id IS NOT NULL
        ORDER BY page.id DESC`);
      found = rows[0]?.found ?? false;
      return rows.filter((row) => row.id !== null);
    },
    byId,
  );
  if (!found) throw listingNotFound();
  return page;
}

/**
 * The reviews about a dancer, as a host (guests' reviews of their homes) and as a guest (hosts'
 * reviews of them), newest first, by cursor, in one statement (housing_reviews_reviewee_idx).
 * A dancer the viewer may not see (closed or suspended, or a block either way) is a 404.
 */
export async function listUserReviews({ db, actor }: Ctx, input: PageRequest & { userId: number }): Promise<Page<HousingReview>> {
  const viewerId = actor?.id ?? null;
  let found = false;
  const page = await sortedPage(
    input,
    BY_ID,
    async (keyset) => {
      const { rows } = await db.execute<HousingReviewRow & { found: boolean }>(sql`
        SELECT dancer.id IS NOT NULL AS found, page.*
        FROM (SELECT 1) one
        LEFT JOIN (
          SELECT d.id FROM users d WHERE d.id = ${input.userId} AND ${accountUsable(sql`d`)} AND ${notBlockedBetween(viewerId, sql`d.id`)}
        ) dancer ON true
        LEFT JOIN LATERAL (
          SELECT ${reviewColumns(sql`r`, sql`u`)} FROM housing_reviews r JOIN users u ON u.id = r.reviewer_id
          WHERE r.reviewee_id = dancer.id AND ${reviewerShown(viewerId)} AND ${keyset.after}
          ORDER BY ${keyset.order} LIMIT ${keyset.limit}
        ) page ON dancer.id IS NOT NULL
        ORDER BY page.id DESC`);
      found = rows[0]?.found ?? false;
      return rows.filter((row) => row.id !== null);
    },
    byId,
  );
  if (!found) throw notFound("user");
  return page;
}
