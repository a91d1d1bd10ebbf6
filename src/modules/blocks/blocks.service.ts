import { and, desc, eq, sql } from "drizzle-orm";
import { blockedUsers, users } from "../../../drizzle/schema";
import type { Db } from "../../lib/db";
import { notFound } from "../../lib/errors";
import { olderThan, type Page, type TimeIdCursor, timeKey, toPage } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import type { BlockedUser } from "./blocks.schemas";

/**
 * Blocks a user and cuts every tie between the two in the same statement: follows both
 * ways, both rows of a friendship, pending friend requests either way (cancelled, so their
 * history stays). Blocking again changes nothing more.
 */
export async function blockUser(db: Db, blockerId: number, blockedId: number): Promise<void> {
  const { rows } = await db.execute<{ found: boolean }>(sql`
    WITH target AS (SELECT id FROM users WHERE id = ${blockedId}),
    blocked AS (
      INSERT INTO blocked_users (blocker_id, blocked_id)
      SELECT ${blockerId}, id FROM target
      ON CONFLICT (blocker_id, blocked_id) DO NOTHING
    ),
    unfollowed AS (
      DELETE FROM follows
      WHERE EXISTS (SELECT 1 FROM target)
        AND ((follower_id = ${blockerId} AND following_id = ${blockedId})
          OR (follower_id = ${blockedId} AND following_id = ${blockerId}))
    ),
    unfriended AS (
      DELETE FROM friendships
      WHERE EXISTS (SELECT 1 FROM target)
        AND ((user_id = ${blockerId} AND friend_id = ${blockedId})
          OR (user_id = ${blockedId} AND friend_id = ${blockerId}))
    ),
    requests_cancelled AS (
      UPDATE friend_requests SET status = 'cancelled', responded_at = now()
      WHERE status = 'pending' AND EXISTS (SELECT 1 FROM target)
        AND ((sender_id = ${blockerId} AND receiver_id = ${blockedId})
          OR (sender_id = ${blockedId} AND receiver_id = ${blockerId}))
    )
    SELECT EXISTS (SELECT 1 FROM target) AS found`);
  if (!rows[0]?.found) throw notFound("user");
}

/** Lifts a block, if there was one. Removed follows and friendships are not restored. */
export async function unblockUser(db: Db, blockerId: number, blockedId: number): Promise<void> {
  await db
    .delete(blockedUsers)
    .where(and(eq(blockedUsers.blockerId, blockerId), eq(blockedUsers.blockedId, blockedId)));
}

/** The users someone blocked, newest block first (keyset over the block's created_at, id). */
export async function listBlocked(
  db: Db,
  blockerId: number,
  page: { limit: number; after?: TimeIdCursor },
): Promise<Page<BlockedUser>> {
  const after = page.after;
  const rows = await db
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
    .where(
      and(
        eq(blockedUsers.blockerId, blockerId),
        olderThan(blockedUsers.createdAt, blockedUsers.id, after),
      ),
    )
    .orderBy(desc(blockedUsers.createdAt), desc(blockedUsers.id))
    .limit(page.limit + 1);
  return toPage(
    rows,
    page.limit,
    (row) => ({
      id: row.id,
      username: row.username,
      name: row.name,
      profileImage: row.profileImage,
      blockedAt: isoUtc(row.blockedAt),
    }),
    (row) => [row.blockedKey, row.blockId],
  );
}
