// The module's public surface: other modules import only from here (a lint rule says so).
// Policy and schemas come first, so that modules importing each other find them evaluated
// before the router pulls in handlers.
export { AUTO_HIDE_THRESHOLD, MODERATOR_LEVEL } from "./moderation.policy";

import { createRouter } from "../../lib/openapi";
import * as handlers from "./moderation.handlers";
import * as routes from "./moderation.routes";

/** Reports of posts, comments, users, events and groups, and the moderators' queue that decides them. */
export const moderationRouter = createRouter()
  .openapi(routes.reportPost, handlers.reportPost)
  .openapi(routes.reportComment, handlers.reportComment)
  .openapi(routes.reportUser, handlers.reportUser)
  .openapi(routes.reportGroup, handlers.reportGroup)
  .openapi(routes.reportEvent, handlers.reportEvent)
  .openapi(routes.listQueue, handlers.listQueue)
  .openapi(routes.getQueueItem, handlers.getQueueItem)
  .openapi(routes.claim, handlers.claim)
  .openapi(routes.resolve, handlers.resolve)
  .openapi(routes.dismiss, handlers.dismiss);
