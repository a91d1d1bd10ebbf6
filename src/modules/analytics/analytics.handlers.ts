import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../lib/context";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { clientNetworkKey, throttle } from "../../lib/rate-limit";
import { eventTimeError, statsRange } from "./analytics.policy";
import type * as routes from "./analytics.routes";
import * as analytics from "./analytics.service";

/** Whose batches a limit counts: the dancer's when signed in, else the client network's. */
function limitKey(c: Context<AppEnv>): string {
  const { actor } = c.var.ctx;
  return actor ? `analytics:user:${actor.id}` : `analytics:net:${clientNetworkKey(c.req.header("cf-connecting-ip"))}`;
}

/**
 * Counts the batch against its sender's limit before the body is read or checked: a flood of
 * batches, valid or not, costs neither parsing nor the database.
 */
export const limitBatches = createMiddleware<AppEnv>(async (c, next) => {
  await throttle(c.env.ANALYTICS_LIMITER, limitKey(c));
  await next();
});

export const record: Handler<typeof routes.record> = async (c) => {
  const ctx = c.var.ctx;
  const { events } = c.req.valid("json");
  const refused = eventTimeError(events, ctx.now);
  if (refused) throw refused;
  return c.json({ accepted: await analytics.recordEvents(ctx, events) }, 202);
};

export const stats: Handler<typeof routes.stats> = async (c) => {
  const ctx = c.var.ctx;
  const query = c.req.valid("query");
  const range = statsRange(query, ctx.now);
  if (range instanceof Error) throw range;
  return c.json(await analytics.platformStats(ctx, { ...range, city: query.city ?? "" }), 200);
};
