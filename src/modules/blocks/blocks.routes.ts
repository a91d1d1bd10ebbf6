import { IdParam, jsonContent, problems } from "../../lib/openapi";
import { moduleRoutes } from "../../lib/routes";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { BlockedUserSchema } from "./blocks.schemas";

const route = moduleRoutes("Blocks");

export const block = route.authed({
  method: "post",
  path: "/api/users/{id}/block",
  object: "user",
  summary: "Block a user",
  description:
    "Idempotent: 204 whether or not the block already existed. A block cuts every tie in the same " +
    "statement: follows both ways and the friendship are removed, pending friend requests either way " +
    "are cancelled. From then on each of the two is hidden from the other.",
  request: { params: IdParam },
  responses: { 204: { description: "Blocked" }, ...problems(400, 404) },
});

export const unblock = route.authed({
  method: "delete",
  path: "/api/users/{id}/block",
  object: "user",
  summary: "Unblock a user",
  description: "Idempotent: 204 also when there was no such block. Removed follows and friendships stay removed.",
  request: { params: IdParam },
  responses: { 204: { description: "Not blocked (any more)" }, ...problems(400) },
});

export const list = route.authed({
  method: "get",
  path: "/api/users/me/blocks",
  summary: "The users the caller blocked, newest block first",
  request: { query: PageQuery },
  responses: { 200: jsonContent(pageSchema(BlockedUserSchema), "A page of blocked users"), ...problems(400) },
});
