import type { AppRouteHandler as Handler } from "../../lib/openapi";
import type * as routes from "./audit.routes";
import * as audit from "./audit.service";

export const list: Handler<typeof routes.list> = async (c) => {
  return c.json(await audit.listAudit(c.var.ctx, c.req.valid("query")), 200);
};
