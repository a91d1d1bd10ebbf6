import { and, eq, sql } from "drizzle-orm";
import { blockedUsers, users } from "../../../drizzle/schema";
import type { ActorCtx } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { keysetPage, type Page, type PageRequest, timeKey } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import { cutTies } from "../graph";
import type { BlockedUser } from "./blocks.schemas";

/**
 * The actor blocks a user and cuts every tie between the two in the same statement (the
 * graph's `cutTies`: follows both ways, the friendship, pending requests). Blocking again
 * changes nothing more.
 */
export async function blockUser({ db, actor }: ActorCtx, input: { userId: number }): Promise<void> {
  const { rows } = await db.execute<{ found: boolean }>(sql`
    WITH target AS (SELECT id FROM users WHERE id = ${input.userId}),
    blocked AS (
      INSERT INTO blocked_users (blocker_id, blocked_id)
      SELECT ${actor.id}, id FROM target
      ON CONFLICT (blocker_id, blocked_id) DO NOTHING
    ),
    ${cutTies(actor.id, input.userId, sql`EXISTS (SELECT 1 FROM target)`)}
    SELECT EXISTS (SELECT 1 FROM target) AS found`);
  if (!rows[0]?.found) throw notFound("user");
}

/** Lifts the actor's block on a user, if there was one. Removed follows and friendships are not restored. */
export async function unblockUser({ db, actor }: ActorCtx, input: { userId: number }): Promise<void> {
  await db
    .delete(blockedUsers)
    .where(and(eq(blockedUsers.blockerId, actor.id), eq(blockedUsers.blockedId, input.userId)));
}

/** The users the actor blocked, newest block first. */
export async function listBlocked({ db, actor }: ActorCtx, page: PageRequest): Promise<Page<BlockedUser>> {
  return keysetPage(
    page,
    { time: blockedUsers.createdAt, id: blockedUsers.id },
    (keyset) =>
      db
        .select({
          blockId: blockedUsers.id,
          blockedAt: blockedUsers.createdAt,
          blockedKey: timeKey(blockedUsers.createdAt),
          id: users.id,
          username: users.username,
          name: users.name,
          profileImage: users.profileImage,
        })
        .from(blockedUsers)
        .innerJoin(users, eq(users.id, blockedUsers.blockedId))
        .where(and(eq(blockedUsers.blockerId, actor.id), keyset.after))
        .orderBy(keyset.order)
        .limit(keyset.limit),
    {
      item: (row) => ({
        id: row.id,
        username: row.username,
        name: row.name,
        profileImage: row.profileImage,
        blockedAt: isoUtc(row.blockedAt),
      }),
      key: (row) => [row.blockedKey, row.blockId],
    },
  );
}
