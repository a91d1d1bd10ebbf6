// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions and verbs come first, so that modules importing each other find them evaluated
// before the router pulls in handlers.
export { eventVisibleTo, managesEvent } from "./events.conditions";

import { createRouter } from "../../lib/openapi";

/** Events: milongas, festivals and series; RSVPs, attendance, reviews, photos, reminders, calendars. */
export const eventsRouter = createRouter();
