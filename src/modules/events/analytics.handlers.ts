import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./analytics.routes";
import { eventAnalytics } from "./analytics.service";

export const analytics: Handler<typeof routes.analytics> = async (c) => {
  return c.json(await eventAnalytics(actorCtx(c), { eventId: c.req.valid("param").id }), 200);
};
