import { z } from "@hono/zod-openapi";

/** The personal feed's address: shown once, when it is made (only the token's SHA-256 is kept). */
export const CalendarFeedSchema = z
  .object({
    url: z.string().openapi({ example: "https://api.mundotango.life/api/calendar/3q2-7wR...x.ics" }),
    createdAt: z.string(),
  })
  .openapi("CalendarFeed");

export type CalendarFeed = z.infer<typeof CalendarFeedSchema>;

/** `{feed}`: the secret token (32 random bytes, base64url) followed by `.ics`. */
export const FeedParam = z.object({
  feed: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}\.ics$/, "A calendar feed's secret token followed by .ics")
    .openapi({ param: { name: "feed", in: "path" }, example: `${"a".repeat(43)}.ics` }),
});

/** An iCalendar document (RFC 5545), for a route's `responses`. */
export const icsContent = (description: string) => ({
  content: { "text/calendar": { schema: z.string().openapi({ description: "iCalendar (RFC 5545)" }) } },
  description,
});

/** An events row as the calendar statements select it. */
export interface CalendarEventRow extends Record<string, unknown> {
  id: number;
  title: string;
  description: string;
  event_type: string;
  location: string;
  latitude: string | null;
  longitude: string | null;
  start_date: string;
  end_date: string | null;
  status: string | null;
  tags: string[] | null;
  sequence: number;
  created_at: string | null;
  updated_at: string | null;
  /** Null unless the viewer may see it (going, or organizing). */
  meeting_url: string | null;
}
