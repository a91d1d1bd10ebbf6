import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { decodeCursor, TimeIdCursor } from "../../lib/pagination";
import { viewerOf } from "../../middleware/auth";
import type * as routes from "./notifications.routes";
import * as notifications from "./notifications.service";

export const list: Handler<typeof routes.list> = async (c) => {
  const { limit, cursor, unreadOnly } = c.req.valid("query");
  const page = await notifications.listNotifications(c.var.db, viewerOf(c).id, {
    limit,
    unreadOnly,
    after: decodeCursor(cursor, TimeIdCursor),
  });
  return c.json(page, 200);
};

export const unreadCount: Handler<typeof routes.unreadCount> = async (c) => {
  return c.json({ count: await notifications.countUnread(c.var.db, viewerOf(c).id) }, 200);
};

export const markRead: Handler<typeof routes.markRead> = async (c) => {
  await notifications.markRead(c.var.db, viewerOf(c).id, c.req.valid("param").id);
  return c.body(null, 204);
};

export const markAllRead: Handler<typeof routes.markAllRead> = async (c) => {
  return c.json({ updated: await notifications.markAllRead(c.var.db, viewerOf(c).id) }, 200);
};
