import { z } from "@hono/zod-openapi";
import { BOOKING_POLICIES, BOOKING_STATUSES, HOME_STATUSES, HOUSING_REVIEW_DIRECTIONS } from "../../../drizzle/housing";
import { isoUtc } from "../../lib/time";
import { type UserCard, UserCardSchema } from "../users";

/** API shapes of housing (never a row as it is) and the row mappers from raw SQL rows. */

const Timestamp = z.string().openapi({ format: "date-time" });
const DayText = z.string().openapi({ format: "date", example: "2030-03-07" });

export const ListingSchema = z
  .object({
    id: z.number().int(),
    host: UserCardSchema,
    title: z.string(),
    description: z.string(),
    address: z.string().nullable().openapi({ description: "The exact address: for the host and guests with an approved or completed stay only" }),
    city: z.string(),
    country: z.string(),
    latitude: z.number(),
    longitude: z.number(),
    amenities: z.array(z.string()),
    maxGuests: z.number().int(),
    pricePerNight: z.number().int().openapi({ description: "In the currency's minor unit (cents)" }),
    currency: z.string(),
    houseRules: z.string(),
    bookingPolicy: z.enum(BOOKING_POLICIES),
    status: z.enum(HOME_STATUSES),
    photos: z.array(z.object({ url: z.string(), caption: z.string().nullable() })),
    rating: z.object({
      average: z.number().nullable().openapi({ description: "Of the guests' reviews, 1-5 (two decimals); null without any" }),
      count: z.number().int(),
    }),
    canRequest: z.boolean().openapi({ description: "Whether the viewer may ask to stay (the booking policy; never the host)" }),
    viewerIsHost: z.boolean(),
    distanceKm: z.number().nullable().openapi({ description: "From `near`, in a search with one" }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi("Listing");

export type Listing = z.infer<typeof ListingSchema>;

/** The columns `listingColumns` (housing.cards.ts) selects, as raw SQL rows give them. */
export interface ListingRow extends Record<string, unknown> {
  id: number;
  host_id: number;
  host_username: string;
  host_name: string;
  host_profile_image: string | null;
  title: string;
  description: string;
  address: string | null;
  city: string;
  country: string;
  latitude: number | string;
  longitude: number | string;
  amenities: string[];
  max_guests: number;
  price_per_night: number;
  currency: string;
  house_rules: string;
  booking_policy: (typeof BOOKING_POLICIES)[number];
  status: (typeof HOME_STATUSES)[number];
  photos: { url: string; caption: string | null }[] | string;
  review_count: number;
  rating_sum: number;
  can_request: boolean;
  viewer_is_host: boolean;
  distance_km?: number | string | null;
  created_at: string;
  updated_at: string;
}

const json = <T>(value: T | string): T => (typeof value === "string" ? (JSON.parse(value) as T) : value);
const card = (row: Record<string, unknown>, prefix: string): UserCard => ({
  id: Number(row[`${prefix}_id`]),
  username: row[`${prefix}_username`] as string,
  name: row[`${prefix}_name`] as string,
  profileImage: (row[`${prefix}_profile_image`] as string | null) ?? null,
});

export function toListing(row: ListingRow): Listing {
  const count = Number(row.review_count);
  return {
    id: Number(row.id),
    host: card(row, "host"),
    title: row.title,
    description: row.description,
    address: row.address,
    city: row.city,
    country: row.country,
    latitude: Number(row.latitude),
    longitude: Number(row.longitude),
    amenities: row.amenities,
    maxGuests: Number(row.max_guests),
    pricePerNight: Number(row.price_per_night),
    currency: row.currency,
    houseRules: row.house_rules,
    bookingPolicy: row.booking_policy,
    status: row.status,
    photos: json(row.photos),
    rating: { average: count > 0 ? Math.round((Number(row.rating_sum) / count) * 100) / 100 : null, count },
    canRequest: row.can_request,
    viewerIsHost: row.viewer_is_host,
    distanceKm: row.distance_km === null || row.distance_km === undefined ? null : Number(row.distance_km),
    createdAt: isoUtc(row.created_at),
    updatedAt: isoUtc(row.updated_at),
  };
}

export const BookingSchema = z
  .object({
    id: z.number().int(),
    listing: z.object({
      id: z.number().int(),
      title: z.string(),
      city: z.string(),
      country: z.string(),
      address: z.string().nullable().openapi({ description: "For the host, and for the guest once the stay is approved" }),
    }),
    host: UserCardSchema,
    guest: UserCardSchema,
    checkIn: DayText,
    checkOut: DayText,
    nights: z.number().int(),
    guests: z.number().int(),
    message: z.string(),
    houseRules: z.string().openapi({ description: "The rules the guest accepted, as they read then" }),
    pricePerNight: z.number().int(),
    totalPrice: z.number().int().openapi({ description: "pricePerNight × nights, computed by the server (minor units)" }),
    currency: z.string(),
    status: z.enum(BOOKING_STATUSES),
    hostMessage: z.string().nullable(),
    viewerRole: z.enum(["guest", "host"]),
    reviewed: z.object({ byGuest: z.boolean(), byHost: z.boolean() }),
    respondedAt: Timestamp.nullable(),
    cancelledAt: Timestamp.nullable(),
    completedAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi("Booking");

export type Booking = z.infer<typeof BookingSchema>;

/** The columns `bookingColumns` (housing.cards.ts) selects. */
export interface BookingRow extends Record<string, unknown> {
  id: number;
  home_id: number;
  home_title: string;
  home_city: string;
  home_country: string;
  address: string | null;
  check_in: string;
  check_out: string;
  nights: number;
  guests: number;
  message: string;
  house_rules: string;
  price_per_night: number;
  total_price: number;
  currency: string;
  status: (typeof BOOKING_STATUSES)[number];
  host_message: string | null;
  viewer_role: "guest" | "host";
  reviewed_by_guest: boolean;
  reviewed_by_host: boolean;
  responded_at: string | null;
  cancelled_at: string | null;
  completed_at: string | null;
  created_at: string;
  updated_at: string;
}

export function toBooking(row: BookingRow): Booking {
  return {
    id: Number(row.id),
    listing: { id: Number(row.home_id), title: row.home_title, city: row.home_city, country: row.home_country, address: row.address },
    host: card(row, "host"),
    guest: card(row, "guest"),
    checkIn: row.check_in,
    checkOut: row.check_out,
    nights: Number(row.nights),
    guests: Number(row.guests),
    message: row.message,
    houseRules: row.house_rules,
    pricePerNight: Number(row.price_per_night),
    totalPrice: Number(row.total_price),
    currency: row.currency,
    status: row.status,
    hostMessage: row.host_message,
    viewerRole: row.viewer_role,
    reviewed: { byGuest: row.reviewed_by_guest, byHost: row.reviewed_by_host },
    respondedAt: isoUtc(row.responded_at),
    cancelledAt: isoUtc(row.cancelled_at),
    completedAt: isoUtc(row.completed_at),
    createdAt: isoUtc(row.created_at),
    updatedAt: isoUtc(row.updated_at),
  };
}

export const BlockedDatesSchema = z
  .object({
    id: z.number().int(),
    listingId: z.number().int(),
    startsOn: DayText,
    endsOn: DayText.openapi({ description: "The day after the last night closed" }),
    reason: z.string().nullable(),
    createdAt: Timestamp,
  })
  .openapi("BlockedDates");

export type BlockedDates = z.infer<typeof BlockedDatesSchema>;

export interface BlockedDatesRow extends Record<string, unknown> {
  id: number;
  home_id: number;
  starts_on: string;
  ends_on: string;
  reason: string | null;
  created_at: string;
}

export function toBlockedDates(row: BlockedDatesRow): BlockedDates {
  return {
    id: Number(row.id),
    listingId: Number(row.home_id),
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    reason: row.reason,
    createdAt: isoUtc(row.created_at),
  };
}

const Range = z.object({ from: DayText, to: DayText.openapi({ description: "Exclusive: the first day free again" }) });

export const AvailabilitySchema = z
  .object({
    listingId: z.number().int(),
    from: DayText,
    to: DayText,
    booked: z.array(Range).openapi({ description: "Pending and approved stays (whose, is not said), in date order" }),
    blocked: z.array(Range).openapi({ description: "Dates the host closed, in date order" }),
  })
  .openapi("ListingAvailability");

export type Availability = z.infer<typeof AvailabilitySchema>;

export const HousingReviewSchema = z
  .object({
    id: z.number().int(),
    bookingId: z.number().int(),
    listingId: z.number().int(),
    direction: z.enum(HOUSING_REVIEW_DIRECTIONS).openapi({ description: "guest_to_home: a guest about the home and its host; host_to_guest: a host about a guest" }),
    rating: z.number().int(),
    comment: z.string().nullable(),
    reviewer: UserCardSchema,
    revieweeId: z.number().int(),
    createdAt: Timestamp,
  })
  .openapi("HousingReview");

export type HousingReview = z.infer<typeof HousingReviewSchema>;

export interface HousingReviewRow extends Record<string, unknown> {
  id: number;
  booking_id: number;
  home_id: number;
  direction: (typeof HOUSING_REVIEW_DIRECTIONS)[number];
  rating: number;
  comment: string | null;
  reviewer_id: number;
  reviewer_username: string;
  reviewer_name: string;
  reviewer_profile_image: string | null;
  reviewee_id: number;
  created_at: string;
}

export function toHousingReview(row: HousingReviewRow): HousingReview {
  return {
    id: Number(row.id),
    bookingId: Number(row.booking_id),
    listingId: Number(row.home_id),
    direction: row.direction,
    rating: Number(row.rating),
    comment: row.comment,
    reviewer: card(row, "reviewer"),
    revieweeId: Number(row.reviewee_id),
    createdAt: isoUtc(row.created_at),
  };
}
