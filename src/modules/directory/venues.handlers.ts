import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./venues.routes";
import * as venues from "./venues.service";

export const create: Handler<typeof routes.create> = async (c) => {
  return c.json(await venues.createVenue(actorCtx(c), c.req.valid("json")), 201);
};

export const search: Handler<typeof routes.search> = async (c) => {
  return c.json(await venues.searchVenues(c.var.ctx, c.req.valid("query")), 200);
};

export const get: Handler<typeof routes.get> = async (c) => {
  return c.json(await venues.getVenue(c.var.ctx, { venueId: c.req.valid("param").id }), 200);
};

export const update: Handler<typeof routes.update> = async (c) => {
  return c.json(await venues.updateVenue(actorCtx(c), { venueId: c.req.valid("param").id, changes: c.req.valid("json") }), 200);
};

export const remove: Handler<typeof routes.remove> = async (c) => {
  await venues.deleteVenue(actorCtx(c), { venueId: c.req.valid("param").id });
  return c.body(null, 204);
};

export const events: Handler<typeof routes.events> = async (c) => {
  return c.json(await venues.listVenueEvents(c.var.ctx, { venueId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
};
