import { IdParam, jsonContent, problems } from "../../lib/openapi";
import { moduleRoutes } from "../../lib/routes";
import { CalendarFeedSchema, FeedParam, icsContent } from "./calendar.schemas";

const route = moduleRoutes("Calendar");

export const eventIcs = route.viewer({
  method: "get",
  path: "/api/events/{id}/calendar.ics",
  object: "event",
  summary: "An event as iCalendar (RFC 5545)",
  description:
    "UTC times, a UID stable across edits (`event-<id>@<host>`), SEQUENCE bumped by each edit, STATUS:CANCELLED once " +
    "cancelled. The online meeting URL is in the description only for dancers going and the organizers. An event the " +
    "caller may not see is a 404.",
  request: { params: IdParam },
  responses: { 200: icsContent("The event"), ...problems(400, 404) },
});

export const createFeed = route.authed({
  method: "post",
  path: "/api/me/calendar-feed",
  summary: "Make (or rotate) your personal calendar feed",
  description:
    "A secret URL any calendar app can subscribe to, listing the events you are going to. Answered once: only a hash of " +
    "its token is kept. Calling again makes a new URL and the old one stops working at once (so no Idempotency-Key: a " +
    "replay would have to keep the secret).",
  responses: { 201: jsonContent(CalendarFeedSchema, "The feed's URL"), ...problems(400) },
});

export const revokeFeed = route.authed({
  method: "delete",
  path: "/api/me/calendar-feed",
  summary: "Revoke your personal calendar feed",
  description: "Its URL stops working. Idempotent: 204 also when there was none.",
  responses: { 204: { description: "No feed (any more)" } },
});

export const feed = route.public({
  method: "get",
  path: "/api/calendar/{feed}",
  summary: "A personal calendar feed, by its secret URL (no sign-in)",
  description:
    "`{feed}` is the token followed by `.ics`. The events the feed's owner is going to, from 30 days ago on, soonest first " +
    "(cancelled ones marked cancelled), as far as the owner may still see them. An unknown or revoked token is a 404.",
  request: { params: FeedParam },
  responses: { 200: icsContent("The owner's events"), ...problems(400, 404) },
});
