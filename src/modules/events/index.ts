// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions and verbs come first, so that modules importing each other find them evaluated
// before the router pulls in handlers.
export { eventVisibleTo, managesEvent } from "./events.conditions";
/** `near=` as discovery does it (bounding boxes on a GiST index, then the exact distance), for other modules' searches. */
export { boundingBoxes, distanceKm, inBoxes } from "./events.geo";
/** The event card every read path shows (discovery, a group's events, search, and the other events parts). */
export { CARD_CIRCLE_SAMPLE, eventCardColumns } from "./events.cards";
export { EventSchema, toEvent, type Event, type EventCardRow } from "./events.schemas";
export { removeEvents, setEventsHidden } from "./events.moderation";
/** RSVPs: the capacity-raise path promotes the waitlist; an event's cancel locks its RSVPs first. */
export { lockEventForRsvps, promoteWaitlisted } from "./rsvps.service";
export { seriesVisibleTo } from "./series.conditions";
export { extendSeriesWindows, SERIES_WINDOW_DAYS } from "./series.service";
export { REMINDER_SCHEDULE, type ReminderKey, sendDueReminders } from "./reminders.service";
export { consumeEventViews, EVENT_VIEWS_QUEUE, recordEventView } from "./views.queue";

import { createRouter } from "../../lib/openapi";
import * as coOrganizerHandlers from "./co-organizers.handlers";
import * as coOrganizerRoutes from "./co-organizers.routes";
import * as handlers from "./events.handlers";
import * as routes from "./events.routes";
import * as rsvpHandlers from "./rsvps.handlers";
import * as rsvpRoutes from "./rsvps.routes";
import * as ticketHandlers from "./tickets.handlers";
import * as ticketRoutes from "./tickets.routes";
import * as attendeeHandlers from "./attendees.handlers";
import * as attendeeRoutes from "./attendees.routes";
import * as calendarHandlers from "./calendar.handlers";
import * as calendarRoutes from "./calendar.routes";
import * as seriesHandlers from "./series.handlers";
import * as seriesRoutes from "./series.routes";
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
  .openapi(seriesRoutes.create, seriesHandlers.create)
  .openapi(seriesRoutes.get, seriesHandlers.get)
  .openapi(seriesRoutes.update, seriesHandlers.update)
  .openapi(seriesRoutes.cancel, seriesHandlers.cancel)
  .openapi(calendarRoutes.eventIcs, calendarHandlers.eventIcs)
  .openapi(calendarRoutes.createFeed, calendarHandlers.createFeed)
  .openapi(calendarRoutes.revokeFeed, calendarHandlers.revokeFeed)
  .openapi(calendarRoutes.feed, calendarHandlers.feed)
  .openapi(routes.create, handlers.create)
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove)
  .openapi(routes.cancel, handlers.cancel)
  .openapi(routes.groupEvents, handlers.groupEvents)
  .openapi(coOrganizerRoutes.list, coOrganizerHandlers.list)
  .openapi(coOrganizerRoutes.add, coOrganizerHandlers.add)
  .openapi(coOrganizerRoutes.remove, coOrganizerHandlers.remove)
  .openapi(rsvpRoutes.answer, rsvpHandlers.answer)
  .openapi(rsvpRoutes.withdraw, rsvpHandlers.withdraw)
  .openapi(ticketRoutes.ownTicket, ticketHandlers.ownTicket)
  .openapi(ticketRoutes.myTickets, ticketHandlers.myTickets)
  .openapi(attendeeRoutes.list, attendeeHandlers.list)
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
