import { jsonBody, jsonContent, problems } from "../../lib/openapi";
import { moduleRoutes } from "../../lib/routes";
import { ProfileSchema, UpdateProfileBody, UserRefParam } from "./profile.schemas";
import { PrivateUserSchema } from "./users.schemas";

const route = moduleRoutes("Users");

export const getProfile = route.viewer({
  method: "get",
  path: "/api/users/{idOrUsername}",
  object: "user",
  summary: "A user's profile, by id or username",
  description:
    "All digits is an id, anything else a username (case-insensitive); `me` is the caller. " +
    "The owner's profile visibility decides how much the viewer sees: the whole public profile " +
    "(`restricted: false`) or only a card (`restricted: true`). Suspended or deactivated accounts, " +
    "and users either side blocked, are 404. Anonymous viewers see public profiles only.",
  request: { params: UserRefParam },
  responses: { 200: jsonContent(ProfileSchema, "The profile, whole or as a card"), ...problems(400, 404) },
});

export const updateMe = route.authed({
  method: "patch",
  path: "/api/users/me",
  summary: "Edit the caller's profile and tango profile",
  description: "Only the fields given change; `null` clears an optional field. Unknown fields are a 400.",
  request: { body: jsonBody(UpdateProfileBody) },
  responses: { 200: jsonContent(PrivateUserSchema, "The caller, as changed"), ...problems(400, 404, 415) },
});
