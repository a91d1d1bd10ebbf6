/**
 * A profile with 100k followers: the profile statement as the API runs it (`getProfile`, one
 * statement with count(*) subqueries over `follows_following_idx` / `follows_follower_idx`)
 * against the alternative, exact counters in a side table (`user_graph_counts`, one primary
 * key lookup), and the first page of the dancer's followers list. Counts before VACUUM (the
 * index-only scan still visits the heap) and after (the visibility map is set, as autovacuum
 * leaves it). Prints latency through the production driver and the in-database time.
 *
 * `npm run bench -- profile-counts [--users 100000]`; DATABASE_URL=postgres://... for PostgreSQL.
 */
import { neon } from "@neondatabase/serverless";
import { createDb, type Db } from "../src/lib/db";
import { benchDatabase, measure, summary } from "./lib";

/** The verbs' context, as much of it as these two read. */
interface BenchCtx {
  db: Db;
  actor: { id: number; role: string; level: number; sessionId: string } | null;
}
type Profile = { followersCount?: number; followingCount?: number; friendsCount?: number };
type Verbs = {
  getProfile: (ctx: BenchCtx, input: { ref: { id: number } }) => Promise<Profile>;
  listFollows: (ctx: BenchCtx, input: { userId: number; side: "followers"; limit: number; cursor?: string }) => Promise<{ nextCursor: string | null }>;
};

/**
 * The API's own verbs, so the bench runs the statements the routes run. Loaded by a computed
 * path: their types belong to the Worker's tsconfig (they name `Env`), not to this Node one.
 */
async function loadVerbs(): Promise<Verbs> {
  const load = (path: string) => import(path) as Promise<Record<string, unknown>>;
  const [users, follows] = await Promise.all([load("../src/modules/users/users.service.ts"), load("../src/modules/graph/follows.service.ts")]);
  return { getProfile: users.getProfile, listFollows: follows.listFollows } as Verbs;
}

export async function profileCounts(users: number): Promise<void> {
  const db = await benchDatabase("profile_counts");
  const sql = neon(db.databaseUrl);
  try {
    const star = 1;
    console.log(`profile counts on ${db.engine}: ${users} users, dancer ${star} followed by all others, ${users * 10} other follows`);
    const started = performance.now();
    await sql.query(`
      INSERT INTO users (email, username, password, name)
      SELECT 'u' || i || '@bench.test', 'u' || i, 'x', 'User ' || i FROM generate_series(1, ${users}) i`);
    await sql.query(`
      INSERT INTO follows (follower_id, following_id, created_at)
      SELECT i, ${star}, now() - i * interval '1 second' FROM generate_series(2, ${users}) i`);
    await sql.query(`
      INSERT INTO follows (follower_id, following_id)
      SELECT u, 2 + (u * 7919 + k * 104729) % ${users - 1} FROM generate_series(1, ${users}) u, generate_series(1, 10) k
      WHERE 2 + (u * 7919 + k * 104729) % ${users - 1} <> u
      ON CONFLICT DO NOTHING`);
    await sql.query(`
      INSERT INTO friendships (user_id, friend_id)
      SELECT a, b FROM generate_series(2, ${Math.min(2001, users)}) i, LATERAL (VALUES (${star}, i), (i, ${star})) v(a, b)`);
    await sql.query("ANALYZE");
    console.log(`  data generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const { getProfile, listFollows } = await loadVerbs();
    const viewer: BenchCtx = {
      db: createDb({ databaseUrl: db.databaseUrl, fetchEndpoint: db.fetchEndpoint }),
      actor: { id: users, role: "free", level: 1, sessionId: "bench" },
    };
    const profile = await getProfile(viewer, { ref: { id: star } });
    console.log(`  profile says followers ${profile.followersCount}, following ${profile.followingCount}, friends ${profile.friendsCount}`);

    const countSql = `SELECT (SELECT count(*) FROM follows WHERE following_id = ${star}) AS followers,
      (SELECT count(*) FROM follows WHERE follower_id = ${star}) AS following,
      (SELECT count(*) FROM friendships WHERE user_id = ${star} AND status = 'active') AS friends`;
    const inDatabase = async (query: string) => {
      const [plan] = (await sql.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${query}`)) as { "QUERY PLAN": [{ Plan: unknown; "Execution Time": number }] }[];
      const top = plan!["QUERY PLAN"][0];
      const text = JSON.stringify(top.Plan);
      const heap = [...text.matchAll(/"Heap Fetches":(\d+)/g)].map((m) => Number(m[1])).reduce((a, b) => a + b, 0);
      const indexes = [...new Set([...text.matchAll(/"Index Name":"([^"]+)"/g)].map((m) => m[1]))].join(", ");
      return `in-database ${top["Execution Time"].toFixed(2)} ms; indexes: ${indexes}; heap fetches ${heap}`;
    };

    await sql.query(`CREATE TABLE user_graph_counts (user_id int PRIMARY KEY, followers int NOT NULL, following int NOT NULL, friends int NOT NULL)`);
    await sql.query(`INSERT INTO user_graph_counts
      SELECT u.id, (SELECT count(*) FROM follows WHERE following_id = u.id), (SELECT count(*) FROM follows WHERE follower_id = u.id),
             (SELECT count(*) FROM friendships WHERE user_id = u.id AND status = 'active') FROM users u`);
    await sql.query("ANALYZE user_graph_counts");
    const counterSql = `SELECT followers, following, friends FROM user_graph_counts WHERE user_id = ${star}`;

    const run = async (label: string) => {
      console.log(`  ${label}`);
      console.log(`    profile (getProfile, 1 statement) ${summary(await measure(100, () => getProfile(viewer, { ref: { id: star } })))}`);
      console.log(`    count(*) x3 alone                 ${summary(await measure(100, () => sql.query(countSql)))}; ${await inDatabase(countSql)}`);
      console.log(`    counters side table               ${summary(await measure(100, () => sql.query(counterSql)))}; ${await inDatabase(counterSql)}`);
      console.log(`    profile of a dancer with 10 follows ${summary(await measure(100, (i) => getProfile(viewer, { ref: { id: 1000 + i } })))}`);
      console.log(`    followers page 1 (20)              ${summary(await measure(50, () => listFollows(viewer, { userId: star, side: "followers", limit: 20 })))}`);
      const page = await listFollows(viewer, { userId: star, side: "followers", limit: 20 });
      console.log(`    followers page 2 (20)              ${summary(await measure(50, () => listFollows(viewer, { userId: star, side: "followers", limit: 20, cursor: page.nextCursor! })))}`);
    };
    await run("before VACUUM (fresh rows: the index-only scan checks the heap)");
    await sql.query("VACUUM ANALYZE follows");
    await sql.query("VACUUM ANALYZE friendships");
    await run("after VACUUM (visibility map set)");
  } finally {
    await db.close();
  }
}
