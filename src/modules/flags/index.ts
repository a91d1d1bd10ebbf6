// The module's public surface: other modules import only from here (a lint rule says so).
// The verb comes first, so that modules importing each other find it evaluated before the
// router pulls in handlers.
/** Whether a flag is on for the context's actor, from the per-isolate cache (no round trip when warm). */
export { isFlagOn } from "./evaluation.service";

import { createRouter } from "../../lib/openapi";
import * as handlers from "./flags.handlers";
import * as routes from "./flags.routes";

/** Feature flags: admins manage them, every caller gets theirs evaluated. */
export const flagsRouter = createRouter()
  .openapi(routes.evaluate, handlers.evaluate)
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove);
