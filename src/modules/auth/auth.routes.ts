import { jsonBody, jsonContent, problems } from "../../lib/openapi";
import { moduleRoutes } from "../../lib/routes";
import { PrivateUserSchema } from "../users";
import {
  AuthResultSchema,
  AvailabilityQuery,
  AvailabilitySchema,
  LoginBody,
  RefreshTokenBody,
  RegisterBody,
} from "./auth.schemas";

const route = moduleRoutes("Auth");

export const register = route.public({
  method: "post",
  path: "/api/auth/register",
  summary: "Create an account",
  description: "Opens a first session and sends a verification email.",
  request: { body: jsonBody(RegisterBody) },
  responses: {
    201: jsonContent(AuthResultSchema, "The new account and its tokens"),
    ...problems(400, 409, 415, 429),
  },
});

export const login = route.public({
  method: "post",
  path: "/api/auth/login",
  summary: "Log in with email or username",
  description: "With two-factor authentication on and no `totp`, answers 401 with `code: totp_required`.",
  request: { body: jsonBody(LoginBody) },
  responses: {
    200: jsonContent(AuthResultSchema, "The account and its tokens"),
    ...problems(400, 401, 403, 429),
  },
});

export const refresh = route.public({
  method: "post",
  path: "/api/auth/refresh",
  summary: "Exchange a refresh token for a new pair",
  description: "Refresh tokens rotate: each works once. Reusing a spent one ends its whole session.",
  request: { body: jsonBody(RefreshTokenBody) },
  responses: {
    200: jsonContent(AuthResultSchema, "A new access and refresh token"),
    ...problems(400, 401),
  },
});

export const logout = route.public({
  method: "post",
  path: "/api/auth/logout",
  summary: "End the session a refresh token belongs to",
  request: { body: jsonBody(RefreshTokenBody) },
  responses: { 204: { description: "Logged out (also when the token was unknown)" }, ...problems(400) },
});

export const me = route.authed({
  method: "get",
  path: "/api/auth/me",
  summary: "The caller's account (private view)",
  responses: { 200: jsonContent(PrivateUserSchema, "The caller"), ...problems(404) },
});

export const checkAvailability = route.public({
  method: "get",
  path: "/api/auth/availability",
  summary: "Is a username free?",
  description: "Usernames only: whether an email address has an account is never told.",
  request: { query: AvailabilityQuery },
  responses: { 200: jsonContent(AvailabilitySchema, "Whether it is free"), ...problems(400, 429) },
});

