// The module's public surface: other modules import only from here (a lint rule says so).
// Services the cron jobs call come first, so that modules importing each other find them
// evaluated before the router pulls in handlers.
export { HEALTH_HISTORY_DAYS, markSilentAgentsOffline, summariseReports } from "./jobs.service";

import { createRouter } from "../../lib/openapi";
import * as handlers from "./agent-health.handlers";
import * as routes from "./agent-health.routes";

/** Agents' own API keys, their health reports, and the health dashboard. */
export const agentHealthRouter = createRouter()
  .openapi(routes.report, handlers.report)
  .openapi(routes.rotateKey, handlers.rotateKey)
  .openapi(routes.revokeKey, handlers.revokeKey)
  .openapi(routes.dashboard, handlers.dashboard)
  .openapi(routes.percentiles, handlers.percentiles)
  .openapi(routes.history, handlers.history);
