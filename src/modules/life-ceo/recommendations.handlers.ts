import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { throttle } from "../../lib/rate-limit";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./recommendations.routes";
import * as recommendations from "./recommendations.service";

export const generate: Handler<typeof routes.generate> = async (c) => {
  const ctx = actorCtx(c);
  await throttle(c.env.AI_LIMITER, `ai:user:${ctx.actor.id}`);
  const { goalIds } = c.req.valid("json");
  const { created } = await recommendations.generateRecommendations(ctx, ctx.actor.id, { goalIds, source: "on_demand" });
  if (!created.length) return c.json({ items: created }, 200);
  return c.json({ items: created }, 201);
};

export const list: Handler<typeof routes.list> = async (c) => {
  return c.json(await recommendations.listRecommendations(actorCtx(c), c.req.valid("query")), 200);
};

export const accept: Handler<typeof routes.accept> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(await recommendations.acceptRecommendation(actorCtx(c), { id }), 200);
};

export const dismiss: Handler<typeof routes.dismiss> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(await recommendations.dismissRecommendation(actorCtx(c), { id }), 200);
};
