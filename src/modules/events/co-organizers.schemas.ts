import { z } from "@hono/zod-openapi";
import { INT4_MAX, PositiveIntId } from "../../lib/text";
import { isoUtc } from "../../lib/time";
import { UserCardSchema } from "../users";

/** `{id}` the event and `{userId}` the co-organizer, positive int4 ids in canonical digits. */
export const CoOrganizerParams = z.object({
  id: PositiveIntId.openapi({ param: { name: "id", in: "path" }, example: "42" }),
  userId: PositiveIntId.openapi({ param: { name: "userId", in: "path" }, example: "7" }),
});

export const AddCoOrganizerBody = z
  .object({
    userId: z.number().int().min(1).max(INT4_MAX).openapi({ description: "The dancer who will co-organize", example: 7 }),
  })
  .openapi("AddCoOrganizer");

/** A co-organizer: the dancer's card and when they were named. */
export const CoOrganizerSchema = UserCardSchema.extend({
  addedAt: z.string().openapi({ format: "date-time" }),
}).openapi("CoOrganizer");

export type CoOrganizer = z.infer<typeof CoOrganizerSchema>;

export interface CoOrganizerRow extends Record<string, unknown> {
  id: number;
  username: string;
  name: string;
  profile_image: string | null;
  added_at: string;
}

export function toCoOrganizer(row: CoOrganizerRow): CoOrganizer {
  return {
    id: Number(row.id),
    username: row.username,
    name: row.name,
    profileImage: row.profile_image,
    addedAt: isoUtc(row.added_at),
  };
}
