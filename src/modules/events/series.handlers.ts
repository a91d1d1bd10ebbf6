import { IDEMPOTENT_REPLAYED, idempotencyClaim } from "../../lib/idempotency";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./series.routes";
import * as series from "./series.service";

export const create: Handler<typeof routes.create> = async (c) => {
  const ctx = actorCtx(c);
  const body = c.req.valid("json");
  const claim = await idempotencyClaim(ctx.actor.id, series.CREATE_SERIES_SCOPE, c.req.valid("header")["idempotency-key"], body);
  const { series: created, replayed } = await series.createSeries(ctx, { series: body, claim });
  if (replayed) c.header(IDEMPOTENT_REPLAYED, "true");
  return c.json(created, 201);
};

export const get: Handler<typeof routes.get> = async (c) => {
  return c.json(await series.getSeries(c.var.ctx, { seriesId: c.req.valid("param").id }), 200);
};

export const update: Handler<typeof routes.update> = async (c) => {
  return c.json(await series.updateSeries(actorCtx(c), { seriesId: c.req.valid("param").id, changes: c.req.valid("json") }), 200);
};

export const cancel: Handler<typeof routes.cancel> = async (c) => {
  return c.json(await series.cancelSeries(actorCtx(c), { seriesId: c.req.valid("param").id }), 200);
};
