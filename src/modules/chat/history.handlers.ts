import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./history.routes";
import * as history from "./history.service";

export const messages: Handler<typeof routes.messages> = async (c) => {
  return c.json(await history.listMessages(actorCtx(c), { roomId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
};

export const search: Handler<typeof routes.search> = async (c) => {
  return c.json(await history.searchMessages(actorCtx(c), { roomId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
};
