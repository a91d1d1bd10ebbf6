import { IDEMPOTENT_REPLAYED, idempotencyClaim } from "../../lib/idempotency";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import * as calendar from "./calendar.service";
import type * as routes from "./housing.routes";
import * as search from "./housing.search";
import * as listings from "./housing.service";

export const create: Handler<typeof routes.create> = async (c) => {
  const ctx = actorCtx(c);
  const body = c.req.valid("json");
  const claim = await idempotencyClaim(ctx.actor.id, listings.CREATE_LISTING_SCOPE, c.req.valid("header")["idempotency-key"], body);
  const { listing, replayed } = await listings.createListing(ctx, { listing: body, claim });
  if (replayed) c.header(IDEMPOTENT_REPLAYED, "true");
  return c.json(listing, 201);
};

export const searchListings: Handler<typeof routes.search> = async (c) => {
  return c.json(await search.searchListings(c.var.ctx, c.req.valid("query")), 200);
};

export const get: Handler<typeof routes.get> = async (c) => {
  return c.json(await listings.getListing(c.var.ctx, { listingId: c.req.valid("param").id }), 200);
};

export const update: Handler<typeof routes.update> = async (c) => {
  const listing = await listings.updateListing(actorCtx(c), { listingId: c.req.valid("param").id, changes: c.req.valid("json") });
  return c.json(listing, 200);
};

export const remove: Handler<typeof routes.remove> = async (c) => {
  await listings.deleteListing(actorCtx(c), { listingId: c.req.valid("param").id });
  return c.body(null, 204);
};

export const myListings: Handler<typeof routes.myListings> = async (c) => {
  return c.json(await listings.listMyListings(actorCtx(c), c.req.valid("query")), 200);
};

export const availability: Handler<typeof routes.availability> = async (c) => {
  return c.json(await calendar.getAvailability(c.var.ctx, { listingId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
};

export const blockDates: Handler<typeof routes.blockDates> = async (c) => {
  return c.json(await calendar.blockDates(actorCtx(c), { listingId: c.req.valid("param").id, ...c.req.valid("json") }), 201);
};

export const listBlockedDates: Handler<typeof routes.listBlockedDates> = async (c) => {
  return c.json(await calendar.listBlockedDates(actorCtx(c), { listingId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
};

export const unblockDates: Handler<typeof routes.unblockDates> = async (c) => {
  await calendar.unblockDates(actorCtx(c), { blockId: c.req.valid("param").id });
  return c.body(null, 204);
};
