import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./feed.routes";
import * as feed from "./feed.service";

export const feedPage: Handler<typeof routes.feed> = async (c) => {
  return c.json(await feed.listFeed(actorCtx(c), c.req.valid("query")), 200);
};

export const timeline: Handler<typeof routes.timeline> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(await feed.listTimeline(c.var.ctx, { userId: id, ...c.req.valid("query") }), 200);
};
