import { MAX_STAY_NIGHTS } from "../../../drizzle/housing";
import { IdempotencyKeyHeader } from "../../lib/idempotency";
import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { AvailabilityQuery, BlockDatesBody, CreateListingBody, HOUSING_LIMITS, SearchQuery, UpdateListingBody } from "./housing.input";
import { AvailabilitySchema, BlockedDatesSchema, ListingSchema } from "./housing.schemas";

const route = moduleRoutes("Housing");

const notVisible =
  "A listing the caller may not see (paused and not theirs, its host suspended or closed, a block either way) is a 404, " +
  "as if it did not exist.";
const hostOnly = `Its host only: 403 \`not_listing_host\` for others who can see it. ${notVisible}`;
const fields =
  "`pricePerNight` is in the currency's minor unit (cents, 0 or more), `currency` three capital letters (ISO 4217), " +
  "`bookingPolicy` who may ask to stay (anyone, friends, friends_of_friends). Photos must be images uploaded with " +
  "POST /api/media (400 `media_url_not_allowed`).";

export const create = route.authed({
  method: "post",
  path: "/api/housing/listings",
  summary: "List a home (its host is the caller)",
  description:
    `201 with the listing as its host sees it. ${fields} With an \`Idempotency-Key\`, a repeat within 24 hours answers ` +
    "the first response (`Idempotent-Replayed: true`) and creates nothing; the same key with another body is a 422 `idempotency_key_reused`.",
  request: { headers: IdempotencyKeyHeader, body: jsonBody(CreateListingBody) },
  responses: { 201: jsonContent(ListingSchema, "The listing"), ...problems(400, 422) },
});

export const search = route.viewer({
  method: "get",
  path: "/api/housing/listings",
  summary: "Search listings, newest first",
  description:
    "Active listings the caller may see, by cursor. Filters, all optional and combined: `city`, `country` (as listings " +
    "give them), `guests` (at most the listing's maxGuests), `checkIn` and `checkOut` together (only listings with no " +
    `pending or approved stay and no closed dates over those nights; 400 \`dates_incomplete\` with one of them, ` +
    `\`dates_reversed\`, or \`stay_too_long\` over ${MAX_STAY_NIGHTS} nights), \`q\` (words in the title, city, country ` +
    "or description, accents and case ignored), `near=lat,lng` with `radiusKm` (default 25: each card then has its " +
    "`distanceKm`). The exact address is never in a search card unless the caller may read it. One statement.",
  request: { query: SearchQuery },
  responses: { 200: jsonContent(pageSchema(ListingSchema), "A page of listings"), ...problems(400) },
});

export const get = route.viewer({
  method: "get",
  path: "/api/housing/listings/{id}",
  object: "listing",
  summary: "A listing",
  description:
    "With its photos, the guests' rating (average and count), its host's card, and `canRequest` for the caller. The exact " +
    `\`address\` is there for its host and for guests with an approved or completed stay only (otherwise null). ${notVisible}`,
  request: { params: IdParam },
  responses: { 200: jsonContent(ListingSchema, "The listing"), ...problems(400, 404) },
});

export const update = route.authed({
  method: "patch",
  path: "/api/housing/listings/{id}",
  object: "listing",
  summary: "Edit a listing (its host)",
  description:
    `Any subset of the create fields, and \`status\` (\`paused\`: seen by its host only). \`photos\` replaces them all. ${fields} ` +
    `Stays already requested keep the price and rules they were asked at. ${hostOnly}`,
  request: { params: IdParam, body: jsonBody(UpdateListingBody) },
  responses: { 200: jsonContent(ListingSchema, "The listing as edited"), ...problems(400, 403, 404) },
});

export const remove = route.authed({
  method: "delete",
  path: "/api/housing/listings/{id}",
  object: "listing",
  summary: "Delete a listing (its host)",
  description:
    "Refused while an approved stay is still to come or under way (409 `listing_has_stays`: cancel with those guests " +
    "first). Pending requests go with the listing and their guests are told (`booking_rejected` with `listingDeleted`); " +
    `past stays, closed dates, photos and reviews go too. ${hostOnly}`,
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...problems(400, 403, 404, 409) },
});

export const myListings = route.authed({
  method: "get",
  path: "/api/users/me/listings",
  summary: "The caller's listings, newest first",
  description: "Paused ones too, by cursor.",
  request: { query: PageQuery },
  responses: { 200: jsonContent(pageSchema(ListingSchema), "A page of listings"), ...problems(400) },
});

export const availability = route.viewer({
  method: "get",
  path: "/api/housing/listings/{id}/availability",
  object: "listing",
  summary: "A listing's calendar",
  description:
    `From \`from\` (default today) up to \`to\` (default and at most ${HOUSING_LIMITS.calendarDays} days later; 400 ` +
    "`bad_range` otherwise): the pending and approved stays as date ranges (whose, is never said) and the dates its " +
    `host closed. Ranges are \`[from, to)\`: \`to\` is free again. ${notVisible}`,
  request: { params: IdParam, query: AvailabilityQuery },
  responses: { 200: jsonContent(AvailabilitySchema, "The calendar"), ...problems(400, 404) },
});

export const blockDates = route.authed({
  method: "post",
  path: "/api/housing/listings/{id}/blocked-dates",
  object: "listing",
  summary: "Close dates (its host)",
  description:
    "201 with the closed dates `[startsOn, endsOn)`: no request may take those nights. 400 `dates_reversed` when " +
    `endsOn is not after startsOn, \`block_too_long\` past ${HOUSING_LIMITS.calendarDays} days; 409 \`dates_booked\` when a ` +
    `pending or approved stay overlaps them (answer or cancel it first). ${hostOnly}`,
  request: { params: IdParam, body: jsonBody(BlockDatesBody) },
  responses: { 201: jsonContent(BlockedDatesSchema, "The closed dates"), ...problems(400, 403, 404, 409) },
});

export const listBlockedDates = route.authed({
  method: "get",
  path: "/api/housing/listings/{id}/blocked-dates",
  object: "listing",
  summary: "A listing's closed dates (its host)",
  description: `Soonest first, past ones too, by cursor. ${hostOnly}`,
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(BlockedDatesSchema), "A page of closed dates"), ...problems(400, 403, 404) },
});

export const unblockDates = route.authed({
  method: "delete",
  path: "/api/housing/blocked-dates/{id}",
  object: "blocked_dates",
  summary: "Reopen closed dates (its host)",
  description: "The nights are free again. Anyone but the listing's host gets a 404.",
  request: { params: IdParam },
  responses: { 204: { description: "Reopened" }, ...problems(400, 404) },
});
