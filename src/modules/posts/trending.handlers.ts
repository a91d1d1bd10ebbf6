import type { AppRouteHandler as Handler } from "../../lib/openapi";
import type * as routes from "./trending.routes";
import * as trending from "./trending.service";

export const trendingPosts: Handler<typeof routes.trendingPosts> = async (c) => {
  return c.json(await trending.trendingPosts(c.var.ctx, c.req.valid("query")), 200);
};
