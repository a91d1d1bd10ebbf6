import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { AppError, badRequest, notFound } from "../../lib/errors";
import { type IdempotencyClaim, idempotencyRecordCte, idempotent } from "../../lib/idempotency";
import { type Keyset, keysetPage, type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import { notBlockedBetween } from "../blocks";
import { assertOwnMediaUrls } from "../media";
import { accountUsable, type UserCard } from "../users";
import { friendshipActivityCtes } from "./activities";
import {
  type Activity,
  type Friend,
  type FriendSort,
  type Memory,
  NameCursor,
  ScoreCursor,
  type Suggestion,
  SuggestionCursor,
  tierOf,
} from "./friendships.schemas";
import { areFriends, degreeBetween, mutualFriendsOf } from "./graph.conditions";

/** The card columns of a `users` row aliased `u`, as raw rows carry them. */
const CARD = sql`u.id, u.username, u.name, u.profile_image`;

type CardRow = {
  id: number;
  username: string;
  name: string;
  profile_image: string | null;
}

function toCard(row: CardRow): UserCard {
  return { id: row.id, username: row.username, name: row.name, profileImage: row.profile_image };
}

/** Another dancer the caller may see at all: exists, usable, no block either way. */
function visibleUser(viewerId: number | null, userId: number): SQL {
  return sql`SELECT u.id FROM users u
    WHERE u.id = ${userId} AND ${accountUsable(sql`u`)} AND ${notBlockedBetween(viewerId, sql`u.id`)}`;
}

function refuseSelf(actorId: number, userId: number) {
  if (actorId === userId) throw badRequest("cannot_target_self", "Name another dancer, not yourself.");
}

type FriendRow = CardRow & {
  friendship_id: number;
  closeness_score: number;
  since: string;
  since_key: string;
  last_interaction_at: string | null;
  name_key: string;
}

/**
 * The actor's friends (usable accounts), with the pair's closeness, its tier, since when and
 * the last interaction: by closeness (highest first; the `(user_id, closeness_score)` index
 * serves it, the row id breaking ties), by friendship date (newest first) or by name (A to Z).
 */
export async function listFriends({ db, actor }: ActorCtx, input: PageRequest & { sort: FriendSort }): Promise<Page<Friend>> {
  const fetch = async (keyset: Keyset) =>
    (
      await db.execute<FriendRow>(sql`
        SELECT f.id AS friendship_id, f.closeness_score, f.created_at AS since, f.created_at::text AS since_key,
               f.last_interaction_at, lower(u.name) AS name_key, ${CARD}
        FROM friendships f JOIN users u ON u.id = f.friend_id
        WHERE f.user_id = ${actor.id} AND f.status = 'active' AND ${accountUsable(sql`u`)} AND ${keyset.after}
        ORDER BY ${keyset.order}
        LIMIT ${keyset.limit}`)
    ).rows;
  const item = (row: FriendRow): Friend => ({
    ...toCard(row),
    closenessScore: row.closeness_score,
    tier: tierOf(row.closeness_score),
    since: isoUtc(row.since),
    lastInteractionAt: isoUtc(row.last_interaction_at),
  });
  const page = { limit: input.limit, cursor: input.cursor };
  if (input.sort === "recent") {
    return keysetPage(page, { time: sql`f.created_at`, id: sql`f.id` }, fetch, {
      item,
      key: (row) => [row.since_key, row.friendship_id],
    });
  }
  if (input.sort === "name") {
    return sortedPage(page, { by: [sql`lower(u.name)`, sql`u.id`], direction: "asc", cursor: NameCursor }, fetch, {
      item,
      key: (row) => [row.name_key, row.id],
    });
  }
  return sortedPage(page, { by: [sql`f.closeness_score`, sql`f.id`], direction: "desc", cursor: ScoreCursor }, fetch, {
    item,
    key: (row) => [row.closeness_score, row.friendship_id],
  });
}

/**
 * Another dancer's friends as cards (never scores), newest friendship first, in one
 * statement: 404 when the dancer is unknown, unusable or blocked either way; 403 when their
 * profile visibility leaves the viewer out (as the profile does: "friends" opens the list to
 * their friends, "private" to no one but them). Friends blocked with the viewer, and unusable
 * accounts, are left out.
 */
export async function listUserFriends({ db, actor }: Ctx, input: PageRequest & { userId: number }): Promise<Page<UserCard>> {
  const viewerId = actor?.id ?? null;
  let owner: { allowed: boolean } | undefined;
  const page = await keysetPage(
    input,
    { time: sql`f.created_at`, id: sql`f.id` },
    async (keyset) => {
      const { rows } = await db.execute<CardRow & { allowed: boolean; friendship_id: number | null; since_key: string }>(sql`
        WITH owner AS (
          SELECT u.id,
                 (coalesce(s.profile_visibility, 'public') = 'public'
                   OR ${viewerId === null ? sql`false` : sql`u.id = ${viewerId}`}
                   OR (s.profile_visibility = 'friends' AND ${areFriends(viewerId, sql`u.id`)})) AS allowed
          FROM users u LEFT JOIN user_settings s ON s.user_id = u.id
          WHERE u.id = ${input.userId} AND ${accountUsable(sql`u`)} AND ${notBlockedBetween(viewerId, sql`u.id`)}
        )
        SELECT o.allowed, i.* FROM owner o
        LEFT JOIN LATERAL (
          SELECT f.id AS friendship_id, f.created_at AS since, f.created_at::text AS since_key, ${CARD}
          FROM friendships f JOIN users u ON u.id = f.friend_id
          WHERE o.allowed AND f.user_id = o.id AND f.status = 'active' AND ${accountUsable(sql`u`)}
            AND ${notBlockedBetween(viewerId, sql`u.id`)} AND ${keyset.after}
          ORDER BY ${keyset.order}
          LIMIT ${keyset.limit}
        ) i ON true
        ORDER BY i.since DESC, i.friendship_id DESC`);
      owner = rows[0];
      return rows.filter((row) => row.friendship_id !== null);
    },
    { item: toCard, key: (row) => [row.since_key, row.friendship_id!] },
  );
  if (!owner) throw notFound("user");
  if (!owner.allowed) throw new AppError(403, "profile_restricted", "This dancer shares their friends only with some people.");
  return page;
}

/** Ends the actor's friendship with a dancer: both rows go (with the pair's activities and memories). Idempotent. */
export async function unfriend({ db, actor }: ActorCtx, input: { userId: number }): Promise<void> {
  await db.execute(sql`
    DELETE FROM friendships
    WHERE (user_id = ${actor.id} AND friend_id = ${input.userId}) OR (user_id = ${input.userId} AND friend_id = ${actor.id})`);
}

/** The friends the actor and another dancer have in common: their count and the cards, A to Z. */
export async function mutualFriends(
  { db, actor }: ActorCtx,
  input: PageRequest & { userId: number },
): Promise<Page<UserCard> & { count: number }> {
  refuseSelf(actor.id, input.userId);
  let head: { found: boolean; total: number } | undefined;
  const page = await sortedPage(
    input,
    { by: [sql`lower(u.name)`, sql`u.id`], direction: "asc", cursor: NameCursor },
    async (keyset) => {
      const { rows } = await db.execute<Partial<CardRow> & { found: boolean; total: number; name_key: string }>(sql`
        WITH target AS (${visibleUser(actor.id, input.userId)}),
        mutual AS (SELECT m.id FROM ${mutualFriendsOf(actor.id, input.userId)} m WHERE EXISTS (SELECT 1 FROM target))
        SELECT EXISTS (SELECT 1 FROM target) AS found, (SELECT count(*) FROM mutual)::int AS total, p.*
        FROM (SELECT 1) one
        LEFT JOIN LATERAL (
          SELECT lower(u.name) AS name_key, ${CARD}
          FROM mutual JOIN users u ON u.id = mutual.id
          WHERE ${keyset.after}
          ORDER BY ${keyset.order}
          LIMIT ${keyset.limit}
        ) p ON true
        ORDER BY p.name_key, p.id`);
      head = rows[0];
      return rows.filter((row): row is CardRow & { found: boolean; total: number; name_key: string } => row.id != null);
    },
    { item: toCard, key: (row) => [row.name_key, row.id] },
  );
  if (!head?.found) throw notFound("user");
  return { count: head.total, ...page };
}

/**
 * Dancers the actor may know: friends of friends, ranked by friends in common, then by the
 * strength of those friendships (the actor's closeness to each friend in common plus that
 * friend's closeness to the dancer). Leaves out the actor, their friends, anyone with a
 * pending request either way, blocks either way and unusable accounts. With no friends yet,
 * dancers of the actor's city (mutual count 0).
 */
export async function suggestions({ db, actor }: ActorCtx, input: PageRequest): Promise<Page<Suggestion>> {
  const me = actor.id;
  type Row = CardRow & { mutual: number; strength: number };
  return sortedPage(
    input,
    { by: [sql`c.mutual`, sql`c.strength`, sql`u.id`], direction: "desc", cursor: SuggestionCursor },
    async (keyset) =>
      (
        await db.execute<Row>(sql`
          WITH mine AS (
            SELECT f.friend_id AS id, f.closeness_score AS score
            FROM friendships f JOIN users fu ON fu.id = f.friend_id
            WHERE f.user_id = ${me} AND f.status = 'active' AND ${accountUsable(sql`fu`)}
          ),
          candidates AS (
            SELECT f2.friend_id AS id, count(*)::int AS mutual, sum(m.score + f2.closeness_score)::int AS strength
            FROM mine m JOIN friendships f2 ON f2.user_id = m.id AND f2.status = 'active'
            WHERE f2.friend_id <> ${me}
            GROUP BY f2.friend_id
            UNION ALL
            SELECT u.id, 0, 0
            FROM users me JOIN users u ON u.city = me.city AND u.id <> me.id
            WHERE me.id = ${me} AND NOT EXISTS (SELECT 1 FROM mine)
          )
          SELECT c.mutual, c.strength, ${CARD}
          FROM candidates c JOIN users u ON u.id = c.id
          WHERE ${accountUsable(sql`u`)} AND ${notBlockedBetween(me, sql`u.id`)}
            AND NOT EXISTS (SELECT 1 FROM friendships x WHERE x.user_id = ${me} AND x.friend_id = u.id)
            AND NOT EXISTS (
              SELECT 1 FROM friend_requests r
              WHERE r.status = 'pending'
                AND ((r.sender_id = ${me} AND r.receiver_id = u.id) OR (r.sender_id = u.id AND r.receiver_id = ${me})))
            AND ${keyset.after}
          ORDER BY ${keyset.order}
          LIMIT ${keyset.limit}`)
      ).rows,
    {
      item: (row) => ({ ...toCard(row), mutualCount: row.mutual }),
      key: (row) => [row.mutual, row.strength, row.id],
    },
  );
}

/** How many steps apart the actor and a dancer are (1, 2, 3, or null beyond), in one statement. */
export async function degree({ db, actor }: ActorCtx, input: { userId: number }): Promise<{ degree: 1 | 2 | 3 | null }> {
  refuseSelf(actor.id, input.userId);
  const { rows } = await db.execute<{ degree: 1 | 2 | 3 | null }>(sql`
    WITH target AS (${visibleUser(actor.id, input.userId)})
    SELECT ${degreeBetween(actor.id, input.userId)} AS degree FROM target`);
  const row = rows[0];
  if (!row) throw notFound("user");
  return { degree: row.degree === null ? null : (Number(row.degree) as 1 | 2 | 3) };
}

/**
 * The actor's row of their friendship with a dancer, and the reverse row: both active, the
 * dancer usable and not blocked either way. No row: not friends (404).
 */
function pairOf(actorId: number, userId: number): SQL {
  return sql`SELECT f.id AS forward_id, r.id AS reverse_id
    FROM friendships f
    JOIN friendships r ON r.user_id = f.friend_id AND r.friend_id = f.user_id AND r.status = 'active'
    JOIN users u ON u.id = f.friend_id
    WHERE f.user_id = ${actorId} AND f.friend_id = ${userId} AND f.status = 'active'
      AND ${accountUsable(sql`u`)} AND ${notBlockedBetween(actorId, sql`u.id`)}`;
}

type MemoryRow = {
  id: number;
  media_url: string;
  media_type: string;
  caption: string | null;
  uploader_id: number;
  created_at: string;
}

function toMemory(row: MemoryRow): Memory {
  return {
    id: row.id,
    url: row.media_url,
    type: row.media_type,
    caption: row.caption,
    uploaderId: row.uploader_id,
    createdAt: isoUtc(row.created_at),
  };
}

/**
 * The routes an `Idempotency-Key` of a memory or a dance is scoped to. Templates, not paths: the
 * friend's id is part of the request hash instead, so one key sent for two friends is a 422.
 */
export const ADD_MEMORY_SCOPE = "POST /api/friends/{userId}/memories";
export const RECORD_DANCE_SCOPE = "POST /api/friends/{userId}/dances";

/**
 * The actor shares a memory (a photo or a video) of a friendship; it is logged as `memory_shared`.
 * One statement, which with an `Idempotency-Key` also stores the response (a repeat replays it).
 */
export async function addMemory(
  ctx: ActorCtx,
  input: { userId: number; url: string; type: "image" | "video"; caption?: string | null; claim: IdempotencyClaim | null },
): Promise<{ memory: Memory; replayed: boolean }> {
  const { db, actor, config } = ctx;
  const { claim } = input;
  assertOwnMediaUrls(config, [{ path: "body.url", url: input.url, family: input.type }]);
  const create = async (): Promise<Memory> => {
    const { rows } = await db.execute<MemoryRow>(sql`
    WITH pair AS (${pairOf(actor.id, input.userId)}),
    memory AS (
      INSERT INTO friendship_media (friendship_id, uploader_id, media_url, media_type, caption, phase)
      SELECT forward_id, ${actor.id}, ${input.url}, ${input.type}, ${input.caption ?? null}, 'memory' FROM pair
      RETURNING id, media_url, media_type, caption, uploader_id, created_at
    ),
    ${friendshipActivityCtes(
      { pairs: [actor.id, input.userId], type: "memory_shared", metadata: sql`(SELECT jsonb_build_object('mediaId', id) FROM memory)` },
      { when: sql`EXISTS (SELECT 1 FROM pair)` },
    )},
    ${idempotencyRecordCte(claim, { status: 201, from: sql`memory`, body: sql`to_jsonb(memory)` })}
    SELECT * FROM memory`);
    const row = rows[0];
    if (!row) throw notFound("friend");
    return toMemory(row);
  };
  const { value, replayed } = await idempotent(ctx, claim, create, (stored) => toMemory(stored.body as MemoryRow));
  return { memory: value, replayed };
}

/**
 * One page of something both sides of a friendship wrote, newest first, in one statement:
 * `select` reads the pair's `forward_id` and `reverse_id` from `p`. 404 when not friends.
 */
async function pairPage<Row extends { id: number; key: string } & Record<string, unknown>, Item>(
  { db, actor }: ActorCtx,
  input: PageRequest & { userId: number },
  columns: { time: SQL; id: SQL },
  select: (keyset: Keyset) => SQL,
  item: (row: Row) => Item,
): Promise<Page<Item>> {
  let found = false;
  const page = await keysetPage(
    input,
    columns,
    async (keyset) => {
      const { rows } = await db.execute<Row | { id: null }>(sql`
        WITH pair AS (${pairOf(actor.id, input.userId)})
        SELECT i.* FROM pair p LEFT JOIN LATERAL (${select(keyset)}) i ON true
        ORDER BY i.key DESC, i.id DESC`);
      found = rows.length > 0;
      return rows.filter((row): row is Row => row.id !== null);
    },
    { item, key: (row) => [row.key, row.id] },
  );
  if (!found) throw notFound("friend");
  return page;
}

/** The memories both dancers shared of their friendship, newest first. */
export async function listMemories(ctx: ActorCtx, input: PageRequest & { userId: number }): Promise<Page<Memory>> {
  return pairPage<MemoryRow & { key: string }, Memory>(
    ctx,
    input,
    { time: sql`m.created_at`, id: sql`m.id` },
    (keyset) => sql`
      SELECT m.id, m.media_url, m.media_type, m.caption, m.uploader_id, m.created_at, m.created_at::text AS key
      FROM friendship_media m
      WHERE m.friendship_id IN (p.forward_id, p.reverse_id) AND m.phase = 'memory' AND ${keyset.after}
      ORDER BY ${keyset.order} LIMIT ${keyset.limit}`,
    toMemory,
  );
}

type ActivityRow = {
  id: number;
  activity_type: Activity["type"];
  user_id: number;
  metadata: string | null;
  created_at: string;
}

function parseMetadata(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function toActivity(row: ActivityRow): Activity {
  return {
    id: row.id,
    type: row.activity_type,
    userId: row.user_id,
    metadata: parseMetadata(row.metadata),
    createdAt: isoUtc(row.created_at),
  };
}

/** The pair's timeline: the activities logged on either side of the friendship, newest first. */
export async function listActivities(ctx: ActorCtx, input: PageRequest & { userId: number }): Promise<Page<Activity>> {
  return pairPage<ActivityRow & { key: string }, Activity>(
    ctx,
    input,
    { time: sql`a.created_at`, id: sql`a.id` },
    (keyset) => sql`
      SELECT a.id, a.activity_type, f.user_id, a.metadata, a.created_at, a.created_at::text AS key
      FROM friendship_activities a JOIN friendships f ON f.id = a.friendship_id
      WHERE a.friendship_id IN (p.forward_id, p.reverse_id) AND ${keyset.after}
      ORDER BY ${keyset.order} LIMIT ${keyset.limit}`,
    toActivity,
  );
}

/**
 * The actor records that the two danced together (at an event, with a note), as a
 * `dance_together` activity, in one statement (with an `Idempotency-Key`, storing the response
 * too: a repeat replays it). 404 when not friends or the event is unknown.
 */
export async function recordDance(
  ctx: ActorCtx,
  input: { userId: number; eventId?: number; note?: string; claim: IdempotencyClaim | null },
): Promise<{ activity: Activity; replayed: boolean }> {
  const { db, actor } = ctx;
  const { claim } = input;
  const eventId = input.eventId ?? null;
  const create = async (): Promise<Activity> => {
    const { rows } = await db.execute<{ friends: boolean; event_found: boolean } & Partial<ActivityRow>>(sql`
    WITH pair AS (${pairOf(actor.id, input.userId)}),
    event AS (SELECT ${eventId}::int IS NULL OR EXISTS (SELECT 1 FROM events WHERE id = ${eventId}::int) AS found),
    ${friendshipActivityCtes(
      { pairs: [actor.id, input.userId], type: "dance_together", metadata: { eventId, note: input.note ?? null } },
      { when: sql`(SELECT found FROM event)` },
    )},
    danced AS (SELECT a.id, a.activity_type, ${actor.id}::int AS user_id, a.metadata, a.created_at FROM activity_row a),
    ${idempotencyRecordCte(claim, { status: 201, from: sql`danced`, body: sql`to_jsonb(danced)` })}
    SELECT EXISTS (SELECT 1 FROM pair) AS friends, (SELECT found FROM event) AS event_found, d.*
    FROM (SELECT 1) one LEFT JOIN danced d ON true`);
    const row = rows[0];
    if (!row?.friends) throw notFound("friend");
    if (!row.event_found) throw notFound("event");
    return toActivity(row as ActivityRow);
  };
  const { value, replayed } = await idempotent(ctx, claim, create, (stored) => toActivity(stored.body as ActivityRow));
  return { activity: value, replayed };
}
