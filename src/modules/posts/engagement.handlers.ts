import { IDEMPOTENT_REPLAYED, idempotencyClaim } from "../../lib/idempotency";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./engagement.routes";
import * as engagement from "./engagement.service";

export const share: Handler<typeof routes.share> = async (c) => {
  const ctx = actorCtx(c);
  const { id } = c.req.valid("param");
  const body = c.req.valid("json");
  // The post id is hashed with the body: the same key on another post is another request (422).
  const key = c.req.valid("header")["idempotency-key"];
  const claim = await idempotencyClaim(ctx.actor.id, engagement.SHARE_POST_SCOPE, key, { postId: id, ...body });
  const { shared, replayed } = await engagement.sharePost(ctx, { postId: id, ...body, claim });
  if (replayed) c.header(IDEMPOTENT_REPLAYED, "true");
  return c.json(shared, 201);
};

export const unshare: Handler<typeof routes.unshare> = async (c) => {
  await engagement.unsharePost(actorCtx(c), { postId: c.req.valid("param").id });
  return c.body(null, 204);
};

export const bookmark: Handler<typeof routes.bookmark> = async (c) => {
  return c.json(await engagement.bookmarkPost(actorCtx(c), { postId: c.req.valid("param").id }), 200);
};

export const unbookmark: Handler<typeof routes.unbookmark> = async (c) => {
  return c.json(await engagement.unbookmarkPost(actorCtx(c), { postId: c.req.valid("param").id }), 200);
};

export const bookmarks: Handler<typeof routes.bookmarks> = async (c) => {
  return c.json(await engagement.listBookmarks(actorCtx(c), c.req.valid("query")), 200);
};
