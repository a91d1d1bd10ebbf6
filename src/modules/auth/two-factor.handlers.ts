import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { throttle } from "../../lib/rate-limit";
import { viewerOf } from "../../middleware/auth";
import type * as routes from "./two-factor.routes";
import * as twoFactor from "./two-factor.service";

export const setup: Handler<typeof routes.setup> = async (c) => {
  const result = await twoFactor.setupTwoFactor(c.var.db, viewerOf(c).id, c.var.config.ENCRYPTION_KEY);
  return c.json(result, 200);
};

export const enable: Handler<typeof routes.enable> = async (c) => {
  const viewer = viewerOf(c);
  await throttle(c.env.AUTH_ACCOUNT_LIMITER, `2fa:user:${viewer.id}`);
  const codes = await twoFactor.enableTwoFactor(c.var.db, viewer.id, c.req.valid("json").code, c.var.config.ENCRYPTION_KEY);
  return c.json({ enabled: true as const, backupCodes: codes }, 200);
};

export const disable: Handler<typeof routes.disable> = async (c) => {
  const viewer = viewerOf(c);
  await throttle(c.env.AUTH_ACCOUNT_LIMITER, `2fa:user:${viewer.id}`);
  await twoFactor.disableTwoFactor(c.var.db, viewer.id, c.req.valid("json"), c.var.config.ENCRYPTION_KEY);
  return c.body(null, 204);
};
