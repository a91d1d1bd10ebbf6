// The module's public surface: other modules import only from here (a lint rule says so).
// Verbs and the scope come first, so that modules importing each other find them evaluated
// before the router pulls in handlers.
export {
  LIVE_PING,
  LIVE_PONG,
  type LiveEvent,
  type LiveFrame,
  type RoomActivityMessage,
  type UserHubRpc,
  userHubStub,
} from "./live.rpc";
/** Every notify() reaches the live channels: the request's scope, and one for cron runs and Durable Objects' flushes. */
export { liveNotifications, publishNotifications, withLiveNotifications } from "./live.scope";
export { UserHub } from "./user-hub.do";

import { createRouter } from "../../lib/openapi";
import { upgradeToken } from "./live.auth";
import * as handlers from "./live.handlers";
import * as routes from "./live.routes";

/** `GET /api/live`: a dancer's live channel, through their UserHub object. */
const router = createRouter();
// Before the route's own auth check: it may find the token where only WebSocket clients put it.
router.use(routes.connect.getRoutingPath(), upgradeToken);
export const liveRouter = router.openapi(routes.connect, handlers.connect);
