import { z } from "@hono/zod-openapi";
import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { CreateLocationBody, CreateTeacherBody, itemParams, TeacherSearchQuery, UpdateLocationBody, UpdateTeacherBody } from "./directory.input";
import { TeacherDetailSchema, TeacherLocationSchema, TeacherSchema } from "./teachers.schemas";

const route = moduleRoutes("Teachers");

const notVisible =
  "A teacher the caller may not see (their account suspended or closed, a block either way) is a 404, as if there were none.";

const rules =
  "Styles are salon, milonguero, nuevo, vals and milonga (at least one); levels beginner, intermediate, advanced and " +
  "professional; languages two- or three-letter codes (`es`, `en`). Rates are in cents (0 or more) and need a " +
  "`currency` (400 `rate_without_currency`); coordinates go in pairs (400 `coordinates_incomplete`).";

export const create = route.authed({
  method: "post",
  path: "/api/teachers",
  summary: "Create your teacher profile",
  description: `One per dancer: a second is 409 \`teacher_profile_exists\` (edit it instead). The name and photo are the user's. ${rules}`,
  request: { body: jsonBody(CreateTeacherBody) },
  responses: { 201: jsonContent(TeacherSchema, "The profile"), ...problems(400, 409) },
});

export const search = route.viewer({
  method: "get",
  path: "/api/teachers",
  summary: "The teachers' directory, newest profile first",
  description:
    "By cursor. Filters, all optional and combined: `city` (based there, or visiting between `from`, default today, " +
    "and `to`, default any time later; `to` before `from` is 400 `dates_reversed`), `near=lat,lng` with `radiusKm` " +
    "(default 25: the base or a visit in those dates; each card has its `distanceKm`), `style`, `language`, `level`, " +
    "`privateLessons`, and `q` (words in the headline, city or bio, web-search syntax). Teachers the caller may not see are not listed.",
  request: { query: TeacherSearchQuery },
  responses: { 200: jsonContent(pageSchema(TeacherSchema), "A page of teachers"), ...problems(400) },
});

export const get = route.viewer({
  method: "get",
  path: "/api/teachers/{id}",
  object: "teacher",
  summary: "A teacher",
  description: `The card with the rating and student count, the next visits (up to 10) and the caller's own request to study with them. ${notVisible}`,
  request: { params: IdParam },
  responses: { 200: jsonContent(TeacherDetailSchema, "The teacher"), ...problems(400, 404) },
});

export const ofUser = route.viewer({
  method: "get",
  path: "/api/users/{id}/teacher",
  object: "user",
  summary: "A dancer's teacher profile",
  description: `As GET /api/teachers/{id}, found by the user's id; 404 when they have none. ${notVisible}`,
  request: { params: IdParam },
  responses: { 200: jsonContent(TeacherDetailSchema, "The teacher"), ...problems(400, 404) },
});

export const update = route.authed({
  method: "patch",
  path: "/api/teachers/{id}",
  object: "teacher",
  summary: "Edit your teacher profile",
  description: `Any subset of the create fields; \`null\` clears an optional one. The teacher only (403 \`not_teacher_owner\`). ${rules} ${notVisible}`,
  request: { params: IdParam, body: jsonBody(UpdateTeacherBody) },
  responses: { 200: jsonContent(TeacherSchema, "The profile as edited"), ...problems(400, 403, 404) },
});

export const remove = route.authed({
  method: "delete",
  path: "/api/teachers/{id}",
  object: "teacher",
  summary: "Delete your teacher profile",
  description: `Its visits, students, reviews and school memberships go with it. The teacher only (403). ${notVisible}`,
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...problems(400, 403, 404) },
});

const LocationsQuery = PageQuery.extend({
  past: z
    .enum(["true", "false"])
    .transform((value) => value === "true")
    .optional()
    .openapi({ type: "boolean", description: "Also the visits that are over (default: from today on)" }),
});

export const listLocations = route.viewer({
  method: "get",
  path: "/api/teachers/{id}/locations",
  object: "teacher",
  summary: "Where a travelling teacher teaches, soonest first",
  description: `By cursor; visits that are over are not listed unless \`past=true\`. ${notVisible}`,
  request: { params: IdParam, query: LocationsQuery },
  responses: { 200: jsonContent(pageSchema(TeacherLocationSchema), "A page of visits"), ...problems(400, 404) },
});

const datesRule = "`endsOn` before `startsOn` is 400 `dates_reversed` (both days are included).";

export const addLocation = route.authed({
  method: "post",
  path: "/api/teachers/{id}/locations",
  object: "teacher",
  summary: "Add a visit (a city and days) to your profile",
  description: `${datesRule} The teacher only (403 \`not_teacher_owner\`). ${notVisible}`,
  request: { params: IdParam, body: jsonBody(CreateLocationBody) },
  responses: { 201: jsonContent(TeacherLocationSchema, "The visit"), ...problems(400, 403, 404) },
});

const LocationParams = itemParams("locationId");

export const updateLocation = route.authed({
  method: "patch",
  path: "/api/teachers/{id}/locations/{locationId}",
  object: "teacher",
  summary: "Edit a visit",
  description: `Any subset of the fields; \`null\` clears an optional one. ${datesRule} The teacher only (403). ${notVisible}`,
  request: { params: LocationParams, body: jsonBody(UpdateLocationBody) },
  responses: { 200: jsonContent(TeacherLocationSchema, "The visit as edited"), ...problems(400, 403, 404) },
});

export const removeLocation = route.authed({
  method: "delete",
  path: "/api/teachers/{id}/locations/{locationId}",
  object: "teacher",
  summary: "Delete a visit",
  description: `The teacher only (403). ${notVisible}`,
  request: { params: LocationParams },
  responses: { 204: { description: "Deleted" }, ...problems(400, 403, 404) },
});
