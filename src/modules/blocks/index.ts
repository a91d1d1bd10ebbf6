import { createRouter } from "../../lib/openapi";
import * as handlers from "./blocks.handlers";
import * as routes from "./blocks.routes";

/** Blocking users: hides each of the two from the other everywhere (see blocks.conditions.ts). */
export const blocksRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.block, handlers.block)
  .openapi(routes.unblock, handlers.unblock);
