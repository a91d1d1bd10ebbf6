import { z } from "@hono/zod-openapi";
import { EVENT_TYPES } from "../../../drizzle/events";
import { PageQuery } from "../../lib/pagination";
import { HttpUrl, INT4_MAX, multiLine, singleLine } from "../../lib/text";
import { MediaUrl } from "../media";

/**
 * The request bodies and queries of the events routes and their limits. Each field is checked
 * here on its own; the rules between fields (an end before the start, a role cap over the
 * capacity, a capacity under the dancers already going...) are checked in the statement that
 * writes, against the event as it is then (events.policy.ts `EVENT_RULES`), so an edit of one
 * field is held to the same rules as a create.
 */
export const EVENT_LIMITS = {
  title: 200,
  description: 10_000,
  place: 300,
  tags: 20,
  tag: 40,
  /** The most dancers an event may take (and each role cap). */
  capacity: 100_000,
  /** The longest event, start to end (a festival or a marathon). */
  days: 31,
  radiusKm: 1000,
} as const;

export const EventTypeSchema = z.enum(EVENT_TYPES).openapi({ description: "What kind of event" });

/**
 * An IANA time zone (`America/Argentina/Buenos_Aires`, `Europe/Berlin`, `UTC`) the runtime
 * knows, written as the runtime spells it (`europe/berlin` is stored `Europe/Berlin`). Offsets
 * (`+03:00`) and abbreviations (`CET`, `ART`) are refused: only a zone name keeps local times
 * right across DST.
 */
export const TimeZone = z
  .string()
  .max(64)
  .regex(/^(UTC|[A-Za-z]+(\/[A-Za-z0-9_+-]+){1,2})$/, "An IANA time zone name, e.g. America/Argentina/Buenos_Aires")
  .transform((zone, ctx) => {
    try {
      return new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
    } catch {
      ctx.addIssue({ code: "custom", message: "Not a time zone this service knows" });
      return z.NEVER;
    }
  })
  .openapi({ type: "string", description: "An IANA time zone name", example: "America/Argentina/Buenos_Aires" });

/** A date and time with its offset (`2026-03-07T21:00:00-03:00`), stored in UTC. */
const DateTime = z.iso
  .datetime({ offset: true })
  .refine((value) => {
    const year = new Date(value).getUTCFullYear();
    return year >= 1900 && year <= 2200;
  }, "A year between 1900 and 2200")
  .openapi({ example: "2030-03-07T21:00:00-03:00" });

/** A price in the currency's units, up to two decimals, as text so that nothing is lost (`"15.50"`). */
const Price = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,6})(\.[0-9]{1,2})?$/, "A price like 15 or 15.50 (up to 9999999.99)")
  .openapi({ example: "15.00" });

const Currency = z
  .string()
  .regex(/^[A-Za-z]{3}$/, "A three-letter ISO 4217 code, e.g. ARS or EUR")
  .transform((code) => code.toUpperCase())
  .openapi({ type: "string", example: "ARS" });

const Capacity = z.number().int().min(1).max(EVENT_LIMITS.capacity);

/** Tags, trimmed, lower-cased and deduplicated in order. */
const Tags = z
  .array(singleLine(EVENT_LIMITS.tag, 1))
  .max(EVENT_LIMITS.tags)
  .transform((tags) => [...new Set(tags.map((tag) => tag.toLowerCase()))])
  .openapi({ description: `Up to ${EVENT_LIMITS.tags} tags, stored lower-cased`, example: ["tradicional", "dj"] });

const place = () => singleLine(EVENT_LIMITS.place).nullable();

/** The fields an event is made of, alike in create and edit (`null` clears an optional one). */
const EventFields = {
  title: singleLine(EVENT_LIMITS.title, 1).openapi({ example: "Milonga de los Jueves" }),
  description: multiLine(EVENT_LIMITS.description),
  eventType: EventTypeSchema,
  startDate: DateTime,
  endDate: DateTime.nullable(),
  timezone: TimeZone,
  location: singleLine(EVENT_LIMITS.place, 1).openapi({ example: "Salon Canning, Scalabrini Ortiz 1331" }),
  venue: place(),
  address: place(),
  city: place().openapi({ example: "Buenos Aires" }),
  country: place().openapi({ example: "Argentina" }),
  latitude: z.number().min(-90).max(90).nullable().openapi({ example: -34.5915 }),
  longitude: z.number().min(-180).max(180).nullable().openapi({ example: -58.4262 }),
  isOnline: z.boolean(),
  meetingUrl: HttpUrl.nullable().openapi({ description: "Shown only to dancers going and to the organizers" }),
  price: Price.nullable(),
  currency: Currency.nullable(),
  ticketUrl: HttpUrl.nullable(),
  maxAttendees: Capacity.nullable().openapi({ description: "The most dancers going (null: no limit)" }),
  maxLeaders: Capacity.nullable().openapi({ description: "The most leaders going, within maxAttendees" }),
  maxFollowers: Capacity.nullable().openapi({ description: "The most followers going, within maxAttendees" }),
  tags: Tags,
  imageUrl: MediaUrl.nullable().openapi({ description: "The cover image: an image uploaded with POST /api/media" }),
  groupId: z
    .number()
    .int()
    .min(1)
    .max(INT4_MAX)
    .nullable()
    .openapi({ description: "The hosting group: one the caller is an active admin or moderator of" }),
  status: z.enum(["draft", "published"]).openapi({ description: "A draft is seen only by its organizers" }),
  venueId: z
    .number()
    .int()
    .min(1)
    .max(INT4_MAX)
    .nullable()
    .openapi({ description: "The venue from the directory (GET /api/venues) it takes place at" }),
};

export const CreateEventBody = z
  .object({
    ...EventFields,
    description: EventFields.description.default(""),
    timezone: EventFields.timezone.default("UTC"),
    isOnline: EventFields.isOnline.default(false),
    tags: EventFields.tags.default([]),
    status: EventFields.status.default("published"),
  })
  .partial({
    endDate: true,
    venue: true,
    address: true,
    city: true,
    country: true,
    latitude: true,
    longitude: true,
    meetingUrl: true,
    price: true,
    currency: true,
    ticketUrl: true,
    maxAttendees: true,
    maxLeaders: true,
    maxFollowers: true,
    imageUrl: true,
    groupId: true,
    venueId: true,
  })
  .openapi("CreateEvent");

export type CreateEventInput = z.infer<typeof CreateEventBody>;

/** Any subset of the fields; `null` clears an optional one; none at all changes nothing. */
export const UpdateEventBody = z.object(EventFields).partial().openapi("UpdateEvent");

export type UpdateEventInput = z.infer<typeof UpdateEventBody>;

/** The editable fields, by their API names. */
export type EventField = keyof typeof EventFields;

/**
 * A coordinate as the events table keeps it: plain decimal text (never `1e-7`), at most six
 * decimals (about 10 cm), which the table's `geo` point is computed from.
 */
export function coordinateText(value: number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const fixed = value.toFixed(6).replace(/\.?0+$/, "");
  return fixed === "-0" ? "0" : fixed;
}

/** `from` / `to` of a date range: a date (`2026-03-07`, midnight UTC) or a date and time with its offset. */
const RangeBound = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .transform((value, ctx) => {
    const date = new Date(value);
    const year = date.getUTCFullYear();
    if (Number.isNaN(date.getTime()) || year < 1900 || year > 2200) {
      ctx.addIssue({ code: "custom", message: "A date between 1900 and 2200" });
      return z.NEVER;
    }
    return date;
  })
  .openapi({ type: "string", example: "2030-03-01" });

/** `near=lat,lng`: where to look around (decimal degrees). */
export const Near = z
  .string()
  .regex(/^-?[0-9]{1,3}(\.[0-9]{1,12})?,-?[0-9]{1,3}(\.[0-9]{1,12})?$/, "Latitude and longitude, e.g. -34.6,-58.4")
  .transform((value, ctx) => {
    const [lat, lng] = value.split(",").map(Number) as [number, number];
    if (Math.abs(lat) > 90 || Math.abs(lng) > 180) {
      ctx.addIssue({ code: "custom", message: "Latitude within ±90 and longitude within ±180" });
      return z.NEVER;
    }
    return { lat, lng };
  })
  .openapi({ type: "string", example: "-34.6037,-58.3816" });

export const RadiusKm = z
  .string()
  .regex(/^[1-9][0-9]{0,3}$/, "Whole kilometres in plain digits")
  .transform(Number)
  .pipe(z.number().int().min(1).max(EVENT_LIMITS.radiusKm))
  .openapi({ type: "integer", description: `Kilometres around \`near\` (1-${EVENT_LIMITS.radiusKm}, default 25)`, example: 25 });

/** What a group's events page filters by (the group is the path's). */
export const GroupEventsQuery = PageQuery.extend({
  from: RangeBound.optional().openapi({ description: "Events starting at or after this (default: now)" }),
  to: RangeBound.optional().openapi({ description: "Events starting before this" }),
});

/** Discovery's filters: each optional, all applied together. */
export const DiscoveryQuery = GroupEventsQuery.extend({
  city: singleLine(EVENT_LIMITS.place, 1).optional().openapi({ description: "The city as events give it (exact)", example: "Buenos Aires" }),
  country: singleLine(EVENT_LIMITS.place, 1).optional().openapi({ description: "The country as events give it (exact)", example: "Argentina" }),
  type: EventTypeSchema.optional(),
  q: singleLine(200, 1).optional().openapi({ description: "Words in the title, venue, city or description (web-search syntax)" }),
  near: Near.optional(),
  radiusKm: RadiusKm.optional(),
  groupId: z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, "A group id in plain digits")
    .transform(Number)
    .pipe(z.number().int().max(INT4_MAX))
    .optional()
    .openapi({ type: "integer", description: "Events hosted by this group" }),
});

export type DiscoveryInput = z.infer<typeof DiscoveryQuery>;
export type GroupEventsInput = z.infer<typeof GroupEventsQuery>;
