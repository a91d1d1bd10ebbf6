import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { AppError, notFound } from "../../lib/errors";
import { type IdempotencyClaim, idempotencyRecordCte, idempotent } from "../../lib/idempotency";
import { type Page, type PageRequest, sortedPage, TimeIdCursor } from "../../lib/pagination";
import { notificationCtes } from "../notifications";
import { commentColumns, commentVisibleTo } from "./comments.conditions";
import { mayNotDeleteComment, mayRemoveAnyComment, notCommentAuthor } from "./comments.policy";
import { type Comment, type CommentLikeState, type CommentRow, toComment } from "./comments.schemas";
import { visibleTo } from "./posts.conditions";

/**
 * The route an `Idempotency-Key` of a comment is scoped to. The template, not the path: the
 * post id is part of the request hash instead, so one key sent for two posts is a 422.
 */
export const CREATE_COMMENT_SCOPE = "POST /api/posts/{id}/comments";

const invalidParent = () =>
  new AppError(400, "invalid_parent", "parentId must name a comment of this post that you can see.", {
    errors: [{ path: "body.parentId", message: "Not a comment of this post" }],
  });

/**
 * The comment `id` as the viewer may act on it: its post visible to them and the comment too
 * (comments.conditions.ts), with the post's author. `lock` takes a row lock on the comment.
 */
function targetComment(viewerId: number, commentId: number, lock: SQL = sql``): SQL {
  return sql`target AS (
    SELECT c.id, c.post_id, c.user_id, c.content, c.likes, p.user_id AS post_author
    FROM post_comments c JOIN posts p ON p.id = c.post_id
    WHERE c.id = ${commentId} AND ${visibleTo(viewerId, sql`p`)} AND ${commentVisibleTo(viewerId, sql`c`)}
    ${lock}
  )`;
}

/**
 * One page of a post's top-level comments, or with `parentId` of one comment's replies, oldest
 * first by keyset over (created_at, id) (post_comments_post_created_idx), in one statement.
 * The post must be visible to the viewer and the parent comment too (else 404). Comments the
 * viewer may not see (hidden by moderation unless their own, by a blocked or unusable account)
 * are left out, and `replyCount` counts only the replies they may see.
 */
export async function listComments(
  { db, actor }: Ctx,
  input: { postId: number; parentId?: number } & PageRequest,
): Promise<Page<Comment>> {
  const viewerId = actor?.id ?? null;
  const thread =
    input.parentId === undefined
      ? { cte: sql``, join: sql``, where: sql`c.parent_id IS NULL` }
      : {
          cte: sql`, thread AS (
            SELECT c.id FROM post_comments c
            WHERE c.id = ${input.parentId} AND c.post_id = ${input.postId} AND ${commentVisibleTo(viewerId, sql`c`)})`,
          join: sql`JOIN thread ON true`,
          where: sql`c.parent_id = thread.id`,
        };
  return sortedPage(
    input,
    { by: [sql`c.created_at`, sql`c.id`], direction: "asc", cursor: TimeIdCursor },
    async (keyset) => {
      const { rows } = await db.execute<CommentRow>(sql`
        WITH post AS (SELECT p.id FROM posts p WHERE p.id = ${input.postId} AND ${visibleTo(viewerId, sql`p`)})
        ${thread.cte}
        SELECT item.* FROM post ${thread.join}
        LEFT JOIN LATERAL (
          SELECT ${commentColumns(viewerId, sql`c`, sql`u`)}
          FROM post_comments c JOIN users u ON u.id = c.user_id
          WHERE c.post_id = post.id AND ${thread.where} AND ${commentVisibleTo(viewerId, sql`c`)} AND ${keyset.after}
          ORDER BY ${keyset.order}
          LIMIT ${keyset.limit}
        ) item ON true`);
      if (rows.length === 0) throw notFound(input.parentId === undefined ? "post" : "comment");
      return rows.filter((row) => row.id !== null);
    },
    { item: toComment, key: (row) => [row.created_key, Number(row.id)] as const },
  );
}

/**
 * The actor comments on a post, or replies to one of its comments, in one statement: the
 * comment, `posts.comments` + what was inserted, and a notification (subject-coalesced, "Ana
 * and 3 others commented"): a top-level comment notifies the post's author (`post_comment`), a
 * reply the author of the comment replied to (`comment_reply`). A reply to a reply joins the
 * top-level comment's thread (threads are one level deep). The post row is locked first, as
 * a comment's deletion locks it (see {@link deleteComment}): a comment racing the post's
 * deletion, or a reply racing its thread's deletion, is refused rather than left orphaned. A
 * post the actor may not see (a block either way hides it) is 404; a parent that is not a
 * visible comment of the post is 400 `invalid_parent`. With an `Idempotency-Key` (see
 * src/lib/idempotency.ts) the response is stored in the same statement, and a repeat replays it.
 */
export async function createComment(
  ctx: ActorCtx,
  input: { postId: number; content: string; parentId?: number; claim: IdempotencyClaim | null },
): Promise<{ comment: Comment; replayed: boolean }> {
  const { db, actor } = ctx;
  const { claim } = input;
  const me = actor.id;
  const replying = input.parentId !== undefined;
  // The parent is read after the post is locked ((SELECT id FROM post) runs first), and locked
  // itself: a thread deleted meanwhile is gone here, not read from this statement's snapshot.
  const parent = replying
    ? sql`parent AS (
        SELECT c.id, c.user_id, coalesce(c.parent_id, c.id) AS thread_id FROM post_comments c
        WHERE c.id = ${input.parentId} AND c.post_id = (SELECT id FROM post) AND ${commentVisibleTo(me, sql`c`)}
        FOR KEY SHARE OF c
      ),`
    : sql``;
  const notification = replying
    ? notificationCtes({
        to: { from: sql`(SELECT parent.user_id FROM parent JOIN inserted ON true) replied` },
        type: "comment_reply",
        actorId: me,
        subjectType: "comment",
        subjectId: input.parentId,
        data: sql`(SELECT jsonb_build_object('postId', post_id, 'commentId', id, 'parentId', ${input.parentId}::int) FROM inserted)`,
        coalesce: "subject",
      })
    : notificationCtes({
        to: { from: sql`(SELECT post.user_id FROM post JOIN inserted ON true) commented` },
        type: "post_comment",
        actorId: me,
        subjectType: "post",
        subjectId: input.postId,
        data: sql`(SELECT jsonb_build_object('postId', post_id, 'commentId', id) FROM inserted)`,
        coalesce: "subject",
      });
  const create = async (): Promise<Comment> => {
    const { rows } = await db.execute<CommentRow & { post_found: boolean }>(sql`
    WITH post AS (
      SELECT p.id, p.user_id FROM posts p
      WHERE p.id = ${input.postId} AND ${visibleTo(me, sql`p`)}
      FOR NO KEY UPDATE OF p
    ),
    ${parent}
    inserted AS (
      INSERT INTO post_comments (post_id, user_id, parent_id, content)
      SELECT post.id, ${me}, ${replying ? sql`(SELECT thread_id FROM parent)` : sql`NULL::int`}, ${input.content}
      FROM post WHERE ${replying ? sql`EXISTS (SELECT 1 FROM parent)` : sql`true`}
      RETURNING *
    ),
    counted AS (
      UPDATE posts p SET comments = coalesce(p.comments, 0) + (SELECT count(*) FROM inserted)
      WHERE p.id IN (SELECT post_id FROM inserted)
    ),
    ${notification},
    card AS (SELECT ${commentColumns(me, sql`c`, sql`u`)} FROM inserted c JOIN users u ON u.id = c.user_id),
    ${idempotencyRecordCte(claim, { status: 201, from: sql`card`, body: sql`to_jsonb(card)` })}
    SELECT EXISTS (SELECT 1 FROM post) AS post_found, card.* FROM (SELECT 1) one LEFT JOIN card ON true`);
    const row = rows[0]!;
    if (!row.post_found) throw notFound("post");
    if (row.id === null) throw invalidParent();
    return toComment(row);
  };
  const { value, replayed } = await idempotent(ctx, claim, create, (stored) => toComment(stored.body as CommentRow));
  return { comment: value, replayed };
}

/**
 * The comment's author edits it, in one statement: the new content and an edit_history row
 * with the previous content (read under the row's lock, so concurrent edits each record what
 * they replaced). A comment the actor may not see is 404; someone else's is 403.
 */
export async function updateComment({ db, actor }: ActorCtx, input: { commentId: number; content: string }): Promise<Comment> {
  const me = actor.id;
  const { rows } = await db.execute<CommentRow & { found: boolean }>(sql`
    WITH ${targetComment(me, input.commentId, sql`FOR NO KEY UPDATE OF c`)},
    edited AS (
      UPDATE post_comments c SET content = ${input.content}, updated_at = now()
      FROM target t WHERE c.id = t.id AND t.user_id = ${me}
      RETURNING c.*
    ),
    history AS (
      INSERT INTO edit_history (comment_id, editor_id, previous_content)
      SELECT t.id, ${me}, t.content FROM target t WHERE t.id IN (SELECT id FROM edited)
    )
    SELECT EXISTS (SELECT 1 FROM target) AS found, ${commentColumns(me, sql`c`, sql`u`)}
    FROM (SELECT 1) one LEFT JOIN edited c ON true LEFT JOIN users u ON u.id = c.user_id`);
  const row = rows[0]!;
  if (!row.found) throw notFound("comment");
  if (row.id === null) throw notCommentAuthor();
  // This statement's snapshot does not see its own edit_history row.
  return { ...toComment(row), edited: true };
}

/**
 * Deletes a comment with its whole thread (its replies, their likes and edit history), by its
 * author, the post's author, or a moderator (comments.policy.ts), and lowers `posts.comments`
 * by exactly the rows deleted in the same statement. One atomic batch: the post's row lock
 * first (comment creation takes it too), then the statement, whose snapshot is taken after
 * the lock and so sees every reply committed before it: none is left orphaned. A comment the
 * actor may not see is 404; one they may not delete is 403.
 */
export async function deleteComment({ db, actor }: ActorCtx, input: { commentId: number }): Promise<{ removed: number }> {
  const me = actor.id;
  const [, result] = await db.batch([
    db.execute(sql`
      SELECT p.id FROM posts p WHERE p.id = (SELECT c.post_id FROM post_comments c WHERE c.id = ${input.commentId})
      FOR NO KEY UPDATE`),
    db.execute<{ found: boolean; allowed: boolean; removed: number }>(sql`
      WITH RECURSIVE ${targetComment(me, input.commentId)},
      allowed AS (
        SELECT id, post_id FROM target
        WHERE user_id = ${me} OR post_author = ${me} OR ${mayRemoveAnyComment(actor)}::boolean
      ),
      thread (id) AS (
        SELECT id FROM allowed
        UNION SELECT c.id FROM post_comments c JOIN thread ON c.parent_id = thread.id
      ),
      removed AS (DELETE FROM post_comments c WHERE c.id IN (SELECT id FROM thread) RETURNING c.id),
      counted AS (
        UPDATE posts p SET comments = coalesce(p.comments, 0) - (SELECT count(*) FROM removed)
        WHERE p.id IN (SELECT post_id FROM allowed)
      )
      SELECT EXISTS (SELECT 1 FROM target) AS found, EXISTS (SELECT 1 FROM allowed) AS allowed,
             (SELECT count(*) FROM removed)::int AS removed`),
  ]);
  const row = result.rows[0]!;
  if (!row.found) throw notFound("comment");
  if (!row.allowed) throw mayNotDeleteComment();
  return { removed: Number(row.removed) };
}

/**
 * The actor likes a comment they can see, in one statement: the like (one per dancer and
 * comment), `post_comments.likes` + what was inserted, and, only for a new like, a
 * `comment_like` notification to the comment's author coalesced by comment. The comment row
 * is locked first, so the answer's `likes` is exact.
 */
export async function likeComment({ db, actor }: ActorCtx, input: { commentId: number }): Promise<CommentLikeState> {
  const me = actor.id;
  const { rows } = await db.execute<{ found: boolean; likes: number | null }>(sql`
    WITH ${targetComment(me, input.commentId, sql`FOR NO KEY UPDATE OF c`)},
    liked AS (
      INSERT INTO comment_likes (comment_id, user_id) SELECT id, ${me} FROM target
      ON CONFLICT (comment_id, user_id) DO NOTHING
      RETURNING comment_id
    ),
    counted AS (
      UPDATE post_comments c SET likes = coalesce(c.likes, 0) + (SELECT count(*) FROM liked)
      WHERE c.id IN (SELECT comment_id FROM liked)
      RETURNING c.likes
    ),
    ${notificationCtes({
      to: { from: sql`(SELECT target.user_id FROM target JOIN liked ON true) liked_comment` },
      type: "comment_like",
      actorId: me,
      subjectType: "comment",
      subjectId: input.commentId,
      data: sql`(SELECT jsonb_build_object('postId', post_id, 'commentId', id) FROM target)`,
      coalesce: "subject",
    })}
    SELECT EXISTS (SELECT 1 FROM target) AS found,
           coalesce((SELECT likes FROM counted), (SELECT likes FROM target), 0) AS likes`);
  if (!rows[0]?.found) throw notFound("comment");
  return { liked: true, likes: Number(rows[0].likes) };
}

/** The actor takes back their like of a comment they can see (nothing to do when there was none), in one statement. */
export async function unlikeComment({ db, actor }: ActorCtx, input: { commentId: number }): Promise<CommentLikeState> {
  const me = actor.id;
  const { rows } = await db.execute<{ found: boolean; likes: number | null }>(sql`
    WITH ${targetComment(me, input.commentId, sql`FOR NO KEY UPDATE OF c`)},
    unliked AS (
      DELETE FROM comment_likes l WHERE l.comment_id IN (SELECT id FROM target) AND l.user_id = ${me}
      RETURNING l.comment_id
    ),
    counted AS (
      UPDATE post_comments c SET likes = coalesce(c.likes, 0) - (SELECT count(*) FROM unliked)
      WHERE c.id IN (SELECT comment_id FROM unliked)
      RETURNING c.likes
    )
    SELECT EXISTS (SELECT 1 FROM target) AS found,
           coalesce((SELECT likes FROM counted), (SELECT likes FROM target), 0) AS likes`);
  if (!rows[0]?.found) throw notFound("comment");
  return { liked: false, likes: Number(rows[0].likes) };
}
