import type { AppRouteHandler as Handler } from "../../lib/openapi";
import type * as routes from "./hashtags.routes";
import * as hashtags from "./hashtags.service";

export const hashtagPosts: Handler<typeof routes.hashtagPosts> = async (c) => {
  const { tag } = c.req.valid("param");
  return c.json(await hashtags.hashtagPosts(c.var.ctx, { tag, ...c.req.valid("query") }), 200);
};

export const trendingHashtags: Handler<typeof routes.trendingHashtags> = async (c) => {
  return c.json(await hashtags.trendingHashtags(c.var.ctx, c.req.valid("query")), 200);
};
