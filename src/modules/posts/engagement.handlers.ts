import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./engagement.routes";
import * as engagement from "./engagement.service";

export const share: Handler<typeof routes.share> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(await engagement.sharePost(actorCtx(c), { postId: id, ...c.req.valid("json") }), 201);
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
