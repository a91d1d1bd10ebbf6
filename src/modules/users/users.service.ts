import { and, eq, sql } from "drizzle-orm";
import { userSettings, users, type SelectUser } from "../../../drizzle/schema";
import type { ActorCtx, Ctx } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { isoUtc } from "../../lib/time";
import { notBlockedBetween } from "../blocks";
import { areFriends, friendshipState, graphCounts, isFollowing } from "../graph";
import { cityCommunityMove } from "../groups";
import type { PublicProfile, RestrictedProfile, UpdateProfileInput, UserRef } from "./profile.schemas";
import { accountUsable } from "./users.conditions";
import { toProfileFields, toUserCard } from "./users.schemas";
import { profileAccess, type ProfileVisibility } from "./users.policy";

/**
 * A profile as this viewer may see it, in one query: hidden entirely (404) when the
 * account is suspended or deactivated or when either of the two blocked the other, and
 * cut down to a card when the owner's visibility setting leaves the viewer out.
 */
export async function getProfile({ db, actor }: Ctx, input: { ref: UserRef }): Promise<PublicProfile | RestrictedProfile> {
  const { ref } = input;
  const viewerId = actor?.id ?? null;
  const match = "id" in ref ? eq(users.id, ref.id) : sql`lower(${users.username}) = lower(${ref.username})`;
  const [row] = await db
    .select({
      id: users.id,
      username: users.username,
      name: users.name,
      firstName: users.firstName,
      lastName: users.lastName,
      nickname: users.nickname,
      bio: users.bio,
      profileImage: users.profileImage,
      backgroundImage: users.backgroundImage,
      city: users.city,
      state: users.state,
      country: users.country,
      countryCode: users.countryCode,
      languages: users.languages,
      tangoRoles: users.tangoRoles,
      leaderLevel: users.leaderLevel,
      followerLevel: users.followerLevel,
      yearsOfDancing: users.yearsOfDancing,
      startedDancingYear: users.startedDancingYear,
      occupation: users.occupation,
      facebookUrl: users.facebookUrl,
      isVerified: users.isVerified,
      createdAt: users.createdAt,
      visibility: sql<ProfileVisibility>`coalesce(${userSettings.profileVisibility}, 'public')`,
      isFriend: areFriends(viewerId, users.id),
      ...graphCounts(users.id),
      ...(viewerId === null
        ? {}
        : {
            isFollowing: isFollowing(viewerId, users.id),
            followsYou: isFollowing(users.id, viewerId),
            friendship: friendshipState(viewerId, users.id),
          }),
    })
    .from(users)
    .leftJoin(userSettings, eq(userSettings.userId, users.id))
    .where(
      and(
        match,
        accountUsable(),
        notBlockedBetween(viewerId, users.id),
      ),
    )
    .limit(1);
  if (!row) throw notFound("user");

  const card = toUserCard(row);
  // What the viewer is to this dancer: only for a signed-in viewer, whole profile or card.
  const relation =
    "friendship" in row
      ? { isFollowing: row.isFollowing, followsYou: row.followsYou, friendship: row.friendship }
      : {};
  const access = profileAccess({ visibility: row.visibility, isOwner: row.id === viewerId, isFriend: row.isFriend });
  if (access === "card") return { ...card, visibility: row.visibility, ...relation, restricted: true };
  return {
    ...card,
    ...toProfileFields(row),
    createdAt: isoUtc(row.createdAt ?? new Date(0)),
    visibility: row.visibility,
    isFriend: row.isFriend,
    followersCount: row.followersCount,
    followingCount: row.followingCount,
    friendsCount: row.friendsCount,
    ...relation,
    restricted: false,
  };
}

/**
 * Applies the caller's own profile edits (already validated field by field). An edit that
 * gives the city moves the dancer to that city's community as it changes (the groups module's
 * `cityCommunityMove`), in the same batch as the edit: one round trip, one transaction.
 */
export async function updateProfile({ db, actor, logger }: ActorCtx, input: UpdateProfileInput): Promise<SelectUser> {
  const update = db
    .update(users)
    .set({ ...input, updatedAt: sql`now()` })
    .where(eq(users.id, actor.id))
    .returning();
  if (input.city === undefined) {
    const [user] = await update;
    if (!user) throw notFound("account");
    return user;
  }
  const [, moved, [user]] = await db.batch([...cityCommunityMove(db, { userId: actor.id, city: input.city }), update]);
  if (!user) throw notFound("account");
  const move = moved.rows[0];
  if (move?.left_group != null || move?.joined_group != null) {
    logger.info("city community moved", {
      code: "city_community_moved",
      userId: actor.id,
      leftGroupId: move.left_group,
      joinedGroupId: move.joined_group,
      friendsThere: Number(move.recorded),
    });
  }
  return user;
}
