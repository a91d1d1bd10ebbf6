import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { CHECK_IN_OPENS_HOURS } from "./checkins.policy";
import { CheckInBody, CheckInSchema } from "./checkins.schemas";

const route = moduleRoutes("Event attendance");

const organizersOnly =
  "For the event's organizer and co-organizers: 403 `not_event_organizer` for anyone else who can see the event, " +
  "404 for whoever cannot (a draft, a hidden event, a block either way, a private group's event).";

export const checkIn = route.authed({
  method: "post",
  path: "/api/events/{id}/check-ins",
  object: "event",
  summary: "Check a dancer in at the door",
  description:
    "By `userId` or by `ticketCode` (the code of the dancer's active ticket for this event), one of the two. 201 " +
    "with the check-in; checking the same dancer in again changes nothing and answers the first check-in with 200. " +
    "A new check-in records `event_attended_together` with each of the dancer's friends already checked in. " +
    `Refused: a cancelled event (409 \`event_cancelled\`), a draft (409 \`event_not_published\`), more than ` +
    `${CHECK_IN_OPENS_HOURS} hours before the start (409 \`check_in_not_open\`), a code that is not a ticket of this ` +
    "event (422 `invalid_ticket`), a cancelled ticket (409 `ticket_cancelled`), a dancer who is unknown, suspended " +
    "or blocked either way (404). " +
    organizersOnly,
  request: { params: IdParam, body: jsonBody(CheckInBody) },
  responses: {
    201: jsonContent(CheckInSchema, "Checked in"),
    200: jsonContent(CheckInSchema, "Already checked in: the first check-in"),
    ...problems(400, 403, 404, 409, 422),
  },
});

export const listCheckIns = route.authed({
  method: "get",
  path: "/api/events/{id}/check-ins",
  object: "event",
  summary: "The dancers checked in at an event, latest first",
  description: `By cursor. Suspended or closed accounts and dancers blocked either way are left out. ${organizersOnly}`,
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(CheckInSchema), "A page of check-ins"), ...problems(400, 403, 404) },
});
