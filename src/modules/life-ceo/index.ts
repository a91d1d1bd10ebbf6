// The module's public surface: other modules import only from here (a lint rule says so).
// Verbs come first, so that modules importing each other find them evaluated before the
// router pulls in handlers.
export { goalColumns, goalCounts, goalProgress } from "./goals.service";
export { dancersDueRecommendations, generateRecommendations, isQuotaRefusal, weekOf } from "./recommendations.service";

import { createRouter } from "../../lib/openapi";
import * as handlers from "./life-ceo.handlers";
import * as routes from "./life-ceo.routes";
import * as recommendationHandlers from "./recommendations.handlers";
import * as recommendationRoutes from "./recommendations.routes";

/** Life CEO: the 16 domains, goals, milestones, tasks, recommendations and the dashboard. */
export const lifeCeoRouter = createRouter()
  .openapi(routes.domains, handlers.domains)
  .openapi(routes.listGoals, handlers.listGoals)
  .openapi(routes.createGoal, handlers.createGoal)
  .openapi(routes.getGoal, handlers.getGoal)
  .openapi(routes.updateGoal, handlers.updateGoal)
  .openapi(routes.deleteGoal, handlers.deleteGoal)
  .openapi(routes.listMilestones, handlers.listMilestones)
  .openapi(routes.createMilestone, handlers.createMilestone)
  .openapi(routes.orderMilestones, handlers.orderMilestones)
  .openapi(routes.updateMilestone, handlers.updateMilestone)
  .openapi(routes.deleteMilestone, handlers.deleteMilestone)
  .openapi(routes.listTasks, handlers.listTasks)
  .openapi(routes.createTask, handlers.createTask)
  .openapi(routes.orderTasks, handlers.orderTasks)
  .openapi(routes.updateTask, handlers.updateTask)
  .openapi(routes.deleteTask, handlers.deleteTask)
  .openapi(routes.agenda, handlers.agenda)
  .openapi(routes.dashboard, handlers.dashboard)
  .openapi(recommendationRoutes.generate, recommendationHandlers.generate)
  .openapi(recommendationRoutes.list, recommendationHandlers.list)
  .openapi(recommendationRoutes.accept, recommendationHandlers.accept)
  .openapi(recommendationRoutes.dismiss, recommendationHandlers.dismiss);
