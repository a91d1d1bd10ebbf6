import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { viewerOf } from "../../middleware/auth";
import type * as routes from "./settings.routes";
import * as settings from "./settings.service";

export const getSettings: Handler<typeof routes.getSettings> = async (c) => {
  return c.json(await settings.getSettings(c.var.db, viewerOf(c).id), 200);
};

export const updateSettings: Handler<typeof routes.updateSettings> = async (c) => {
  return c.json(await settings.updateSettings(c.var.db, viewerOf(c).id, c.req.valid("json")), 200);
};
