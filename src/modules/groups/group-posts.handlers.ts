import { IDEMPOTENT_REPLAYED, idempotencyClaim } from "../../lib/idempotency";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./group-posts.routes";
import * as groupPosts from "./group-posts.service";

export const create: Handler<typeof routes.create> = async (c) => {
  const ctx = actorCtx(c);
  const { id } = c.req.valid("param");
  const body = c.req.valid("json");
  // The group id is hashed with the body: the same key in another group is another request (422).
  const key = c.req.valid("header")["idempotency-key"];
  const claim = await idempotencyClaim(ctx.actor.id, groupPosts.CREATE_GROUP_POST_SCOPE, key, { groupId: id, ...body });
  const { post, replayed } = await groupPosts.createGroupPost(ctx, { groupId: id, post: body, claim });
  if (replayed) c.header(IDEMPOTENT_REPLAYED, "true");
  return c.json(post, 201);
};

export const list: Handler<typeof routes.list> = async (c) => {
  return c.json(await groupPosts.listGroupPosts(c.var.ctx, { groupId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
};
