import { IDEMPOTENT_REPLAYED, idempotencyClaim } from "../../lib/idempotency";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./photos.routes";
import * as photos from "./photos.service";

export const list: Handler<typeof routes.list> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(await photos.listPhotos(c.var.ctx, { eventId: id, ...c.req.valid("query") }), 200);
};

export const add: Handler<typeof routes.add> = async (c) => {
  const ctx = actorCtx(c);
  const { id } = c.req.valid("param");
  const body = c.req.valid("json");
  // The event id is hashed with the body: the same key on another event is another request (422).
  const key = c.req.valid("header")["idempotency-key"];
  const claim = await idempotencyClaim(ctx.actor.id, photos.ADD_PHOTO_SCOPE, key, { eventId: id, ...body });
  const { photo, replayed } = await photos.addPhoto(ctx, { eventId: id, ...body, claim });
  if (replayed) c.header(IDEMPOTENT_REPLAYED, "true");
  return c.json(photo, 201);
};

export const remove: Handler<typeof routes.remove> = async (c) => {
  const { id, photoId } = c.req.valid("param");
  await photos.removePhoto(actorCtx(c), { eventId: id, photoId });
  return c.body(null, 204);
};
