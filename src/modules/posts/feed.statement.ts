import { type SQL, sql } from "drizzle-orm";
import { notBlockedBetween } from "../blocks";
import { accountUsable } from "../users";
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

/**
 * The keyset condition for one kind of item: items order by `(at, type, id)` descending, and
 * `"share" > "post"`, so at the cursor's own time a kind is either wholly after the cursor, or
 * compared by id (a row comparison the `(…, created_at, id)` indexes serve).
 */
function olderThan(kind: "post" | "share", row: SQL, after: FeedCursor | undefined): SQL {
  if (!after) return sql`true`;
  const [at, afterKind, id] = after;
  if (afterKind === kind) return sql`(${row}.created_at, ${row}.id) < (${at}::timestamp, ${id})`;
  return kind === "post" ? sql`${row}.created_at <= ${at}::timestamp` : sql`${row}.created_at < ${at}::timestamp`;
}

/**
 * The dancers whose items make the list, as `(id, sees_friends)` rows: for a home feed the
 * viewer, the dancers they follow and their friends (a dancer followed and befriended has a row
 * for each: only the plan choice counts rows, and the fanout groups them); for a timeline its
 * owner. No probes here: a source's account and blocks are checked once per source in the
 * fanout plan, per candidate row in the scan plan.
 */
function sourcesCte(input: FeedStatementInput): SQL {
  if ("timelineOf" in input.scope) {
    const owner = input.scope.timelineOf;
    const seesFriends = input.viewerId === null ? sql`false` : sql`(${owner} = ${input.viewerId} OR EXISTS (SELECT 1 FROM friendships f
      WHERE f.user_id = ${input.viewerId} AND f.friend_id = ${owner} AND f.status = 'active'))`;
    return sql`SELECT ${owner}::int AS id, ${seesFriends} AS sees_friends`;
  }
  const me = input.scope.feedOf;
  return sql`SELECT ${me}::int AS id, true AS sees_friends
      UNION ALL SELECT following_id, false FROM follows WHERE follower_id = ${me}
      UNION ALL SELECT friend_id, true FROM friendships WHERE user_id = ${me} AND status = 'active'`;
}

/**
 * A dancer whose posts or shares the viewer may see at all: themselves, or usable and not
 * blocked either way. `userRow`: their users row when the caller has joined it (see visibleTo).
 */
function usableSource(viewerId: number | null, user: SQL, userRow?: SQL): SQL {
  const own = viewerId === null ? sql`false` : sql`${user} = ${viewerId}`;
  const usable = userRow ? accountUsable(userRow) : sql`EXISTS (SELECT 1 FROM users su WHERE su.id = ${user} AND ${accountUsable(sql`su`)})`;
  return sql`(${own} OR (${usable} AND ${notBlockedBetween(viewerId, user)}))`;
}

/**
 * The one statement behind the home feed and a dancer's timeline: one page of items (posts as
 * posted, posts as shared), newest first by `(at, type, id)`, each with its post card (and the
 * sharer's card and comment for a share). Visibility, blocks and usable accounts are decided
 * in it: every post passes `visibleTo(viewer, post)`, and every share's sharer is usable and
 * not blocked either way with the viewer.
 *
 * Two plans, both bounded by the page, never by the sources' history:
 * - fanout (up to {@link FANOUT_MAX_SOURCES} sources): the sources are checked once each
 *   (account, blocks), then each source's newest `limit` posts the viewer may see and shares
 *   after the cursor are read from its own index range (`posts_user_public_idx` for a dancer
 *   followed, `posts_user_friends_idx` for a friend, `posts_user_created_idx` for the viewer;
 *   `post_shares_user_created_idx`) and merged: a celebrity's 3,000 posts cost `limit` rows,
 *   and so do the friends-only posts of a dancer who is not a friend (none is read).
 * - scan (more sources): posts and shares are read newest first from the `(created_at, id)`
 *   indexes, each row kept when its author is a source (a hashed lookup) and the viewer may see
 *   it, until `limit` are kept: the more sources, the sooner.
 * The source count picks the plan inside the statement (one-time filters: the other plan's
 * branch never runs), so a request is one round trip.
 *
 * Exported for the bench (bench/feed.ts), which runs this very statement.
 */
export function feedStatement(input: FeedStatementInput): SQL {
  const { viewerId, limit, after } = input;
  const plan = input.plan ?? "auto";
  const gate = (branch: "fanout" | "scan"): SQL => {
    if (plan !== "auto") return plan === branch ? sql`true` : sql`false`;
    return branch === "fanout"
      ? sql`(SELECT n FROM source_count) <= ${FANOUT_MAX_SOURCES}`
      : sql`(SELECT n FROM source_count) > ${FANOUT_MAX_SOURCES}`;
  };
  const itemOrder = sql`item_at DESC, item_type DESC, item_id DESC`;

  // One index range per source, holding only rows the viewer may see (partial indexes, see
  // drizzle/social.ts): a friend's public and friends-only posts, a followed dancer's public posts.
  const fanoutPostsOf = (sources: SQL, visible: SQL) => sql`
    SELECT x.* FROM checked_sources s CROSS JOIN LATERAL (
      SELECT 'post'::text AS item_type, p.id AS item_id, p.created_at AS item_at, p.id AS post_id
      FROM posts p
      WHERE p.user_id = s.id AND ${olderThan("post", sql`p`, after)} AND ${visible}
      ORDER BY p.created_at DESC, p.id DESC LIMIT ${limit}
    ) x
    WHERE ${sources}`;
  const isViewer = viewerId === null ? sql`false` : sql`s.id = ${viewerId}`;
  // The viewer's own posts (all of them, hidden ones too) when the list is theirs: one index
  // range, whichever plan reads the others'.
  const ownList = viewerId !== null && ("feedOf" in input.scope || input.scope.timelineOf === viewerId);
  const ownPosts = sql`
    SELECT 'post'::text AS item_type, p.id AS item_id, p.created_at AS item_at, p.id AS post_id
    FROM posts p
    WHERE ${ownList ? sql`p.user_id = ${viewerId}` : sql`false`} AND ${olderThan("post", sql`p`, after)}
    ORDER BY p.created_at DESC, p.id DESC LIMIT ${limit}`;
  const fanoutPosts = sql`
    ${fanoutPostsOf(sql`s.sees_friends AND NOT ${isViewer}`, sql`p.hidden_at IS NULL AND coalesce(p.visibility, 'public') IN ('public', 'friends')`)}
    UNION ALL ${fanoutPostsOf(sql`NOT s.sees_friends AND NOT ${isViewer}`, sql`p.hidden_at IS NULL AND coalesce(p.visibility, 'public') = 'public'`)}`;
  const fanoutShares = sql`
    SELECT x.* FROM checked_sources s CROSS JOIN LATERAL (
      SELECT 'share'::text AS item_type, sh.id AS item_id, sh.created_at AS item_at, sh.post_id
      FROM post_shares sh JOIN posts sp ON sp.id = sh.post_id JOIN users spa ON spa.id = sp.user_id
      WHERE sh.user_id = s.id AND ${olderThan("share", sql`sh`, after)} AND ${visibleTo(viewerId, sql`sp`, sql`spa`)}
      ORDER BY sh.created_at DESC, sh.id DESC LIMIT ${limit}
    ) x`;
  // The scans read the newest rows first and keep their sources' with a hashed lookup (an OR of
  // them, which the planner keeps as a filter on the time-ordered index scan rather than a join
  // it would size from follows' average of about 30, not this dancer's thousands). Whether the
  // viewer may see a row is a column computed below an OFFSET 0 fence and tested above it, so
  // its probes run only for the rows that pass, in order, until the page is full: as a WHERE
  // clause the planner would guess it very selective and cost the scan as if it read most of
  // the table, and that estimate alone makes PostgreSQL JIT-compile the statement (hundreds of
  // milliseconds). The accounts are joined (index probes, in order) rather than tested with
  // EXISTS, which the planner would answer by hashing every account first.
  const scanPosts = sql`
    SELECT c.item_type, c.item_id, c.item_at, c.post_id FROM (
      SELECT 'post'::text AS item_type, x.id AS item_id, x.created_at AS item_at, x.id AS post_id,
             ${visibleTo(viewerId, sql`x`, sql`author`)} AS visible
      FROM (
        -- posts_feed_idx holds only posts not hidden, with the columns tested here: an
        -- index-only scan, so rows left out (others', friends-only ones of non-friends) cost
        -- no heap read.
        SELECT p.id, p.created_at, p.user_id, p.visibility, NULL::timestamp AS hidden_at
        FROM posts p
        WHERE p.hidden_at IS NULL AND ${olderThan("post", sql`p`, after)}
          AND p.user_id IS DISTINCT FROM ${viewerId}::int
          AND ((coalesce(p.visibility, 'public') = 'public' AND p.user_id IN (SELECT id FROM sources))
            OR (p.visibility = 'friends' AND p.user_id IN (SELECT id FROM sources WHERE sees_friends)))
      ) x
      JOIN users author ON author.id = x.user_id
      ORDER BY x.created_at DESC, x.id DESC
      OFFSET 0
    ) c
    WHERE c.visible
    LIMIT ${limit}`;
  const scanShares = sql`
    SELECT c.item_type, c.item_id, c.item_at, c.post_id FROM (
      SELECT 'share'::text AS item_type, x.id AS item_id, x.created_at AS item_at, sh.post_id,
             ${usableSource(viewerId, sql`x.user_id`, sql`sharer`)} AND ${visibleTo(viewerId, sql`sp`, sql`spa`)} AS visible
      FROM (
        -- Index-only (post_shares_created_idx holds the sharer): a share is read only once its sharer is a source.
        SELECT s.id, s.created_at, s.user_id FROM post_shares s
        WHERE ${olderThan("share", sql`s`, after)} AND (s.user_id IN (SELECT id FROM sources) OR false)
      ) x
      JOIN post_shares sh ON sh.id = x.id JOIN users sharer ON sharer.id = x.user_id
      JOIN posts sp ON sp.id = sh.post_id JOIN users spa ON spa.id = sp.user_id
      ORDER BY x.created_at DESC, x.id DESC
      OFFSET 0
    ) c
    WHERE c.visible
    LIMIT ${limit}`;

  return sql`
    WITH sources AS MATERIALIZED (${sourcesCte(input)}),
    source_count AS MATERIALIZED (SELECT count(*) AS n FROM sources),
    checked_sources AS (
      SELECT s.id, bool_or(s.sees_friends) AS sees_friends
      FROM sources s JOIN users su ON su.id = s.id
      WHERE ${usableSource(viewerId, sql`s.id`, sql`su`)}
      GROUP BY s.id
    ),
    page AS (
      SELECT * FROM (
        (SELECT * FROM (${ownPosts}) f)
        UNION ALL (SELECT * FROM (${fanoutPosts}) f WHERE ${gate("fanout")} ORDER BY ${itemOrder} LIMIT ${limit})
        UNION ALL (SELECT * FROM (${fanoutShares}) f WHERE ${gate("fanout")} ORDER BY ${itemOrder} LIMIT ${limit})
        UNION ALL (SELECT * FROM (${scanPosts}) f WHERE ${gate("scan")})
        UNION ALL (SELECT * FROM (${scanShares}) f WHERE ${gate("scan")})
      ) items
      ORDER BY ${itemOrder} LIMIT ${limit}
    )
    SELECT page.item_type, page.item_id, page.item_at::text AS item_at,
      sh.comment AS share_comment, su.id AS sharer_id, su.username AS sharer_username,
      su.name AS sharer_name, su.profile_image AS sharer_profile_image,
      ${postCardColumns(viewerId, sql`p`, sql`a`)}
    FROM page
    JOIN posts p ON p.id = page.post_id
    JOIN users a ON a.id = p.user_id
    LEFT JOIN post_shares sh ON page.item_type = 'share' AND sh.id = page.item_id
    LEFT JOIN users su ON su.id = sh.user_id
    WHERE ${visibleTo(viewerId, sql`p`)}
    ORDER BY page.${itemOrder}`;
}
