import { IDEMPOTENT_REPLAYED, idempotencyClaim } from "../../lib/idempotency";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./comments.routes";
import * as comments from "./comments.service";

export const list: Handler<typeof routes.list> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(await comments.listComments(c.var.ctx, { postId: id, ...c.req.valid("query") }), 200);
};

export const create: Handler<typeof routes.create> = async (c) => {
  const ctx = actorCtx(c);
  const { id } = c.req.valid("param");
  const body = c.req.valid("json");
  // The post id is hashed with the body: the same key on another post is another request (422).
  const key = c.req.valid("header")["idempotency-key"];
  const claim = await idempotencyClaim(ctx.actor.id, comments.CREATE_COMMENT_SCOPE, key, { postId: id, ...body });
  const { comment, replayed } = await comments.createComment(ctx, { postId: id, ...body, claim });
  if (replayed) c.header(IDEMPOTENT_REPLAYED, "true");
  return c.json(comment, 201);
};

export const update: Handler<typeof routes.update> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(await comments.updateComment(actorCtx(c), { commentId: id, ...c.req.valid("json") }), 200);
};

export const remove: Handler<typeof routes.remove> = async (c) => {
  await comments.deleteComment(actorCtx(c), { commentId: c.req.valid("param").id });
  return c.body(null, 204);
};

export const like: Handler<typeof routes.like> = async (c) => {
  return c.json(await comments.likeComment(actorCtx(c), { commentId: c.req.valid("param").id }), 200);
};

export const unlike: Handler<typeof routes.unlike> = async (c) => {
  return c.json(await comments.unlikeComment(actorCtx(c), { commentId: c.req.valid("param").id }), 200);
};
