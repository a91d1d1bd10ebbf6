import { IdempotencyKeyHeader } from "../../lib/idempotency";
import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { CreateEventBody, DiscoveryQuery, EVENT_LIMITS, GroupEventsQuery, UpdateEventBody } from "./events.input";
import { EventDetailSchema, EventSchema } from "./events.schemas";

const route = moduleRoutes("Events");

const notVisible =
  "An event the caller may not see (a draft of someone else's, hidden by moderation, its organizer suspended or " +
  "blocked either way, hosted by a private group they are not in) is a 404, as if it did not exist.";

const rules =
  "Fields are checked together on the event as the write would leave it: an end before the start (400 " +
  `\`end_before_start\`) or more than ${EVENT_LIMITS.days} days after it (400 \`event_too_long\`), one coordinate ` +
  "without the other (400 `coordinates_incomplete`), a meeting URL on an event that is not online (400 " +
  "`meeting_url_not_online`), a price without its currency or the reverse (400 `price_without_currency`), a role " +
  "cap over `maxAttendees` (400 `role_cap_over_capacity`), a capacity or role cap under the dancers already going " +
  "(409 `capacity_below_going`), a hosting group the caller is not an active admin or moderator of (403 " +
  "`not_group_host`). `imageUrl` must be an image uploaded with POST /api/media (400 `media_url_not_allowed`). " +
  "`timezone` is an IANA zone name; `isPaid` follows the price.";

export const create = route.authed({
  method: "post",
  path: "/api/events",
  summary: "Create an event (its organizer is the caller)",
  description:
    `${rules} With an \`Idempotency-Key\`, a repeat within 24 hours answers the first response ` +
    "(`Idempotent-Replayed: true`) and creates nothing; the same key with another body is a 422 `idempotency_key_reused`.",
  request: { headers: IdempotencyKeyHeader, body: jsonBody(CreateEventBody) },
  responses: { 201: jsonContent(EventSchema, "The event"), ...problems(400, 403, 409, 422) },
});

export const list = route.viewer({
  method: "get",
  path: "/api/events",
  summary: "Discover events, soonest first",
  description:
    "Published events starting from `from` (default: now), soonest first, by cursor. Filters, all optional and " +
    "combined: `city` and `country` (as events give them), `type`, `to`, `q` (words in the title, venue, city or " +
    "description, accents and case ignored, web-search syntax), `near=lat,lng` with `radiusKm` (default 25: each " +
    "card then has its `distanceKm`), `groupId`. Only events the viewer may see; cancelled events and drafts are " +
    "not listed. Each card counts the viewer's friends and follows going (`circleGoing`).",
  request: { query: DiscoveryQuery },
  responses: { 200: jsonContent(pageSchema(EventSchema), "A page of events"), ...problems(400) },
});

export const get = route.viewer({
  method: "get",
  path: "/api/events/{id}",
  object: "event",
  summary: "An event",
  description:
    "The card with counts per status and per role, the viewer's RSVP (with the waitlist position), up to 10 " +
    `friends and follows going, the average rating of its reviews, and whether the viewer organizes it. ${notVisible}`,
  request: { params: IdParam },
  responses: { 200: jsonContent(EventDetailSchema, "The event"), ...problems(400, 404) },
});

export const update = route.authed({
  method: "patch",
  path: "/api/events/{id}",
  object: "event",
  summary: "Edit an event (its organizer and co-organizers)",
  description:
    "Any subset of the create fields; `null` clears an optional one; an empty body changes nothing. Every edit bumps `sequence` " +
    "(calendars see the change); editing an occurrence of a series detaches it from the series' later edits. " +
    "A cancelled event takes no edits (409 `event_cancelled`); making a draft of an event dancers answered is 409 " +
    `\`event_has_rsvps\`. ${rules} Others are 403 \`not_event_organizer\`. ${notVisible}`,
  request: { params: IdParam, body: jsonBody(UpdateEventBody) },
  responses: { 200: jsonContent(EventSchema, "The event as edited"), ...problems(400, 403, 404, 409) },
});

export const remove = route.authed({
  method: "delete",
  path: "/api/events/{id}",
  object: "event",
  summary: "Delete an event (its organizer only)",
  description:
    "Its RSVPs, tickets, co-organizers, reviews and photos go with it; nobody is told (cancel it to tell the " +
    "dancers going). Co-organizers and others are 403 `not_event_organizer`; an occurrence of a series is " +
    `cancelled instead (409 \`event_in_series\`). ${notVisible}`,
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...problems(400, 403, 404, 409) },
});

export const cancel = route.authed({
  method: "post",
  path: "/api/events/{id}/cancel",
  object: "event",
  summary: "Cancel an event (its organizer and co-organizers)",
  description:
    "The event stays, marked `cancelled` (with `cancelledAt`; `sequence` bumped), takes no more RSVPs, and its " +
    "active tickets are cancelled; everyone going or waitlisted is notified (`event_cancelled`). Cancelling it again " +
    "changes nothing and tells no one twice. A draft is deleted instead (409 `event_not_published`). Others are " +
    `403 \`not_event_organizer\`. ${notVisible}`,
  request: { params: IdParam },
  responses: { 200: jsonContent(EventSchema, "The cancelled event"), ...problems(400, 403, 404, 409) },
});

export const groupEvents = route.viewer({
  method: "get",
  path: "/api/groups/{id}/events",
  object: "group",
  summary: "A group's events, soonest first",
  description:
    "The events the group hosts, as discovery lists them (from `from`, default now, to `to`). A group that does " +
    "not exist, is hidden, or is private and the caller is not an active member of, is a 404.",
  request: { params: IdParam, query: GroupEventsQuery },
  responses: { 200: jsonContent(pageSchema(EventSchema), "A page of events"), ...problems(400, 404) },
});
