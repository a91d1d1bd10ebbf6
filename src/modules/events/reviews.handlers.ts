import { IDEMPOTENT_REPLAYED, idempotencyClaim } from "../../lib/idempotency";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./reviews.routes";
import * as reviews from "./reviews.service";

export const list: Handler<typeof routes.list> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(await reviews.listReviews(c.var.ctx, { eventId: id, ...c.req.valid("query") }), 200);
};

export const create: Handler<typeof routes.create> = async (c) => {
  const ctx = actorCtx(c);
  const { id } = c.req.valid("param");
  const body = c.req.valid("json");
  // The event id is hashed with the body: the same key on another event is another request (422).
  const key = c.req.valid("header")["idempotency-key"];
  const claim = await idempotencyClaim(ctx.actor.id, reviews.CREATE_REVIEW_SCOPE, key, { eventId: id, ...body });
  const { review, replayed } = await reviews.createReview(ctx, { eventId: id, ...body, claim });
  if (replayed) c.header(IDEMPOTENT_REPLAYED, "true");
  return c.json(review, 201);
};

export const update: Handler<typeof routes.update> = async (c) => {
  const { id, reviewId } = c.req.valid("param");
  return c.json(await reviews.updateReview(actorCtx(c), { eventId: id, reviewId, ...c.req.valid("json") }), 200);
};

export const remove: Handler<typeof routes.remove> = async (c) => {
  const { id, reviewId } = c.req.valid("param");
  await reviews.deleteReview(actorCtx(c), { eventId: id, reviewId });
  return c.body(null, 204);
};
