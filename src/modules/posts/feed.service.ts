import { sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { forbidden, notFound } from "../../lib/errors";
import { decodeCursor, sortedPage, type Page, type PageRequest } from "../../lib/pagination";
import { notBlockedBetween } from "../blocks";
import { areFriends } from "../graph";
import { accountUsable, profileAccess, type ProfileVisibility } from "../users";
import { FeedCursor, toFeedItem, type FeedItem, type FeedRow } from "./feed.schemas";
import { feedStatement, type FeedPlan } from "./feed.statement";

/** The keyset both lists order by; the statement builds its conditions from the decoded cursor. */
const feedKeyset = { by: [sql`item_at`, sql`item_type`, sql`item_id`], direction: "desc", cursor: FeedCursor } as const;

const feedKey = (row: FeedRow): FeedCursor => [row.item_at, row.item_type, Number(row.item_id)];

/**
 * The signed-in dancer's home feed, in one statement ({@link feedStatement}): their own posts,
 * the posts of the dancers they follow and of their friends, and the shares by all of these
 * (their own too), as far as they may see each post, newest first. `plan` forces a plan (tests
 * compare the two); by default the source count picks it.
 */
export async function listFeed(
  { db, actor }: ActorCtx,
  input: PageRequest & { plan?: FeedPlan },
): Promise<Page<FeedItem>> {
  return sortedPage(
    input,
    feedKeyset,
    async (keyset) => {
      const { rows } = await db.execute<FeedRow>(
        feedStatement({ viewerId: actor.id, scope: { feedOf: actor.id }, limit: keyset.limit, after: cursorOf(input), plan: input.plan }),
      );
      return rows;
    },
    { item: toFeedItem, key: feedKey },
  );
}

interface TimelineRow extends FeedRow {
  owner_visibility: ProfileVisibility;
  owner_is_owner: boolean;
  owner_is_friend: boolean;
}

/**
 * A dancer's timeline: their posts and their shares the viewer may see, newest first, in one
 * statement. The owner as the followers list checks them: unknown, unusable or blocked either
 * way is 404; a profile the viewer may see only as a card is 403 `profile_restricted`.
 */
export async function listTimeline({ db, actor }: Ctx, input: PageRequest & { userId: number }): Promise<Page<FeedItem>> {
  const viewerId = actor?.id ?? null;
  return sortedPage(
    input,
    feedKeyset,
    async () => {
      const items = feedStatement({ viewerId, scope: { timelineOf: input.userId }, limit: input.limit + 1, after: cursorOf(input) });
      const { rows } = await db.execute<TimelineRow>(sql`
        WITH owner AS (
          SELECT coalesce(s.profile_visibility, 'public') AS owner_visibility,
                 (o.id = ${viewerId}::int) IS TRUE AS owner_is_owner, ${areFriends(viewerId, sql`o.id`)} AS owner_is_friend
          FROM users o LEFT JOIN user_settings s ON s.user_id = o.id
          WHERE o.id = ${input.userId} AND ${accountUsable(sql`o`)} AND ${notBlockedBetween(viewerId, sql`o.id`)}
        )
        SELECT owner.*, items.* FROM owner LEFT JOIN LATERAL (${items}) items ON true`);
      const owner = rows[0];
      if (!owner) throw notFound("user");
      const access = profileAccess({ visibility: owner.owner_visibility, isOwner: owner.owner_is_owner, isFriend: owner.owner_is_friend });
      if (access !== "full") {
        throw forbidden("This dancer shares their posts only with those who may see their whole profile.", "profile_restricted");
      }
      return rows.filter((row) => row.item_id !== null);
    },
    { item: toFeedItem, key: feedKey },
  );
}

/**
 * The cursor as the statement needs it: the statement writes one keyset condition per kind of
 * item (feed.statement.ts), so it takes the decoded key rather than sortedPage's generic one.
 */
function cursorOf(input: PageRequest): FeedCursor | undefined {
  return decodeCursor(input.cursor, FeedCursor);
}
