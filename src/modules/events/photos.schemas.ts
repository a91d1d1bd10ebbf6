import { z } from "@hono/zod-openapi";
import { multiLine } from "../../lib/text";
import { isoUtc } from "../../lib/time";
import { MediaUrl } from "../media";
import { UserCardSchema } from "../users";
import { type AuthorRow, authorCard, eventItemParams } from "./checkins.schemas";

export const AddPhotoBody = z
  .object({
    url: MediaUrl.openapi({ description: "An image uploaded with POST /api/media" }),
    caption: multiLine(300).optional().openapi({ description: "Empty after trimming means none" }),
  })
  .openapi("AddEventPhoto");

export type AddPhotoBody = z.infer<typeof AddPhotoBody>;

export const PhotoParams = eventItemParams("photoId");

export const PhotoSchema = z
  .object({
    id: z.number().int(),
    eventId: z.number().int(),
    author: UserCardSchema,
    url: z.string(),
    caption: z.string().nullable(),
    hidden: z.boolean().openapi({ description: "Hidden by moderation (only its author sees it then)" }),
    createdAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("EventPhoto");

export type Photo = z.infer<typeof PhotoSchema>;

/** The columns `photoColumns` (photos.conditions.ts) selects, as raw SQL rows give them. */
export interface PhotoRow extends AuthorRow, Record<string, unknown> {
  id: number;
  event_id: number;
  url: string;
  caption: string | null;
  hidden: boolean;
  created_key: string;
}

export function toPhoto(row: PhotoRow): Photo {
  return {
    id: Number(row.id),
    eventId: Number(row.event_id),
    author: authorCard(row),
    url: row.url,
    caption: row.caption,
    hidden: row.hidden,
    createdAt: isoUtc(row.created_key),
  };
}
