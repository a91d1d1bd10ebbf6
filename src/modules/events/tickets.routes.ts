import { IdParam, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { TicketSchema } from "./tickets.schemas";

const route = moduleRoutes("Event tickets");

export const ownTicket = route.authed({
  method: "get",
  path: "/api/events/{id}/ticket",
  object: "event",
  summary: "Your ticket for a paid event",
  description:
    "The caller's active ticket for the event, else their latest cancelled one. A ticket is issued when a dancer " +
    "becomes going on a paid event (a promotion from the waitlist too) and cancelled when they stop going. 404 " +
    "without a ticket, and for an event the caller may not see.",
  request: { params: IdParam },
  responses: { 200: jsonContent(TicketSchema, "The caller's ticket"), ...problems(400, 404) },
});

export const myTickets = route.authed({
  method: "get",
  path: "/api/me/tickets",
  summary: "Your tickets, newest first",
  description: "By cursor, active and cancelled, each with its event. Tickets of events you may no longer see are left out.",
  request: { query: PageQuery },
  responses: { 200: jsonContent(pageSchema(TicketSchema), "A page of the caller's tickets"), ...problems(400) },
});
