import { IdempotencyKeyHeader } from "../../lib/idempotency";
import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { CreateTripBody, TRAVEL_LIMITS, TripListQuery, UpdateTripBody } from "./travel.input";
import { TripSchema } from "./trips.schemas";

const route = moduleRoutes("Travel");

const notVisible =
  "A trip the caller may not see (private and not theirs, friends-only and they are not the traveller's friend, " +
  "its traveller suspended or deactivated, a block either way) is a 404, as if it did not exist.";

const rules =
  "Dates are days (`2030-03-01`), both included: an end before the start is 400 `trip_dates_reversed`, more than " +
  `${TRAVEL_LIMITS.tripDays} days after it 400 \`trip_too_long\`; one coordinate without the other is 400 ` +
  "`coordinates_incomplete`. Checked on the trip as the write would leave it.";

export const create = route.authed({
  method: "post",
  path: "/api/trips",
  summary: "Publish a trip (its traveller is the caller)",
  description:
    `${rules} \`visibility\` as for posts (default \`friends\`). Unless the trip is private, the caller's friends who ` +
    "live in that city (their profile's city) or have a trip of their own there overlapping those dates are notified " +
    "(`friend_trip`), in the same statement. With an `Idempotency-Key`, a repeat within 24 hours answers the first " +
    "response (`Idempotent-Replayed: true`) and creates nothing; the same key with another body is a 422 " +
    "`idempotency_key_reused`.",
  request: { headers: IdempotencyKeyHeader, body: jsonBody(CreateTripBody) },
  responses: { 201: jsonContent(TripSchema, "The trip"), ...problems(400, 422) },
});

export const get = route.viewer({
  method: "get",
  path: "/api/trips/{id}",
  object: "trip",
  summary: "A trip",
  description: `Public trips to anyone, friends-only trips to the traveller's friends, private ones to the traveller. ${notVisible}`,
  request: { params: IdParam },
  responses: { 200: jsonContent(TripSchema, "The trip"), ...problems(400, 404) },
});

export const update = route.authed({
  method: "patch",
  path: "/api/trips/{id}",
  object: "trip",
  summary: "Edit a trip (its traveller only)",
  description:
    `Any subset of the create fields; \`null\` clears an optional one; an empty body changes nothing. An edit tells no ` +
    `one. ${rules} Others who may see it are 403 \`not_trip_owner\`. ${notVisible}`,
  request: { params: IdParam, body: jsonBody(UpdateTripBody) },
  responses: { 200: jsonContent(TripSchema, "The trip as edited"), ...problems(400, 403, 404) },
});

export const remove = route.authed({
  method: "delete",
  path: "/api/trips/{id}",
  object: "trip",
  summary: "Delete a trip (its traveller only)",
  description: `Others who may see it are 403 \`not_trip_owner\`. ${notVisible}`,
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...problems(400, 403, 404) },
});

export const mine = route.authed({
  method: "get",
  path: "/api/users/me/trips",
  summary: "The caller's trips",
  description: "Every trip of the caller's, whatever its visibility: upcoming (not over yet) soonest first, or with `past=true` those that are over, latest first.",
  request: { query: TripListQuery },
  responses: { 200: jsonContent(pageSchema(TripSchema), "A page of trips"), ...problems(400) },
});

export const userTrips = route.viewer({
  method: "get",
  path: "/api/users/{id}/trips",
  object: "user",
  summary: "A dancer's trips",
  description:
    "The dancer's trips the caller may see (as GET /api/trips/{id}): upcoming (not over yet) soonest first, or with " +
    "`past=true` those that are over, latest first. An unknown, suspended or deactivated dancer, or a block either " +
    "way, is 404.",
  request: { params: IdParam, query: TripListQuery },
  responses: { 200: jsonContent(pageSchema(TripSchema), "A page of trips"), ...problems(400, 404) },
});
