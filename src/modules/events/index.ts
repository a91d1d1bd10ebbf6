// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions and verbs come first, so that modules importing each other find them evaluated
// before the router pulls in handlers.
export { eventVisibleTo, managesEvent } from "./events.conditions";
export { seriesVisibleTo } from "./series.conditions";
export { extendSeriesWindows, SERIES_WINDOW_DAYS } from "./series.service";
export { REMINDER_SCHEDULE, type ReminderKey, sendDueReminders } from "./reminders.service";

import { createRouter } from "../../lib/openapi";
import * as calendarHandlers from "./calendar.handlers";
import * as calendarRoutes from "./calendar.routes";
import * as seriesHandlers from "./series.handlers";
import * as seriesRoutes from "./series.routes";

/** Events: milongas, festivals and series; RSVPs, attendance, reviews, photos, reminders, calendars. */
export const eventsRouter = createRouter()
  .openapi(seriesRoutes.create, seriesHandlers.create)
  .openapi(seriesRoutes.get, seriesHandlers.get)
  .openapi(seriesRoutes.update, seriesHandlers.update)
  .openapi(seriesRoutes.cancel, seriesHandlers.cancel)
  .openapi(calendarRoutes.eventIcs, calendarHandlers.eventIcs)
  .openapi(calendarRoutes.createFeed, calendarHandlers.createFeed)
  .openapi(calendarRoutes.revokeFeed, calendarHandlers.revokeFeed)
  .openapi(calendarRoutes.feed, calendarHandlers.feed);
