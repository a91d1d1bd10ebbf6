import { type SQL, sql } from "drizzle-orm";
import { notBlockedBetween } from "../blocks";
import { accountUsable } from "../users";

/**
 * Holds when the viewer may see a comment (aliased `comment`) of a post they may already see
 * (the caller folds `visibleTo(viewer, post)` in as well): their own comments always; others'
 * when not hidden by moderation, written by a usable account, with no block between the two
 * either way. Every comment read and write path uses it, so a comment the viewer may not see is
 * simply not there (404).
 *
 * @example
 * sql`SELECT c.id FROM post_comments c WHERE c.post_id = ${postId} AND ${commentVisibleTo(viewerId, sql`c`)}`
 */
export function commentVisibleTo(viewerId: number | null, comment: SQL): SQL<boolean> {
  const own = viewerId === null ? sql`false` : sql`${comment}.user_id = ${viewerId}`;
  return sql<boolean>`(${own} OR (
    ${comment}.hidden_at IS NULL
    AND EXISTS (SELECT 1 FROM users commenter WHERE commenter.id = ${comment}.user_id AND ${accountUsable(sql`commenter`)})
    AND ${notBlockedBetween(viewerId, sql`${comment}.user_id`)}
  ))`;
}

/**
 * The select list of a comment item ({@link CommentRow}, shaped by `toComment`), for a
 * post_comments row aliased `comment` joined to its author's users row aliased `author`.
 * `replyCount` counts the replies this viewer may see (post_comments_parent_idx); the viewer's
 * like is a probe of comment_likes' unique (comment, user) index, false for anonymous viewers.
 */
export function commentColumns(viewerId: number | null, comment: SQL, author: SQL): SQL {
  const liked =
    viewerId === null
      ? sql`false`
      : sql`EXISTS (SELECT 1 FROM comment_likes l WHERE l.comment_id = ${comment}.id AND l.user_id = ${viewerId})`;
  return sql`${comment}.id, ${comment}.post_id, ${comment}.parent_id, ${comment}.user_id AS author_id,
    ${author}.username AS author_username, ${author}.name AS author_name, ${author}.profile_image AS author_profile_image,
    ${comment}.content, ${comment}.likes,
    (SELECT count(*) FROM post_comments reply
      WHERE reply.parent_id = ${comment}.id AND ${commentVisibleTo(viewerId, sql`reply`)})::int AS reply_count,
    ${liked} AS viewer_liked,
    EXISTS (SELECT 1 FROM edit_history e WHERE e.comment_id = ${comment}.id) AS edited,
    ${comment}.hidden_at IS NOT NULL AS hidden,
    ${comment}.created_at::text AS created_key, ${comment}.updated_at::text AS updated_key`;
}
