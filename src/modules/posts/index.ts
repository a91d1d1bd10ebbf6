// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions, cards and schemas come first, so that modules importing each other find them
// evaluated before the router pulls in handlers.
/**
 * Posts: the visibility condition every post read path folds into its statement, and the
 * post card every read path shows.
 */
export { visibleTo } from "./posts.conditions";
export { postCardColumns } from "./posts.cards";
export { PostSchema, toPost, type Post, type PostCardRow } from "./posts.schemas";

import { createRouter } from "../../lib/openapi";
import * as feedHandlers from "./feed.handlers";
import * as feedRoutes from "./feed.routes";

/** Posts and what is read from them: the home feed and each dancer's timeline. */
export const postsRouter = createRouter()
  .openapi(feedRoutes.feed, feedHandlers.feedPage)
  .openapi(feedRoutes.timeline, feedHandlers.timeline);
