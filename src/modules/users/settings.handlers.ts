import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./settings.routes";
import * as settings from "./settings.service";

export const getSettings: Handler<typeof routes.getSettings> = async (c) => {
  const ctx = actorCtx(c);
  return c.json(await settings.getSettings(ctx, { userId: ctx.actor.id }), 200);
};

export const updateSettings: Handler<typeof routes.updateSettings> = async (c) => {
  return c.json(await settings.updateSettings(actorCtx(c), c.req.valid("json")), 200);
};
