import { IdParam, jsonContent, problems } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { AttendeeSchema, AttendeesQuery } from "./attendees.schemas";

const route = moduleRoutes("Event RSVPs");

export const list = route.viewer({
  method: "get",
  path: "/api/events/{id}/attendees",
  object: "event",
  summary: "Who is going to an event (or interested, or waiting)",
  description:
    "By cursor. `status=going` (the default) and `interested`: newest answer first, for anyone who may see the " +
    "event. `status=waitlisted`: the line in order with each dancer's position, for the event's organizers only " +
    "(403 `waitlist_restricted`). Each dancer's profile visibility applies: a dancer whose profile the viewer may " +
    "see only as a card (private, or friends-only to a non-friend) is left out, except for the organizers. Dancers " +
    "blocked either way with the viewer, and suspended or deactivated accounts, are left out. An event the viewer " +
    "may not see is a 404.",
  request: { params: IdParam, query: AttendeesQuery },
  responses: { 200: jsonContent(pageSchema(AttendeeSchema), "A page of attendees"), ...problems(400, 403, 404) },
});
