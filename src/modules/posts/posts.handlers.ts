import { IDEMPOTENT_REPLAYED, idempotencyClaim } from "../../lib/idempotency";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import * as likes from "./likes.service";
import type * as routes from "./posts.routes";
import * as posts from "./posts.service";

export const create: Handler<typeof routes.create> = async (c) => {
  const ctx = actorCtx(c);
  const body = c.req.valid("json");
  const claim = await idempotencyClaim(ctx.actor.id, posts.CREATE_POST_SCOPE, c.req.valid("header")["idempotency-key"], body);
  const { post, replayed } = await posts.createPost(ctx, { post: body, claim });
  if (replayed) c.header(IDEMPOTENT_REPLAYED, "true");
  return c.json(post, 201);
};

export const get: Handler<typeof routes.get> = async (c) => {
  return c.json(await posts.getPost(c.var.ctx, { postId: c.req.valid("param").id }), 200);
};

export const update: Handler<typeof routes.update> = async (c) => {
  const post = await posts.updatePost(actorCtx(c), { postId: c.req.valid("param").id, changes: c.req.valid("json") });
  return c.json(post, 200);
};

export const remove: Handler<typeof routes.remove> = async (c) => {
  await posts.deletePost(actorCtx(c), { postId: c.req.valid("param").id });
  return c.body(null, 204);
};

export const edits: Handler<typeof routes.edits> = async (c) => {
  return c.json(await posts.listPostEdits(c.var.ctx, { postId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
};

export const like: Handler<typeof routes.like> = async (c) => {
  return c.json(await likes.likePost(actorCtx(c), { postId: c.req.valid("param").id }), 200);
};

export const unlike: Handler<typeof routes.unlike> = async (c) => {
  return c.json(await likes.unlikePost(actorCtx(c), { postId: c.req.valid("param").id }), 200);
};
