import { is, SQL, sql } from "drizzle-orm";
import { FRIENDSHIP_ACTIVITY_TYPES } from "../../../drizzle/friendships";
import type { Db } from "../../lib/db";

export type FriendshipActivityType = (typeof FRIENDSHIP_ACTIVITY_TYPES)[number];

/** Two dancers: the first is the one who acted (the activity goes on their row of the friendship). */
export type Pair = readonly [number, number];

/**
 * Whose friendships the activity is for: one pair, a list of pairs, or `{ from }`, a SQL
 * `FROM` item yielding `user_id` and `friend_id` columns (a CTE's name, or an aliased
 * subquery). Its row is in scope as `pair` for SQL in the input (`metadata`). A pair listed
 * twice is recorded once.
 */
export type Pairs = Pair | readonly Pair[] | { from: SQL };

export interface FriendshipActivityInput {
  pairs: Pairs;
  type: FriendshipActivityType;
  /** Stored as JSON text; SQL (per pair, may read `pair`) yields jsonb or json. */
  metadata?: Record<string, unknown> | SQL;
}

export interface FriendshipActivityOptions {
  /** Record only when this holds, e.g. `EXISTS (SELECT 1 FROM sent)`. */
  when?: SQL;
  /** CTE name prefix, to record several activities in one statement. */
  name?: string;
}

const NAME = /^[a-z_]{1,32}$/;

function isPair(pairs: Pairs): pairs is Pair {
  return Array.isArray(pairs) && typeof pairs[0] === "number";
}

function pairsFrom(pairs: Pairs): SQL {
  if ("from" in pairs) return sql`(SELECT user_id, friend_id FROM ${pairs.from}) pair`;
  const list = isPair(pairs) ? [pairs] : pairs;
  for (const [a, b] of list) {
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) throw new TypeError("friendship activity pairs must be user ids");
  }
  return sql`(SELECT (value ->> 0)::int AS user_id, (value ->> 1)::int AS friend_id
    FROM jsonb_array_elements(${JSON.stringify(list)}::jsonb)) pair`;
}

/**
 * The CTEs that record one friendship activity for a set of pairs, to fold into the caller's
 * own `WITH` (names start with `options.name`, default `activity`;
 * {@link friendshipActivityCount} reads them). Only pairs who are friends right now (both
 * rows active) are recorded, so it does nothing for two dancers who are not: one
 * `friendship_activities` row on the first dancer's row (the closeness job reads both rows
 * of a pair, so one row counts once), and `last_interaction_at` moved to now on both rows.
 *
 * Both rows of every pair are locked in id order before they are touched, so statements fanning
 * out over overlapping pairs (in any order, from either side) wait for each other instead of
 * deadlocking.
 *
 * A statement sees the database as it was when it started: a friendship written by another
 * CTE of the same statement is not seen (record the activity in a later statement of a batch).
 *
 * @example
 * db.execute(sql`WITH sent AS (INSERT ...), ${friendshipActivityCtes({ pairs: [me, them], type: "message_sent" },
 *   { when: sql`EXISTS (SELECT 1 FROM sent)` })} SELECT ...`)
 */
export function friendshipActivityCtes(input: FriendshipActivityInput, options: FriendshipActivityOptions = {}): SQL {
  const name = options.name ?? "activity";
  if (!NAME.test(name)) throw new TypeError(`friendship activity CTE name must match ${String(NAME)}: ${name}`);
  if (!FRIENDSHIP_ACTIVITY_TYPES.includes(input.type)) throw new TypeError(`unknown friendship activity type: ${input.type}`);
  const target = sql.identifier(`${name}_pairs`);
  const row = sql.identifier(`${name}_row`);
  const locked = sql.identifier(`${name}_locked`);
  const touched = sql.identifier(`${name}_touched`);
  const metadata =
    input.metadata === undefined ? sql`NULL` : is(input.metadata, SQL) ? input.metadata : sql`${JSON.stringify(input.metadata)}`;
  return sql`
    ${target} AS (
      SELECT DISTINCT ON (forward.id) forward.id AS forward_id, reverse.id AS reverse_id,
             (${metadata})::jsonb::text AS metadata
      FROM ${pairsFrom(input.pairs)}
      JOIN friendships forward ON forward.user_id = pair.user_id AND forward.friend_id = pair.friend_id AND forward.status = 'active'
      JOIN friendships reverse ON reverse.user_id = pair.friend_id AND reverse.friend_id = pair.user_id AND reverse.status = 'active'
      WHERE ${options.when ?? sql`true`}
      ORDER BY forward.id
    ),
    ${row} AS (
      INSERT INTO friendship_activities (friendship_id, activity_type, metadata)
      SELECT forward_id, ${input.type}, metadata FROM ${target}
      RETURNING id, friendship_id, activity_type, metadata, created_at
    ),
    ${locked} AS MATERIALIZED (
      SELECT f.id FROM friendships f
      WHERE f.id IN (SELECT forward_id FROM ${target} UNION ALL SELECT reverse_id FROM ${target})
      ORDER BY f.id
      FOR NO KEY UPDATE
    ),
    ${touched} AS (
      UPDATE friendships f SET last_interaction_at = now()
      FROM ${locked} l
      WHERE f.id = l.id
      RETURNING f.id
    )`;
}

/** How many activities the CTEs named `name` (default `activity`) recorded, as a `recorded` column. */
export function friendshipActivityCount(name = "activity"): SQL {
  if (!NAME.test(name)) throw new TypeError(`friendship activity CTE name must match ${String(NAME)}: ${name}`);
  return sql`(SELECT count(*) FROM ${sql.identifier(`${name}_row`)})::int AS recorded`;
}

/**
 * One friendship activity for a set of pairs (see {@link friendshipActivityCtes}) as a single
 * statement, not yet run: await it, or put it in a `db.batch([...])` beside the write that
 * caused it (one atomic round trip). Its row has `recorded`, the activities written.
 *
 * @example
 * await db.batch([db.insert(postLikes).values(like), recordFriendshipActivity(db, { pairs: [me, author], type: "post_liked" })]);
 */
export function recordFriendshipActivity(db: Db, input: FriendshipActivityInput, options: FriendshipActivityOptions = {}) {
  return db.execute<{ recorded: number }>(sql`
    WITH ${friendshipActivityCtes(input, options)}
    SELECT ${friendshipActivityCount(options.name)}`);
}
