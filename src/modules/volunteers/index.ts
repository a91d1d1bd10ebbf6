// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions come first, so that modules importing each other find them evaluated before the
// router pulls in handlers.
export { MATCH_WEIGHTS, organizesTask, taskVisibleTo } from "./volunteers.conditions";

import { createRouter } from "../../lib/openapi";
import * as applicationHandlers from "./applications.handlers";
import * as applicationRoutes from "./applications.routes";
import * as profileHandlers from "./profiles.handlers";
import * as profileRoutes from "./profiles.routes";
import * as taskHandlers from "./tasks.handlers";
import * as taskRoutes from "./tasks.routes";

/** Volunteers: profiles, tasks, matching, applications, check-in and hours. */
export const volunteersRouter = createRouter()
  .openapi(profileRoutes.putProfile, profileHandlers.putProfile)
  .openapi(profileRoutes.getProfile, profileHandlers.getProfile)
  .openapi(profileRoutes.deleteProfile, profileHandlers.deleteProfile)
  .openapi(profileRoutes.getVolunteer, profileHandlers.getVolunteer)
  .openapi(profileRoutes.addExperience, profileHandlers.addExperience)
  .openapi(profileRoutes.updateExperience, profileHandlers.updateExperience)
  .openapi(profileRoutes.deleteExperience, profileHandlers.deleteExperience)
  .openapi(taskRoutes.create, taskHandlers.create)
  .openapi(taskRoutes.list, taskHandlers.list)
  // Before `{id}`: "matching" is not a task id.
  .openapi(taskRoutes.matching, taskHandlers.matchingTasks)
  .openapi(taskRoutes.get, taskHandlers.get)
  .openapi(taskRoutes.update, taskHandlers.update)
  .openapi(taskRoutes.cancel, taskHandlers.cancel)
  .openapi(taskRoutes.matches, taskHandlers.matches)
  .openapi(applicationRoutes.apply, applicationHandlers.apply)
  .openapi(applicationRoutes.withdraw, applicationHandlers.withdraw)
  .openapi(applicationRoutes.listForTask, applicationHandlers.listForTask)
  .openapi(applicationRoutes.listMine, applicationHandlers.listMine)
  .openapi(applicationRoutes.accept, applicationHandlers.accept)
  .openapi(applicationRoutes.decline, applicationHandlers.decline)
  .openapi(applicationRoutes.checkIn, applicationHandlers.checkIn)
  .openapi(applicationRoutes.hours, applicationHandlers.hours)
  .openapi(applicationRoutes.noShow, applicationHandlers.noShow);
