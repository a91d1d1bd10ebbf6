import { type SQL, sql } from "drizzle-orm";

/**
 * What moderation does to posts and comments, as statements the moderation module folds
 * into its own (a module writes only its own tables and asks the owner for the rest). Each
 * takes a set of ids (`SELECT ...` or a list) and changes only what is not already so, and
 * RETURNs what it changed, so the caller knows whether anything happened.
 */

/**
 * Hides posts from everyone but their authors (`visibleTo`), RETURNING the `id`s it hid, or
 * shows them again, RETURNING every `id` found. Showing is unconditional on purpose: a post
 * hidden by a statement that committed after the caller's snapshot is still shown (a
 * `hidden_at IS NOT NULL` test would read the snapshot and skip it).
 */
export function setPostsHidden(ids: SQL, hidden: boolean): SQL {
  return hidden
    ? sql`UPDATE posts SET hidden_at = now() WHERE id IN (${ids}) AND hidden_at IS NULL RETURNING id`
    : sql`UPDATE posts SET hidden_at = NULL WHERE id IN (${ids}) RETURNING id`;
}

/** Hides comments from everyone but their authors, or shows them again, as {@link setPostsHidden}. */
export function setCommentsHidden(ids: SQL, hidden: boolean): SQL {
  return hidden
    ? sql`UPDATE post_comments SET hidden_at = now() WHERE id IN (${ids}) AND hidden_at IS NULL RETURNING id`
    : sql`UPDATE post_comments SET hidden_at = NULL WHERE id IN (${ids}) RETURNING id`;
}

/**
 * Deletes posts (their likes, comments, shares and bookmarks go with them by foreign key).
 * RETURNING `id` and `snapshot`, the post as it was, for the moderation record.
 */
export function removePosts(ids: SQL): SQL {
  return sql`DELETE FROM posts WHERE id IN (${ids})
    RETURNING id, jsonb_build_object('id', id, 'userId', user_id, 'content', content, 'richContent', rich_content,
      'imageUrl', image_url, 'videoUrl', video_url, 'mediaEmbeds', media_embeds, 'visibility', visibility,
      'createdAt', created_at) AS snapshot`;
}

/**
 * The CTEs that delete comments with every reply below them (replies point at their parent
 * by `parent_id`, without a foreign key, so they would otherwise be left dangling) and take
 * exactly the number deleted off each post's `comments` counter, to fold into the caller's
 * `WITH`. The CTE `comments_removed` RETURNs `id`, `post_id` and `snapshot` (each comment as
 * it was) for every comment deleted.
 *
 * @example
 * db.execute(sql`WITH ${removeComments(sql`SELECT ${id}`)} SELECT count(*) FROM comments_removed`)
 */
export function removeComments(ids: SQL): SQL {
  return sql`
    comments_removed_tree AS (
      WITH RECURSIVE tree AS (
        SELECT id FROM post_comments WHERE id IN (${ids})
        UNION
        SELECT c.id FROM post_comments c JOIN tree ON c.parent_id = tree.id
      )
      SELECT id FROM tree
    ),
    comments_removed AS (
      DELETE FROM post_comments WHERE id IN (SELECT id FROM comments_removed_tree)
      RETURNING id, post_id, jsonb_build_object('id', id, 'postId', post_id, 'userId', user_id,
        'parentId', parent_id, 'content', content, 'createdAt', created_at) AS snapshot
    ),
    comments_removed_counted AS (
      UPDATE posts SET comments = coalesce(posts.comments, 0) - removed.n
      FROM (SELECT post_id, count(*)::int AS n FROM comments_removed GROUP BY post_id) removed
      WHERE posts.id = removed.post_id
    )`;
}
