import { z } from "@hono/zod-openapi";
import { EVENT_TYPES, SERIES_FREQUENCIES } from "../../../drizzle/events";
import { HttpUrl, INT4_MAX, multiLine, singleLine } from "../../lib/text";
import { isoUtc } from "../../lib/time";
import { type UserCard, UserCardSchema } from "../users";
import { canonicalTimeZone, isIanaTimeZone, WEEKDAYS, WEEKS_OF_MONTH, type WeekOfMonth } from "./series.rule";

/** The limits of a series' request bodies. */
export const SERIES_LIMITS = {
  title: 200,
  description: 5000,
  place: 300,
  tags: 20,
  tag: 50,
  /** An occurrence lasts at most a week. */
  durationMinutes: 7 * 24 * 60,
  capacity: 100_000,
  /** Occurrences the series card lists. */
  upcoming: 20,
} as const;

const IsoDate = z.iso
  .date()
  .refine((date) => date >= "2000-01-01" && date <= "2100-12-31", "A date between 2000 and 2100")
  .openapi({ example: "2026-12-03" });

const TimeZone = z
  .string()
  .max(64)
  .refine(isIanaTimeZone, { message: "An IANA time zone name, e.g. America/Argentina/Buenos_Aires", abort: true })
  .transform(canonicalTimeZone)
  .openapi({ example: "America/Argentina/Buenos_Aires", description: "IANA time zone the local start time is in" });

const Capacity = z.number().int().min(1).max(SERIES_LIMITS.capacity);

/** The template fields an edit may change (each occurrence copies them). */
const TemplateFields = z.object({
  title: singleLine(SERIES_LIMITS.title, 1).openapi({ example: "Milonga del Jueves" }),
  description: multiLine(SERIES_LIMITS.description, 1).openapi({ example: "Tango every Thursday night" }),
  eventType: z.enum(EVENT_TYPES),
  location: singleLine(SERIES_LIMITS.place, 1).openapi({ example: "Salon Canning, Buenos Aires" }),
  venue: singleLine(SERIES_LIMITS.place).nullable(),
  address: singleLine(SERIES_LIMITS.place).nullable(),
  city: singleLine(100).nullable(),
  country: singleLine(100).nullable(),
  latitude: z.number().min(-90).max(90).nullable(),
  longitude: z.number().min(-180).max(180).nullable(),
  isOnline: z.boolean(),
  meetingUrl: HttpUrl.nullable().openapi({ description: "Shown only to the organizer here; on occurrences, to dancers going" }),
  isPaid: z.boolean(),
  price: z
    .string()
    .regex(/^\d{1,7}(\.\d{1,2})?$/, "A decimal amount, e.g. 15 or 15.50")
    .nullable()
    .openapi({ example: "15.00" }),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, "An ISO 4217 code, e.g. ARS")
    .nullable()
    .openapi({ example: "ARS" }),
  maxAttendees: Capacity.nullable(),
  maxLeaders: Capacity.nullable(),
  maxFollowers: Capacity.nullable(),
  tags: z.array(singleLine(SERIES_LIMITS.tag, 1)).max(SERIES_LIMITS.tags),
  imageUrl: HttpUrl.nullable().openapi({ description: "A cover image uploaded with POST /api/media" }),
  startTime: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "A local time HH:MM (24 h)")
    .openapi({ example: "21:00", description: "Local start time in the series' time zone" }),
  durationMinutes: z.number().int().min(1).max(SERIES_LIMITS.durationMinutes).openapi({ example: 240 }),
});

type Checked = {
  latitude?: number | null;
  longitude?: number | null;
  price?: string | null;
  currency?: string | null;
  maxAttendees?: number | null;
  maxLeaders?: number | null;
  maxFollowers?: number | null;
};

/** The rules between fields, for a create and for the fields an edit names together. */
function checkTemplate(body: Checked, ctx: z.RefinementCtx): void {
  if ((body.latitude !== undefined || body.longitude !== undefined) && (body.latitude == null) !== (body.longitude == null)) {
    ctx.addIssue({ code: "custom", path: ["longitude"], message: "Give both latitude and longitude, or neither" });
  }
  if (body.price != null && body.currency == null) {
    ctx.addIssue({ code: "custom", path: ["currency"], message: "A price needs its currency" });
  }
  for (const cap of ["maxLeaders", "maxFollowers"] as const) {
    const value = body[cap];
    if (value != null && body.maxAttendees != null && value > body.maxAttendees) {
      ctx.addIssue({ code: "custom", path: [cap], message: "A role cap cannot exceed maxAttendees" });
    }
  }
}

export const CreateSeriesBody = TemplateFields.partial({
  venue: true,
  address: true,
  city: true,
  country: true,
  latitude: true,
  longitude: true,
  isOnline: true,
  meetingUrl: true,
  isPaid: true,
  price: true,
  currency: true,
  maxAttendees: true,
  maxLeaders: true,
  maxFollowers: true,
  tags: true,
  imageUrl: true,
})
  .extend({
    groupId: z.number().int().min(1).max(INT4_MAX).nullable().optional().openapi({
      description: "The hosting group: the creator must be one of its admins or moderators",
    }),
    status: z.enum(["published", "draft"]).default("published").openapi({
      description: "A draft series makes draft occurrences, seen only by the organizer",
    }),
    timezone: TimeZone,
    frequency: z.enum(SERIES_FREQUENCIES).openapi({ description: "weekly, or monthly on the nth (or last) weekday" }),
    interval: z.number().int().min(1).max(12).default(1).openapi({ description: "Every n weeks or months" }),
    weekday: z.enum(WEEKDAYS).openapi({ example: "thursday" }),
    weekOfMonth: z
      .enum(Object.keys(WEEKS_OF_MONTH) as [WeekOfMonth, ...WeekOfMonth[]])
      .optional()
      .openapi({ description: "Monthly series only: which weekday of the month (first ... fourth, last)" }),
    startsOn: IsoDate.openapi({ description: "The first local date the series may fall on" }),
    until: IsoDate.nullable().optional().openapi({ description: "The last local date it may fall on (inclusive); none: open-ended" }),
  })
  .superRefine((body, ctx) => {
    checkTemplate(body, ctx);
    if (body.frequency === "monthly" && body.weekOfMonth === undefined) {
      ctx.addIssue({ code: "custom", path: ["weekOfMonth"], message: "A monthly series needs weekOfMonth" });
    }
    if (body.frequency === "weekly" && body.weekOfMonth !== undefined) {
      ctx.addIssue({ code: "custom", path: ["weekOfMonth"], message: "Only a monthly series takes weekOfMonth" });
    }
    if (body.until != null && body.until < body.startsOn) {
      ctx.addIssue({ code: "custom", path: ["until"], message: "until is before startsOn" });
    }
  })
  .openapi("CreateEventSeries");

export type CreateSeriesInput = z.infer<typeof CreateSeriesBody>;

/**
 * Any subset of the template fields, and `status: "published"` to publish a draft series; the
 * rule itself (frequency, weekday, time zone, dates) is fixed: cancel and create another.
 */
export const UpdateSeriesBody = TemplateFields.partial()
  .extend({ status: z.enum(["published"]).optional().openapi({ description: "Publishes a draft series and its occurrences" }) })
  .superRefine(checkTemplate)
  .openapi("UpdateEventSeries");

export type UpdateSeriesInput = z.infer<typeof UpdateSeriesBody>;

export const SeriesOccurrenceSchema = z
  .object({
    id: z.number().int().openapi({ description: "The occurrence's event id (it takes RSVPs as any event)" }),
    occurrenceOn: z.string().openapi({ example: "2026-12-03", description: "Its local date" }),
    startDate: z.string(),
    endDate: z.string().nullable(),
    status: z.string(),
    detached: z.boolean().openapi({ description: "Edited alone: series edits leave it as it is" }),
    sequence: z.number().int(),
    goingCount: z.number().int(),
    waitlistCount: z.number().int(),
    maxAttendees: z.number().int().nullable(),
  })
  .openapi("EventSeriesOccurrence");

export type SeriesOccurrence = z.infer<typeof SeriesOccurrenceSchema>;

export const SeriesSchema = z
  .object({
    id: z.number().int(),
    organizer: UserCardSchema,
    groupId: z.number().int().nullable(),
    title: z.string(),
    description: z.string(),
    eventType: z.string(),
    location: z.string(),
    venue: z.string().nullable(),
    address: z.string().nullable(),
    city: z.string().nullable(),
    country: z.string().nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    isOnline: z.boolean(),
    meetingUrl: z.string().nullable().openapi({ description: "The organizer's only" }),
    isPaid: z.boolean(),
    price: z.string().nullable(),
    currency: z.string().nullable(),
    maxAttendees: z.number().int().nullable(),
    maxLeaders: z.number().int().nullable(),
    maxFollowers: z.number().int().nullable(),
    tags: z.array(z.string()),
    imageUrl: z.string().nullable(),
    status: z.string(),
    timezone: z.string(),
    frequency: z.string(),
    interval: z.number().int(),
    weekday: z.enum(WEEKDAYS),
    weekOfMonth: z.string().nullable(),
    startTime: z.string(),
    durationMinutes: z.number().int(),
    startsOn: z.string(),
    until: z.string().nullable(),
    materializedUntil: z.string().nullable().openapi({ description: "Occurrences exist up to this local date" }),
    sequence: z.number().int(),
    isOrganizer: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
    upcoming: z.array(SeriesOccurrenceSchema).openapi({ description: `The next ${SERIES_LIMITS.upcoming} occurrences the viewer may see` }),
  })
  .openapi("EventSeries");

export type Series = z.infer<typeof SeriesSchema>;

export const SeriesCancelSchema = z
  .object({
    series: SeriesSchema,
    cancelled: z.number().int().openapi({ description: "Future occurrences cancelled by this call" }),
  })
  .openapi("EventSeriesCancelled");

/** A series row as its statements select it (snake_case, driver text values). */
export interface SeriesRow extends Record<string, unknown> {
  id: number;
  user_id: number;
  organizer_username: string;
  organizer_name: string;
  organizer_profile_image: string | null;
  group_id: number | null;
  title: string;
  description: string;
  event_type: string;
  location: string;
  venue: string | null;
  address: string | null;
  city: string | null;
  country: string | null;
  latitude: string | null;
  longitude: string | null;
  is_online: boolean;
  meeting_url: string | null;
  is_paid: boolean;
  price: string | null;
  currency: string | null;
  max_attendees: number | null;
  max_leaders: number | null;
  max_followers: number | null;
  tags: string[] | null;
  image_url: string | null;
  status: string;
  timezone: string;
  frequency: string;
  interval: number;
  weekday: number;
  ordinal: number | null;
  start_time: string;
  duration_minutes: number;
  starts_on: string;
  until: string | null;
  materialized_until: string | null;
  sequence: number;
  is_organizer: boolean;
  created_at: string;
  updated_at: string;
  upcoming: OccurrenceRow[] | null;
}

/** An occurrence as `json_build_object` gives it. */
export interface OccurrenceRow {
  id: number;
  occurrence_on: string;
  start_date: string;
  end_date: string | null;
  status: string | null;
  detached: boolean;
  sequence: number;
  going_count: number;
  waitlist_count: number;
  max_attendees: number | null;
}

const numberOrNull = (value: string | number | null) => (value === null ? null : Number(value));
const weekOfMonthName = (ordinal: number | null) =>
  (Object.entries(WEEKS_OF_MONTH).find(([, n]) => n === ordinal)?.[0] as WeekOfMonth | undefined) ?? null;

export function toOccurrence(row: OccurrenceRow): SeriesOccurrence {
  return {
    id: Number(row.id),
    occurrenceOn: row.occurrence_on,
    startDate: isoUtc(row.start_date),
    endDate: isoUtc(row.end_date),
    status: row.status ?? "published",
    detached: row.detached,
    sequence: Number(row.sequence),
    goingCount: Number(row.going_count),
    waitlistCount: Number(row.waitlist_count),
    maxAttendees: numberOrNull(row.max_attendees),
  };
}

/** Shapes a series row for the API: the meeting URL only for its organizer. */
export function toSeries(row: SeriesRow): Series {
  const organizer: UserCard = {
    id: Number(row.user_id),
    username: row.organizer_username,
    name: row.organizer_name,
    profileImage: row.organizer_profile_image,
  };
  return {
    id: Number(row.id),
    organizer,
    groupId: numberOrNull(row.group_id),
    title: row.title,
    description: row.description,
    eventType: row.event_type,
    location: row.location,
    venue: row.venue,
    address: row.address,
    city: row.city,
    country: row.country,
    latitude: numberOrNull(row.latitude),
    longitude: numberOrNull(row.longitude),
    isOnline: row.is_online,
    meetingUrl: row.is_organizer ? row.meeting_url : null,
    isPaid: row.is_paid,
    price: row.price,
    currency: row.currency,
    maxAttendees: numberOrNull(row.max_attendees),
    maxLeaders: numberOrNull(row.max_leaders),
    maxFollowers: numberOrNull(row.max_followers),
    tags: row.tags ?? [],
    imageUrl: row.image_url,
    status: row.status,
    timezone: row.timezone,
    frequency: row.frequency,
    interval: Number(row.interval),
    weekday: WEEKDAYS[Number(row.weekday)]!,
    weekOfMonth: weekOfMonthName(row.ordinal === null ? null : Number(row.ordinal)),
    startTime: row.start_time,
    durationMinutes: Number(row.duration_minutes),
    startsOn: row.starts_on,
    until: row.until,
    materializedUntil: row.materialized_until,
    sequence: Number(row.sequence),
    isOrganizer: row.is_organizer,
    createdAt: isoUtc(row.created_at),
    updatedAt: isoUtc(row.updated_at),
    upcoming: (row.upcoming ?? []).map(toOccurrence),
  };
}
