import { IdempotencyKeyHeader } from "../../lib/idempotency";
import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { ASSUMED_DURATION_HOURS } from "./reviews.policy";
import { CreateReviewBody, ReviewParams, ReviewSchema, UpdateReviewBody } from "./reviews.schemas";

const route = moduleRoutes("Event reviews");

const seen =
  "The event must be one the caller may see (404 otherwise: a draft, a hidden event, a block either way with its " +
  "organizer, a private group's event).";

export const list = route.viewer({
  method: "get",
  path: "/api/events/{id}/reviews",
  object: "event",
  summary: "An event's reviews, newest first",
  description:
    "By cursor. Anonymous callers read the reviews of events anyone may see. Reviews hidden by moderation (except " +
    "the caller's own), by suspended or closed accounts, or by dancers blocked either way, are not there. " +
    seen,
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(ReviewSchema), "A page of reviews"), ...problems(400, 404) },
});

export const create = route.authed({
  method: "post",
  path: "/api/events/{id}/reviews",
  object: "event",
  summary: "Review an event you attended",
  description:
    "201 with the review: a rating of 1 to 5 and an optional text. Only by dancers checked in at the event (403 " +
    "`not_checked_in`), not by its organizers (403 `organizer_cannot_review`), and only once it has ended (409 " +
    `\`event_not_ended\`; without an end time, ${ASSUMED_DURATION_HOURS} hours after its start). One each: a second ` +
    "is 409 `already_reviewed` (edit the first instead). The organizer is notified (`event_review`, coalesced per " +
    "event). With an `Idempotency-Key`, a repeat within 24 hours answers the first 201 (`Idempotent-Replayed: " +
    "true`); the same key with another body or on another event is a 422 `idempotency_key_reused`. " +
    seen,
  request: { headers: IdempotencyKeyHeader, params: IdParam, body: jsonBody(CreateReviewBody) },
  responses: { 201: jsonContent(ReviewSchema, "The review"), ...problems(400, 403, 404, 409, 422) },
});

const authorOnly = "Its author only: 403 `not_review_author` for anyone else who can see it, 404 for whoever cannot.";

export const update = route.authed({
  method: "patch",
  path: "/api/events/{id}/reviews/{reviewId}",
  object: "event_review",
  summary: "Edit your review",
  description: `Change the rating, the text or both (an empty text removes it). ${authorOnly}`,
  request: { params: ReviewParams, body: jsonBody(UpdateReviewBody) },
  responses: { 200: jsonContent(ReviewSchema, "The edited review"), ...problems(400, 403, 404) },
});

export const remove = route.authed({
  method: "delete",
  path: "/api/events/{id}/reviews/{reviewId}",
  object: "event_review",
  summary: "Delete your review",
  description: `Afterwards the author may review the event again. ${authorOnly}`,
  request: { params: ReviewParams },
  responses: { 204: { description: "Deleted" }, ...problems(400, 403, 404) },
});
