import { createRoute } from "@hono/zod-openapi";
import { jsonBody, jsonContent, problems } from "../../lib/openapi";
import { requireAuth } from "../../middleware/auth";
import { ProfileSchema, UpdateProfileBody, UserRefParam } from "./profile.schemas";
import { PrivateUserSchema } from "./users.schemas";

const tags = ["Users"];
/** Anonymous, or with a token: who the viewer is changes what they see. */
const optionalBearer: Record<string, string[]>[] = [{}, { bearerAuth: [] }];

export const getProfile = createRoute({
  method: "get",
  path: "/api/users/{idOrUsername}",
  tags,
  summary: "A user's profile, by id or username",
  description:
    "All digits is an id, anything else a username (case-insensitive); `me` is the caller. " +
    "The owner's profile visibility decides how much the viewer sees: the whole public profile " +
    "(`restricted: false`) or only a card (`restricted: true`). Suspended or deactivated accounts, " +
    "and users either side blocked, are 404. Anonymous viewers see public profiles only.",
  security: optionalBearer,
  request: { params: UserRefParam },
  responses: { 200: jsonContent(ProfileSchema, "The profile, whole or as a card"), ...problems(400, 401, 404) },
});

export const updateMe = createRoute({
  method: "patch",
  path: "/api/users/me",
  tags,
  summary: "Edit the caller's profile and tango profile",
  description: "Only the fields given change; `null` clears an optional field. Unknown fields are a 400.",
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth] as const,
  request: { body: jsonBody(UpdateProfileBody) },
  responses: { 200: jsonContent(PrivateUserSchema, "The caller, as changed"), ...problems(400, 401, 404, 415) },
});
