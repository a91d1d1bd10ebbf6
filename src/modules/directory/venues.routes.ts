import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { EventSchema } from "../events";
import { CreateVenueBody, UpdateVenueBody, VenueSearchQuery } from "./directory.input";
import { PLACE_MODERATOR_LEVEL } from "./directory.policy";
import { VenueSchema } from "./places.schemas";

const route = moduleRoutes("Venues");

const notVisible = "A venue listed by an account now suspended or closed is a 404, as if there were none.";

const rules =
  "Floors are wood, parquet, marble, tile, concrete or other; `regularNights` are `{weekday 0-6 (Sunday 0), start " +
  "\"HH:MM\", end \"HH:MM\" (before the start: after midnight), name?}`; coordinates go in pairs (400 " +
  "`coordinates_incomplete`); `imageUrl` must be an image uploaded with POST /api/media (400 `media_url_not_allowed`).";

const editors = `Its creator, or an admin (role level ${PLACE_MODERATOR_LEVEL} and up); others are 403 \`not_venue_owner\`.`;

export const create = route.authed({
  method: "post",
  path: "/api/venues",
  summary: "List a venue (a milonga's home)",
  description: `Any signed-in dancer. ${rules}`,
  request: { body: jsonBody(CreateVenueBody) },
  responses: { 201: jsonContent(VenueSchema, "The venue"), ...problems(400) },
});

export const search = route.viewer({
  method: "get",
  path: "/api/venues",
  summary: "The venues' directory, newest first",
  description:
    "By cursor. Filters, all optional and combined: `city` (exact), `near=lat,lng` with `radiusKm` (default 25; " +
    "each venue has its `distanceKm`), `q` (words in the name, city or description, web-search syntax).",
  request: { query: VenueSearchQuery },
  responses: { 200: jsonContent(pageSchema(VenueSchema), "A page of venues"), ...problems(400) },
});

export const get = route.viewer({
  method: "get",
  path: "/api/venues/{id}",
  object: "venue",
  summary: "A venue",
  description: `With its rating from its reviews. ${notVisible}`,
  request: { params: IdParam },
  responses: { 200: jsonContent(VenueSchema, "The venue"), ...problems(400, 404) },
});

export const update = route.authed({
  method: "patch",
  path: "/api/venues/{id}",
  object: "venue",
  summary: "Edit a venue",
  description: `Any subset of the create fields; \`null\` clears an optional one. ${editors} ${rules} ${notVisible}`,
  request: { params: IdParam, body: jsonBody(UpdateVenueBody) },
  responses: { 200: jsonContent(VenueSchema, "The venue as edited"), ...problems(400, 403, 404) },
});

export const remove = route.authed({
  method: "delete",
  path: "/api/venues/{id}",
  object: "venue",
  summary: "Delete a venue",
  description: `Its reviews go with it; events and schools there lose the link. ${editors} ${notVisible}`,
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...problems(400, 403, 404) },
});

export const events = route.viewer({
  method: "get",
  path: "/api/venues/{id}/events",
  object: "venue",
  summary: "A venue's upcoming events, soonest first",
  description: `Published events linked to the venue, from now on, as event discovery shows them (only those the caller may see), by cursor. ${notVisible}`,
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(EventSchema), "A page of events"), ...problems(400, 404) },
});
