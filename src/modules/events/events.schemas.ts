import { z } from "@hono/zod-openapi";
import { DANCE_ROLES, EVENT_STATUSES, RSVP_STORED_STATUSES } from "../../../drizzle/events";
import { isoUtc } from "../../lib/time";
import { type UserCard, UserCardSchema } from "../users";
import { EventTypeSchema } from "./events.input";

const count = (what: string) => z.number().int().openapi({ description: what });

/** The viewer's own answer to the event, as the card shows it. */
export const ViewerRsvpSchema = z
  .object({
    status: z.enum(RSVP_STORED_STATUSES).openapi({ description: "`waitlisted`: a `going` that found the event (or the role) full" }),
    role: z.enum(DANCE_ROLES).nullable(),
    position: z.number().int().nullable().openapi({ description: "The place in the waitlist (1 = next in line) while waitlisted" }),
  })
  .openapi("ViewerRsvp");

/**
 * An event as every read path shows it (detail, discovery, a group's events, search): its
 * organizer's card, what and when, where, price, capacity and the counters of who is going,
 * the viewer's own RSVP and role, and their friends and follows going.
 */
export const EventSchema = z
  .object({
    id: z.number().int(),
    organizer: UserCardSchema,
    title: z.string(),
    description: z.string(),
    eventType: EventTypeSchema,
    status: z.enum(EVENT_STATUSES),
    startDate: z.string().openapi({ format: "date-time" }),
    endDate: z.string().nullable().openapi({ format: "date-time" }),
    timezone: z.string().openapi({ description: "The IANA zone its local times are in" }),
    location: z.string(),
    venue: z.string().nullable(),
    address: z.string().nullable(),
    city: z.string().nullable(),
    country: z.string().nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    isOnline: z.boolean(),
    meetingUrl: z.string().nullable().openapi({ description: "Shown only to the organizers and the dancers going (null otherwise)" }),
    isPaid: z.boolean(),
    price: z.string().nullable().openapi({ description: "In the currency's units, e.g. \"15.50\"" }),
    currency: z.string().nullable(),
    ticketUrl: z.string().nullable(),
    maxAttendees: z.number().int().nullable(),
    maxLeaders: z.number().int().nullable(),
    maxFollowers: z.number().int().nullable(),
    counts: z
      .object({
        going: count("Dancers going"),
        leaders: count("Leaders going"),
        followers: count("Followers going"),
        interested: count("Dancers interested"),
        waitlisted: count("Dancers waiting for a seat"),
      })
      .openapi({ description: "Who answered, per status and per role" }),
    tags: z.array(z.string()),
    imageUrl: z.string().nullable(),
    groupId: z.number().int().nullable().openapi({ description: "The hosting group" }),
    venueId: z.number().int().nullable().openapi({ description: "The directory's venue it takes place at" }),
    series: z
      .object({
        id: z.number().int(),
        occurrenceOn: z.string().nullable().openapi({ format: "date", description: "The occurrence's local date" }),
        detached: z.boolean().openapi({ description: "Edited alone: edits of the series leave it as it is" }),
      })
      .nullable()
      .openapi({ description: "The recurring series it is an occurrence of" }),
    sequence: z.number().int().openapi({ description: "Bumped by every edit (iCalendar SEQUENCE)" }),
    cancelledAt: z.string().nullable().openapi({ format: "date-time" }),
    hidden: z.boolean().openapi({ description: "Hidden by moderation pending review (only its organizers see it then)" }),
    viewer: z.object({
      rsvp: ViewerRsvpSchema.nullable(),
      manages: z.boolean().openapi({ description: "The viewer is its organizer or a co-organizer (edits, cancels)" }),
      isOrganizer: z.boolean().openapi({ description: "The viewer is its organizer (deletes it, names co-organizers)" }),
    }),
    circleGoing: z
      .object({
        friends: count("The viewer's friends going"),
        following: count("Other dancers the viewer follows going"),
        sample: z.array(UserCardSchema).openapi({ description: "A few of them, friends (closest) first" }),
      })
      .openapi({ description: "\"3 friends going\": the viewer's friends and follows going (zero for anonymous viewers)" }),
    distanceKm: z.number().nullable().openapi({ description: "From `near`, when discovery was asked for one" }),
    createdAt: z.string().openapi({ format: "date-time" }),
    updatedAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Event");

export type Event = z.infer<typeof EventSchema>;

/** The detail of one event: its card with more of the viewer's circle, and its reviews' rating. */
export const EventDetailSchema = EventSchema.extend({
  rating: z
    .object({
      average: z.number().nullable().openapi({ description: "Mean of the visible reviews (1-5, two decimals); null without any" }),
      reviews: count("Visible reviews"),
    })
    .openapi({ description: "From reviews not hidden by moderation" }),
}).openapi("EventDetail");

export type EventDetail = z.infer<typeof EventDetailSchema>;

interface CardJson {
  id: number;
  username: string;
  name: string;
  profileImage: string | null;
}

/** The columns `eventCardColumns` selects, as raw SQL rows give them (or jsonb gives them back). */
export interface EventCardRow extends Record<string, unknown> {
  id: number;
  organizer_id: number;
  organizer_username: string;
  organizer_name: string;
  organizer_profile_image: string | null;
  title: string;
  description: string;
  event_type: string;
  status: string;
  start_date: string;
  end_date: string | null;
  timezone: string;
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
  ticket_url: string | null;
  max_attendees: number | null;
  max_leaders: number | null;
  max_followers: number | null;
  going_count: number;
  leaders_going: number;
  followers_going: number;
  interested_count: number;
  waitlist_count: number;
  tags: string[] | null;
  image_url: string | null;
  group_id: number | null;
  /** Absent from responses stored for idempotent replay before events linked venues. */
  venue_id?: number | null;
  series_id: number | null;
  occurrence_on: string | null;
  detached: boolean;
  sequence: number;
  cancelled_at: string | null;
  hidden: boolean;
  created_at: string;
  updated_at: string;
  viewer_rsvp: { status: string; role: string | null; position: number | null } | null;
  viewer_manages: boolean;
  viewer_is_organizer: boolean;
  circle_going: { friends: number; following: number; sample: CardJson[] } | null;
  /** Only when discovery was asked for `near`. */
  distance_km?: number | string | null;
}

const nullableInt = (value: number | null) => (value === null ? null : Number(value));

/** A coordinate kept as text; anything that does not read as a number is no coordinate. */
function coordinate(value: string | null): number | null {
  if (value === null) return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

const toCard = (card: CardJson): UserCard => ({
  id: Number(card.id),
  username: card.username,
  name: card.name,
  profileImage: card.profileImage,
});

/** Shapes a row selected with `eventCardColumns` (rows written before validation existed shape safely too). */
export function toEvent(row: EventCardRow): Event {
  const rsvp = row.viewer_rsvp;
  const circle = row.circle_going;
  return {
    id: Number(row.id),
    organizer: { id: Number(row.organizer_id), username: row.organizer_username, name: row.organizer_name, profileImage: row.organizer_profile_image },
    title: row.title,
    description: row.description,
    eventType: row.event_type as Event["eventType"],
    status: row.status as Event["status"],
    startDate: isoUtc(row.start_date),
    endDate: isoUtc(row.end_date),
    timezone: row.timezone,
    location: row.location,
    venue: row.venue,
    address: row.address,
    city: row.city,
    country: row.country,
    latitude: coordinate(row.latitude),
    longitude: coordinate(row.longitude),
    isOnline: row.is_online,
    meetingUrl: row.meeting_url,
    isPaid: row.is_paid,
    price: row.price,
    currency: row.currency,
    ticketUrl: row.ticket_url,
    maxAttendees: nullableInt(row.max_attendees),
    maxLeaders: nullableInt(row.max_leaders),
    maxFollowers: nullableInt(row.max_followers),
    counts: {
      going: Number(row.going_count),
      leaders: Number(row.leaders_going),
      followers: Number(row.followers_going),
      interested: Number(row.interested_count),
      waitlisted: Number(row.waitlist_count),
    },
    tags: row.tags ?? [],
    imageUrl: row.image_url,
    groupId: nullableInt(row.group_id),
    venueId: nullableInt(row.venue_id ?? null),
    series:
      row.series_id === null
        ? null
        : { id: Number(row.series_id), occurrenceOn: row.occurrence_on, detached: row.detached },
    sequence: Number(row.sequence),
    cancelledAt: isoUtc(row.cancelled_at),
    hidden: row.hidden,
    viewer: {
      rsvp:
        rsvp === null
          ? null
          : {
              status: rsvp.status as NonNullable<Event["viewer"]["rsvp"]>["status"],
              role: rsvp.role as NonNullable<Event["viewer"]["rsvp"]>["role"],
              position: rsvp.position === null ? null : Number(rsvp.position),
            },
      manages: row.viewer_manages,
      isOrganizer: row.viewer_is_organizer,
    },
    circleGoing:
      circle === null
        ? { friends: 0, following: 0, sample: [] }
        : { friends: Number(circle.friends), following: Number(circle.following), sample: circle.sample.map(toCard) },
    distanceKm: row.distance_km === undefined || row.distance_km === null ? null : Number(row.distance_km),
    createdAt: isoUtc(row.created_at),
    updatedAt: isoUtc(row.updated_at),
  };
}

/** A detail row: a card row with the rating columns. */
export interface EventDetailRow extends EventCardRow {
  rating_average: string | null;
  review_count: number;
}

export function toEventDetail(row: EventDetailRow): EventDetail {
  return {
    ...toEvent(row),
    rating: { average: row.rating_average === null ? null : Number(row.rating_average), reviews: Number(row.review_count) },
  };
}
