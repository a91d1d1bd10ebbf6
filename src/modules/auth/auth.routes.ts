import { jsonBody, jsonContent, problems } from "../../lib/openapi";
import { moduleRoutes } from "../../lib/routes";
import { PrivateUserSchema } from "../users";
import {
  AuthResultSchema,
  AvailabilityQuery,
  AvailabilitySchema,
  LoginBody,
  LogoutBody,
  RefreshBody,
  RegisterBody,
} from "./auth.schemas";

const route = moduleRoutes("Auth");

const COOKIE_MODE =
  'With `refreshTransport: "cookie"` (the web app), the refresh token is set in the `mt_refresh` cookie ' +
  "(HttpOnly; Secure; SameSite=Strict; Path=/api/auth; Max-Age: the refresh token's lifetime) instead of the body, " +
  "and the request must carry an `Origin` equal to the API's own origin (else 403 `cross_origin_cookie`).";

const SETS_COOKIE = "In cookie mode: `mt_refresh=<refresh token>; Max-Age=<lifetime in seconds>; Path=/api/auth; HttpOnly; Secure; SameSite=Strict`.";

/** A response that may set (or clear) the refresh cookie. */
function settingRefreshCookie<T extends object>(response: T, description = SETS_COOKIE) {
  return { ...response, headers: { "Set-Cookie": { description, schema: { type: "string" as const } } } };
}

export const register = route.public({
  method: "post",
  path: "/api/auth/register",
  summary: "Create an account",
  description: `Opens a first session and sends a verification email. ${COOKIE_MODE}`,
  request: { body: jsonBody(RegisterBody) },
  responses: {
    201: settingRefreshCookie(jsonContent(AuthResultSchema, "The new account and its tokens")),
    ...problems(400, 403, 409, 415, 429),
  },
});

export const login = route.public({
  method: "post",
  path: "/api/auth/login",
  summary: "Log in with email or username",
  description: `With two-factor authentication on and no \`totp\`, answers 401 with \`code: totp_required\`. ${COOKIE_MODE}`,
  request: { body: jsonBody(LoginBody) },
  responses: {
    200: settingRefreshCookie(jsonContent(AuthResultSchema, "The account and its tokens")),
    ...problems(400, 401, 403, 429),
  },
});

export const refresh = route.public({
  method: "post",
  path: "/api/auth/refresh",
  summary: "Exchange a refresh token for a new pair",
  description:
    "Refresh tokens rotate: each works once. Reusing a spent one ends its whole session. " +
    "Without `refreshToken` in the body, the `mt_refresh` cookie is the token and the reply is in cookie mode (the rotated " +
    "token in the cookie, none in the body); neither is a 401 `refresh_token_missing`, and a refused cookie is cleared. " +
    COOKIE_MODE,
  request: { body: jsonBody(RefreshBody) },
  responses: {
    200: settingRefreshCookie(jsonContent(AuthResultSchema, "A new access and refresh token")),
    ...problems(400, 401, 403),
  },
});

export const logout = route.public({
  method: "post",
  path: "/api/auth/logout",
  summary: "End the session a refresh token belongs to",
  description:
    "Without `refreshToken` in the body, ends the session of the `mt_refresh` cookie and clears the cookie; that needs an " +
    "`Origin` equal to the API's own origin (else 403 `cross_origin_cookie`).",
  request: { body: jsonBody(LogoutBody) },
  responses: {
    204: settingRefreshCookie(
      { description: "Logged out (also when the token was unknown)" },
      "In cookie mode: `mt_refresh=; Max-Age=0; Path=/api/auth; HttpOnly; Secure; SameSite=Strict` (the cookie is dropped).",
    ),
    ...problems(400, 403),
  },
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

