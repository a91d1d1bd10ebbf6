import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { throttle } from "../../lib/rate-limit";
import { viewerOf } from "../../middleware/auth";
import { ipKey } from "./auth.handlers";
import type * as routes from "./two-factor.routes";
import * as twoFactor from "./two-factor.service";

type AnyTwoFactorContext = Parameters<Handler<typeof routes.enable>>[0] | Parameters<Handler<typeof routes.setup>>[0];

/** Password and code guesses are limited per account and per IP. */
async function throttleAttempts(c: AnyTwoFactorContext, userId: number) {
  await throttle(c.env.AUTH_IP_LIMITER, `2fa:ip:${ipKey(c)}`);
  await throttle(c.env.AUTH_ACCOUNT_LIMITER, `2fa:user:${userId}`);
}

const optionsOf = (c: AnyTwoFactorContext) => ({ encryptionKey: c.var.config.ENCRYPTION_KEY });

export const setup: Handler<typeof routes.setup> = async (c) => {
  const viewer = viewerOf(c);
  await throttleAttempts(c, viewer.id);
  const result = await twoFactor.setupTwoFactor(c.var.db, viewer.id, c.req.valid("json"), optionsOf(c));
  return c.json(result, 200);
};

export const enable: Handler<typeof routes.enable> = async (c) => {
  const viewer = viewerOf(c);
  await throttleAttempts(c, viewer.id);
  const codes = await twoFactor.enableTwoFactor(c.var.db, viewer.id, c.req.valid("json"), optionsOf(c));
  return c.json({ enabled: true as const, backupCodes: codes }, 200);
};

export const disable: Handler<typeof routes.disable> = async (c) => {
  const viewer = viewerOf(c);
  await throttleAttempts(c, viewer.id);
  await twoFactor.disableTwoFactor(c.var.db, viewer.id, c.req.valid("json"), optionsOf(c));
  return c.body(null, 204);
};
