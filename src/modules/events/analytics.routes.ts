import { IdParam, jsonContent, problems } from "../../lib/openapi";
import { moduleRoutes } from "../../lib/routes";
import { EventAnalyticsSchema } from "./analytics.schemas";
import { ANALYTICS_MAX_DAYS } from "./analytics.service";

const route = moduleRoutes("Event attendance");

export const analytics = route.authed({
  method: "get",
  path: "/api/events/{id}/analytics",
  object: "event",
  summary: "An event's figures, for its organizers",
  description:
    `Views (in total, and per UTC day for the last ${ANALYTICS_MAX_DAYS} days; views are counted in batches, so the ` +
    "last few seconds may not show yet), RSVPs (per answer, and per day first made), the going dancers' role " +
    "balance against the caps, check-ins (of going dancers, walk-ins, by ticket, and the rate of going dancers " +
    "checked in) and the rating. For the event's organizer and co-organizers: 403 `not_event_organizer` for " +
    "anyone else who can see the event, 404 for whoever cannot.",
  request: { params: IdParam },
  responses: { 200: jsonContent(EventAnalyticsSchema, "The event's figures"), ...problems(400, 403, 404) },
});
