import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./tickets.routes";
import * as tickets from "./tickets.service";

export const ownTicket: Handler<typeof routes.ownTicket> = async (c) => {
  return c.json(await tickets.getOwnTicket(actorCtx(c), { eventId: c.req.valid("param").id }), 200);
};

export const myTickets: Handler<typeof routes.myTickets> = async (c) => {
  return c.json(await tickets.listOwnTickets(actorCtx(c), c.req.valid("query")), 200);
};
