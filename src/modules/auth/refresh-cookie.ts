import type { Context } from "hono";
import { REFRESH_TOKEN_TTL_DAYS } from "../../lib/access-tokens";
import type { AppEnv } from "../../lib/context";
import { AppError } from "../../lib/errors";

/**
 * The web app's refresh token travels in this cookie, never in a body its scripts could read.
 * Sent back only to the auth routes (Path), only over HTTPS (Secure), never with a request
 * another site started (SameSite=Strict).
 */
export const REFRESH_COOKIE = "mt_refresh";

const ATTRIBUTES = "Path=/api/auth; HttpOnly; Secure; SameSite=Strict";

/** As long as the refresh token itself lives: the session expires, and the cookie with it. */
const MAX_AGE_SECONDS = REFRESH_TOKEN_TTL_DAYS * 24 * 60 * 60;

/**
 * The `Set-Cookie` value that hands a refresh token to the browser.
 *
 * @example
 * c.header("Set-Cookie", refreshCookie(session.refreshToken));
 */
export function refreshCookie(refreshToken: string): string {
  return `${REFRESH_COOKIE}=${refreshToken}; Max-Age=${MAX_AGE_SECONDS}; ${ATTRIBUTES}`;
}

/** The `Set-Cookie` value that makes the browser drop the cookie (same name, path and flags). */
export const CLEARED_REFRESH_COOKIE = `${REFRESH_COOKIE}=; Max-Age=0; ${ATTRIBUTES}`;

/**
 * Refuses a cookie-mode request whose `Origin` is not this API's own origin (the web app is
 * served from it). SameSite=Strict already keeps other sites' requests from carrying the
 * cookie; this also refuses same-site sibling origins and replays without an `Origin`, before
 * anything is read, written or rotated.
 */
export function requireSameOrigin(c: Context<AppEnv>): void {
  if (c.req.header("origin") !== new URL(c.req.url).origin) {
    throw new AppError(403, "cross_origin_cookie", "The refresh cookie is only used by requests from this site's own origin.");
  }
}

/** The same refusal, also telling the browser to drop its (now useless) refresh cookie. */
export function withClearedRefreshCookie(error: AppError): AppError {
  return new AppError(error.status, error.code, error.message, {
    errors: error.errors,
    extensions: error.extensions,
    headers: { ...error.headers, "Set-Cookie": CLEARED_REFRESH_COOKIE },
  });
}
