// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions and verbs come first, so that modules importing each other find them evaluated
// before the router pulls in handlers.
export { eventVisibleTo, managesEvent } from "./events.conditions";
/** RSVPs: the capacity-raise path promotes the waitlist; an event's cancel locks its RSVPs first. */
export { lockEventForRsvps, promoteWaitlisted } from "./rsvps.service";
export { seriesVisibleTo } from "./series.conditions";
export { extendSeriesWindows, SERIES_WINDOW_DAYS } from "./series.service";
export { REMINDER_SCHEDULE, type ReminderKey, sendDueReminders } from "./reminders.service";

import { createRouter } from "../../lib/openapi";
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

/** Events: milongas, festivals and series; RSVPs, attendance, reviews, photos, reminders, calendars. */
export const eventsRouter = createRouter()
  .openapi(rsvpRoutes.answer, rsvpHandlers.answer)
  .openapi(rsvpRoutes.withdraw, rsvpHandlers.withdraw)
  .openapi(ticketRoutes.ownTicket, ticketHandlers.ownTicket)
  .openapi(ticketRoutes.myTickets, ticketHandlers.myTickets)
  .openapi(attendeeRoutes.list, attendeeHandlers.list)
  .openapi(seriesRoutes.create, seriesHandlers.create)
  .openapi(seriesRoutes.get, seriesHandlers.get)
  .openapi(seriesRoutes.update, seriesHandlers.update)
  .openapi(seriesRoutes.cancel, seriesHandlers.cancel)
  .openapi(calendarRoutes.eventIcs, calendarHandlers.eventIcs)
  .openapi(calendarRoutes.createFeed, calendarHandlers.createFeed)
  .openapi(calendarRoutes.revokeFeed, calendarHandlers.revokeFeed)
  .openapi(calendarRoutes.feed, calendarHandlers.feed);
