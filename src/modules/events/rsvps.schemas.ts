import { z } from "@hono/zod-openapi";
import { DANCE_ROLES, RSVP_STATUSES } from "../../../drizzle/events";
import { isoUtc } from "../../lib/time";
import { TicketSchema } from "./tickets.schemas";

export const DanceRoleSchema = z.enum(DANCE_ROLES).openapi({ description: "The dance role counted against the event's role caps" });
export type DanceRole = z.infer<typeof DanceRoleSchema>;

export const RsvpBody = z
  .object({
    status: z.enum(RSVP_STATUSES).openapi({ description: "The dancer's answer; `going` on a full event joins the waitlist" }),
    role: DanceRoleSchema.optional().openapi({
      description: "Leader or follower. Required for `going` when the event caps a role; left out, the stored role is kept",
    }),
  })
  .openapi("RsvpBody");

export type RsvpInput = z.infer<typeof RsvpBody>;

/** The ticket in an RSVP's answer: what the dancer needs at the door. */
export const TicketStateSchema = TicketSchema.pick({ code: true, status: true, createdAt: true }).openapi("TicketState");

/** The event's counters after the change (the same numbers the capacity and caps are checked against). */
export const RsvpCountsSchema = z
  .object({
    going: z.number().int(),
    leaders: z.number().int(),
    followers: z.number().int(),
    interested: z.number().int(),
    waitlisted: z.number().int(),
  })
  .openapi("RsvpCounts");

/** What an RSVP answers: the dancer's state now, the same on a repeat. */
export const RsvpSchema = z
  .object({
    eventId: z.number().int(),
    status: z.enum(RSVP_STATUSES).openapi({ description: "The answer as given (a waitlisted dancer answered `going`)" }),
    waitlisted: z.boolean().openapi({ description: "True when `going` found the event, or the dancer's role, full" }),
    position: z.number().int().nullable().openapi({ description: "Place in the waitlist (1 = next to get a seat); null when not waitlisted" }),
    role: DanceRoleSchema.nullable(),
    ticket: TicketStateSchema.nullable().openapi({ description: "The dancer's ticket, on a paid event while going" }),
    counts: RsvpCountsSchema,
  })
  .openapi("Rsvp");

export type Rsvp = z.infer<typeof RsvpSchema>;

/** The row the RSVP statement returns (raw SQL: snake_case, driver text values). */
export interface RsvpRow extends Record<string, unknown> {
  outcome: string;
  status: string | null;
  role: DanceRole | null;
  position: number | string | null;
  ticket_code: string | null;
  ticket_status: "active" | "cancelled" | null;
  ticket_created_key: string | null;
  going_count: number | string;
  leaders_going: number | string;
  followers_going: number | string;
  interested_count: number | string;
  waitlist_count: number | string;
  promoted: number | string;
}

/** Shapes the statement's row for the dancer who answered. */
export function toRsvp(eventId: number, row: RsvpRow): Rsvp {
  const waitlisted = row.status === "waitlisted";
  return {
    eventId,
    status: waitlisted ? "going" : (row.status as Rsvp["status"]),
    waitlisted,
    position: waitlisted && row.position !== null ? Number(row.position) : null,
    role: row.role,
    ticket:
      row.ticket_code === null
        ? null
        : { code: row.ticket_code, status: row.ticket_status ?? "active", createdAt: isoUtc(row.ticket_created_key ?? new Date(0)) },
    counts: {
      going: Number(row.going_count),
      leaders: Number(row.leaders_going),
      followers: Number(row.followers_going),
      interested: Number(row.interested_count),
      waitlisted: Number(row.waitlist_count),
    },
  };
}
