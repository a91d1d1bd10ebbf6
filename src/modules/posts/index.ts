// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions, schemas and verbs come first, so that modules importing each other find them
// evaluated before the router pulls in handlers.
/**
 * Posts: the visibility condition every post read path folds into its statement, and the
 * post card every read path shows.
 */
export { visibleTo } from "./posts.conditions";
export { postCardColumns } from "./posts.cards";
export { PostSchema, toPost, type Post, type PostCardRow } from "./posts.schemas";
export { CreateGroupPostBody, type CreateGroupPostInput } from "./posts.input";
export { createPost } from "./posts.service";
export { removeComments, removePosts, setCommentsHidden, setPostsHidden } from "./posts.moderation";
export { normaliseHashtag } from "./hashtags.schemas";
export { markViralRun, pruneViral, refreshTrendingHashtags, scoreViralRange, viralWindow } from "./trending.service";

export { extractHashtags, extractMentions } from "./posts.text";
export { commentColumns, commentVisibleTo } from "./comments.conditions";
export { CommentSchema, toComment, type Comment, type CommentRow } from "./comments.schemas";

import { createRouter } from "../../lib/openapi";
import * as feedHandlers from "./feed.handlers";
import * as feedRoutes from "./feed.routes";
import * as hashtagHandlers from "./hashtags.handlers";
import * as hashtagRoutes from "./hashtags.routes";
import * as trendingHandlers from "./trending.handlers";
import * as trendingRoutes from "./trending.routes";
import * as handlers from "./posts.handlers";
import * as routes from "./posts.routes";
import * as commentHandlers from "./comments.handlers";
import * as commentRoutes from "./comments.routes";
import * as engagementHandlers from "./engagement.handlers";
import * as engagementRoutes from "./engagement.routes";

/** Posts and what dancers do with them (comments, replies, likes, shares, bookmarks), feeds, hashtag pages and trending. */
export const postsRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove)
  .openapi(routes.edits, handlers.edits)
  .openapi(routes.like, handlers.like)
  .openapi(routes.unlike, handlers.unlike)
  .openapi(feedRoutes.feed, feedHandlers.feedPage)
  .openapi(feedRoutes.timeline, feedHandlers.timeline)
  .openapi(hashtagRoutes.trendingHashtags, hashtagHandlers.trendingHashtags)
  .openapi(hashtagRoutes.hashtagPosts, hashtagHandlers.hashtagPosts)
  .openapi(trendingRoutes.trendingPosts, trendingHandlers.trendingPosts)
  .openapi(commentRoutes.list, commentHandlers.list)
  .openapi(commentRoutes.create, commentHandlers.create)
  .openapi(commentRoutes.update, commentHandlers.update)
  .openapi(commentRoutes.remove, commentHandlers.remove)
  .openapi(commentRoutes.like, commentHandlers.like)
  .openapi(commentRoutes.unlike, commentHandlers.unlike)
  .openapi(engagementRoutes.share, engagementHandlers.share)
  .openapi(engagementRoutes.unshare, engagementHandlers.unshare)
  .openapi(engagementRoutes.bookmark, engagementHandlers.bookmark)
  .openapi(engagementRoutes.unbookmark, engagementHandlers.unbookmark)
  .openapi(engagementRoutes.bookmarks, engagementHandlers.bookmarks);
