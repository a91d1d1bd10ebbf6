import type { AppRouteHandler as Handler } from "../../lib/openapi";
import type * as routes from "./search.routes";
import * as service from "./search.service";

export const search: Handler<typeof routes.search> = async (c) => {
  return c.json(await service.search(c.var.ctx, c.req.valid("query")), 200);
};
