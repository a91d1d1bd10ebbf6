// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions come first, so that modules importing each other find them evaluated before the
// router pulls in handlers.
export { tripVisibleTo } from "./trips.conditions";

import { createRouter } from "../../lib/openapi";
import * as plannerHandlers from "./planner.handlers";
import * as plannerRoutes from "./planner.routes";
import * as handlers from "./trips.handlers";
import * as routes from "./trips.routes";

/** Travel: published trips and the trip planner (`GET /api/travel`). */
export const travelRouter = createRouter()
  .openapi(routes.mine, handlers.mine)
  .openapi(routes.userTrips, handlers.userTrips)
  .openapi(routes.create, handlers.create)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove)
  .openapi(plannerRoutes.plan, plannerHandlers.plan);
