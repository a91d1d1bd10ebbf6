// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions and verbs come first, so that modules importing each other find them evaluated
// before the router pulls in handlers.
export { eventVisibleTo, managesEvent } from "./events.conditions";
/** RSVPs: the capacity-raise path promotes the waitlist; an event's cancel locks its RSVPs first. */
export { lockEventForRsvps, promoteWaitlisted } from "./rsvps.service";

import { createRouter } from "../../lib/openapi";
import * as rsvpHandlers from "./rsvps.handlers";
import * as rsvpRoutes from "./rsvps.routes";
import * as ticketHandlers from "./tickets.handlers";
import * as ticketRoutes from "./tickets.routes";
import * as attendeeHandlers from "./attendees.handlers";
import * as attendeeRoutes from "./attendees.routes";

/** Events: milongas, festivals and series; RSVPs, attendance, reviews, photos, reminders, calendars. */
export const eventsRouter = createRouter()
  .openapi(rsvpRoutes.answer, rsvpHandlers.answer)
  .openapi(rsvpRoutes.withdraw, rsvpHandlers.withdraw)
  .openapi(ticketRoutes.ownTicket, ticketHandlers.ownTicket)
  .openapi(ticketRoutes.myTickets, ticketHandlers.myTickets)
  .openapi(attendeeRoutes.list, attendeeHandlers.list);
