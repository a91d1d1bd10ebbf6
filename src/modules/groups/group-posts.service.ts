import { sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import type { IdempotencyClaim } from "../../lib/idempotency";
import { keysetPage, type Page, type PageRequest } from "../../lib/pagination";
import { createPost, type CreateGroupPostInput, type Post, postCardColumns, type PostCardRow, toPost, visibleTo } from "../posts";
import { groupVisibleTo, isGroupMember } from "./groups.conditions";
import { groupActionError, notGroupMemberError } from "./groups.policy";

/** The route an `Idempotency-Key` of a group post is scoped to (the group id is hashed with the body). */
export const CREATE_GROUP_POST_SCOPE = "POST /api/groups/{id}/posts";

/**
 * A member posts in the group: the posts module's own create verb with the group, so a group
 * post is made (mentions, hashtags, notifications, idempotency) exactly as any post is, and
 * seen by the group's members only (`visibleTo`).
 */
export async function createGroupPost(
  ctx: ActorCtx,
  input: { groupId: number; post: CreateGroupPostInput; claim: IdempotencyClaim | null },
): Promise<{ post: Post; replayed: boolean }> {
  return createPost(ctx, input);
}

/**
 * The group's posts, newest first (keyset over posts_group_idx: group, created_at, id), for
 * its active members, each passing `visibleTo` (hidden posts, blocked and suspended authors are
 * left out as everywhere). A group the viewer may not see is a 404; a non-member's request a
 * 403 `not_group_member`. Group posts are in no feed or timeline: this list is where they are.
 */
export async function listGroupPosts({ db, actor }: Ctx, input: { groupId: number } & PageRequest): Promise<Page<Post>> {
  const viewerId = actor?.id ?? null;
  return keysetPage(
    input,
    { time: sql`p.created_at`, id: sql`p.id` },
    async (keyset) => {
      const member = isGroupMember(viewerId, sql`g.id`);
      const { rows } = await db.execute<PostCardRow & { found: boolean; allowed: boolean; page_time: string }>(sql`
        SELECT true AS found, ${member} AS allowed, item.* FROM groups g
        LEFT JOIN LATERAL (
          SELECT ${postCardColumns(viewerId, sql`p`, sql`a`)}, p.created_at::text AS page_time
          FROM posts p JOIN users a ON a.id = p.user_id
          WHERE p.group_id = g.id AND ${keyset.after} AND ${visibleTo(viewerId, sql`p`)}
          ORDER BY ${keyset.order} LIMIT ${keyset.limit}
        ) item ON ${member}
        WHERE g.id = ${input.groupId} AND ${groupVisibleTo(viewerId, sql`g`)}`);
      const refused = groupActionError(rows[0] ?? { found: false, allowed: false }, notGroupMemberError);
      if (refused) throw refused;
      return rows.filter((row) => row.id !== null);
    },
    { item: toPost, key: (row) => [row.page_time, Number(row.id)] },
  );
}
