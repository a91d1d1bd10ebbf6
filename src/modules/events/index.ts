// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions and verbs come first, so that modules importing each other find them evaluated
// before the router pulls in handlers.
export { eventVisibleTo, managesEvent } from "./events.conditions";
export { consumeEventViews, EVENT_VIEWS_QUEUE, recordEventView } from "./views.queue";

import { createRouter } from "../../lib/openapi";
import * as analyticsHandlers from "./analytics.handlers";
import * as analyticsRoutes from "./analytics.routes";
import * as checkinHandlers from "./checkins.handlers";
import * as checkinRoutes from "./checkins.routes";
import * as photoHandlers from "./photos.handlers";
import * as photoRoutes from "./photos.routes";
import * as reviewHandlers from "./reviews.handlers";
import * as reviewRoutes from "./reviews.routes";

/** Events: milongas, festivals and series; RSVPs, attendance, reviews, photos, reminders, calendars. */
export const eventsRouter = createRouter()
  .openapi(checkinRoutes.checkIn, checkinHandlers.checkIn)
  .openapi(checkinRoutes.listCheckIns, checkinHandlers.listCheckIns)
  .openapi(reviewRoutes.list, reviewHandlers.list)
  .openapi(reviewRoutes.create, reviewHandlers.create)
  .openapi(reviewRoutes.update, reviewHandlers.update)
  .openapi(reviewRoutes.remove, reviewHandlers.remove)
  .openapi(photoRoutes.list, photoHandlers.list)
  .openapi(photoRoutes.add, photoHandlers.add)
  .openapi(photoRoutes.remove, photoHandlers.remove)
  .openapi(analyticsRoutes.analytics, analyticsHandlers.analytics);
