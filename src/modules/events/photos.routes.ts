import { IdempotencyKeyHeader } from "../../lib/idempotency";
import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { AddPhotoBody, PhotoParams, PhotoSchema } from "./photos.schemas";

const route = moduleRoutes("Event photos");

const seen =
  "The event must be one the caller may see (404 otherwise: a draft, a hidden event, a block either way with its " +
  "organizer, a private group's event).";

export const list = route.viewer({
  method: "get",
  path: "/api/events/{id}/photos",
  object: "event",
  summary: "An event's photos, newest first",
  description:
    "By cursor. Anonymous callers see the photos of events anyone may see. Photos hidden by moderation (except the " +
    "caller's own), by suspended or closed accounts, or by dancers blocked either way, are not there. " +
    seen,
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(PhotoSchema), "A page of photos"), ...problems(400, 404) },
});

export const add = route.authed({
  method: "post",
  path: "/api/events/{id}/photos",
  object: "event",
  summary: "Add a photo of an event",
  description:
    "201 with the photo: an image uploaded with POST /api/media first (400 `media_url_not_allowed` otherwise), and " +
    "an optional caption. By dancers at the event (checked in, or going) and its organizers (403 `not_attendee` " +
    "for anyone else); not for a cancelled event (409 `event_cancelled`). With an `Idempotency-Key`, a repeat " +
    "within 24 hours answers the first 201 (`Idempotent-Replayed: true`) and adds nothing; the same key with " +
    "another body or on another event is a 422 `idempotency_key_reused`. " +
    seen,
  request: { headers: IdempotencyKeyHeader, params: IdParam, body: jsonBody(AddPhotoBody) },
  responses: { 201: jsonContent(PhotoSchema, "The photo"), ...problems(400, 403, 404, 409, 422) },
});

export const remove = route.authed({
  method: "delete",
  path: "/api/events/{id}/photos/{photoId}",
  object: "event_photo",
  summary: "Remove a photo of an event",
  description:
    "By the photo's author or the event's organizers: 403 `photo_delete_forbidden` for anyone else who can see it, " +
    "404 for whoever cannot.",
  request: { params: PhotoParams },
  responses: { 204: { description: "Removed" }, ...problems(400, 403, 404) },
});
