/**
 * The synthetic tango world the scale benchmarks run on (issue 17): a contract filled in by the
 * generator. `openWorld(scale)` gives a migrated database holding a realistic network of `scale`
 * dancers, and the ids of the dancers, posts, events and rooms each benchmark looks at.
 *
 * The data is written by bench/world/generate.ts; the ids are found in it afterwards and kept,
 * with the rows per table and the generator's version, in the table `bench_world`, made last:
 * a kept PostgreSQL world (`--keep`, database `bench_world_<scale>`) holding the same version is
 * reused at once, any other is made afresh.
 */
import { sql } from "drizzle-orm";
import { createDb, type Db } from "../src/lib/db";
import { hashPassword } from "../src/lib/password";
import { benchDatabase } from "./lib";
import { CITIES } from "./world/cities";
import { chatUserId, generate, viewerIds } from "./world/generate";

/**
 * Bump on any change to what the generator writes: kept worlds of another version are made
 * afresh.
 */
export const GENERATOR_VERSION = 2;

/** Every generated dancer's password (`dancer<id>@bench.test`), for benchmarks that log in. */
export const WORLD_PASSWORD = "milonga-2026";

/** Well-known rows of a generated world (stored in the world so a kept database gives them back). */
export interface WorldIds {
  /** The most-followed dancer (tens of thousands of followers at 100k). */
  celebrity: number;
  /** A public post of the celebrity's, with many likes and comments. */
  celebrityPost: number;
  /** One viewer per follower class: ~30 followees, ~30 with the celebrity among them, ~300, ~3,000, and ~3,000 whose posts are mostly friends-only. */
  viewers: Record<"light" | "celebrity" | "medium" | "heavy" | "heavyClosed", number>;
  /** How many dancers each viewer follows (at small scales the heavy classes are capped by the dancers there are). */
  viewerFollows: Record<"light" | "celebrity" | "medium" | "heavy" | "heavyClosed", number>;
  /** A dancer with many friends (suggestions, mutual friends), and dancers at degree 2 and 3 from them. */
  social: number;
  degree2: number;
  degree3: number;
  /** The largest city, with its coordinates. */
  city: { name: string; country: string; lat: number; lng: number };
  /** A popular hashtag (without '#') and a search term that matches many dancers and posts. */
  hashtag: string;
  searchTerm: string;
  /** An upcoming event in the largest city with many RSVPs, and a dancer who has not answered it. */
  event: number;
  rsvpCandidate: number;
  /** A chat room with many messages, a member of it, and a dancer in many rooms (the rooms list). */
  room: number;
  roomMember: number;
  chatUser: number;
  /** A dancer who travels: trips and bookings (the trip planner), and a city with many listings. */
  traveller: number;
  listingCity: { name: string; country: string };
}

export interface World {
  scale: number;
  engine: "PostgreSQL" | "PGlite";
  /** e.g. `PostgreSQL 15.18` or `PGlite (Postgres 18.0)`. */
  engineVersion: string;
  db: Db;
  databaseUrl: string;
  fetchEndpoint: string;
  ids: WorldIds;
  /** Rows per table after generation. */
  counts: Record<string, number>;
  /** Seconds the generation took, or null when a kept world was reused. */
  generatedSeconds: number | null;
  /** The generation's longest statement (null when reused): Neon's HTTP endpoint cuts one at ~15 s. */
  slowestStatement: { step: string; seconds: number } | null;
  close(): Promise<void>;
}

interface Stored {
  version: number;
  ids: WorldIds;
  counts: Record<string, number>;
  seconds: number;
}

async function stored(db: Db): Promise<Stored | null> {
  const { rows: exists } = await db.execute<{ found: boolean }>(sql`SELECT to_regclass('public.bench_world') IS NOT NULL AS found`);
  if (!exists[0]?.found) return null;
  const { rows } = await db.execute<{ key: string; value: unknown }>(sql`SELECT key, value FROM bench_world`);
  const get = (key: string) => rows.find((r) => r.key === key)?.value;
  if (get("version") !== GENERATOR_VERSION || !get("ids")) return null;
  return { version: GENERATOR_VERSION, ids: get("ids") as WorldIds, counts: get("counts") as Record<string, number>, seconds: Number(get("seconds")) };
}

async function one<T>(db: Db, statement: string, what: string): Promise<T> {
  const { rows } = await db.execute<Record<string, unknown>>(sql.raw(statement));
  const row = rows[0];
  if (!row || Object.values(row).some((v) => v === null || v === undefined)) throw new Error(`world: no ${what} in the generated data`);
  return row as T;
}

/** The well-known rows, found in the generated data. */
async function findIds(db: Db, n: number): Promise<WorldIds> {
  const viewers = viewerIds(n);
  const list = Object.values(viewers).join(", ");
  const top = CITIES[0]!;
  const { celebrity } = await one<{ celebrity: number }>(db,
    `SELECT following_id AS celebrity FROM follows GROUP BY following_id ORDER BY count(*) DESC, following_id LIMIT 1`, "celebrity");
  const { post } = await one<{ post: number }>(db,
    `SELECT id AS post FROM posts WHERE user_id = ${celebrity} AND visibility = 'public' ORDER BY likes + comments DESC, id LIMIT 1`, "celebrity post");
  const { rows: follows } = await db.execute<{ id: number; n: number }>(sql.raw(
    `SELECT follower_id AS id, count(*)::int AS n FROM follows WHERE follower_id IN (${list}) GROUP BY follower_id`));
  const followsOf = (id: number) => Number(follows.find((r) => Number(r.id) === id)?.n ?? 0);
  const { social } = await one<{ social: number }>(db,
    `SELECT user_id AS social FROM friendships WHERE user_id NOT IN (${list}) GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 1`, "social dancer");
  // Degree 2: a friend of a friend who is not a friend; degree 3: a friend of theirs outside both rings.
  const { degree2, degree3 } = await one<{ degree2: number; degree3: number }>(db, `
    WITH d1 AS (SELECT friend_id AS id FROM friendships WHERE user_id = ${social}),
    d2 AS (SELECT DISTINCT f.friend_id AS id FROM friendships f JOIN d1 ON f.user_id = d1.id
           WHERE f.friend_id <> ${social} AND f.friend_id NOT IN (SELECT id FROM d1)),
    pick AS (SELECT d2.id AS degree2, f.friend_id AS degree3 FROM d2 JOIN friendships f ON f.user_id = d2.id
             WHERE f.friend_id <> ${social} AND f.friend_id NOT IN (SELECT id FROM d1) AND f.friend_id NOT IN (SELECT id FROM d2)
             ORDER BY d2.id, f.friend_id LIMIT 1)
    SELECT degree2, degree3 FROM pick`, "dancers at degree 2 and 3");
  const { tag } = await one<{ tag: string }>(db,
    `SELECT tag FROM post_hashtags GROUP BY tag ORDER BY count(*) DESC, tag LIMIT 1`, "hashtag");
  const { event } = await one<{ event: number }>(db, `
    SELECT id AS event FROM events WHERE city = '${top.name.replace(/'/g, "''")}' AND status = 'published' AND hidden_at IS NULL
      AND start_date > now() + interval '1 day' ORDER BY going_count + interested_count DESC, id LIMIT 1`, "upcoming event");
  const { candidate } = await one<{ candidate: number }>(db, `
    SELECT u.id AS candidate FROM users u WHERE u.city = '${top.name.replace(/'/g, "''")}' AND u.id > 10 AND u.id NOT IN (${list})
      AND NOT EXISTS (SELECT 1 FROM event_rsvps r WHERE r.event_id = ${event} AND r.user_id = u.id)
      AND u.id <> (SELECT user_id FROM events WHERE id = ${event}) ORDER BY u.id LIMIT 1`, "RSVP candidate");
  const { room, member } = await one<{ room: number; member: number }>(db, `
    SELECT r.id AS room, (SELECT min(user_id) FROM chat_room_users WHERE chat_room_id = r.id) AS member
    FROM chat_rooms r ORDER BY r.last_message_seq DESC, r.id LIMIT 1`, "chat room");
  const { traveller } = await one<{ traveller: number }>(db, `
    SELECT b.guest_id AS traveller FROM guest_bookings b WHERE EXISTS (SELECT 1 FROM trips t WHERE t.user_id = b.guest_id)
    GROUP BY b.guest_id ORDER BY count(*) DESC, b.guest_id LIMIT 1`, "traveller");
  const listing = await one<{ name: string; country: string }>(db, `
    SELECT city AS name, country FROM host_homes WHERE status = 'active' GROUP BY city, country ORDER BY count(*) DESC, city LIMIT 1`, "listing city");
  return {
    celebrity: Number(celebrity),
    celebrityPost: Number(post),
    viewers,
    viewerFollows: {
      light: followsOf(viewers.light),
      celebrity: followsOf(viewers.celebrity),
      medium: followsOf(viewers.medium),
      heavy: followsOf(viewers.heavy),
      heavyClosed: followsOf(viewers.heavyClosed),
    },
    social: Number(social),
    degree2: Number(degree2),
    degree3: Number(degree3),
    city: { name: top.name, country: top.country, lat: top.lat, lng: top.lng },
    hashtag: tag,
    // The most common first name: in many dancers' names and in the posts thanking them.
    searchTerm: "Sofia",
    event: Number(event),
    rsvpCandidate: Number(candidate),
    room: Number(room),
    roomMember: Number(member),
    chatUser: chatUserId(n),
    traveller: Number(traveller),
    listingCity: listing,
  };
}

/** Rows per table, every table of the schema holding any (the bench's own helpers left out). */
async function countRows(db: Db): Promise<Record<string, number>> {
  const { rows: tables } = await db.execute<{ name: string }>(sql`
    SELECT c.relname AS name FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
      AND c.relname NOT LIKE 'bench\\_%' AND c.relname NOT LIKE '\\_\\_%' ORDER BY c.relname`);
  const counts: Record<string, number> = {};
  for (let i = 0; i < tables.length; i += 40) {
    const part = tables.slice(i, i + 40);
    const { rows } = await db.execute<{ name: string; n: number }>(sql.raw(
      part.map((t) => `SELECT '${t.name}' AS name, count(*)::int AS n FROM "${t.name}"`).join(" UNION ALL "),
    ));
    for (const r of rows) if (Number(r.n) > 0) counts[r.name] = Number(r.n);
  }
  return counts;
}

async function engineVersion(db: Db, engine: string): Promise<string> {
  const { rows } = await db.execute<{ v: string }>(sql`SELECT current_setting('server_version') AS v`);
  const version = String(rows[0]?.v ?? "").split(" ")[0];
  return engine === "PGlite" ? `PGlite (Postgres ${version})` : `PostgreSQL ${version}`;
}

export async function openWorld(scale: number, options: { engine: "postgres" | "pglite"; keep?: boolean }): Promise<World> {
  if (!Number.isSafeInteger(scale) || scale < 100) throw new Error(`world: a scale of at least 100 dancers, not ${scale}`);
  const keep = options.keep === true && options.engine === "postgres";
  const database = await benchDatabase(`world_${scale}`, {
    keep,
    engine: options.engine,
    reusable: async (target) => (await stored(createDb(target))) !== null,
  });
  try {
    const db = createDb({ databaseUrl: database.databaseUrl, fetchEndpoint: database.fetchEndpoint });
    const engine = database.engine === "PGlite" ? "PGlite" : "PostgreSQL";
    const version = await engineVersion(db, engine);
    let kept = database.reused ? await stored(db) : null;
    let generatedSeconds: number | null = null;
    let slowestStatement: World["slowestStatement"] = null;
    if (!kept) {
      const started = performance.now();
      slowestStatement = await generate(db, scale, await hashPassword(WORLD_PASSWORD), `world ${scale} (${engine})`);
      const ids = await findIds(db, scale);
      // The planner needs statistics; counts after, so they read the same tables the benches will.
      await db.execute(sql`VACUUM ANALYZE`);
      const counts = await countRows(db);
      generatedSeconds = (performance.now() - started) / 1000;
      kept = { version: GENERATOR_VERSION, ids, counts, seconds: generatedSeconds };
      // Made last: a world whose generation stopped half-way has no bench_world, and is made afresh next time.
      await db.execute(sql`CREATE TABLE bench_world (key text PRIMARY KEY, value jsonb NOT NULL)`);
      await db.execute(sql`INSERT INTO bench_world (key, value) VALUES
        ('version', ${JSON.stringify(GENERATOR_VERSION)}::jsonb), ('ids', ${JSON.stringify(ids)}::jsonb),
        ('counts', ${JSON.stringify(counts)}::jsonb), ('seconds', ${JSON.stringify(generatedSeconds)}::jsonb)`);
    }
    return {
      scale,
      engine,
      engineVersion: version,
      db,
      databaseUrl: database.databaseUrl,
      fetchEndpoint: database.fetchEndpoint,
      ids: kept.ids,
      counts: kept.counts,
      generatedSeconds,
      slowestStatement,
      close: () => database.close(),
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
