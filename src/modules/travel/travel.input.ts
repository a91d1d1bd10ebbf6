import { z } from "@hono/zod-openapi";
import { TRIP_VISIBILITIES } from "../../../drizzle/travel";
import { PageQuery } from "../../lib/pagination";
import { DateOnly, multiLine, singleLine } from "../../lib/text";

/**
 * The request bodies and queries of the travel routes and their limits. Each field is checked
 * here on its own; the rules between fields (dates in order, a trip of at most a year, both
 * coordinates or none) are checked in the statement that writes, on the trip as the write
 * would leave it (trips.policy.ts), so an edit of one date is held to the same rules.
 */
export const TRAVEL_LIMITS = {
  place: 200,
  note: 2000,
  /** The longest trip, first day to last (the table's CHECK says the same). */
  tripDays: 365,
  /** The widest planner window, `from` to `to`. */
  plannerDays: 90,
} as const;

export const TripVisibilitySchema = z
  .enum(TRIP_VISIBILITIES)
  .openapi({ description: "`public`: anyone; `friends`: the traveller's friends; `private`: the traveller only" });

const place = (example: string) => singleLine(TRAVEL_LIMITS.place, 1).openapi({ example });

/** The fields a trip is made of, alike in create and edit (`null` clears an optional one). */
const TripFields = {
  city: place("Buenos Aires"),
  country: place("Argentina"),
  latitude: z.number().min(-90).max(90).nullable().openapi({ example: -34.6037 }),
  longitude: z.number().min(-180).max(180).nullable().openapi({ example: -58.3816 }),
  startsOn: DateOnly.openapi({ description: "The first day there", example: "2030-03-01" }),
  endsOn: DateOnly.openapi({ description: `The last day there (included; at most ${TRAVEL_LIMITS.tripDays} days after startsOn)`, example: "2030-03-08" }),
  note: multiLine(TRAVEL_LIMITS.note).nullable().openapi({ example: "Looking for milongas and a practice partner" }),
  visibility: TripVisibilitySchema,
};

export const CreateTripBody = z
  .object({ ...TripFields, visibility: TripFields.visibility.default("friends") })
  .partial({ latitude: true, longitude: true, note: true })
  .openapi("CreateTrip");

export type CreateTripInput = z.infer<typeof CreateTripBody>;

/** Any subset of the fields; `null` clears an optional one; none at all changes nothing. */
export const UpdateTripBody = z.object(TripFields).partial().openapi("UpdateTrip");

export type UpdateTripInput = z.infer<typeof UpdateTripBody>;

/** A list of trips: upcoming (not over yet) by default, `past=true` for those that are over. */
export const TripListQuery = PageQuery.extend({
  past: z
    .enum(["true", "false"])
    .transform((value) => value === "true")
    .optional()
    .openapi({ type: "boolean", description: "`true`: trips that are over, latest first (default: upcoming, soonest first)" }),
});


/** Whole days from `from` to `to` (dates as `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The planner's question: a city (and optionally its country) and the days there, both included. */
export const PlannerQuery = z
  .object({
    city: singleLine(TRAVEL_LIMITS.place, 1).openapi({ description: "The city, as events, listings and profiles give it (exact)", example: "Buenos Aires" }),
    country: singleLine(TRAVEL_LIMITS.place, 1).optional().openapi({ description: "Narrows every section but teachers to this country (exact)", example: "Argentina" }),
    from: DateOnly.openapi({ description: "The first day there", example: "2030-03-01" }),
    to: DateOnly.openapi({ description: `The last day there (included; at most ${TRAVEL_LIMITS.plannerDays} days after from)`, example: "2030-03-08" }),
  })
  .superRefine((query, ctx) => {
    const days = daysBetween(query.from, query.to);
    if (days < 0) ctx.addIssue({ code: "custom", path: ["to"], message: "`to` must not be before `from`" });
    else if (days > TRAVEL_LIMITS.plannerDays) {
      ctx.addIssue({ code: "custom", path: ["to"], message: `At most ${TRAVEL_LIMITS.plannerDays} days after \`from\`` });
    }
  });

export type PlannerInput = z.infer<typeof PlannerQuery>;
