// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions and schemas come first, so that modules importing each other find them
// evaluated before the router pulls in handlers.
/**
 * Posts: the visibility condition every post read path folds into its statement, and the
 * post card every read path shows.
 */
export { visibleTo } from "./posts.conditions";
export { postCardColumns } from "./posts.cards";
export { PostSchema, toPost, type Post, type PostCardRow } from "./posts.schemas";
export { extractHashtags, extractMentions } from "./posts.text";

import { createRouter } from "../../lib/openapi";
import * as handlers from "./posts.handlers";
import * as routes from "./posts.routes";

/** Posts: create, read, edit (with history) and delete; likes. */
export const postsRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove)
  .openapi(routes.edits, handlers.edits)
  .openapi(routes.like, handlers.like)
  .openapi(routes.unlike, handlers.unlike);
