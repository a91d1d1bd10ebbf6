import type { AppRouteHandler as Handler } from "../../lib/openapi";
import type * as routes from "./attendees.routes";
import * as attendees from "./attendees.service";

export const list: Handler<typeof routes.list> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(await attendees.listAttendees(c.var.ctx, { eventId: id, ...c.req.valid("query") }), 200);
};
