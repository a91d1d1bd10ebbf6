import { z } from "@hono/zod-openapi";
import { EventSchema } from "../events";
import { UserCardSchema } from "../users";

/** How many items each section of the planner's answer lists at most (its `total` counts them all). */
export const PLANNER_LIMITS = { events: 20, listings: 20, teachers: 20, venues: 20, people: 50 } as const;

const path = (example: string) => z.string().openapi({ description: "Where the API serves it", example });
const day = (description: string) => z.string().openapi({ format: "date", description });

/** A section: the first items (up to `limit`) and how many there are in all. */
function section<T extends z.ZodType>(item: T, limit: number, what: string) {
  return z
    .object({
      items: z.array(item),
      total: z.number().int().openapi({ description: `How many ${what} there are in all (items lists the first ${limit})` }),
    })
    .openapi({ description: what });
}

export const PlannerEventSchema = EventSchema.extend({ path: path("/api/events/42") }).openapi("PlannerEvent");

export const PlannerListingSchema = z
  .object({
    id: z.number().int(),
    path: path("/api/housing/listings/42"),
    title: z.string(),
    city: z.string(),
    country: z.string(),
    host: UserCardSchema,
    photo: z.string().nullable().openapi({ description: "The first photo, if any" }),
    maxGuests: z.number().int(),
    pricePerNight: z.number().int().openapi({ description: "In the currency's minor unit (cents)" }),
    currency: z.string(),
    nights: z.number().int().openapi({ description: "The nights of the stay: from `from` to the morning after `to`" }),
    totalPrice: z.number().int().openapi({ description: "pricePerNight × nights, in the minor unit" }),
    bookingPolicy: z.enum(["anyone", "friends", "friends_of_friends"]),
    mayRequest: z.boolean().openapi({ description: "Whether the caller may request a stay under the booking policy (false when anonymous)" }),
    rating: z.object({ average: z.number().nullable(), count: z.number().int() }),
  })
  .openapi("PlannerListing");

export const PlannerTeacherSchema = z
  .object({
    id: z.number().int(),
    path: path("/api/teachers/42"),
    user: UserCardSchema,
    headline: z.string(),
    styles: z.array(z.string()),
    languages: z.array(z.string()),
    presence: z.enum(["based", "visiting"]).openapi({ description: "`based`: the city is their home base; `visiting`: they teach there on dates" }),
    visits: z
      .array(z.object({ startsOn: day("First day there"), endsOn: day("Last day there (included)") }))
      .openapi({ description: "Their visits to the city overlapping the dates (a based teacher may have none)" }),
  })
  .openapi("PlannerTeacher");

export const PlannerVenueSchema = z
  .object({
    id: z.number().int(),
    path: path("/api/venues/42"),
    name: z.string(),
    address: z.string(),
    city: z.string(),
    country: z.string(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    floor: z.string().nullable(),
    capacity: z.number().int().nullable(),
    regularNights: z.array(z.record(z.string(), z.unknown())).openapi({ description: "`[{weekday, start, end, name?}]`, local time" }),
    imageUrl: z.string().nullable(),
    rating: z.object({ average: z.number().nullable(), count: z.number().int() }),
  })
  .openapi("PlannerVenue");

export const PlannerPersonSchema = z
  .object({
    user: UserCardSchema,
    path: path("/api/users/42"),
    degree: z.union([z.literal(1), z.literal(2)]).openapi({ description: "1: a friend; 2: a friend of a friend" }),
    reason: z.enum(["lives_there", "travelling"]),
    trip: z
      .object({ id: z.number().int(), path: path("/api/trips/42"), startsOn: day("First day there"), endsOn: day("Last day there") })
      .nullable()
      .openapi({ description: "Their first trip there overlapping the dates that the caller may see, if any" }),
  })
  .openapi("PlannerPerson");

export const PlannerSchema = z
  .object({
    city: z.string(),
    country: z.string().nullable(),
    from: day("The first day"),
    to: day("The last day (included)"),
    events: section(PlannerEventSchema, PLANNER_LIMITS.events, "Milongas, festivals and other events during the dates, soonest first"),
    listings: section(PlannerListingSchema, PLANNER_LIMITS.listings, "Listings free for the whole stay, cheapest first"),
    teachers: section(PlannerTeacherSchema, PLANNER_LIMITS.teachers, "Teachers there then, based ones first"),
    venues: section(PlannerVenueSchema, PLANNER_LIMITS.venues, "Venues in the city, by name"),
    people: section(PlannerPersonSchema, PLANNER_LIMITS.people, "Friends and friends of friends there then (none for anonymous callers)"),
  })
  .openapi("TripPlan");

export type Plan = z.infer<typeof PlannerSchema>;
export type PlannerListing = z.infer<typeof PlannerListingSchema>;
export type PlannerTeacher = z.infer<typeof PlannerTeacherSchema>;
export type PlannerVenue = z.infer<typeof PlannerVenueSchema>;
export type PlannerPerson = z.infer<typeof PlannerPersonSchema>;
