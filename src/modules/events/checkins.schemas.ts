import { z } from "@hono/zod-openapi";
import { CHECK_IN_METHODS } from "../../../drizzle/events";
import { INT4_MAX, PositiveIntId } from "../../lib/text";
import { isoUtc } from "../../lib/time";
import { type UserCard, UserCardSchema } from "../users";

/** `/api/events/{id}/<items>/{<name>}`: an event and one thing dancers added to it (a review, a photo). */
export function eventItemParams<K extends string>(name: K) {
  const item = { [name]: PositiveIntId.openapi({ param: { name, in: "path" }, example: "7" }) } as Record<K, typeof PositiveIntId>;
  return z.object({ id: PositiveIntId.openapi({ param: { name: "id", in: "path" }, example: "42" }), ...item });
}

/** The `author_*` columns `authorColumns` (checkins.conditions.ts) selects. */
export interface AuthorRow {
  author_id: number;
  author_username: string;
  author_name: string;
  author_profile_image: string | null;
}

/** The card of whoever added a review or a photo. */
export function authorCard(row: AuthorRow): UserCard {
  return { id: Number(row.author_id), username: row.author_username, name: row.author_name, profileImage: row.author_profile_image };
}

/** A ticket code as tickets carry it: letters and digits (32 hex digits today), at most 32. */
export const TicketCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9]{1,32}$/, "Letters and digits, at most 32")
  .openapi({ description: "The code on the dancer's ticket (letter case does not matter)", example: "9f86d081884c7d659a2feaa0c55ad015" });

/**
 * Who to check in: exactly one of the two fields. Which one is checked after the event and the
 * caller's right to it (see checkins.service.ts), so that a caller who may not check anyone in
 * learns nothing more from a 400 than from the 404 or 403 they get.
 */
export const CheckInBody = z
  .object({
    userId: z.number().int().min(1).max(INT4_MAX).optional().openapi({ description: "Check this dancer in (or give ticketCode)" }),
    ticketCode: TicketCode.optional(),
  })
  .openapi("CheckInRequest");

export type CheckInBody = z.infer<typeof CheckInBody>;

export const CheckInSchema = z
  .object({
    eventId: z.number().int(),
    user: UserCardSchema.openapi({ description: "The dancer checked in" }),
    method: z.enum(CHECK_IN_METHODS).openapi({ description: "By name (`user`) or by ticket code (`ticket`)" }),
    ticketId: z.number().int().nullable().openapi({ description: "The dancer's ticket for the event, when they hold one" }),
    checkedInBy: z.number().int().nullable().openapi({ description: "The organizer who checked them in" }),
    checkedInAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("CheckIn");

export type CheckIn = z.infer<typeof CheckInSchema>;

/** A check-in as the statements select it. */
export interface CheckInRow extends Record<string, unknown> {
  event_id: number;
  user_id: number;
  username: string;
  name: string;
  profile_image: string | null;
  method: CheckIn["method"];
  ticket_id: number | null;
  checked_in_by: number | null;
  checked_in_key: string;
}

export function toCheckIn(row: CheckInRow): CheckIn {
  return {
    eventId: Number(row.event_id),
    user: { id: Number(row.user_id), username: row.username, name: row.name, profileImage: row.profile_image },
    method: row.method,
    ticketId: row.ticket_id === null ? null : Number(row.ticket_id),
    checkedInBy: row.checked_in_by === null ? null : Number(row.checked_in_by),
    checkedInAt: isoUtc(row.checked_in_key),
  };
}
