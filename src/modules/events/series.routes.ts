import { IdempotencyKeyHeader } from "../../lib/idempotency";
import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { moduleRoutes } from "../../lib/routes";
import { CreateSeriesBody, SeriesCancelSchema, SeriesSchema, UpdateSeriesBody } from "./series.schemas";

const route = moduleRoutes("Event series");

const notVisible =
  "A series the caller may not see (a draft of someone else's, its organizer suspended or blocked either way, hosted by a " +
  "private group they are not in) is a 404, as if it did not exist.";

export const create = route.authed({
  method: "post",
  path: "/api/events/series",
  summary: "Create a recurring series (weekly, or monthly on the nth or last weekday)",
  description:
    "The rule is read in the series' IANA `timezone`: `startTime` is a local time, so 21:00 stays 21:00 across DST. " +
    "Occurrences are events of their own (each takes its own RSVPs), made for the next 90 days now and kept 90 days " +
    "ahead by a cron job; none is made in the past. A `groupId` must be a group the caller is an admin or moderator of " +
    "(403 `not_group_host`). `imageUrl` must be an image of this service (`POST /api/media`). With an `Idempotency-Key`, " +
    "a repeat within 24 hours answers the first response (`Idempotent-Replayed: true`) and creates nothing.",
  request: { headers: IdempotencyKeyHeader, body: jsonBody(CreateSeriesBody) },
  responses: { 201: jsonContent(SeriesSchema, "The series and its first occurrences"), ...problems(400, 403, 422) },
});

export const get = route.viewer({
  method: "get",
  path: "/api/events/series/{id}",
  object: "event_series",
  summary: "A series, with its next occurrences",
  description: `The meeting URL is its organizer's only. ${notVisible}`,
  request: { params: IdParam },
  responses: { 200: jsonContent(SeriesSchema, "The series"), ...problems(400, 404) },
});

export const update = route.authed({
  method: "patch",
  path: "/api/events/series/{id}",
  object: "event_series",
  summary: "Edit a series (its organizer): future occurrences follow",
  description:
    "Any subset of the template fields, a new `startTime` or `durationMinutes`, or `status: published` for a draft series. " +
    "The edit applies to the series and to its occurrences still to start that were not edited alone; each of those gets " +
    "its `sequence` bumped. Past and cancelled occurrences stay as they were. The rule itself cannot change: cancel the " +
    "series and create another. A capacity under the number going on an occurrence is 409 `capacity_below_going`; a " +
    "cancelled series 409 `series_cancelled`; another dancer's series 403 `not_series_organizer`. " +
    notVisible,
  request: { params: IdParam, body: jsonBody(UpdateSeriesBody) },
  responses: { 200: jsonContent(SeriesSchema, "The series as edited"), ...problems(400, 403, 404, 409) },
});

export const cancel = route.authed({
  method: "post",
  path: "/api/events/series/{id}/cancel",
  object: "event_series",
  summary: "Cancel a series (its organizer): every future occurrence is cancelled",
  description:
    "Occurrences still to start are cancelled (their tickets too) and shown as cancelled; past ones stay. Everyone going " +
    "to or waiting for one of them is notified once (`event_series_cancelled`). No more occurrences are made. Cancelling " +
    `again changes nothing. Another dancer's series is a 403 \`not_series_organizer\`. ${notVisible}`,
  request: { params: IdParam },
  responses: { 200: jsonContent(SeriesCancelSchema, "The cancelled series"), ...problems(400, 403, 404) },
});
