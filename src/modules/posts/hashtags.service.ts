import { sql } from "drizzle-orm";
import type { Ctx } from "../../lib/context";
import { keysetPage, type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { postCardColumns } from "./posts.cards";
import { visibleTo } from "./posts.conditions";
import { type Post, type PostCardRow, toPost } from "./posts.schemas";
import { type TrendingHashtag, TrendingHashtagCursor } from "./hashtags.schemas";

/**
 * The posts carrying a hashtag that the viewer may see, newest first: one statement walking
 * post_hashtags_tag_created_idx backwards from the cursor, each row's post checked with
 * `visibleTo` and shaped as the post card. Posts of the same instant are ordered by id.
 *
 * Runs with JIT off (`SET LOCAL` in the same batch: one round trip): the planner cannot tell
 * how many of a popular tag's posts pass `visibleTo`, prices the walk as if most were dropped,
 * and past `jit_above_cost` compiled the plan for each request: 182 of 184 ms at 10k dancers
 * (`npm run bench -- routes`), for a page that takes 2 ms to read.
 */
export async function hashtagPosts({ db, actor }: Ctx, input: { tag: string } & PageRequest): Promise<Page<Post>> {
  const viewerId = actor?.id ?? null;
  return keysetPage(
    input,
    { time: sql`ph.created_at`, id: sql`ph.post_id` },
    async (keyset) => {
      const [, { rows }] = await db.batch([
        db.execute(sql`SET LOCAL jit = off`),
        db.execute<PostCardRow & { page_time: string }>(sql`
          SELECT ${postCardColumns(viewerId, sql`p`, sql`a`)}, ph.created_at::text AS page_time
          FROM post_hashtags ph
          JOIN posts p ON p.id = ph.post_id
          JOIN users a ON a.id = p.user_id
          WHERE ph.tag = ${input.tag} AND ${keyset.after} AND ${visibleTo(viewerId, sql`p`)}
          ORDER BY ${keyset.order}
          LIMIT ${keyset.limit}`),
      ]);
      return rows;
    },
    { item: toPost, key: (row) => [row.page_time, Number(row.id)] },
  );
}

/**
 * The trending hashtags as the viral-analytics job last computed them (trending_hashtags,
 * counted from public posts only, so a tag used only in friends or private posts never shows),
 * highest score first. The table is replaced every run: a cursor kept across a refresh reads
 * on in the new ranking.
 */
export async function trendingHashtags({ db }: Ctx, page: PageRequest): Promise<Page<TrendingHashtag>> {
  return sortedPage(
    page,
    { by: [sql`score`, sql`tag`], direction: "desc", cursor: TrendingHashtagCursor },
    async (keyset) => {
      const { rows } = await db.execute<{ tag: string; posts: number; engagement: number; score: number }>(sql`
        SELECT tag, posts, engagement, score FROM trending_hashtags
        WHERE ${keyset.after} ORDER BY ${keyset.order} LIMIT ${keyset.limit}`);
      return rows;
    },
    {
      item: (row) => ({ tag: row.tag, posts: Number(row.posts), engagement: Number(row.engagement), score: Number(row.score) }),
      key: (row) => [Number(row.score), row.tag] as [number, string],
    },
  );
}
