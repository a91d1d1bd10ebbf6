// The module's public surface: other modules import only from here (a lint rule says so).
export { dancersDueRecommendations, generateRecommendations, isQuotaRefusal, weekOf } from "./recommendations.service";

import { createRouter } from "../../lib/openapi";
import * as recommendationHandlers from "./recommendations.handlers";
import * as recommendationRoutes from "./recommendations.routes";

/** Life CEO: the 16 domains, goals, milestones, tasks, recommendations and the dashboard. */
export const lifeCeoRouter = createRouter()
  .openapi(recommendationRoutes.generate, recommendationHandlers.generate)
  .openapi(recommendationRoutes.list, recommendationHandlers.list)
  .openapi(recommendationRoutes.accept, recommendationHandlers.accept)
  .openapi(recommendationRoutes.dismiss, recommendationHandlers.dismiss);
