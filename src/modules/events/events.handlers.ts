import { IDEMPOTENT_REPLAYED, idempotencyClaim } from "../../lib/idempotency";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import * as discovery from "./events.discovery";
import type * as routes from "./events.routes";
import * as events from "./events.service";
import { recordEventView } from "./views.queue";

export const create: Handler<typeof routes.create> = async (c) => {
  const ctx = actorCtx(c);
  const body = c.req.valid("json");
  const claim = await idempotencyClaim(ctx.actor.id, events.CREATE_EVENT_SCOPE, c.req.valid("header")["idempotency-key"], body);
  const { event, replayed } = await events.createEvent(ctx, { event: body, claim });
  if (replayed) c.header(IDEMPOTENT_REPLAYED, "true");
  return c.json(event, 201);
};

export const list: Handler<typeof routes.list> = async (c) => {
  return c.json(await discovery.listEvents(c.var.ctx, c.req.valid("query")), 200);
};

export const get: Handler<typeof routes.get> = async (c) => {
  const { id } = c.req.valid("param");
  const event = await events.getEvent(c.var.ctx, { eventId: id });
  // Counted after the answer, in batches by the views queue's consumer: never a write of its own.
  c.executionCtx.waitUntil(recordEventView(c.env, id, c.var.ctx.logger));
  return c.json(event, 200);
};

export const update: Handler<typeof routes.update> = async (c) => {
  const event = await events.updateEvent(actorCtx(c), { eventId: c.req.valid("param").id, changes: c.req.valid("json") });
  return c.json(event, 200);
};

export const remove: Handler<typeof routes.remove> = async (c) => {
  await events.deleteEvent(actorCtx(c), { eventId: c.req.valid("param").id });
  return c.body(null, 204);
};

export const cancel: Handler<typeof routes.cancel> = async (c) => {
  return c.json(await events.cancelEvent(actorCtx(c), { eventId: c.req.valid("param").id }), 200);
};

export const groupEvents: Handler<typeof routes.groupEvents> = async (c) => {
  const page = await discovery.listGroupEvents(c.var.ctx, { groupId: c.req.valid("param").id, ...c.req.valid("query") });
  return c.json(page, 200);
};
