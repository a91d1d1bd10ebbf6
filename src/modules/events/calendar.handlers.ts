import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./calendar.routes";
import * as calendar from "./calendar.service";

const ICS = "text/calendar; charset=utf-8";

export const eventIcs: Handler<typeof routes.eventIcs> = async (c) => {
  const { ics, eventId } = await calendar.eventCalendar(c.var.ctx, { eventId: c.req.valid("param").id });
  return c.body(ics, 200, { "Content-Type": ICS, "Content-Disposition": `attachment; filename="event-${eventId}.ics"` });
};

export const createFeed: Handler<typeof routes.createFeed> = async (c) => {
  return c.json(await calendar.createCalendarFeed(actorCtx(c), { origin: new URL(c.req.url).origin }), 201);
};

export const revokeFeed: Handler<typeof routes.revokeFeed> = async (c) => {
  await calendar.revokeCalendarFeed(actorCtx(c));
  return c.body(null, 204);
};

export const feed: Handler<typeof routes.feed> = async (c) => {
  const token = c.req.valid("param").feed.slice(0, -".ics".length);
  return c.body(await calendar.feedCalendar(c.var.ctx, { token }), 200, { "Content-Type": ICS });
};
