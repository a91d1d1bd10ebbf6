import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx } from "../../lib/context";
import { AppError, conflict, notFound } from "../../lib/errors";
import { type IdempotencyClaim, idempotencyRecordCte, idempotent } from "../../lib/idempotency";
import { keysetPage, type Page, type PageRequest } from "../../lib/pagination";
import { notificationCtes } from "../notifications";
import { type BookmarkState, type SharedPost, type SharedPostRow, toSharedPost } from "./engagement.schemas";
import { postCardColumns } from "./posts.cards";
import { visibleTo } from "./posts.conditions";
import { type Post, type PostCardRow, toPost } from "./posts.schemas";

/**
 * The route an `Idempotency-Key` of a share is scoped to. The template, not the path: the post
 * id is part of the request hash instead, so one key sent for two posts is a 422.
 */
export const SHARE_POST_SCOPE = "POST /api/posts/{id}/share";

const notShareable = () =>
  new AppError(
    422,
    "post_not_shareable",
    "Only public posts can be shared: a share is shown to your followers, whom this post is not for.",
  );

/**
 * The post as the actor may take back their share or bookmark of it: one they may see, or one
 * they already shared or bookmarked (`mine`, a table of (post_id, user_id) rows), so a block
 * or a visibility change since does not leave them stuck with it.
 */
function withdrawable(me: number, postId: number, mine: SQL): SQL {
  return sql`post AS (
    SELECT p.id FROM posts p
    WHERE p.id = ${postId}
      AND (${visibleTo(me, sql`p`)} OR EXISTS (SELECT 1 FROM ${mine} m WHERE m.post_id = p.id AND m.user_id = ${me}))
  )`;
}

/**
 * The actor shares a post, with an optional comment, in one statement: the share (one per
 * dancer and post: a repeat is 409 `already_shared`, also when two arrive at once),
 * `posts.shares` + what was inserted, and a `post_share` notification to the post's author
 * coalesced by post. Only what the actor may see (else 404), and only public posts not hidden
 * by moderation (else 422 `post_not_shareable`), since a share is shown to the sharer's
 * followers. The post row is locked first, so a share racing the post's deletion is a 404.
 * With an `Idempotency-Key` (see src/lib/idempotency.ts) the response is stored in the same
 * statement; a repeat replays it, also when its share is what makes the repeat a 409 (the
 * share's `ON CONFLICT DO NOTHING` runs before the key's insert, and leaves it nothing to insert).
 */
export async function sharePost(
  ctx: ActorCtx,
  input: { postId: number; comment?: string; claim: IdempotencyClaim | null },
): Promise<{ shared: SharedPost; replayed: boolean }> {
  const { db, actor } = ctx;
  const { claim } = input;
  const me = actor.id;
  const create = async (): Promise<SharedPost> => {
    const { rows } = await db.execute<SharedPostRow & { shareable: boolean | null }>(sql`
    WITH post AS (
      SELECT p.id, p.user_id, (coalesce(p.visibility, 'public') = 'public' AND p.hidden_at IS NULL) AS shareable
      FROM posts p WHERE p.id = ${input.postId} AND ${visibleTo(me, sql`p`)}
      FOR NO KEY UPDATE OF p
    ),
    shared AS (
      INSERT INTO post_shares (post_id, user_id, comment)
      SELECT id, ${me}, ${input.comment || null}::text FROM post WHERE shareable
      ON CONFLICT (post_id, user_id) DO NOTHING
      RETURNING id, post_id, user_id, comment, created_at
    ),
    counted AS (
      UPDATE posts p SET shares = coalesce(p.shares, 0) + (SELECT count(*) FROM shared)
      WHERE p.id IN (SELECT post_id FROM shared)
      RETURNING p.*
    ),
    ${notificationCtes({
      to: { from: sql`(SELECT post.user_id FROM post JOIN shared ON true) sharing` },
      type: "post_share",
      actorId: me,
      subjectType: "post",
      subjectId: input.postId,
      data: { postId: input.postId },
      coalesce: "subject",
    })},
    card AS (
      SELECT s.id AS share_id, s.comment AS share_comment, s.created_at::text AS share_created_key,
        sharer.id AS sharer_id, sharer.username AS sharer_username, sharer.name AS sharer_name,
        sharer.profile_image AS sharer_profile_image,
        ${postCardColumns(me, sql`p`, sql`a`)}
      FROM shared s
      JOIN counted p ON true
      JOIN users a ON a.id = p.user_id
      JOIN users sharer ON sharer.id = s.user_id
    ),
    ${idempotencyRecordCte(claim, { status: 201, from: sql`card`, body: sql`to_jsonb(card)` })}
    SELECT (SELECT shareable FROM post) AS shareable, card.* FROM (SELECT 1) one LEFT JOIN card ON true`);
    const row = rows[0]!;
    if (row.shareable === null) throw notFound("post");
    if (!row.shareable) throw notShareable();
    if (row.share_id === null) throw conflict("already_shared", "You have already shared this post.");
    return toSharedPost(row);
  };
  const { value, replayed } = await idempotent(ctx, claim, create, (stored) => toSharedPost(stored.body as SharedPostRow));
  return { shared: value, replayed };
}

/**
 * The actor takes back their share of a post, in one statement, lowering `posts.shares` by
 * what was deleted. 404 when the actor may not see the post and has no share of it (so a
 * dancer can still withdraw a share of a post that a block has since hidden).
 */
export async function unsharePost({ db, actor }: ActorCtx, input: { postId: number }): Promise<void> {
  const me = actor.id;
  const { rows } = await db.execute<{ found: boolean }>(sql`
    WITH ${withdrawable(me, input.postId, sql`post_shares`)},
    unshared AS (
      DELETE FROM post_shares s WHERE s.post_id IN (SELECT id FROM post) AND s.user_id = ${me}
      RETURNING s.post_id
    ),
    counted AS (
      UPDATE posts p SET shares = coalesce(p.shares, 0) - (SELECT count(*) FROM unshared)
      WHERE p.id IN (SELECT post_id FROM unshared)
    )
    SELECT EXISTS (SELECT 1 FROM post) AS found`);
  if (!rows[0]?.found) throw notFound("post");
}

/**
 * The actor bookmarks a post they can see (idempotent), in one statement. The post row is
 * key-share locked, so a bookmark racing the post's deletion is a 404, not a dangling reference.
 */
export async function bookmarkPost({ db, actor }: ActorCtx, input: { postId: number }): Promise<BookmarkState> {
  const me = actor.id;
  const { rows } = await db.execute<{ found: boolean }>(sql`
    WITH post AS (
      SELECT p.id FROM posts p WHERE p.id = ${input.postId} AND ${visibleTo(me, sql`p`)}
      FOR KEY SHARE OF p
    ),
    saved AS (
      INSERT INTO bookmarks (user_id, post_id) SELECT ${me}, id FROM post
      ON CONFLICT (user_id, post_id) DO NOTHING
    )
    SELECT EXISTS (SELECT 1 FROM post) AS found`);
  if (!rows[0]?.found) throw notFound("post");
  return { bookmarked: true };
}

/** The actor removes a bookmark (idempotent); 404 when they may not see the post and have not bookmarked it. */
export async function unbookmarkPost({ db, actor }: ActorCtx, input: { postId: number }): Promise<BookmarkState> {
  const me = actor.id;
  const { rows } = await db.execute<{ found: boolean }>(sql`
    WITH ${withdrawable(me, input.postId, sql`bookmarks`)},
    removed AS (DELETE FROM bookmarks b WHERE b.user_id = ${me} AND b.post_id IN (SELECT id FROM post))
    SELECT EXISTS (SELECT 1 FROM post) AS found`);
  if (!rows[0]?.found) throw notFound("post");
  return { bookmarked: false };
}

/**
 * The actor's bookmarked posts, newest bookmark first, by keyset over the bookmark's
 * (created_at, id) (bookmarks_user_created_idx), as post cards; posts the actor may no longer
 * see are left out.
 */
export async function listBookmarks({ db, actor }: ActorCtx, page: PageRequest): Promise<Page<Post>> {
  const me = actor.id;
  return keysetPage(
    page,
    { time: sql`b.created_at`, id: sql`b.id` },
    async (keyset) => {
      const { rows } = await db.execute<PostCardRow & { bookmark_id: number; bookmark_key: string }>(sql`
        SELECT b.id AS bookmark_id, b.created_at::text AS bookmark_key, ${postCardColumns(me, sql`p`, sql`a`)}
        FROM bookmarks b JOIN posts p ON p.id = b.post_id JOIN users a ON a.id = p.user_id
        WHERE b.user_id = ${me} AND ${visibleTo(me, sql`p`)} AND ${keyset.after}
        ORDER BY ${keyset.order}
        LIMIT ${keyset.limit}`);
      return rows;
    },
    { item: toPost, key: (row) => [row.bookmark_key, Number(row.bookmark_id)] },
  );
}
