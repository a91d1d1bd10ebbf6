import { type SQL, sql } from "drizzle-orm";

/**
 * The select list of a post card ({@link PostCardRow}, shaped by `toPost`), for a posts row
 * aliased `post` joined to its author's users row aliased `author`: one fragment for every
 * read path, so a post looks the same everywhere. The viewer's own like, bookmark and share
 * are three index probes (unique indexes on (post, user)); all false for an anonymous viewer.
 * `edited` reads edit_history's (post_id, ...) index.
 *
 * The caller filters with `visibleTo(viewerId, post)` (posts.conditions.ts): this fragment
 * only shapes what the viewer may see.
 *
 * @example
 * sql`SELECT ${postCardColumns(viewerId, sql`p`, sql`a`)}
 *     FROM posts p JOIN users a ON a.id = p.user_id
 *     WHERE p.id = ${id} AND ${visibleTo(viewerId, sql`p`)}`
 */
export function postCardColumns(viewerId: number | null, post: SQL, author: SQL): SQL {
  const mine = (table: string, column = "post_id") =>
    viewerId === null
      ? sql`false`
      : sql`EXISTS (SELECT 1 FROM ${sql.raw(table)} v WHERE v.${sql.raw(column)} = ${post}.id AND v.user_id = ${viewerId})`;
  return sql`${post}.id, ${post}.user_id AS author_id, ${author}.username AS author_username,
    ${author}.name AS author_name, ${author}.profile_image AS author_profile_image,
    ${post}.content, ${post}.rich_content, ${post}.image_url, ${post}.video_url, ${post}.media_embeds,
    ${post}.mentions, ${post}.hashtags, ${post}.location, ${post}.coordinates, ${post}.event_id, ${post}.group_id,
    ${post}.visibility, ${post}.post_type, ${post}.likes, ${post}.comments, ${post}.shares,
    EXISTS (SELECT 1 FROM edit_history e WHERE e.post_id = ${post}.id) AS edited,
    ${post}.hidden_at IS NOT NULL AS hidden,
    ${mine("post_likes")} AS viewer_liked, ${mine("bookmarks")} AS viewer_bookmarked,
    ${mine("post_shares")} AS viewer_shared,
    ${post}.created_at, ${post}.updated_at`;
}
