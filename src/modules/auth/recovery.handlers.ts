import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { throttle } from "../../lib/rate-limit";
import { actorCtx } from "../../middleware/auth";
import { ipKey } from "./auth.handlers";
import type * as routes from "./recovery.routes";
import * as recovery from "./recovery.service";

export const verifyEmail: Handler<typeof routes.verifyEmail> = async (c) => {
  await throttle(c.env.AUTH_IP_LIMITER, `verify-email:ip:${ipKey(c)}`);
  await recovery.verifyEmail(c.var.ctx, c.req.valid("json"));
  return c.body(null, 204);
};

export const resendVerification: Handler<typeof routes.resendVerification> = async (c) => {
  const ctx = actorCtx(c);
  await throttle(c.env.AUTH_ACCOUNT_LIMITER, `verify-email:user:${ctx.actor.id}`);
  await recovery.resendVerification(ctx);
  return c.json({ accepted: true as const }, 202);
};

export const forgotPassword: Handler<typeof routes.forgotPassword> = async (c) => {
  const { email } = c.req.valid("json");
  await throttle(c.env.AUTH_IP_LIMITER, `forgot:ip:${ipKey(c)}`);
  await throttle(c.env.AUTH_ACCOUNT_LIMITER, `forgot:account:${email}`);
  await recovery.requestPasswordReset(c.var.ctx, { email });
  return c.json({ accepted: true as const }, 202);
};

export const resetPassword: Handler<typeof routes.resetPassword> = async (c) => {
  await throttle(c.env.AUTH_IP_LIMITER, `reset:ip:${ipKey(c)}`);
  await recovery.resetPassword(c.var.ctx, c.req.valid("json"));
  return c.body(null, 204);
};
