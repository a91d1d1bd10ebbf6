// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions and verbs come first, so that modules importing each other find them evaluated
// before the router pulls in handlers.
export { areFriends, cutTies } from "./graph.conditions";
export { friendshipIdRange, recomputeClosenessRange } from "./closeness.service";
export { saidTheyDanced } from "./requests.conditions";
export { DANCED_CLOSENESS } from "./requests.policy";

import { createRouter } from "../../lib/openapi";
import * as requestHandlers from "./requests.handlers";
import * as requestRoutes from "./requests.routes";

/** The social graph: follows, friend requests ("did we dance?") and friendships. */
export const graphRouter = createRouter()
  .openapi(requestRoutes.send, requestHandlers.send)
  .openapi(requestRoutes.list, requestHandlers.list)
  .openapi(requestRoutes.accept, requestHandlers.accept)
  .openapi(requestRoutes.reject, requestHandlers.reject)
  .openapi(requestRoutes.cancel, requestHandlers.cancel);
