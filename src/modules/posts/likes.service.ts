import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx } from "../../lib/context";
import { PG, pgError } from "../../lib/db";
import { notFound } from "../../lib/errors";
import { friendshipActivityCtes } from "../graph";
import { notificationCtes } from "../notifications";
import { visibleTo } from "./posts.conditions";
import type { LikeState } from "./posts.schemas";

/** The CTE `target`: the post, if the actor may see it (else the like or unlike is a 404). */
function targetCte(actorId: number, postId: number): SQL {
  return sql`target AS (SELECT p.id, p.user_id FROM posts p WHERE p.id = ${postId} AND ${visibleTo(actorId, sql`p`)})`;
}

/** A post deleted while the like was being written: as gone as one never seen. */
function rethrowPostGone(error: unknown): never {
  const pg = pgError(error);
  if (pg?.code === PG.foreignKeyViolation && pg.constraint?.startsWith("post_likes_post_id")) throw notFound("post");
  throw error;
}

interface LikeRow extends Record<string, unknown> {
  found: boolean;
  likes: number;
}

function likeState(rows: LikeRow[], liked: boolean): LikeState {
  const row = rows[0];
  if (!row?.found) throw notFound("post");
  return { liked, likes: Number(row.likes) };
}

/**
 * The actor likes a post, in one statement: the like row (a repeat changes nothing), the
 * post's counter moved by the likes actually inserted (so it stays exact under any
 * concurrency), and, only for a new like, a `post_like` notification to the author
 * coalesced per post ("Ana and 12 others liked your post") and a `post_liked` friendship
 * activity when the two are friends. A post the actor may not see is a 404.
 */
export async function likePost({ db, actor }: ActorCtx, input: { postId: number }): Promise<LikeState> {
  const isNew = sql`EXISTS (SELECT 1 FROM liked)`;
  const { rows } = await db
    .execute<LikeRow>(sql`
      WITH ${targetCte(actor.id, input.postId)},
      liked AS (
        INSERT INTO post_likes (post_id, user_id)
        SELECT id, ${actor.id} FROM target
        ON CONFLICT (post_id, user_id) DO NOTHING
        RETURNING post_id
      ),
      counted AS (
        UPDATE posts p SET likes = coalesce(p.likes, 0) + (SELECT count(*) FROM liked)
        FROM target t WHERE p.id = t.id AND ${isNew}
        RETURNING p.likes
      ),
      ${notificationCtes(
        {
          to: { from: sql`(SELECT user_id, id AS post_id FROM target) author` },
          type: "post_like",
          actorId: actor.id,
          subjectType: "post",
          subjectId: sql`recipient.post_id`,
          data: sql`jsonb_build_object('postId', recipient.post_id)`,
          coalesce: "subject",
        },
        { when: isNew },
      )},
      ${friendshipActivityCtes(
        { pairs: { from: sql`(SELECT ${actor.id}::int AS user_id, user_id AS friend_id FROM target) liker` }, type: "post_liked", metadata: { postId: input.postId } },
        { when: isNew },
      )}
      SELECT EXISTS (SELECT 1 FROM target) AS found,
             coalesce((SELECT likes FROM counted), (SELECT p.likes FROM posts p JOIN target t ON t.id = p.id), 0) AS likes`)
    .catch(rethrowPostGone);
  return likeState(rows, true);
}

/**
 * The actor takes back their like, in one statement: the like row deleted (none: nothing
 * changes) and the counter moved by what was actually deleted. A post the actor may not see
 * is a 404.
 */
export async function unlikePost({ db, actor }: ActorCtx, input: { postId: number }): Promise<LikeState> {
  const { rows } = await db.execute<LikeRow>(sql`
    WITH ${targetCte(actor.id, input.postId)},
    unliked AS (
      DELETE FROM post_likes l USING target t
      WHERE l.post_id = t.id AND l.user_id = ${actor.id}
      RETURNING l.post_id
    ),
    counted AS (
      UPDATE posts p SET likes = coalesce(p.likes, 0) - (SELECT count(*) FROM unliked)
      FROM target t WHERE p.id = t.id AND EXISTS (SELECT 1 FROM unliked)
      RETURNING p.likes
    )
    SELECT EXISTS (SELECT 1 FROM target) AS found,
           coalesce((SELECT likes FROM counted), (SELECT p.likes FROM posts p JOIN target t ON t.id = p.id), 0) AS likes`);
  return likeState(rows, false);
}
