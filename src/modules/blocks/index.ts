// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions and schemas come first, so that modules importing each other find them
// evaluated before the router pulls in handlers.
export { notBlockedBetween } from "./blocks.conditions";

import { createRouter } from "../../lib/openapi";
import * as handlers from "./blocks.handlers";
import * as routes from "./blocks.routes";

/** Blocking users: hides each of the two from the other everywhere (see blocks.conditions.ts). */
export const blocksRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.block, handlers.block)
  .openapi(routes.unblock, handlers.unblock);
