import { type SQL, sql } from "drizzle-orm";
import type { FeedCursor } from "./feed.schemas";
import { postCardColumns } from "./posts.cards";
import { visibleTo } from "./posts.conditions";

/**
 * Above this many sources (the dancers whose posts and shares make a feed), the feed walks
 * the newest posts of everyone and keeps its sources' ("scan"); at or below it, it reads each
 * source's newest posts from its own index range and merges them ("fanout"). Measured in
 * `npm run bench -- feed` at 100k dancers (README, "Feed"): with 31 sources the fanout took
 * half the scan's time, with 301 the scan took two thirds of the fanout's. A source row is a
 * follow or a friendship (one dancer may be both), plus the viewer.
 */
export const FANOUT_MAX_SOURCES = 100;

/** How the statement finds its candidates: chosen by the source count, or forced (tests, bench). */
export type FeedPlan = "auto" | "fanout" | "scan";

export interface FeedStatementInput {
  viewerId: number | null;
  /** The viewer's home feed (own, followed and friends' items) or one dancer's timeline. */
  scope: { feedOf: number } | { timelineOf: number };
  /** Rows to fetch (the page size plus one). */
  limit: number;
  after?: FeedCursor;
  plan?: FeedPlan;
}

/** Larger than any serial id: the bound that keeps every row of a kind at the cursor's time. */
const MAX_ID = 2_147_483_647;

/**
 * The cursor as `feed_items` takes it: one row bound per kind, `(created_at, id) < (at, id)`.
 * Items order by `(at, type, id)` descending and `"share" > "post"`, so at the cursor's own time
 * a kind is either wholly after the cursor (every id), wholly before it (none: id 0), or
 * compared by id. No cursor: every row ('infinity').
 */
function cursorBounds(after: FeedCursor | undefined): { at: string; post: number; share: number } {
  if (!after) return { at: "infinity", post: MAX_ID, share: MAX_ID };
  const [at, kind, id] = after;
  return kind === "post" ? { at, post: id, share: 0 } : { at, post: MAX_ID, share: id };
}

/**
 * The one statement behind the home feed and a dancer's timeline: one page of items (posts as
 * posted, posts as shared), newest first by `(at, type, id)`, each with its post card (and the
 * sharer's card and comment for a share). Visibility, blocks and usable accounts are decided
 * in it: every post passes `visibleTo(viewer, post)`, and every share's sharer is usable and
 * not blocked either way with the viewer.
 *
 * The page's item keys come from the SQL function `feed_items` (migrations/0008_feed_items.sql),
 * which picks one of two plans by the source count and runs only that one:
 * - fanout (up to {@link FANOUT_MAX_SOURCES} sources): each source's newest posts the viewer may
 *   see and shares are read from its own index range and merged: a celebrity's 3,000 posts cost
 *   `limit` rows, and so do the friends-only posts of a dancer who is not a friend (none is read).
 * - scan (more sources): posts and shares are read newest first from the `(created_at, id)`
 *   indexes, each row kept when its author is a source and the viewer may see it, until `limit`
 *   are kept: the more sources, the sooner.
 * A function because PL/pgSQL keeps its statements' plans for the session: on a warm pooled
 * backend a request plans only this statement's join of the keys to their cards, not the two
 * plans (about 3 ms as one statement). Still one statement, one round trip.
 *
 * Exported for the bench (bench/feed.ts), which runs this very statement.
 */
export function feedStatement(input: FeedStatementInput): SQL {
  const { viewerId, limit, after } = input;
  const plan = input.plan ?? "auto";
  const feedOf = "feedOf" in input.scope ? input.scope.feedOf : null;
  const timelineOf = "timelineOf" in input.scope ? input.scope.timelineOf : null;
  const bound = cursorBounds(after);
  return sql`
    SELECT page.item_type, page.item_id, page.item_at::text AS item_at, page.ran AS feed_plan,
      sh.comment AS share_comment, su.id AS sharer_id, su.username AS sharer_username,
      su.name AS sharer_name, su.profile_image AS sharer_profile_image,
      ${postCardColumns(viewerId, sql`p`, sql`a`)}
    FROM feed_items(${viewerId}::int, ${feedOf}::int, ${timelineOf}::int, ${limit}::int,
      ${bound.at}::timestamp, ${bound.post}::int, ${bound.share}::int, ${plan}::text, ${FANOUT_MAX_SOURCES}::int) page
    JOIN posts p ON p.id = page.post_id
    JOIN users a ON a.id = p.user_id
    LEFT JOIN post_shares sh ON page.item_type = 'share' AND sh.id = page.item_id
    LEFT JOIN users su ON su.id = sh.user_id
    WHERE ${visibleTo(viewerId, sql`p`)}
    ORDER BY page.item_at DESC, page.item_type DESC, page.item_id DESC`;
}
