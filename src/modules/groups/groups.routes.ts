import { IdempotencyKeyHeader } from "../../lib/idempotency";
import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { CreateGroupBody, GroupListQuery, GroupSchema, UpdateGroupBody } from "./groups.schemas";

const route = moduleRoutes("Groups");

export const notVisible = "A group hidden by moderation is seen only by its admins: anyone else gets a 404, as if it did not exist.";

export const create = route.authed({
  method: "post",
  path: "/api/groups",
  summary: "Create a group (its creator becomes its admin)",
  description:
    "`interest`, `professional` or `private` (joining a private group needs an admin's or moderator's approval). " +
    "City communities are not created here: setting a profile's city joins (and makes) its community. `imageUrl` " +
    "must be an image of this service (`POST /api/media`). With an `Idempotency-Key`, a repeat within 24 hours " +
    "answers the first response (`Idempotent-Replayed: true`) and creates nothing; the same key with another body is a 422.",
  request: { headers: IdempotencyKeyHeader, body: jsonBody(CreateGroupBody) },
  responses: { 201: jsonContent(GroupSchema, "The group"), ...problems(400, 415, 422) },
});

export const list = route.viewer({
  method: "get",
  path: "/api/groups",
  summary: "Groups and city communities, the most members first",
  description:
    "`?type=` one kind; `?city=` the groups of a city (accents, case and spacing ignored: `?type=city&city=Sao Paulo` " +
    "is São Paulo's community); `?q=` names resembling it (trigram similarity). Private groups are listed too (so " +
    `dancers can ask to join); their members and posts are for members. ${notVisible}`,
  request: { query: GroupListQuery },
  responses: { 200: jsonContent(pageSchema(GroupSchema), "A page of groups"), ...problems(400) },
});

export const get = route.viewer({
  method: "get",
  path: "/api/groups/{id}",
  object: "group",
  summary: "A group, with the caller's membership",
  description: notVisible,
  request: { params: IdParam },
  responses: { 200: jsonContent(GroupSchema, "The group"), ...problems(400, 404) },
});

export const update = route.authed({
  method: "patch",
  path: "/api/groups/{id}",
  object: "group",
  summary: "Edit a group (its admins)",
  description:
    "Any subset of name, description, imageUrl, city and country; `null` clears an optional one; none changes nothing. The type never " +
    `changes, nor a city community's city. Others are a 403 \`not_group_admin\`. ${notVisible}`,
  request: { params: IdParam, body: jsonBody(UpdateGroupBody) },
  responses: { 200: jsonContent(GroupSchema, "The group as edited"), ...problems(400, 403, 404, 415) },
});

export const remove = route.authed({
  method: "delete",
  path: "/api/groups/{id}",
  object: "group",
  summary: "Delete a group (its creator or an admin)",
  description:
    "Its memberships and posts go with it; the events it hosted stay, hosted by no group. A city community is " +
    `never deleted (403 \`city_community\`); others are a 403 \`not_group_owner\`. ${notVisible}`,
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...problems(400, 403, 404) },
});
