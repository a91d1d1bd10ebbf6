import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { CreateSchoolBody, itemParams, SchoolSearchQuery, SchoolTeacherBody, UpdateSchoolBody } from "./directory.input";
import { PLACE_MODERATOR_LEVEL } from "./directory.policy";
import { SchoolDetailSchema, SchoolSchema } from "./places.schemas";

const route = moduleRoutes("Schools");

const notVisible = "A school whose owner's account is suspended or closed is a 404, as if there were none.";
const editors = `Its owner, or an admin (role level ${PLACE_MODERATOR_LEVEL} and up); others are 403 \`not_school_owner\`.`;
const rules = "`venueId` must name a venue (400 `unknown_venue`); coordinates go in pairs (400 `coordinates_incomplete`).";

export const create = route.authed({
  method: "post",
  path: "/api/schools",
  summary: "List a school you run",
  description: `Any signed-in dancer; they own it. ${rules}`,
  request: { body: jsonBody(CreateSchoolBody) },
  responses: { 201: jsonContent(SchoolDetailSchema, "The school"), ...problems(400) },
});

export const search = route.viewer({
  method: "get",
  path: "/api/schools",
  summary: "The schools' directory, newest first",
  description: "By cursor. Filters, all optional and combined: `city`, `near=lat,lng` with `radiusKm` (default 25), `style`, `q`.",
  request: { query: SchoolSearchQuery },
  responses: { 200: jsonContent(pageSchema(SchoolSchema), "A page of schools"), ...problems(400) },
});

export const get = route.viewer({
  method: "get",
  path: "/api/schools/{id}",
  object: "school",
  summary: "A school and its teachers",
  description: `Its teachers the caller may see, first added first. ${notVisible}`,
  request: { params: IdParam },
  responses: { 200: jsonContent(SchoolDetailSchema, "The school"), ...problems(400, 404) },
});

export const update = route.authed({
  method: "patch",
  path: "/api/schools/{id}",
  object: "school",
  summary: "Edit a school",
  description: `Any subset of the create fields; \`null\` clears an optional one. ${editors} ${rules} ${notVisible}`,
  request: { params: IdParam, body: jsonBody(UpdateSchoolBody) },
  responses: { 200: jsonContent(SchoolDetailSchema, "The school as edited"), ...problems(400, 403, 404) },
});

export const remove = route.authed({
  method: "delete",
  path: "/api/schools/{id}",
  object: "school",
  summary: "Delete a school",
  description: `${editors} ${notVisible}`,
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...problems(400, 403, 404) },
});

export const addTeacher = route.authed({
  method: "post",
  path: "/api/schools/{id}/teachers",
  object: "school",
  summary: "Add a teacher to your school (its owner)",
  description: `A teacher profile the owner may see (404 otherwise); adding one already there changes nothing. Others are 403 \`not_school_owner\`. ${notVisible}`,
  request: { params: IdParam, body: jsonBody(SchoolTeacherBody) },
  responses: { 200: jsonContent(SchoolDetailSchema, "The school with its teachers"), ...problems(400, 403, 404) },
});

export const removeTeacher = route.authed({
  method: "delete",
  path: "/api/schools/{id}/teachers/{teacherId}",
  object: "school",
  summary: "Take a teacher off a school (its owner, or the teacher)",
  description: `Taking off a teacher who is not there is done (204). Others are 403 \`not_school_owner\`. ${notVisible}`,
  request: { params: itemParams("teacherId") },
  responses: { 204: { description: "Not a teacher there (any more)" }, ...problems(400, 403, 404) },
});
