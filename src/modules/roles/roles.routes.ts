import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { ROLE_ADMIN_LEVEL } from "./roles.policy";
import { AssignRoleBody, RoleChangeSchema, RoleSchema, UserRoleSchema } from "./roles.schemas";

const route = moduleRoutes("Roles");
const admin = moduleRoutes("Admin");

export const list = route.public({
  method: "get",
  path: "/api/roles",
  summary: "The role tiers, lowest first",
  description: "All eight tiers in one page (`nextCursor` is always null).",
  responses: { 200: jsonContent(pageSchema(RoleSchema), "The tiers"), ...problems(401) },
});

export const assign = admin.authed({
  method: "put",
  path: "/api/admin/users/{id}/role",
  minLevel: ROLE_ADMIN_LEVEL,
  object: "user",
  summary: "Give a user a role",
  description:
    `Needs role level ${ROLE_ADMIN_LEVEL} or above, checked again against the database. Nobody assigns ` +
    "a role above their own or changes the role of a user ranked above them, and nobody changes " +
    "their own role (403 `cannot_change_own_role`). Each change is recorded in the role history; " +
    "giving the role the user already has is a 200 that records nothing. Access tokens carry the " +
    "role, so the user gets the new one on their next token refresh (within 15 minutes).",
  request: { params: IdParam, body: jsonBody(AssignRoleBody) },
  responses: { 200: jsonContent(UserRoleSchema, "The user's role now"), ...problems(400, 404, 415) },
});

export const history = admin.authed({
  method: "get",
  path: "/api/admin/users/{id}/role-changes",
  minLevel: ROLE_ADMIN_LEVEL,
  object: "user",
  summary: "A user's role history, newest first",
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(RoleChangeSchema), "A page of role changes"), ...problems(400, 404) },
});
