import { IDEMPOTENT_REPLAYED, idempotencyClaim } from "../../lib/idempotency";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./trips.routes";
import * as trips from "./trips.service";

export const create: Handler<typeof routes.create> = async (c) => {
  const ctx = actorCtx(c);
  const body = c.req.valid("json");
  const claim = await idempotencyClaim(ctx.actor.id, trips.CREATE_TRIP_SCOPE, c.req.valid("header")["idempotency-key"], body);
  const { trip, replayed } = await trips.createTrip(ctx, { trip: body, claim });
  if (replayed) c.header(IDEMPOTENT_REPLAYED, "true");
  return c.json(trip, 201);
};

export const get: Handler<typeof routes.get> = async (c) => {
  return c.json(await trips.getTrip(c.var.ctx, { tripId: c.req.valid("param").id }), 200);
};

export const update: Handler<typeof routes.update> = async (c) => {
  const trip = await trips.updateTrip(actorCtx(c), { tripId: c.req.valid("param").id, changes: c.req.valid("json") });
  return c.json(trip, 200);
};

export const remove: Handler<typeof routes.remove> = async (c) => {
  await trips.deleteTrip(actorCtx(c), { tripId: c.req.valid("param").id });
  return c.body(null, 204);
};

export const mine: Handler<typeof routes.mine> = async (c) => {
  return c.json(await trips.listMyTrips(actorCtx(c), c.req.valid("query")), 200);
};

export const userTrips: Handler<typeof routes.userTrips> = async (c) => {
  const page = await trips.listUserTrips(c.var.ctx, { userId: c.req.valid("param").id, ...c.req.valid("query") });
  return c.json(page, 200);
};
