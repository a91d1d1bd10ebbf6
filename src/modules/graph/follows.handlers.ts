import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import { followError } from "./follows.policy";
import type * as routes from "./follows.routes";
import * as follows from "./follows.service";

export const follow: Handler<typeof routes.follow> = async (c) => {
  const ctx = actorCtx(c);
  const { id } = c.req.valid("param");
  const refused = followError(ctx.actor.id, id);
  if (refused) throw refused;
  return c.json(await follows.followUser(ctx, { userId: id }), 200);
};

export const unfollow: Handler<typeof routes.unfollow> = async (c) => {
  const ctx = actorCtx(c);
  const { id } = c.req.valid("param");
  const refused = followError(ctx.actor.id, id);
  if (refused) throw refused;
  return c.json(await follows.unfollowUser(ctx, { userId: id }), 200);
};

export const followers: Handler<typeof routes.followers> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(await follows.listFollows(c.var.ctx, { userId: id, side: "followers", ...c.req.valid("query") }), 200);
};

export const following: Handler<typeof routes.following> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(await follows.listFollows(c.var.ctx, { userId: id, side: "following", ...c.req.valid("query") }), 200);
};
