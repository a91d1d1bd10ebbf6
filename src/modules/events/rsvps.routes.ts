import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { moduleRoutes } from "../../lib/routes";
import { RsvpBody, RsvpSchema } from "./rsvps.schemas";

const route = moduleRoutes("Event RSVPs");

const refusals =
  "An event the caller may not see (a draft, hidden, its organizer blocked either way or gone, a private group's) " +
  "is a 404. Only a published event that is not cancelled and not over takes RSVPs: else 409 `event_cancelled`, " +
  "`event_not_published` (organizers see their drafts) or `event_ended`.";

export const answer = route.authed({
  method: "post",
  path: "/api/events/{id}/rsvp",
  object: "event",
  summary: "Answer an event: going, interested or not going",
  description:
    "Idempotent: the same answer again changes nothing (a seat or a place in line is kept). `going` takes a seat " +
    "when the event's capacity and the dancer's role cap allow it, else joins the waitlist, first come first served " +
    "(`waitlisted: true` and `position`). A leader over the leaders' cap waits even when followers' seats are free. " +
    "When the event caps a role, `going` needs `role` (422 `role_required`); without `role` the stored role is kept. " +
    "A seat given up (another answer, a role change, DELETE) goes at once to the first in line who fits, who is " +
    "notified (`event_waitlist_promoted`). On a paid event each going dancer gets a ticket with an unguessable code, " +
    "cancelled when they stop going. The organizer is notified of new going dancers (`event_rsvp`, one notification " +
    "per event while unread). " +
    refusals,
  request: { params: IdParam, body: jsonBody(RsvpBody) },
  responses: { 200: jsonContent(RsvpSchema, "The caller's RSVP now"), ...problems(400, 403, 404, 409, 422) },
});

export const withdraw = route.authed({
  method: "delete",
  path: "/api/events/{id}/rsvp",
  object: "event",
  summary: "Take back your RSVP",
  description:
    "Idempotent: 204 also when there was no RSVP. A seat given up goes at once to the first in line who fits; the " +
    "caller's ticket is cancelled. " +
    refusals,
  request: { params: IdParam },
  responses: { 204: { description: "No RSVP (any more)" }, ...problems(400, 403, 404, 409) },
});
