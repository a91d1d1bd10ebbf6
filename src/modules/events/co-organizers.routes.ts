import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { AddCoOrganizerBody, CoOrganizerParams, CoOrganizerSchema } from "./co-organizers.schemas";

const route = moduleRoutes("Events");

const notVisible = "An event the caller may not see is a 404, as if it did not exist.";

export const list = route.viewer({
  method: "get",
  path: "/api/events/{id}/co-organizers",
  object: "event",
  summary: "An event's co-organizers, first named first",
  description: `Whoever may see the event sees who organizes it; dancers blocked either way or suspended are left out. ${notVisible}`,
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(CoOrganizerSchema), "A page of co-organizers"), ...problems(400, 404) },
});

export const add = route.authed({
  method: "post",
  path: "/api/events/{id}/co-organizers",
  object: "event",
  summary: "Name a co-organizer (the organizer only)",
  description:
    "Co-organizers edit and cancel the event, check dancers in and see its analytics; they do not delete it nor " +
    "name others (403 `not_event_organizer`). 201 for a new co-organizer (notified: `event_co_organizer`), 200 when " +
    "they are one already (idempotent, so no Idempotency-Key is needed). An unknown, suspended or blocked dancer is " +
    `400 \`unknown_user\`; the organizer themselves 400 \`already_organizer\`. ${notVisible}`,
  request: { params: IdParam, body: jsonBody(AddCoOrganizerBody) },
  responses: {
    200: jsonContent(CoOrganizerSchema, "A co-organizer already"),
    201: jsonContent(CoOrganizerSchema, "Named"),
    ...problems(400, 403, 404),
  },
});

export const remove = route.authed({
  method: "delete",
  path: "/api/events/{id}/co-organizers/{userId}",
  object: "event",
  summary: "Remove a co-organizer (the organizer), or step down (the co-organizer)",
  description: `Idempotent: removing a dancer who is not a co-organizer changes nothing (204). Others are 403 \`not_event_organizer\`. ${notVisible}`,
  request: { params: CoOrganizerParams },
  responses: { 204: { description: "Not a co-organizer (any more)" }, ...problems(400, 403, 404) },
});
