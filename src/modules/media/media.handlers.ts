import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { throttle } from "../../lib/rate-limit";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./media.routes";
import * as media from "./media.service";

export const upload: Handler<typeof routes.upload> = async (c) => {
  const ctx = actorCtx(c);
  await throttle(c.env.MEDIA_UPLOAD_LIMITER, `media:user:${ctx.actor.id}`);
  const stored = await media.storeUpload(ctx, {
    bucket: c.env.MEDIA,
    contentType: c.req.header("content-type"),
    contentLength: c.req.header("content-length"),
    body: c.req.raw.body,
  });
  return c.json(stored, 201, { Location: stored.url });
};

export const serve: Handler<typeof routes.serve> = async (c) => {
  return media.serveMedia(c.var.ctx, {
    bucket: c.env.MEDIA,
    key: c.req.valid("param").key,
    method: c.req.method,
    headers: c.req.raw.headers,
  });
};
