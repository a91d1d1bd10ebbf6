// The module's public surface: other modules import only from here (a lint rule says so).
/**
 * Posts: the visibility condition every post read path folds into its statement, and the
 * post card every read path shows.
 */
export { visibleTo } from "./posts.conditions";
export { postCardColumns } from "./posts.cards";
export { PostSchema, toPost, type Post, type PostCardRow } from "./posts.schemas";
export { removeComments, removePosts, setCommentsHidden, setPostsHidden } from "./posts.moderation";
