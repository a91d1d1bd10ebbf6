import type { Context } from "hono";
import { roleLevel } from "../../../drizzle/users";
import { ACCESS_TOKEN_TTL_SECONDS, issueAccessToken } from "../../lib/access-tokens";
import type { AppEnv } from "../../lib/context";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { clientNetworkKey, throttle } from "../../lib/rate-limit";
import { actorCtx } from "../../middleware/auth";
import { toPrivateUser } from "../users";
import { accountStatusError } from "./auth.policy";
import type * as routes from "./auth.routes";
import * as auth from "./auth.service";
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

export const register: Handler<typeof routes.register> = async (c) => {
  await throttle(c.env.AUTH_IP_LIMITER, `register:ip:${ipKey(c)}`);
  const account = await auth.registerAccount(c.var.ctx, { ...c.req.valid("json"), client: clientInfo(c) });
  return c.json(await authResult(c, account), 201);
};

export const login: Handler<typeof routes.login> = async (c) => {
  const input = c.req.valid("json");
  await throttle(c.env.AUTH_IP_LIMITER, `login:ip:${ipKey(c)}`);
  const account = await auth.login(c.var.ctx, {
    ...input,
    client: clientInfo(c),
    throttle: (key) => throttle(c.env.AUTH_ACCOUNT_LIMITER, key),
  });
  return c.json(await authResult(c, account), 200);
};

export const refresh: Handler<typeof routes.refresh> = async (c) => {
  const outcome = await sessions.rotateRefreshToken(c.var.ctx, c.req.valid("json"));
  if (!outcome.ok) throw sessions.refreshError(outcome.reason);
  const statusError = accountStatusError(outcome.user);
  if (statusError) throw statusError;
  return c.json(await authResult(c, outcome), 200);
};

export const logout: Handler<typeof routes.logout> = async (c) => {
  await sessions.logout(c.var.ctx, c.req.valid("json"));
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
