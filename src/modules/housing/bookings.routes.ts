import { MAX_STAY_NIGHTS } from "../../../drizzle/housing";
import { IdParam, jsonBody, jsonContent, optionalJsonBody, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { BookingRequestBody, BookingsQuery, RespondBody, ReviewBody } from "./housing.input";
import { BookingSchema, HousingReviewSchema } from "./housing.schemas";

const route = moduleRoutes("Housing bookings");

const sides = "The stay's guest and host only: anyone else gets a 404, as if it did not exist.";

export const request = route.authed({
  method: "post",
  path: "/api/housing/listings/{id}/bookings",
  object: "listing",
  summary: "Ask to stay at a listing",
  description:
    "201 with the pending stay; its host is told (`booking_requested`). The house rules must be accepted (400 " +
    "`rules_not_accepted`); check-in today (UTC) or later (400 `check_in_past`), checkout after it (400 `dates_reversed`), " +
    `at most ${MAX_STAY_NIGHTS} nights (400 \`stay_too_long\`), guests within the listing's maxGuests (400 \`too_many_guests\`). ` +
    "Not on one's own listing (403 `own_listing`), only under its booking policy (403 `booking_not_allowed`). The total " +
    "price is the server's: nights × the listing's price per night, in its currency. Dates overlapping a pending or " +
    "approved stay, or closed dates, are 409 `dates_unavailable`: two such stays never exist, however many requests race " +
    "(an exclusion constraint). Checkout day may be the next guest's check-in day. A listing the caller may not see " +
    "(also across a block) is a 404.",
  request: { params: IdParam, body: jsonBody(BookingRequestBody) },
  responses: { 201: jsonContent(BookingSchema, "The stay, pending"), ...problems(400, 403, 404, 409) },
});

export const listingBookings = route.authed({
  method: "get",
  path: "/api/housing/listings/{id}/bookings",
  object: "listing",
  summary: "A listing's stays and requests (its host)",
  description: "Newest request first, every status, by cursor. Others who can see the listing: 403 `not_listing_host`; others: 404.",
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(BookingSchema), "A page of stays"), ...problems(400, 403, 404) },
});

export const myBookings = route.authed({
  method: "get",
  path: "/api/housing/bookings",
  summary: "The caller's stays",
  description: "`as=guest` (default): the stays they asked for; `as=host`: the requests for their listings. Newest first, by cursor.",
  request: { query: BookingsQuery },
  responses: { 200: jsonContent(pageSchema(BookingSchema), "A page of stays"), ...problems(400) },
});

export const get = route.authed({
  method: "get",
  path: "/api/housing/bookings/{id}",
  object: "booking",
  summary: "A stay",
  description: `With the listing's exact address for its host, and for the guest once approved. ${sides}`,
  request: { params: IdParam },
  responses: { 200: jsonContent(BookingSchema, "The stay"), ...problems(400, 404) },
});

const answer = (verb: string, notice: string) =>
  `A pending request only (409 \`booking_not_pending\` otherwise: cancelled, or answered already; of an approval and a ` +
  `cancel racing, whichever comes second sees what the first left). The guest is told (\`${notice}\`). Its host only: ` +
  `the guest gets 403 \`not_listing_host\`. ${sides} ${verb}`;

export const approve = route.authed({
  method: "post",
  path: "/api/housing/bookings/{id}/approve",
  object: "booking",
  summary: "Approve a request (the host)",
  description: answer("The guest can read the exact address from then on.", "booking_approved"),
  request: { params: IdParam, body: optionalJsonBody(RespondBody) },
  responses: { 200: jsonContent(BookingSchema, "The stay, approved"), ...problems(400, 403, 404, 409) },
});

export const reject = route.authed({
  method: "post",
  path: "/api/housing/bookings/{id}/reject",
  object: "booking",
  summary: "Decline a request (the host)",
  description: answer("Its dates are free again.", "booking_rejected"),
  request: { params: IdParam, body: optionalJsonBody(RespondBody) },
  responses: { 200: jsonContent(BookingSchema, "The stay, rejected"), ...problems(400, 403, 404, 409) },
});

export const cancel = route.authed({
  method: "post",
  path: "/api/housing/bookings/{id}/cancel",
  object: "booking",
  summary: "Cancel a stay (the guest)",
  description:
    "A pending request, or an approved stay before its check-in day (409 `booking_not_cancellable` otherwise). Its dates " +
    `are free again; the host is told (\`booking_cancelled\`). Its guest only: the host gets 403 \`not_booking_guest\`. ${sides}`,
  request: { params: IdParam },
  responses: { 200: jsonContent(BookingSchema, "The stay, cancelled"), ...problems(400, 403, 404, 409) },
});

export const review = route.authed({
  method: "post",
  path: "/api/housing/bookings/{id}/review",
  object: "booking",
  summary: "Review the other side of a completed stay",
  description:
    "201 with the review (rating 1-5, optional comment). The guest reviews the home (`guest_to_home`: its rating " +
    "counts on the listing), the host reviews the guest (`host_to_guest`). After a completed stay only (409 " +
    "`stay_not_completed`), once per side (409 `already_reviewed`). The reviewed side is told (`housing_review`). " +
    sides,
  request: { params: IdParam, body: jsonBody(ReviewBody) },
  responses: { 201: jsonContent(HousingReviewSchema, "The review"), ...problems(400, 404, 409) },
});

export const listingReviews = route.viewer({
  method: "get",
  path: "/api/housing/listings/{id}/reviews",
  object: "listing",
  summary: "A listing's reviews by its guests, newest first",
  description:
    "By cursor. Reviews by suspended or closed accounts, or by dancers blocked either way with the caller, are not there. " +
    "A listing the caller may not see is a 404.",
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(HousingReviewSchema), "A page of reviews"), ...problems(400, 404) },
});

export const userReviews = route.viewer({
  method: "get",
  path: "/api/users/{id}/housing-reviews",
  object: "user",
  summary: "Reviews about a dancer as host and as guest, newest first",
  description:
    "Guests' reviews of their homes (`guest_to_home`) and hosts' reviews of them as a guest (`host_to_guest`), by cursor. " +
    "A dancer the caller may not see (suspended or closed, a block either way) is a 404.",
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(HousingReviewSchema), "A page of reviews"), ...problems(400, 404) },
});
