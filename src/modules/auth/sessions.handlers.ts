import { z } from "@hono/zod-openapi";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { decodeCursor, PgTimestampText } from "../../lib/pagination";
import { viewerOf } from "../../middleware/auth";
import type * as routes from "./sessions.routes";
import * as sessions from "./sessions.service";

const SessionCursor = z.tuple([PgTimestampText, z.uuid()]);

export const list: Handler<typeof routes.list> = async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const page = await sessions.listSessions(c.var.db, viewerOf(c), { limit, after: decodeCursor(cursor, SessionCursor) });
  return c.json(page, 200);
};

export const revoke: Handler<typeof routes.revoke> = async (c) => {
  await sessions.revokeSession(c.var.db, viewerOf(c).id, c.req.valid("param").id);
  return c.body(null, 204);
};
