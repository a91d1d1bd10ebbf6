// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions and verbs come first, so that modules importing each other find them evaluated
// before the router pulls in handlers.
export { eventVisibleTo, managesEvent } from "./events.conditions";
/** The event card every read path shows (discovery, a group's events, search, and the other events parts). */
export { CARD_CIRCLE_SAMPLE, eventCardColumns } from "./events.cards";
export { EventSchema, toEvent, type Event, type EventCardRow } from "./events.schemas";
export { removeEvents, setEventsHidden } from "./events.moderation";

import { createRouter } from "../../lib/openapi";
import * as coOrganizerHandlers from "./co-organizers.handlers";
import * as coOrganizerRoutes from "./co-organizers.routes";
import * as handlers from "./events.handlers";
import * as routes from "./events.routes";

/** Events: milongas, festivals and series; RSVPs, attendance, reviews, photos, reminders, calendars. */
export const eventsRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove)
  .openapi(routes.cancel, handlers.cancel)
  .openapi(routes.groupEvents, handlers.groupEvents)
  .openapi(coOrganizerRoutes.list, coOrganizerHandlers.list)
  .openapi(coOrganizerRoutes.add, coOrganizerHandlers.add)
  .openapi(coOrganizerRoutes.remove, coOrganizerHandlers.remove);
