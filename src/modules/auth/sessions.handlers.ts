import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./sessions.routes";
import * as sessions from "./sessions.service";

export const list: Handler<typeof routes.list> = async (c) => {
  return c.json(await sessions.listSessions(actorCtx(c), c.req.valid("query")), 200);
};

export const revoke: Handler<typeof routes.revoke> = async (c) => {
  await sessions.revokeSession(actorCtx(c), { sessionId: c.req.valid("param").id });
  return c.body(null, 204);
};
