import { createRoute } from "@hono/zod-openapi";
import { IdParam, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { requireAuth } from "../../middleware/auth";
import { BlockedUserSchema } from "./blocks.schemas";

const tags = ["Blocks"];
const security = [{ bearerAuth: [] }];

export const block = createRoute({
  method: "post",
  path: "/api/users/{id}/block",
  tags,
  summary: "Block a user",
  description:
    "Idempotent: 204 whether or not the block already existed. A block cuts every tie in the same " +
    "statement: follows both ways and the friendship are removed, pending friend requests either way " +
    "are cancelled. From then on each of the two is hidden from the other.",
  security,
  middleware: [requireAuth] as const,
  request: { params: IdParam },
  responses: { 204: { description: "Blocked" }, ...problems(400, 401, 404) },
});

export const unblock = createRoute({
  method: "delete",
  path: "/api/users/{id}/block",
  tags,
  summary: "Unblock a user",
  description: "Idempotent: 204 also when there was no such block. Removed follows and friendships stay removed.",
  security,
  middleware: [requireAuth] as const,
  request: { params: IdParam },
  responses: { 204: { description: "Not blocked (any more)" }, ...problems(400, 401) },
});

export const list = createRoute({
  method: "get",
  path: "/api/users/me/blocks",
  tags,
  summary: "The users the caller blocked, newest block first",
  security,
  middleware: [requireAuth] as const,
  request: { query: PageQuery },
  responses: { 200: jsonContent(pageSchema(BlockedUserSchema), "A page of blocked users"), ...problems(400, 401) },
});
