import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { throttle } from "../../lib/rate-limit";
import { actorCtx } from "../../middleware/auth";
import { ipKey } from "./auth.handlers";
import type * as routes from "./two-factor.routes";
import * as twoFactor from "./two-factor.service";

type AnyTwoFactorContext = Parameters<Handler<typeof routes.enable>>[0] | Parameters<Handler<typeof routes.setup>>[0];

/** Password and code guesses are limited per account and per IP. */
async function throttleAttempts(c: AnyTwoFactorContext, userId: number) {
  await throttle(c.env.AUTH_IP_LIMITER, `2fa:ip:${ipKey(c)}`);
  await throttle(c.env.AUTH_ACCOUNT_LIMITER, `2fa:user:${userId}`);
}

export const setup: Handler<typeof routes.setup> = async (c) => {
  const ctx = actorCtx(c);
  await throttleAttempts(c, ctx.actor.id);
  return c.json(await twoFactor.setupTwoFactor(ctx, c.req.valid("json")), 200);
};

export const enable: Handler<typeof routes.enable> = async (c) => {
  const ctx = actorCtx(c);
  await throttleAttempts(c, ctx.actor.id);
  const codes = await twoFactor.enableTwoFactor(ctx, c.req.valid("json"));
  return c.json({ enabled: true as const, backupCodes: codes }, 200);
};

export const disable: Handler<typeof routes.disable> = async (c) => {
  const ctx = actorCtx(c);
  await throttleAttempts(c, ctx.actor.id);
  await twoFactor.disableTwoFactor(ctx, c.req.valid("json"));
  return c.body(null, 204);
};
