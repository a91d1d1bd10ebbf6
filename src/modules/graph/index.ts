// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions and verbs come first, so that modules importing each other find them evaluated
// before the router pulls in handlers.
export { areFriends, cutTies } from "./graph.conditions";
export { FRIENDSHIP_STATES, friendshipState, graphCounts, isFollowing, type FriendshipState } from "./follows.conditions";
export { friendshipIdRange, recomputeClosenessRange } from "./closeness.service";

import { createRouter } from "../../lib/openapi";
import * as followsHandlers from "./follows.handlers";
import * as followsRoutes from "./follows.routes";

/** The social graph: follows, friend requests ("did we dance?") and friendships. */
export const graphRouter = createRouter()
  .openapi(followsRoutes.follow, followsHandlers.follow)
  .openapi(followsRoutes.unfollow, followsHandlers.unfollow)
  .openapi(followsRoutes.followers, followsHandlers.followers)
  .openapi(followsRoutes.following, followsHandlers.following);
