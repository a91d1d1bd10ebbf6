import type { AppRouteHandler as Handler } from "../../lib/openapi";
import type * as routes from "./planner.routes";
import { planTrip } from "./planner.service";

export const plan: Handler<typeof routes.plan> = async (c) => {
  return c.json(await planTrip(c.var.ctx, c.req.valid("query")), 200);
};
