import { createRoute } from "@hono/zod-openapi";
import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { requireLevel } from "../../middleware/auth";
import { ROLE_ADMIN_LEVEL } from "./roles.policy";
import { AssignRoleBody, RoleChangeSchema, RoleSchema, UserRoleSchema } from "./roles.schemas";

const security = [{ bearerAuth: [] }];

export const list = createRoute({
  method: "get",
  path: "/api/roles",
  tags: ["Roles"],
  summary: "The role tiers, lowest first",
  description: "All eight tiers in one page (`nextCursor` is always null).",
  responses: { 200: jsonContent(pageSchema(RoleSchema), "The tiers"), ...problems(401) },
});

export const assign = createRoute({
  method: "put",
  path: "/api/admin/users/{id}/role",
  tags: ["Admin"],
  summary: "Give a user a role",
  description:
    `Needs role level ${ROLE_ADMIN_LEVEL} or above, checked again against the database. Nobody assigns ` +
    "a role above their own or changes the role of a user ranked above them, and nobody changes " +
    "their own role (403 `cannot_change_own_role`). Each change is recorded in the role history; " +
    "giving the role the user already has is a 200 that records nothing. Access tokens carry the " +
    "role, so the user gets the new one on their next token refresh (within 15 minutes).",
  security,
  middleware: [requireLevel(ROLE_ADMIN_LEVEL)] as const,
  request: { params: IdParam, body: jsonBody(AssignRoleBody) },
  responses: { 200: jsonContent(UserRoleSchema, "The user's role now"), ...problems(400, 401, 403, 404, 415) },
});

export const history = createRoute({
  method: "get",
  path: "/api/admin/users/{id}/role-changes",
  tags: ["Admin"],
  summary: "A user's role history, newest first",
  security,
  middleware: [requireLevel(ROLE_ADMIN_LEVEL)] as const,
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(RoleChangeSchema), "A page of role changes"), ...problems(400, 401, 403, 404) },
});
