// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions and verbs come first, so that modules importing each other find them evaluated
// before the router pulls in handlers.
export { areFriends, cutTies } from "./graph.conditions";
export { closenessProgress, recomputeClosenessRange } from "./closeness.service";

import { createRouter } from "../../lib/openapi";

/** The social graph: follows, friend requests ("did we dance?") and friendships. */
export const graphRouter = createRouter();
