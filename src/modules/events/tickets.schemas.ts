import { z } from "@hono/zod-openapi";
import { TICKET_STATUSES } from "../../../drizzle/events";
import { isoUtc } from "../../lib/time";

/** The event a ticket is for, as the ticket shows it. */
export const TicketEventSchema = z
  .object({
    id: z.number().int(),
    title: z.string(),
    startDate: z.string().openapi({ format: "date-time" }),
    endDate: z.string().nullable().openapi({ format: "date-time" }),
    timezone: z.string().openapi({ description: "The IANA zone of the event's local times", example: "America/Argentina/Buenos_Aires" }),
    location: z.string(),
    city: z.string().nullable(),
    country: z.string().nullable(),
    status: z.string().openapi({ description: "published or cancelled (a draft only to its organizers)" }),
  })
  .openapi("TicketEvent");

/** A ticket as its holder sees it; no one else ever does (the code gets them in at the door). */
export const TicketSchema = z
  .object({
    id: z.number().int(),
    code: z.string().openapi({ description: "32 hex characters (128 random bits), unique", example: "9f1c0a6e5b7d4c3a2e1f0a9b8c7d6e5f" }),
    status: z.enum(TICKET_STATUSES).openapi({ description: "`cancelled` once the holder stopped going, or the event was cancelled" }),
    createdAt: z.string().openapi({ format: "date-time" }),
    cancelledAt: z.string().nullable().openapi({ format: "date-time" }),
    event: TicketEventSchema,
  })
  .openapi("Ticket");

export type Ticket = z.infer<typeof TicketSchema>;

/** A ticket row with its event, as the ticket statements select them. */
export interface TicketRow extends Record<string, unknown> {
  id: number;
  code: string;
  status: Ticket["status"];
  created_key: string;
  cancelled_key: string | null;
  event_id: number;
  title: string;
  start_key: string;
  end_key: string | null;
  timezone: string;
  location: string;
  city: string | null;
  country: string | null;
  event_status: string;
}

export function toTicket(row: TicketRow): Ticket {
  return {
    id: Number(row.id),
    code: row.code,
    status: row.status,
    createdAt: isoUtc(row.created_key),
    cancelledAt: isoUtc(row.cancelled_key),
    event: {
      id: Number(row.event_id),
      title: row.title,
      startDate: isoUtc(row.start_key),
      endDate: isoUtc(row.end_key),
      timezone: row.timezone,
      location: row.location,
      city: row.city,
      country: row.country,
      status: row.event_status,
    },
  };
}
