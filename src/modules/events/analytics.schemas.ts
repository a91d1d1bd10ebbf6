import { z } from "@hono/zod-openapi";

const Day = z.string().openapi({ format: "date", example: "2026-05-01" });

export const EventAnalyticsSchema = z
  .object({
    eventId: z.number().int(),
    views: z.object({
      total: z.number().int(),
      byDay: z.array(z.object({ day: Day, views: z.number().int() })).openapi({ description: "UTC days, oldest first" }),
    }),
    rsvps: z.object({
      going: z.number().int(),
      interested: z.number().int(),
      waitlisted: z.number().int(),
      notGoing: z.number().int(),
      byDay: z
        .array(
          z.object({
            day: Day,
            going: z.number().int(),
            interested: z.number().int(),
            waitlisted: z.number().int(),
            notGoing: z.number().int(),
          }),
        )
        .openapi({ description: "The RSVPs first made each UTC day, oldest first, by their answer now" }),
    }),
    roles: z
      .object({
        leaders: z.number().int(),
        followers: z.number().int(),
        unspecified: z.number().int().openapi({ description: "Going without a dance role" }),
        maxLeaders: z.number().int().nullable(),
        maxFollowers: z.number().int().nullable(),
        waitlistedLeaders: z.number().int(),
        waitlistedFollowers: z.number().int(),
      })
      .openapi({ description: "The going dancers' role balance" }),
    checkIns: z.object({
      total: z.number().int(),
      going: z.number().int().openapi({ description: "Checked in with a going RSVP" }),
      walkIns: z.number().int().openapi({ description: "Checked in without a going RSVP" }),
      byTicket: z.number().int(),
      rate: z.number().nullable().openapi({ description: "Going dancers checked in, 0 to 1 (null when nobody is going)" }),
    }),
    reviews: z.object({
      count: z.number().int(),
      averageRating: z.number().nullable().openapi({ description: "Reviews not hidden by moderation, to 2 decimals" }),
    }),
  })
  .openapi("EventAnalytics");

export type EventAnalytics = z.infer<typeof EventAnalyticsSchema>;

/** The analytics statement's row. */
export interface AnalyticsRow extends Record<string, unknown> {
  manages: boolean;
  event_id: number;
  views: number;
  going_count: number;
  interested_count: number;
  waitlist_count: number;
  leaders_going: number;
  followers_going: number;
  max_leaders: number | null;
  max_followers: number | null;
  not_going: number;
  waitlisted_leaders: number;
  waitlisted_followers: number;
  checked_in: number;
  checked_in_going: number;
  checked_in_by_ticket: number;
  review_count: number;
  average_rating: string | null;
  views_by_day: { day: string; views: number }[] | null;
  rsvps_by_day: { day: string; going: number; interested: number; waitlisted: number; not_going: number }[] | null;
}

export function toAnalytics(row: AnalyticsRow): EventAnalytics {
  const going = Number(row.going_count);
  const leaders = Number(row.leaders_going);
  const followers = Number(row.followers_going);
  const checkedIn = Number(row.checked_in);
  const checkedInGoing = Number(row.checked_in_going);
  return {
    eventId: Number(row.event_id),
    views: { total: Number(row.views), byDay: (row.views_by_day ?? []).map((d) => ({ day: d.day, views: Number(d.views) })) },
    rsvps: {
      going,
      interested: Number(row.interested_count),
      waitlisted: Number(row.waitlist_count),
      notGoing: Number(row.not_going),
      byDay: (row.rsvps_by_day ?? []).map((d) => ({
        day: d.day,
        going: Number(d.going),
        interested: Number(d.interested),
        waitlisted: Number(d.waitlisted),
        notGoing: Number(d.not_going),
      })),
    },
    roles: {
      leaders,
      followers,
      unspecified: going - leaders - followers,
      maxLeaders: row.max_leaders === null ? null : Number(row.max_leaders),
      maxFollowers: row.max_followers === null ? null : Number(row.max_followers),
      waitlistedLeaders: Number(row.waitlisted_leaders),
      waitlistedFollowers: Number(row.waitlisted_followers),
    },
    checkIns: {
      total: checkedIn,
      going: checkedInGoing,
      walkIns: checkedIn - checkedInGoing,
      byTicket: Number(row.checked_in_by_ticket),
      rate: going === 0 ? null : Math.round((checkedInGoing / going) * 1000) / 1000,
    },
    reviews: { count: Number(row.review_count), averageRating: row.average_rating === null ? null : Number(row.average_rating) },
  };
}
