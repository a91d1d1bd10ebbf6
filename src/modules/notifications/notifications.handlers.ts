import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./notifications.routes";
import * as notifications from "./notifications.service";

export const list: Handler<typeof routes.list> = async (c) => {
  return c.json(await notifications.listNotifications(actorCtx(c), c.req.valid("query")), 200);
};

export const unreadCount: Handler<typeof routes.unreadCount> = async (c) => {
  return c.json({ count: await notifications.countUnread(actorCtx(c)) }, 200);
};

export const markRead: Handler<typeof routes.markRead> = async (c) => {
  await notifications.markRead(actorCtx(c), { id: c.req.valid("param").id });
  return c.body(null, 204);
};

export const markAllRead: Handler<typeof routes.markAllRead> = async (c) => {
  return c.json({ updated: await notifications.markAllRead(actorCtx(c)) }, 200);
};
