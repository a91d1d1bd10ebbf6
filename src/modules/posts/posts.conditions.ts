import { type SQL, sql } from "drizzle-orm";
import { posts } from "../../../drizzle/schema";
import { notBlockedBetween } from "../blocks";
import { areFriends } from "../graph";
import { isGroupMember } from "../groups";
import { accountUsable } from "../users";

/**
 * Holds when the viewer may see a post: the one condition every post read path folds into
 * its statement (single post, feeds, timelines, hashtag pages, comments, search, bookmarks,
 * shares, trending), so that a post the viewer may not see is simply not there (a 404, never
 * a 403). The author always sees their own posts. Others see a post when it is not hidden by
 * moderation, its author's account is usable, there is no block between the two either way, and its visibility lets them in:
 * `public` to anyone (anonymous viewers included), `friends` to the author's friends,
 * `group` to the active members of its group (`group_id`; posted with POST
 * /api/groups/{id}/posts), `private` to nobody else (as is any value it does not know).
 *
 * `post` is the posts row's alias in raw SQL; without it, the `posts` table's columns. The
 * viewer is an id, or SQL naming one per row (who may see a post they are mentioned in).
 * `authorRow`, the alias of the author's users row when the caller has joined it, reads the
 * account from that row instead of probing for it: a statement that tests many rows in order
 * (the feed's scan) needs it, as the planner would otherwise hash every account up front.
 *
 * @example
 * db.select().from(posts).where(and(eq(posts.id, id), visibleTo(viewerId)))
 * sql`SELECT p.id FROM posts p WHERE ${visibleTo(viewerId, sql`p`)}`
 * sql`SELECT p.id FROM posts p JOIN users a ON a.id = p.user_id WHERE ${visibleTo(viewerId, sql`p`, sql`a`)}`
 */
export function visibleTo(viewerId: number | SQL | null, post?: SQL, authorRow?: SQL): SQL<boolean> {
  const author = post ? sql`${post}.user_id` : sql`${posts.userId}`;
  const visibility = sql`coalesce(${post ? sql`${post}.visibility` : sql`${posts.visibility}`}, 'public')`;
  const hiddenAt = post ? sql`${post}.hidden_at` : sql`${posts.hiddenAt}`;
  const groupId = post ? sql`${post}.group_id` : sql`${posts.groupId}`;
  const own = viewerId === null ? sql`false` : sql`${author} = ${viewerId}`;
  return sql<boolean>`(${own} OR (
    ${hiddenAt} IS NULL
    AND ${authorRow ? accountUsable(authorRow) : sql`EXISTS (SELECT 1 FROM users author WHERE author.id = ${author} AND ${accountUsable(sql`author`)})`}
    AND ${notBlockedBetween(viewerId, author)}
    AND (${visibility} = 'public' OR (${visibility} = 'friends' AND ${areFriends(viewerId, author)})
      OR (${visibility} = 'group' AND ${isGroupMember(viewerId, groupId)}))
  ))`;
}
