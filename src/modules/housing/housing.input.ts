import { z } from "@hono/zod-openapi";
import { BOOKING_POLICIES, HOME_STATUSES, MAX_STAY_NIGHTS } from "../../../drizzle/housing";
import { PageQuery } from "../../lib/pagination";
import { multiLine, singleLine } from "../../lib/text";
import { MediaUrl } from "../media";

/**
 * The request bodies and queries of the housing routes and their limits. Each field is checked
 * here on its own; the rules between fields and against the stored rows (dates in order, a
 * stay within MAX_STAY_NIGHTS, guests within the home's maximum, free dates) are checked by
 * the services (housing.policy.ts) and the statements that write.
 */
export const HOUSING_LIMITS = {
  title: 200,
  description: 10_000,
  place: 300,
  houseRules: 5_000,
  message: 2_000,
  reason: 300,
  caption: 300,
  photos: 20,
  amenities: 30,
  amenity: 60,
  maxGuests: 50,
  /** Per night, in minor units (cents): 10 million (100,000.00) is plenty for a night. */
  pricePerNight: 10_000_000,
  radiusKm: 1000,
  /** The widest availability window one request reads. */
  calendarDays: 366,
} as const;

/** A day as `YYYY-MM-DD` (a real calendar date, years 2000-2200). */
export const Day = z.iso
  .date()
  .refine((value) => value >= "2000-01-01" && value <= "2200-12-31", "A date between 2000 and 2200")
  .openapi({ example: "2030-03-07" });

const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, "A three-letter ISO 4217 code in capitals, e.g. ARS or EUR")
  .openapi({ example: "ARS" });

const Photo = z.object({
  url: MediaUrl.openapi({ description: "An image uploaded with POST /api/media" }),
  caption: singleLine(HOUSING_LIMITS.caption).nullable().optional(),
});

/** Amenities, trimmed, lower-cased and deduplicated in order. */
const Amenities = z
  .array(singleLine(HOUSING_LIMITS.amenity, 1))
  .max(HOUSING_LIMITS.amenities)
  .transform((items) => [...new Set(items.map((item) => item.toLowerCase()))])
  .openapi({ description: `Up to ${HOUSING_LIMITS.amenities}, stored lower-cased`, example: ["wifi", "wooden floor"] });

/** The fields a listing is made of, alike in create and edit. */
const ListingFields = {
  title: singleLine(HOUSING_LIMITS.title, 1).openapi({ example: "Room near Salon Canning" }),
  description: multiLine(HOUSING_LIMITS.description),
  address: singleLine(HOUSING_LIMITS.place, 1).openapi({ description: "Shown to the host and confirmed guests only", example: "Scalabrini Ortiz 1400, 3B" }),
  city: singleLine(HOUSING_LIMITS.place, 1).openapi({ example: "Buenos Aires" }),
  country: singleLine(HOUSING_LIMITS.place, 1).openapi({ example: "Argentina" }),
  latitude: z.number().min(-90).max(90).openapi({ example: -34.5915 }),
  longitude: z.number().min(-180).max(180).openapi({ example: -58.4262 }),
  maxGuests: z.number().int().min(1).max(HOUSING_LIMITS.maxGuests),
  pricePerNight: z
    .number()
    .int()
    .min(0)
    .max(HOUSING_LIMITS.pricePerNight)
    .openapi({ description: "Per night, in the currency's minor unit (cents)", example: 2500 }),
  currency: Currency,
  houseRules: multiLine(HOUSING_LIMITS.houseRules, 1).openapi({ description: "What a guest accepts when asking to stay" }),
  bookingPolicy: z.enum(BOOKING_POLICIES).openapi({ description: "Who may ask to stay: anyone, the host's friends, or friends of friends too" }),
  photos: z.array(Photo).max(HOUSING_LIMITS.photos).openapi({ description: "In the order shown; an edit replaces them all" }),
  amenities: Amenities,
};

export const CreateListingBody = z
  .object({
    ...ListingFields,
    description: ListingFields.description.default(""),
    bookingPolicy: ListingFields.bookingPolicy.default("anyone"),
    photos: ListingFields.photos.default([]),
    amenities: ListingFields.amenities.default([]),
  })
  .openapi("CreateListing");

export type CreateListingInput = z.infer<typeof CreateListingBody>;

/** Any subset of the fields (and `status`: a paused listing is seen by its host only); none changes nothing. */
export const UpdateListingBody = z
  .object({ ...ListingFields, status: z.enum(HOME_STATUSES).openapi({ description: "`paused`: hidden from everyone but the host" }) })
  .partial()
  .openapi("UpdateListing");

export type UpdateListingInput = z.infer<typeof UpdateListingBody>;

/** `near=lat,lng`: where to look around (decimal degrees). */
const Near = z
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

const digits = (max: number, description: string) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,3}$/, "A whole number in plain digits")
    .transform(Number)
    .pipe(z.number().int().min(1).max(max))
    .openapi({ type: "integer", description });

/** The search's filters: each optional, all applied together. */
export const SearchQuery = PageQuery.extend({
  city: singleLine(HOUSING_LIMITS.place, 1).optional().openapi({ description: "The city as listings give it (exact)", example: "Buenos Aires" }),
  country: singleLine(HOUSING_LIMITS.place, 1).optional().openapi({ description: "The country as listings give it (exact)" }),
  checkIn: Day.optional().openapi({ description: "With checkOut: only listings free for those nights" }),
  checkOut: Day.optional().openapi({ description: "The day the stay ends (not a night of it)" }),
  guests: digits(HOUSING_LIMITS.maxGuests, "Listings taking at least this many guests").optional(),
  near: Near.optional(),
  radiusKm: digits(HOUSING_LIMITS.radiusKm, `Kilometres around \`near\` (1-${HOUSING_LIMITS.radiusKm}, default 25)`).optional(),
  q: singleLine(200, 1).optional().openapi({ description: "Words in the title, city, country or description (web-search syntax)" }),
});

export type SearchInput = z.infer<typeof SearchQuery>;

export const AvailabilityQuery = z.object({
  from: Day.optional().openapi({ description: "The first day shown (default: today)" }),
  to: Day.optional().openapi({ description: `The day after the last one shown (default and at most: from + ${HOUSING_LIMITS.calendarDays} days)` }),
});

export const BlockDatesBody = z
  .object({
    startsOn: Day.openapi({ description: "The first night closed" }),
    endsOn: Day.openapi({ description: "The day after the last night closed", example: "2030-03-10" }),
    reason: singleLine(HOUSING_LIMITS.reason).nullable().optional().openapi({ description: "Seen by the host only" }),
  })
  .openapi("BlockDates");

export type BlockDatesInput = z.infer<typeof BlockDatesBody>;

export const BookingRequestBody = z
  .object({
    checkIn: Day.openapi({ description: "The first night (today or later)" }),
    checkOut: Day.openapi({ description: `The day the guest leaves: after checkIn, at most ${MAX_STAY_NIGHTS} nights later`, example: "2030-03-10" }),
    guests: z.number().int().min(1).max(HOUSING_LIMITS.maxGuests),
    message: multiLine(HOUSING_LIMITS.message, 1).openapi({ description: "A word to the host" }),
    acceptRules: z.boolean().openapi({ description: "Must be true: the guest accepts the house rules as they read now" }),
  })
  .openapi("BookingRequest");

export type BookingRequestInput = z.infer<typeof BookingRequestBody>;

/** The host's optional word with an approval or a refusal. */
export const RespondBody = z
  .object({ message: multiLine(HOUSING_LIMITS.message).optional().openapi({ description: "A word to the guest" }) })
  .openapi("BookingResponse");

export const BookingsQuery = PageQuery.extend({
  as: z.enum(["guest", "host"]).default("guest").openapi({ description: "Stays the caller asked for (guest), or asked of their homes (host)" }),
});

export const ReviewBody = z
  .object({
    rating: z.number().int().min(1).max(5).openapi({ description: "1 (poor) to 5 (wonderful)", example: 5 }),
    comment: multiLine(2000).optional().openapi({ description: "Empty after trimming means none" }),
  })
  .openapi("HousingReviewInput");

export type ReviewInput = z.infer<typeof ReviewBody>;
