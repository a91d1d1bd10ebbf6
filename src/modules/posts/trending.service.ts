import { type SQL, sql } from "drizzle-orm";
import type { Ctx } from "../../lib/context";
import { type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { markJobRun, staleGuard } from "../../lib/job-runs";
import { accountUsable } from "../users";
import { postCardColumns } from "./posts.cards";
import { visibleTo } from "./posts.conditions";
import { type PostCardRow, toPost } from "./posts.schemas";
import { type TrendingPost, TrendingPostCursor } from "./trending.schemas";

/** The context's time as a value for the `timestamp` (UTC, no zone) columns. */
const at = (now: Date): SQL => sql`(${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

/** How far back viral analytics and trending hashtags look. */
export const VIRAL_WINDOW = sql`interval '48 hours'`;

/** A post is viral above this score. */
export const VIRAL_THRESHOLD = 0.7;

/**
 * The trending feed: posts of the last 48 hours by viral score (the job's viral_analytics),
 * highest first, that the viewer may see (`visibleTo`: visibility, blocks, hidden posts,
 * unusable authors). One statement; viral_analytics_score_idx serves the order backwards.
 */
export async function trendingPosts(ctx: Ctx, page: PageRequest): Promise<Page<TrendingPost>> {
  const viewerId = ctx.actor?.id ?? null;
  return sortedPage(
    page,
    { by: [sql`v.score`, sql`v.post_id`], direction: "desc", cursor: TrendingPostCursor },
    async (keyset) => {
      const { rows } = await ctx.db.execute<PostCardRow & { viral_score: number; is_viral: boolean }>(sql`
        SELECT ${postCardColumns(viewerId, sql`p`, sql`a`)}, v.score AS viral_score, v.is_viral
        FROM viral_analytics v
        JOIN posts p ON p.id = v.post_id
        JOIN users a ON a.id = p.user_id
        WHERE v.post_created_at > ${at(ctx.now)} - ${VIRAL_WINDOW} AND ${keyset.after} AND ${visibleTo(viewerId, sql`p`)}
        ORDER BY ${keyset.order}
        LIMIT ${keyset.limit}`);
      return rows;
    },
    {
      item: (row) => ({ ...toPost(row), viral: { score: Number(row.viral_score), isViral: row.is_viral } }),
      key: (row) => [Number(row.viral_score), Number(row.id)] as [number, number],
    },
  );
}

/** The viral job's run marker in job_cursors (`updated_at`: the trigger time of its newest run). */
export const VIRAL_RUN = "viral-analytics#run";

/**
 * Starts a run of viral analytics pinned to `ctx.now`: from here on, a chunk pinned to an
 * earlier time (a queued chunk of an earlier run) is stale and writes nothing.
 */
export async function markViralRun({ db, now }: Ctx): Promise<void> {
  await markJobRun(db, VIRAL_RUN, now);
}

/** The id range of the posts in the window (posts_created_at_idx), for the job to walk in chunks. */
export async function viralWindow({ db, now }: Ctx): Promise<{ min: number | null; max: number | null }> {
  const { rows } = await db.execute<{ min: number | null; max: number | null }>(sql`
    SELECT min(id) AS min, max(id) AS max FROM posts
    WHERE created_at > ${at(now)} - ${VIRAL_WINDOW} AND created_at <= ${at(now)}`);
  const num = (value: number | null | undefined) => (value === null || value === undefined ? null : Number(value));
  return { min: num(rows[0]?.min), max: num(rows[0]?.max) };
}

/**
 * Scores the posts with an id in `range` created in the 48 hours up to the job's time, and
 * writes each one's row of viral_analytics: one INSERT ... ON CONFLICT statement, set-based.
 * A rerun at the same time writes the same values. A chunk pinned to an earlier time than the
 * job's newest run (markViralRun) is `stale` and writes nothing.
 *
 * The original platform's formula, each part capped at 1:
 *   0.4  x shares per hour / 20
 * + 0.2  x comments per hour / 30
 * + 0.2  x unique engagers / 50
 * + 0.15 x communities reached / 5
 * + 0.05 x early engagement
 * - per-hour rates divide by the post's age in hours at the job's time, at least 1 hour (a
 *   post 10 minutes old with 20 shares has 20 shares per hour, not 120);
 * - engagement is likes, comments and shares by anyone but the author, up to the job's time;
 *   comments hidden by moderation do not count;
 * - unique engagers: the distinct dancers who liked, commented or shared;
 * - communities reached: the distinct cities of those engagers (case and spaces folded) until
 *   groups exist;
 * - early engagement: the share of the post's engagement made in its first hour (0 without any).
 * A post is viral when its score is above 0.7.
 */
export async function scoreViralRange({ db, now }: Ctx, range: { lo: number; hi: number }): Promise<{ scored: number; viral: number; stale: boolean }> {
  const time = at(now);
  const { rows } = await db.execute<{ scored: number; viral: number; stale: boolean }>(sql`
    WITH ${staleGuard(VIRAL_RUN, time)},
    recent AS (
      SELECT p.id, p.user_id, p.created_at,
             greatest(extract(epoch FROM ${time} - p.created_at)::float8 / 3600, 1) AS hours
      FROM posts p
      WHERE p.id BETWEEN ${range.lo} AND ${range.hi}
        AND p.created_at > ${time} - ${VIRAL_WINDOW} AND p.created_at <= ${time} AND (SELECT ok FROM live)
    ),
    engagement AS (
      SELECT r.id AS post_id, 'like' AS kind, l.user_id, l.created_at
      FROM recent r JOIN post_likes l ON l.post_id = r.id
      WHERE l.user_id <> r.user_id AND l.created_at <= ${time}
      UNION ALL
      SELECT r.id, 'comment', c.user_id, c.created_at
      FROM recent r JOIN post_comments c ON c.post_id = r.id
      WHERE c.user_id <> r.user_id AND c.created_at <= ${time} AND c.hidden_at IS NULL
      UNION ALL
      SELECT r.id, 'share', s.user_id, s.created_at
      FROM recent r JOIN post_shares s ON s.post_id = r.id
      WHERE s.user_id <> r.user_id AND s.created_at <= ${time}
    ),
    counted AS (
      SELECT r.id, r.created_at, r.hours,
             count(e.kind) FILTER (WHERE e.kind = 'share') AS shares,
             count(e.kind) FILTER (WHERE e.kind = 'comment') AS comments,
             count(DISTINCT e.user_id) AS engagers,
             count(DISTINCT lower(btrim(u.city))) FILTER (WHERE btrim(u.city) <> '') AS cities,
             count(e.kind) AS total,
             count(e.kind) FILTER (WHERE e.created_at < r.created_at + interval '1 hour') AS early
      FROM recent r
      LEFT JOIN engagement e ON e.post_id = r.id
      LEFT JOIN users u ON u.id = e.user_id
      GROUP BY r.id, r.created_at, r.hours
    ),
    rates AS (
      SELECT id, created_at, shares / hours AS shares_per_hour, comments / hours AS comments_per_hour,
             engagers::int AS engagers, cities::int AS cities,
             CASE WHEN total = 0 THEN 0 ELSE early::float8 / total END AS early_engagement
      FROM counted
    ),
    scored AS (
      SELECT rates.*,
             0.4 * least(shares_per_hour / 20, 1) + 0.2 * least(comments_per_hour / 30, 1)
             + 0.2 * least(engagers / 50.0, 1)::float8 + 0.15 * least(cities / 5.0, 1)::float8
             + 0.05 * early_engagement AS score
      FROM rates
    ),
    written AS (
      INSERT INTO viral_analytics (post_id, score, shares_per_hour, comments_per_hour, unique_engagers,
                                   communities_reached, early_engagement, is_viral, post_created_at, computed_at)
      SELECT id, score, shares_per_hour, comments_per_hour, engagers, cities, early_engagement,
             score > ${VIRAL_THRESHOLD}, created_at, ${time}
      FROM scored
      ON CONFLICT (post_id) DO UPDATE SET
        score = excluded.score, shares_per_hour = excluded.shares_per_hour,
        comments_per_hour = excluded.comments_per_hour, unique_engagers = excluded.unique_engagers,
        communities_reached = excluded.communities_reached, early_engagement = excluded.early_engagement,
        is_viral = excluded.is_viral, post_created_at = excluded.post_created_at, computed_at = excluded.computed_at
      RETURNING is_viral
    )
    SELECT count(*)::int AS scored, (count(*) FILTER (WHERE is_viral))::int AS viral, NOT (SELECT ok FROM live) AS stale
    FROM written`);
  return { scored: Number(rows[0]?.scored ?? 0), viral: Number(rows[0]?.viral ?? 0), stale: rows[0]?.stale === true };
}

/** Drops the viral rows of posts now older than the window: they leave the trending feed. */
export async function pruneViral({ db, now }: Ctx): Promise<{ pruned: number }> {
  const { rows } = await db.execute<{ pruned: number }>(sql`
    WITH gone AS (DELETE FROM viral_analytics WHERE post_created_at <= ${at(now)} - ${VIRAL_WINDOW} RETURNING 1)
    SELECT count(*)::int AS pruned FROM gone`);
  return { pruned: Number(rows[0]?.pruned ?? 0) };
}

/** How many trending hashtags are kept: the list is read a page at a time, from the top. */
export const TRENDING_HASHTAGS_KEPT = 500;

/**
 * Replaces the trending hashtags in one statement (readers see the old list or the new one,
 * never an empty table), from the public, unhidden posts of usable authors tagged in the 48
 * hours up to the job's time (post_hashtags_created_idx). Per tag: `posts` carrying it,
 * `engagement` (their likes + comments + shares), and the score
 *   sum over those posts of (1 + likes + 2 x comments + 3 x shares) x 0.5^(age in hours / 12)
 * so engagement weighs in, shares most, and a post's weight halves every 12 hours.
 */
export async function refreshTrendingHashtags({ db, now }: Ctx): Promise<{ tags: number; dropped: number }> {
  const time = at(now);
  const { rows } = await db.execute<{ tags: number; dropped: number }>(sql`
    WITH fresh AS (
      SELECT ph.tag, count(*)::int AS posts,
             sum(coalesce(p.likes, 0) + coalesce(p.comments, 0) + coalesce(p.shares, 0))::int AS engagement,
             sum((1 + coalesce(p.likes, 0) + 2 * coalesce(p.comments, 0) + 3 * coalesce(p.shares, 0))
                 * power(0.5, extract(epoch FROM ${time} - ph.created_at)::float8 / 3600 / 12)) AS score
      FROM post_hashtags ph
      JOIN posts p ON p.id = ph.post_id
      JOIN users a ON a.id = p.user_id
      WHERE ph.created_at > ${time} - ${VIRAL_WINDOW} AND ph.created_at <= ${time}
        AND coalesce(p.visibility, 'public') = 'public' AND p.hidden_at IS NULL AND ${accountUsable(sql`a`)}
      GROUP BY ph.tag
      ORDER BY score DESC, ph.tag DESC
      LIMIT ${TRENDING_HASHTAGS_KEPT}
    ),
    dropped AS (
      DELETE FROM trending_hashtags t WHERE t.tag NOT IN (SELECT tag FROM fresh) RETURNING 1
    ),
    written AS (
      INSERT INTO trending_hashtags (tag, posts, engagement, score, computed_at)
      SELECT tag, posts, engagement, score, ${time} FROM fresh
      ON CONFLICT (tag) DO UPDATE SET posts = excluded.posts, engagement = excluded.engagement,
        score = excluded.score, computed_at = excluded.computed_at
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM written)::int AS tags, (SELECT count(*) FROM dropped)::int AS dropped`);
  return { tags: Number(rows[0]?.tags ?? 0), dropped: Number(rows[0]?.dropped ?? 0) };
}
