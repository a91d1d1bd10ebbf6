import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { forbidden, notFound } from "../../lib/errors";
import { keysetPage, type Page, type PageRequest } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import { notBlockedBetween } from "../blocks";
import { notificationCtes } from "../notifications";
import { accountUsable, profileAccess, type ProfileVisibility } from "../users";
import type { FollowCard, FollowState } from "./follows.schemas";
import { isFollowing } from "./follows.conditions";
import { areFriends } from "./graph.conditions";

/**
 * The user `id` as the actor may act on them: an existing, usable account with no block
 * either way (else the caller answers 404, as the profile does).
 */
function targetCte(actorId: number, userId: number): SQL {
  return sql`target AS (
    SELECT u.id FROM users u
    WHERE u.id = ${userId} AND ${accountUsable(sql`u`)} AND ${notBlockedBetween(actorId, sql`u.id`)}
  )`;
}

/**
 * The actor follows a user, in one statement: the follow row (a repeat changes nothing) and,
 * only when the row is new, a `new_follower` notification to the person followed (an unread
 * one from the same follower is bumped, not repeated). Unknown, unusable or blocked either
 * way: 404, and nothing is written. Following yourself is refused before (follows.policy).
 */
export async function followUser({ db, actor }: ActorCtx, input: { userId: number }): Promise<FollowState> {
  const { rows } = await db.execute<{ found: boolean }>(sql`
    WITH ${targetCte(actor.id, input.userId)},
    followed AS (
      INSERT INTO follows (follower_id, following_id)
      SELECT ${actor.id}, id FROM target
      ON CONFLICT (follower_id, following_id) DO NOTHING
      RETURNING following_id AS user_id
    ),
    ${notificationCtes({ to: { from: sql`followed` }, type: "new_follower", actorId: actor.id })}
    SELECT EXISTS (SELECT 1 FROM target) AS found`);
  if (!rows[0]?.found) throw notFound("user");
  return { following: true };
}

/**
 * The actor stops following a user (nothing to do when they did not). The same 404s as
 * {@link followUser}, and a refusal writes nothing.
 */
export async function unfollowUser({ db, actor }: ActorCtx, input: { userId: number }): Promise<FollowState> {
  const { rows } = await db.execute<{ found: boolean }>(sql`
    WITH ${targetCte(actor.id, input.userId)},
    unfollowed AS (
      DELETE FROM follows
      WHERE follower_id = ${actor.id} AND following_id IN (SELECT id FROM target)
    )
    SELECT EXISTS (SELECT 1 FROM target) AS found`);
  if (!rows[0]?.found) throw notFound("user");
  return { following: false };
}

interface ListRow extends Record<string, unknown> {
  visibility: ProfileVisibility;
  is_owner: boolean;
  is_friend: boolean;
  follow_id: number | null;
  follow_key: string | null;
  id: number | null;
  username: string;
  name: string;
  profile_image: string | null;
  is_following: boolean;
}

/**
 * One page of a dancer's followers (`side: "followers"`) or of the dancers they follow
 * (`"following"`), newest follow first, in one statement. The owner must be visible to the
 * viewer (usable, no block either way: else 404) and their profile visibility must let the
 * viewer see the whole profile (else 403 `profile_restricted`, as the profile shows only a
 * card then). Listed dancers blocked either way with the viewer, and unusable accounts, are
 * left out. Each card says whether the viewer follows that dancer.
 */
export async function listFollows(
  { db, actor }: Ctx,
  input: { userId: number; side: "followers" | "following" } & PageRequest,
): Promise<Page<FollowCard>> {
  const viewerId = actor?.id ?? null;
  const [ownerColumn, otherColumn] = input.side === "followers" ? [sql`f.following_id`, sql`f.follower_id`] : [sql`f.follower_id`, sql`f.following_id`];
  const viewerFollows = viewerId === null ? sql`false` : isFollowing(viewerId, sql`u.id`);
  return keysetPage(
    input,
    { time: sql`f.created_at`, id: sql`f.id` },
    async (keyset) => {
      const { rows } = await db.execute<ListRow>(sql`
        WITH owner AS (
          SELECT o.id, coalesce(s.profile_visibility, 'public') AS visibility,
                 (o.id = ${viewerId}::int) IS TRUE AS is_owner, ${areFriends(viewerId, sql`o.id`)} AS is_friend
          FROM users o LEFT JOIN user_settings s ON s.user_id = o.id
          WHERE o.id = ${input.userId} AND ${accountUsable(sql`o`)} AND ${notBlockedBetween(viewerId, sql`o.id`)}
        )
        SELECT owner.visibility, owner.is_owner, owner.is_friend, item.*
        FROM owner
        LEFT JOIN LATERAL (
          SELECT f.id AS follow_id, f.created_at::text AS follow_key, u.id, u.username, u.name,
                 u.profile_image, ${viewerFollows} AS is_following
          FROM follows f JOIN users u ON u.id = ${otherColumn}
          WHERE ${ownerColumn} = owner.id AND ${accountUsable(sql`u`)} AND ${notBlockedBetween(viewerId, sql`u.id`)}
            AND ${keyset.after}
          ORDER BY ${keyset.order}
          LIMIT ${keyset.limit}
        ) item ON true`);
      const owner = rows[0];
      if (!owner) throw notFound("user");
      const access = profileAccess({ visibility: owner.visibility, isOwner: owner.is_owner, isFriend: owner.is_friend });
      if (access !== "full") {
        throw forbidden("This dancer shares their follows only with those who may see their whole profile.", "profile_restricted");
      }
      return rows.filter((row) => row.id !== null);
    },
    {
      item: (row) => ({
        id: row.id!,
        username: row.username,
        name: row.name,
        profileImage: row.profile_image,
        isFollowing: row.is_following,
        since: isoUtc(row.follow_key!),
      }),
      key: (row) => [row.follow_key!, row.follow_id!],
    },
  );
}
