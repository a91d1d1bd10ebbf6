// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions and verbs come first, so that modules importing each other find them evaluated
// before the router pulls in handlers.
export { areFriends, cutTies, degreeBetween, friendsOf, mutualFriendsOf } from "./graph.conditions";
export {
  friendshipActivityCount,
  friendshipActivityCtes,
  recordFriendshipActivity,
  type FriendshipActivityInput,
  type FriendshipActivityType,
  type Pairs,
} from "./activities";
export { FRIENDSHIP_STATES, friendshipState, graphCounts, isFollowing, type FriendshipState } from "./follows.conditions";
export { closenessProgress, markClosenessRun, recomputeClosenessRange, saveClosenessPosition } from "./closeness.service";
export { saidTheyDanced } from "./requests.conditions";
export { DANCED_CLOSENESS } from "./requests.policy";

import { createRouter } from "../../lib/openapi";
import * as requestHandlers from "./requests.handlers";
import * as requestRoutes from "./requests.routes";
import * as friendshipHandlers from "./friendships.handlers";
import * as friendshipRoutes from "./friendships.routes";
import * as followsHandlers from "./follows.handlers";
import * as followsRoutes from "./follows.routes";

/** The social graph: follows, friend requests ("did we dance?") and friendships. */
export const graphRouter = createRouter()
  .openapi(followsRoutes.follow, followsHandlers.follow)
  .openapi(followsRoutes.unfollow, followsHandlers.unfollow)
  .openapi(followsRoutes.followers, followsHandlers.followers)
  .openapi(followsRoutes.following, followsHandlers.following)
  .openapi(requestRoutes.send, requestHandlers.send)
  .openapi(requestRoutes.list, requestHandlers.list)
  .openapi(requestRoutes.accept, requestHandlers.accept)
  .openapi(requestRoutes.reject, requestHandlers.reject)
  .openapi(requestRoutes.cancel, requestHandlers.cancel)
  .openapi(friendshipRoutes.listFriends, friendshipHandlers.listFriends)
  .openapi(friendshipRoutes.suggestions, friendshipHandlers.suggestions)
  .openapi(friendshipRoutes.mutualFriends, friendshipHandlers.mutualFriends)
  .openapi(friendshipRoutes.degree, friendshipHandlers.degree)
  .openapi(friendshipRoutes.unfriend, friendshipHandlers.unfriend)
  .openapi(friendshipRoutes.addMemory, friendshipHandlers.addMemory)
  .openapi(friendshipRoutes.listMemories, friendshipHandlers.listMemories)
  .openapi(friendshipRoutes.recordDance, friendshipHandlers.recordDance)
  .openapi(friendshipRoutes.listActivities, friendshipHandlers.listActivities)
  .openapi(friendshipRoutes.listUserFriends, friendshipHandlers.listUserFriends);
