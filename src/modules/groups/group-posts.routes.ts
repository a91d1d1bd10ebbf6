import { IdempotencyKeyHeader } from "../../lib/idempotency";
import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { CreateGroupPostBody, PostSchema } from "../posts";
import { notVisible } from "./groups.routes";

const route = moduleRoutes("Groups");

export const create = route.authed({
  method: "post",
  path: "/api/groups/{id}/posts",
  object: "group",
  summary: "Post in a group (its members)",
  description:
    "A post as `POST /api/posts` makes it (mentions, hashtags, media, `Idempotency-Key`), with visibility `group`: " +
    "only the group's active members see it, and it is in no feed or timeline. Mentioned dancers are told only if " +
    `they are members. Non-members are a 403 \`not_group_member\`. ${notVisible}`,
  request: { headers: IdempotencyKeyHeader, params: IdParam, body: jsonBody(CreateGroupPostBody) },
  responses: { 201: jsonContent(PostSchema, "The post"), ...problems(400, 403, 404, 415, 422) },
});

export const list = route.viewer({
  method: "get",
  path: "/api/groups/{id}/posts",
  object: "group",
  summary: "A group's posts, newest first (its members)",
  description: `Non-members are a 403 \`not_group_member\`. ${notVisible}`,
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(PostSchema), "A page of posts"), ...problems(400, 403, 404) },
});
