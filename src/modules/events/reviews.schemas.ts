import { z } from "@hono/zod-openapi";
import { multiLine } from "../../lib/text";
import { isoUtc } from "../../lib/time";
import { UserCardSchema } from "../users";
import { type AuthorRow, authorCard, eventItemParams } from "./checkins.schemas";

const Rating = z.number().int().min(1).max(5).openapi({ description: "1 (poor) to 5 (wonderful)", example: 5 });
const ReviewText = multiLine(2000).openapi({ description: "What the night was like; empty after trimming means none" });

export const CreateReviewBody = z.object({ rating: Rating, text: ReviewText.optional() }).openapi("CreateEventReview");

/**
 * A review's change: the rating, the text or both. A change of nothing is a 400, decided after
 * the review and the caller's right to it (reviews.service.ts), so that someone who may not
 * edit it learns nothing more from a 400 than from the 404 or 403 they get.
 */
export const UpdateReviewBody = z
  .object({ rating: Rating.optional(), text: ReviewText.optional() })
  .openapi("UpdateEventReview");

export type CreateReviewBody = z.infer<typeof CreateReviewBody>;
export type UpdateReviewBody = z.infer<typeof UpdateReviewBody>;

export const ReviewParams = eventItemParams("reviewId");

export const ReviewSchema = z
  .object({
    id: z.number().int(),
    eventId: z.number().int(),
    author: UserCardSchema,
    rating: z.number().int(),
    text: z.string().nullable(),
    edited: z.boolean(),
    hidden: z.boolean().openapi({ description: "Hidden by moderation (only its author sees it then)" }),
    createdAt: z.string().openapi({ format: "date-time" }),
    updatedAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("EventReview");

export type Review = z.infer<typeof ReviewSchema>;

/** The columns `reviewColumns` (reviews.conditions.ts) selects, as raw SQL rows give them. */
export interface ReviewRow extends AuthorRow, Record<string, unknown> {
  id: number;
  event_id: number;
  rating: number;
  text: string | null;
  hidden: boolean;
  created_key: string;
  updated_key: string;
}

export function toReview(row: ReviewRow): Review {
  return {
    id: Number(row.id),
    eventId: Number(row.event_id),
    author: authorCard(row),
    rating: Number(row.rating),
    text: row.text,
    edited: row.updated_key !== row.created_key,
    hidden: row.hidden,
    createdAt: isoUtc(row.created_key),
    updatedAt: isoUtc(row.updated_key),
  };
}
