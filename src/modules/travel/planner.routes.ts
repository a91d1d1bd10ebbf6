import { jsonContent, problems } from "../../lib/openapi";
import { moduleRoutes } from "../../lib/routes";
import { PLANNER_LIMITS, PlannerSchema } from "./planner.schemas";
import { PlannerQuery, TRAVEL_LIMITS } from "./travel.input";

const route = moduleRoutes("Travel");

export const plan = route.viewer({
  method: "get",
  path: "/api/travel",
  summary: "The trip planner: a city on some days",
  description:
    `\`city\` and the days \`from\` to \`to\` (both included, \`to\` not before \`from\`, at most ${TRAVEL_LIMITS.plannerDays} ` +
    "days apart; otherwise 400), optionally `country`; in one database statement: " +
    `**events** running on those days in each event's own time zone (published, visible to the caller, soonest first, up to ${PLANNER_LIMITS.events}); ` +
    `**listings** free for the whole stay (from \`from\` to the morning after \`to\`: no pending or approved booking, no blocked dates) with the stay's total price, never the exact address (up to ${PLANNER_LIMITS.listings}, cheapest first); ` +
    `**teachers** based there or visiting then, with their visits (up to ${PLANNER_LIMITS.teachers}); ` +
    `**venues** in the city (up to ${PLANNER_LIMITS.venues}); ` +
    `**people**: the caller's friends and friends of friends who live there (when their profile is open to the caller) or have a trip there then that the caller may see (up to ${PLANNER_LIMITS.people}; empty for anonymous callers). ` +
    "Each section has its `total`; each item its id and API `path`. Blocked and suspended dancers, and what they made, are never shown.",
  request: { query: PlannerQuery },
  responses: { 200: jsonContent(PlannerSchema, "The plan"), ...problems(400) },
});
