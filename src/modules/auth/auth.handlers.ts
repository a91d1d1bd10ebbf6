import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { roleLevel } from "../../../drizzle/users";
import { ACCESS_TOKEN_TTL_SECONDS, issueAccessToken } from "../../lib/access-tokens";
import type { AppEnv } from "../../lib/context";
import { type AppError, unauthorized } from "../../lib/errors";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { clientNetworkKey, throttle } from "../../lib/rate-limit";
import { actorCtx } from "../../middleware/auth";
import { toPrivateUser } from "../users";
import { accountStatusError } from "./auth.policy";
import type * as routes from "./auth.routes";
import { RefreshToken } from "./auth.schemas";
import * as auth from "./auth.service";
import { CLEARED_REFRESH_COOKIE, REFRESH_COOKIE, refreshCookie, requireSameOrigin, withClearedRefreshCookie } from "./refresh-cookie";
import * as sessions from "./sessions.service";

/** Where the request came from: Cloudflare's client IP header and the user agent. */
export function clientInfo(c: Context<AppEnv>): sessions.ClientInfo {
  return {
    ip: c.req.header("cf-connecting-ip") ?? null,
    userAgent: c.req.header("user-agent")?.slice(0, 512) ?? null,
  };
}

/** The IP rate-limit key part: the address, or an IPv6 client's /64 ("unknown" when Cloudflare did not say). */
export function ipKey(c: Context<AppEnv>): string {
  return clientNetworkKey(c.req.header("cf-connecting-ip"));
}

async function authResult(c: Context<AppEnv>, account: sessions.AuthenticatedAccount) {
  const accessToken = await issueAccessToken(c.var.ctx.config.JWT_SECRET, {
    userId: account.user.id,
    role: account.user.role,
    level: roleLevel(account.user.role),
    sessionId: account.session.sessionId,
  });
  return {
    user: toPrivateUser(account.user),
    accessToken,
    refreshToken: account.session.refreshToken,
    tokenType: "Bearer" as const,
    expiresIn: ACCESS_TOKEN_TTL_SECONDS,
  };
}

/** Where a reply puts the refresh token: the JSON body (bearer clients) or the httpOnly cookie (the web app). */
type RefreshTransport = "body" | "cookie";

/**
 * The reply body for a new or rotated session. In cookie mode the refresh token is set as
 * the cookie and left out of the body, so no script on the page ever holds it.
 */
function deliver(c: Context<AppEnv>, result: Awaited<ReturnType<typeof authResult>>, transport: RefreshTransport) {
  if (transport === "body") return result;
  const { refreshToken, ...body } = result;
  c.header("Set-Cookie", refreshCookie(refreshToken));
  return body;
}

export const register: Handler<typeof routes.register> = async (c) => {
  const { refreshTransport = "body", ...input } = c.req.valid("json");
  if (refreshTransport === "cookie") requireSameOrigin(c);
  await throttle(c.env.AUTH_IP_LIMITER, `register:ip:${ipKey(c)}`);
  const account = await auth.registerAccount(c.var.ctx, { ...input, client: clientInfo(c) });
  return c.json(deliver(c, await authResult(c, account), refreshTransport), 201);
};

export const login: Handler<typeof routes.login> = async (c) => {
  const { refreshTransport = "body", ...input } = c.req.valid("json");
  if (refreshTransport === "cookie") requireSameOrigin(c);
  await throttle(c.env.AUTH_IP_LIMITER, `login:ip:${ipKey(c)}`);
  const account = await auth.login(c.var.ctx, {
    ...input,
    client: clientInfo(c),
    throttle: (key) => throttle(c.env.AUTH_ACCOUNT_LIMITER, key),
  });
  return c.json(deliver(c, await authResult(c, account), refreshTransport), 200);
};

export const refresh: Handler<typeof routes.refresh> = async (c) => {
  const body = c.req.valid("json");
  // A token in the body wins; only without one is the cookie read, and then the reply is in cookie mode.
  const fromCookie = body.refreshToken === undefined ? getCookie(c, REFRESH_COOKIE) || undefined : undefined;
  const token = body.refreshToken ?? fromCookie;
  if (token === undefined) throw unauthorized("Send the refresh token in the body or its cookie.", "refresh_token_missing");
  const transport: RefreshTransport = fromCookie !== undefined ? "cookie" : (body.refreshTransport ?? "body");
  if (transport === "cookie") requireSameOrigin(c);
  // A refused cookie is of no more use: the browser is told to drop it.
  const refuse = (error: AppError) => (fromCookie !== undefined ? withClearedRefreshCookie(error) : error);
  // A cookie is not validated as the body is: one far from a token's shape is simply unknown.
  if (!RefreshToken.safeParse(token).success) throw refuse(sessions.refreshError("unknown"));

  const outcome = await sessions.rotateRefreshToken(c.var.ctx, { refreshToken: token });
  if (!outcome.ok) throw refuse(sessions.refreshError(outcome.reason));
  const statusError = accountStatusError(outcome.user);
  if (statusError) throw refuse(statusError);
  return c.json(deliver(c, await authResult(c, outcome), transport), 200);
};

export const logout: Handler<typeof routes.logout> = async (c) => {
  const { refreshToken } = c.req.valid("json");
  if (refreshToken !== undefined) {
    await sessions.logout(c.var.ctx, { refreshToken });
    return c.body(null, 204);
  }
  // Cookie mode: the cookie's session ends, and the cookie is cleared whether or not one came.
  requireSameOrigin(c);
  const cookie = RefreshToken.safeParse(getCookie(c, REFRESH_COOKIE));
  if (cookie.success) await sessions.logout(c.var.ctx, { refreshToken: cookie.data });
  c.header("Set-Cookie", CLEARED_REFRESH_COOKIE);
  return c.body(null, 204);
};

export const me: Handler<typeof routes.me> = async (c) => {
  const user = await auth.getAccount(actorCtx(c));
  return c.json(toPrivateUser(user), 200);
};

export const checkAvailability: Handler<typeof routes.checkAvailability> = async (c) => {
  await throttle(c.env.AUTH_IP_LIMITER, `availability:ip:${ipKey(c)}`);
  return c.json({ available: await auth.isUsernameAvailable(c.var.ctx, c.req.valid("query")) }, 200);
};
