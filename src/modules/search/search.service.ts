import { type SQL, sql } from "drizzle-orm";
import type { Ctx } from "../../lib/context";
import { type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { notBlockedBetween } from "../blocks";
import { type Event, eventCardColumns, type EventCardRow, eventVisibleTo, toEvent } from "../events";
import { type Group, groupCardColumns, type GroupCardRow, groupVisibleTo, toGroup } from "../groups";
import { type Post, postCardColumns, type PostCardRow, toPost, visibleTo } from "../posts";
import { accountUsable, type UserCard } from "../users";
import { RankCursor, type SearchReply, type SearchType } from "./search.schemas";

/**
 * A query with no letter or digit (only punctuation or symbols) matches nothing: neither the
 * text search nor trigrams have anything to look for, so it is answered without the database.
 */
function hasWords(q: string): boolean {
  return /[\p{L}\p{N}]/u.test(q);
}

/**
 * Ranks are rounded to 6 decimals in SQL and the same expression orders the rows and is
 * compared with the cursor, so a page boundary never falls between two floats that print alike.
 */
const rounded = (rank: SQL) => sql`round((${rank})::numeric, 6)`;

/** Full-text search over posts or events, or a name search over users or groups, ranked, one kind per request. */
export async function search(ctx: Ctx, input: { q: string; type: SearchType } & PageRequest): Promise<SearchReply> {
  if (input.type === "users") return { type: "users", ...(await searchUsers(ctx, input)) };
  if (input.type === "events") return { type: "events", ...(await searchEvents(ctx, input)) };
  if (input.type === "groups") return { type: "groups", ...(await searchGroups(ctx, input)) };
  return { type: "posts", ...(await searchPosts(ctx, input)) };
}

/**
 * How many of the newest matching posts a post search ranks. A common word matches tens of
 * thousands of posts at 100k dancers (`tango`: a quarter of them), and ranking and checking
 * the visibility of every match took a second (`npm run bench -- routes`); the newest matches
 * are found by walking posts_pkey backwards for a common word, or through the GIN index for a
 * rare one (the planner sees the words, so it picks), and only those are ranked, as a social
 * network's search shows what is recent first.
 */
export const POST_SEARCH_WINDOW = 500;

/**
 * Posts whose text matches the query (websearch syntax: words, "a phrase", -word, or), in
 * the accent-folded 'simple' configuration posts.search_vector is built with (so `milonga`
 * finds `Milongá`, in any language), through the GIN index posts_search_idx. Among the newest
 * {@link POST_SEARCH_WINDOW} matches, ranked by cover density, normalised by the document's
 * length; equal ranks put the newer post (higher id) first. Only posts the viewer may see
 * (`visibleTo`); anonymous callers get public posts.
 */
async function searchPosts({ db, actor }: Ctx, input: { q: string } & PageRequest): Promise<Page<Post>> {
  const viewerId = actor?.id ?? null;
  // Written out twice, not shared through a CTE: the planner then sees the words and their frequency.
  const query = sql`websearch_to_tsquery('simple', mt_unaccent(${input.q}))`;
  const rank = rounded(sql`ts_rank_cd(p.search_vector, ${query}, 1)`);
  return sortedPage(
    input,
    { by: [rank, sql`p.id`], direction: "desc", cursor: RankCursor },
    async (keyset) => {
      if (!hasWords(input.q)) return [];
      const { rows } = await db.execute<PostCardRow & { rank: string }>(sql`
        WITH matches AS MATERIALIZED (
          SELECT p.id FROM posts p WHERE p.search_vector @@ ${query}
          ORDER BY p.id DESC
          LIMIT ${POST_SEARCH_WINDOW}
        )
        SELECT ${postCardColumns(viewerId, sql`p`, sql`a`)}, ${rank}::text AS rank
        FROM matches m
        JOIN posts p ON p.id = m.id
        JOIN users a ON a.id = p.user_id
        WHERE ${keyset.after} AND ${visibleTo(viewerId, sql`p`)}
        ORDER BY ${keyset.order}
        LIMIT ${keyset.limit}`);
      return rows;
    },
    { item: toPost, key: (row) => [row.rank, Number(row.id)] as [string, number] },
  );
}

/**
 * Dancers whose name or username resembles the query, by trigram word similarity (`%>`, so
 * the GIN indexes users_name_trgm_idx and users_username_trgm_idx find the candidates; case
 * does not matter, accents do), best match first, equal ranks by id. Accounts that are
 * suspended or deactivated, and users on either side of a block, are left out. Every profile
 * can be found by its card, whatever its visibility (as a private profile still shows its card).
 */
async function searchUsers({ db, actor }: Ctx, input: { q: string } & PageRequest): Promise<Page<UserCard>> {
  const viewerId = actor?.id ?? null;
  const rank = rounded(sql`greatest(word_similarity(${input.q}, u.name), word_similarity(${input.q}, u.username))`);
  return sortedPage(
    input,
    { by: [rank, sql`u.id`], direction: "desc", cursor: RankCursor },
    async (keyset) => {
      if (!hasWords(input.q)) return [];
      const { rows } = await db.execute<{ id: number; username: string; name: string; profile_image: string | null; rank: string }>(sql`
        SELECT u.id, u.username, u.name, u.profile_image, ${rank}::text AS rank
        FROM users u
        WHERE (u.name %> ${input.q} OR u.username %> ${input.q})
          AND ${accountUsable(sql`u`)} AND ${notBlockedBetween(viewerId, sql`u.id`)} AND ${keyset.after}
        ORDER BY ${keyset.order}
        LIMIT ${keyset.limit}`);
      return rows;
    },
    {
      item: (row) => ({ id: Number(row.id), username: row.username, name: row.name, profileImage: row.profile_image }),
      key: (row) => [row.rank, Number(row.id)] as [string, number],
    },
  );
}

/**
 * Groups and city communities whose name resembles the query, by trigram word similarity
 * (`%>`, through the GIN index groups_name_trgm_idx), best match first, equal ranks by id.
 * Private groups are found too (dancers ask to join them); groups hidden by moderation only by
 * their admins (`groupVisibleTo`).
 */
async function searchGroups({ db, actor }: Ctx, input: { q: string } & PageRequest): Promise<Page<Group>> {
  const viewerId = actor?.id ?? null;
  const rank = rounded(sql`word_similarity(${input.q}, g.name)`);
  return sortedPage(
    input,
    { by: [rank, sql`g.id`], direction: "desc", cursor: RankCursor },
    async (keyset) => {
      if (!hasWords(input.q)) return [];
      const { rows } = await db.execute<GroupCardRow & { rank: string }>(sql`
        SELECT ${groupCardColumns(viewerId, sql`g`)}, ${rank}::text AS rank
        FROM groups g
        WHERE g.name %> ${input.q} AND ${groupVisibleTo(viewerId, sql`g`)} AND ${keyset.after}
        ORDER BY ${keyset.order}
        LIMIT ${keyset.limit}`);
      return rows;
    },
    { item: toGroup, key: (row) => [row.rank, Number(row.id)] as [string, number] },
  );
}

/**
 * Events whose text matches the query, as posts are searched: websearch syntax in the
 * accent-folded 'simple' configuration events.search_vector is built with (title weighted
 * above venue and city, above the description), through the GIN index events_search_idx,
 * ranked by cover density normalised by length, equal ranks newest (highest id) first. Past,
 * upcoming and cancelled events alike, only those the viewer may see (`eventVisibleTo`: no
 * one else's drafts, nothing hidden, no blocked or suspended organizer, no private group's
 * events for outsiders), each as the event card with the viewer's friends and follows going.
 */
async function searchEvents({ db, actor }: Ctx, input: { q: string } & PageRequest): Promise<Page<Event>> {
  const viewerId = actor?.id ?? null;
  const rank = rounded(sql`ts_rank_cd(e.search_vector, query, 1)`);
  return sortedPage(
    input,
    { by: [rank, sql`e.id`], direction: "desc", cursor: RankCursor },
    async (keyset) => {
      if (!hasWords(input.q)) return [];
      const { rows } = await db.execute<EventCardRow & { rank: string }>(sql`
        SELECT ${eventCardColumns(viewerId, sql`e`, sql`o`)}, ${rank}::text AS rank
        FROM websearch_to_tsquery('simple', mt_unaccent(${input.q})) query
        JOIN events e ON e.search_vector @@ query
        JOIN users o ON o.id = e.user_id
        WHERE ${keyset.after} AND ${eventVisibleTo(viewerId, sql`e`, sql`o`)}
        ORDER BY ${keyset.order}
        LIMIT ${keyset.limit}`);
      return rows;
    },
    { item: toEvent, key: (row) => [row.rank, Number(row.id)] as [string, number] },
  );
}
