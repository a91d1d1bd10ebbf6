import { createRouter } from "../../lib/openapi";
import * as handlers from "./roles.handlers";
import * as routes from "./roles.routes";

/** The role tiers, and their assignment by Super Admins with its audit trail. */
export const rolesRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.assign, handlers.assign)
  .openapi(routes.history, handlers.history);
