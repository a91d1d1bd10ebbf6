import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import { UserCardSchema } from "../users";
import { DanceRoleSchema } from "./rsvps.schemas";

export const ATTENDEE_LISTS = ["going", "interested", "waitlisted"] as const;
export type AttendeeList = (typeof ATTENDEE_LISTS)[number];

export const AttendeesQuery = PageQuery.extend({
  status: z
    .enum(ATTENDEE_LISTS)
    .default("going")
    .openapi({ description: "Which dancers: `going` (the default), `interested`, or `waitlisted` (organizers only)" }),
});

/** A dancer on an event's attendee list: their card, their answer and role. */
export const AttendeeSchema = UserCardSchema.extend({
  status: z.enum(ATTENDEE_LISTS),
  role: DanceRoleSchema.nullable(),
  respondedAt: z.string().openapi({ format: "date-time", description: "When the dancer last changed their answer" }),
  position: z.number().int().nullable().openapi({ description: "Place in the waitlist (1 = next), on the waitlist only" }),
}).openapi("Attendee");

export type Attendee = z.infer<typeof AttendeeSchema>;

/** An attendee row as the list statement selects it. */
export interface AttendeeRow extends Record<string, unknown> {
  rsvp_id: number;
  rsvp_key: string;
  queue_key: string | null;
  responded_key: string | null;
  status: AttendeeList;
  role: Attendee["role"];
  position: number | string | null;
  id: number;
  username: string;
  name: string;
  profile_image: string | null;
}

export function toAttendee(row: AttendeeRow): Attendee {
  return {
    id: Number(row.id),
    username: row.username,
    name: row.name,
    profileImage: row.profile_image,
    status: row.status,
    role: row.role,
    respondedAt: isoUtc(row.responded_key ?? row.rsvp_key),
    position: row.position === null ? null : Number(row.position),
  };
}
