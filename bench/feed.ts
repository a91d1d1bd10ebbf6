/**
 * The home feed at scale: `users` dancers, 10 posts each on average (authors skewed: a few post
 * thousands), about 30 follows each chosen by a Zipf-like law (dancer 1, the celebrity, gets
 * about 50k followers), friendships for one follow in 20, about one share per dancer, and one
 * author in ten posting mostly friends-only. Five viewers are built on top: light (30
 * followees), celebrity (29 + the celebrity), medium (300), heavy (3,000) and heavy-closed
 * (3,000 followees whose posts are 90% friends-only, the viewer a friend of none of them).
 *
 * For each, page 1 and page 50 (by cursor) of the naive spec query and of the feed statement the
 * API runs (feed.statement.ts, through the production driver), p50/p95, the ratio, which plan
 * ran (the statement says), and the planning and execution times in the database (EXPLAIN
 * ANALYZE: for the feed, the plan shown is the join of the page's keys to their cards; the keys
 * come from feed_items, whose own plans are cached per backend and not shown). The forced other
 * plans are timed too (fewer runs), to show why the source count picks the plan.
 *
 * `npm run bench -- feed [--users 100000] [--keep]`; DATABASE_URL=postgres://... for PostgreSQL.
 * `--keep` keeps the generated database (PostgreSQL) and reuses it on the next run.
 */
import { type SQL, sql } from "drizzle-orm";
import { createDb, type Db } from "../src/lib/db";
import type { WorldBench } from "./context";
import { benchDatabase, measure, percentile } from "./lib";

type FeedCursor = [string, "post" | "share", number];
type FeedPlan = "auto" | "fanout" | "scan";
interface StatementModule {
  feedStatement: (input: { viewerId: number; scope: { feedOf: number }; limit: number; after?: FeedCursor; plan?: FeedPlan }) => SQL;
  FANOUT_MAX_SOURCES: number;
}

/**
 * The API's own statement builder, loaded by a computed path: its types belong to the Worker's
 * tsconfig. The app first, so that the modules load in the Worker's order (they import each
 * other's surfaces).
 */
async function loadStatement(): Promise<StatementModule> {
  const load = (path: string) => import(path) as Promise<unknown>;
  await load("../src/app.ts");
  return (await load("../src/modules/posts/feed.statement.ts")) as StatementModule;
}

const PAGE = 20;

/** Runs `statement(from, to)` over 1..total in ranges of `size`: each statement stays well inside the HTTP timeout. */
async function inChunks(total: number, size: number, statement: (from: number, to: number) => string, db: Db): Promise<void> {
  for (let from = 1; from <= total; from += size) await db.execute(sql.raw(statement(from, Math.min(total, from + size - 1))));
}

async function generate(db: Db, users: number): Promise<void> {
  const n = users;
  const zipf = (exponent: number, from = 1) => `(${from} + floor(${n - from + 1} * power(random(), ${exponent})))::int`;
  const chunk = Math.max(1000, Math.floor(n / 10));
  await inChunks(n, chunk, (from, to) => `INSERT INTO users (email, username, password, name)
    SELECT 'u' || i || '@bench.test', 'u' || i, 'x', 'User ' || i FROM generate_series(${from}, ${to}) i`, db);
  // Authors skewed (dancer 1 posts about 3,000 times); one author in ten (id % 10 = 7) posts 90% friends-only.
  await inChunks(n * 10, chunk * 2, (from, to) => `INSERT INTO posts (user_id, content, visibility, created_at)
    SELECT a, 'post ' || i,
           CASE WHEN random() < CASE WHEN a % 10 = 7 THEN 0.9 ELSE 0.1 END THEN 'friends' ELSE 'public' END,
           now() - random() * interval '365 days'
    FROM (SELECT i, ${zipf(2)} AS a FROM generate_series(${from}, ${to}) i) g`, db);
  await inChunks(n, Math.floor(chunk / 2), (from, to) => `INSERT INTO follows (follower_id, following_id, created_at)
    SELECT u, f, now() - random() * interval '365 days'
    FROM (SELECT u, ${zipf(3)} AS f FROM generate_series(${from}, ${to}) u, generate_series(1, 34) k) g
    WHERE f <> u ON CONFLICT DO NOTHING`, db);
  await inChunks(n, Math.floor(chunk / 2), (from, to) => `INSERT INTO friendships (user_id, friend_id)
    SELECT a, b FROM follows, LATERAL (VALUES (follower_id, following_id), (following_id, follower_id)) v(a, b)
    WHERE follower_id BETWEEN ${from} AND ${to} AND (follower_id + following_id) % 20 = 0 ON CONFLICT DO NOTHING`, db);
  await db.execute(sql.raw(`INSERT INTO post_shares (post_id, user_id, comment, created_at)
    SELECT p.id, s.u, 'worth a look', least(now(), p.created_at + random() * interval '2 days')
    FROM (SELECT 1 + floor(random() * ${n})::int AS u, 1 + floor(random() * ${n * 10})::int AS post FROM generate_series(1, ${n})) s
    JOIN posts p ON p.id = s.post ON CONFLICT DO NOTHING`));
  await db.execute(sql.raw(`UPDATE posts p SET shares = c.n FROM (SELECT post_id, count(*) AS n FROM post_shares GROUP BY post_id) c WHERE c.post_id = p.id`));
}

/** The five viewers: ids n-1 ... n-5, their follows replaced by the class's. */
const CLASSES = [
  { name: "light", followees: 30, pool: "zipf" },
  { name: "celebrity", followees: 30, pool: "zipf" },
  { name: "medium", followees: 300, pool: "zipf" },
  { name: "heavy", followees: 3000, pool: "zipf" },
  { name: "heavy-closed", followees: 3000, pool: "closed" },
] as const;

async function buildViewers(db: Db, users: number): Promise<{ name: string; id: number }[]> {
  const viewers = CLASSES.map((c, i) => ({ ...c, id: users - 1 - i }));
  for (const v of viewers) {
    const draw =
      v.pool === "closed"
        ? `(1 + floor(${Math.floor(users / 10) - 1} * power(random(), 2)))::int * 10 + 7`
        : `(11 + floor(${users - 20} * power(random(), 3)))::int`;
    const want = v.name === "celebrity" ? v.followees - 1 : v.followees;
    await db.execute(sql.raw(`DELETE FROM follows WHERE follower_id = ${v.id}`));
    await db.execute(sql.raw(`DELETE FROM friendships WHERE user_id = ${v.id} OR friend_id = ${v.id}`));
    await db.execute(sql.raw(`INSERT INTO follows (follower_id, following_id)
      SELECT ${v.id}, f FROM (SELECT DISTINCT ${draw} AS f FROM generate_series(1, ${want * 4})) d
      WHERE f <> ${v.id} AND f < ${users - 10} ORDER BY random() LIMIT ${want}`));
    if (v.name === "celebrity") await db.execute(sql.raw(`INSERT INTO follows (follower_id, following_id) VALUES (${v.id}, 1)`));
    // Friends with ten of the dancers they follow (none for heavy-closed: it sees only public posts).
    if (v.pool !== "closed") {
      await db.execute(sql.raw(`INSERT INTO friendships (user_id, friend_id)
        SELECT a, b FROM (SELECT following_id FROM follows WHERE follower_id = ${v.id} ORDER BY random() LIMIT 10) f,
          LATERAL (VALUES (${v.id}, f.following_id), (f.following_id, ${v.id})) v(a, b) ON CONFLICT DO NOTHING`));
    }
  }
  return viewers;
}

function naive(viewer: number, before?: string): SQL {
  return sql`SELECT p.* FROM posts p
    WHERE p.user_id IN (SELECT following_id FROM follows WHERE follower_id = ${viewer})
      ${before ? sql`AND p.created_at < ${before}::timestamp` : sql``}
    ORDER BY p.created_at DESC LIMIT ${PAGE}`;
}

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Actual Loops"?: number;
  "Actual Rows"?: number;
  Plans?: PlanNode[];
}

/** Planning and execution time in the database, and the indexes the executed part of the plan read (never-executed branches left out). */
async function explain(db: Db, statement: SQL): Promise<string> {
  const { rows } = await db.execute<{ "QUERY PLAN": [{ Plan: PlanNode; "Execution Time": number; "Planning Time": number }] }>(
    sql`EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${statement}`,
  );
  const top = rows[0]!["QUERY PLAN"][0];
  const used = new Map<string, number>();
  const walk = (node: PlanNode) => {
    if (node["Actual Loops"] === 0) return;
    if (node["Index Name"]) used.set(node["Index Name"], (used.get(node["Index Name"]) ?? 0) + (node["Actual Loops"] ?? 0));
    node.Plans?.forEach(walk);
  };
  walk(top.Plan);
  const indexes = [...used].map(([name, loops]) => `${name}${loops > 1 ? ` x${loops}` : ""}`).join(", ");
  return `planning ${top["Planning Time"].toFixed(2)} + execution ${top["Execution Time"].toFixed(2)} ms; ${indexes}`;
}

const fmt = (times: number[]) => `${percentile(times, 50).toFixed(2)}/${percentile(times, 95).toFixed(2)}`;

export async function feedBenchStandalone(users: number, options: { keep?: boolean } = {}): Promise<void> {
  const database = await benchDatabase("feed", options);
  const db = createDb({ databaseUrl: database.databaseUrl, fetchEndpoint: database.fetchEndpoint });
  try {
    const { feedStatement, FANOUT_MAX_SOURCES } = await loadStatement();
    const started = performance.now();
    // A kept database counts only once its generation finished (the marker table is made last).
    const { rows: marker } = await db.execute<{ done: boolean }>(sql`SELECT to_regclass('bench_feed_generated') IS NOT NULL AS done`);
    if (!marker[0]!.done) {
      await db.execute(sql`TRUNCATE users, posts, follows, friendships, post_shares RESTART IDENTITY CASCADE`);
      await generate(db, users);
      await buildViewers(db, users);
      await db.execute(sql`VACUUM ANALYZE`);
      await db.execute(sql`CREATE TABLE bench_feed_generated ()`);
    }
    const viewers = CLASSES.map((c, i) => ({ name: c.name, id: users - 1 - i }));
    const { rows: totals } = await db.execute<{ users: number; posts: number; follows: number; friendships: number; shares: number; celebrity: number }>(sql`
      SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM posts)::int AS posts,
        (SELECT count(*) FROM follows)::int AS follows, (SELECT count(*) FROM friendships)::int AS friendships,
        (SELECT count(*) FROM post_shares)::int AS shares, (SELECT count(*) FROM follows WHERE following_id = 1)::int AS celebrity`);
    const t = totals[0]!;
    console.log(
      `feed on ${database.engine}: ${t.users} users, ${t.posts} posts, ${t.follows} follows (celebrity followed by ${t.celebrity}), ` +
        `${t.friendships} friendship rows, ${t.shares} shares; ${marker[0]!.done ? "reused" : `generated in ${((performance.now() - started) / 1000).toFixed(0)} s`}`,
    );
    console.log(`  fanout up to ${FANOUT_MAX_SOURCES} sources, scan above; times p50/p95 ms through the driver (HTTP round trip included)`);

    for (const viewer of viewers) {
      const { rows: counts } = await db.execute<{ follows: number; sources: number }>(sql`
        SELECT (SELECT count(*) FROM follows WHERE follower_id = ${viewer.id})::int AS follows,
          (SELECT count(*) FROM (SELECT following_id FROM follows WHERE follower_id = ${viewer.id}
            UNION SELECT friend_id FROM friendships WHERE user_id = ${viewer.id} UNION SELECT ${viewer.id}) s)::int AS sources`);
      const ours = (after?: FeedCursor, plan: FeedPlan = "auto") =>
        feedStatement({ viewerId: viewer.id, scope: { feedOf: viewer.id }, limit: PAGE + 1, after, plan });

      // Page 50's cursors: walk 49 pages, as a client would.
      let cursor: FeedCursor | undefined;
      for (let page = 1; page < 50; page++) {
        const { rows } = await db.execute<{ item_at: string; item_type: "post" | "share"; item_id: number }>(ours(cursor));
        const last = rows[PAGE - 1];
        if (!last) break;
        cursor = [last.item_at, last.item_type, Number(last.item_id)];
      }
      const { rows: naiveRows } = await db.execute<{ created_at: string }>(
        sql`SELECT created_at::text FROM posts WHERE user_id IN (SELECT following_id FROM follows WHERE follower_id = ${viewer.id})
            ORDER BY created_at DESC OFFSET ${49 * PAGE - 1} LIMIT 1`,
      );
      const naiveBefore = naiveRows[0]?.created_at;

      const runs = 30;
      const n1 = await measure(runs, () => db.execute(naive(viewer.id)), 3);
      const n50 = await measure(runs, () => db.execute(naive(viewer.id, naiveBefore)), 3);
      const o1 = await measure(runs, () => db.execute(ours()), 3);
      const o50 = await measure(runs, () => db.execute(ours(cursor)), 3);
      // The plan feed_items ran, as every row of the statement says.
      const { rows: first } = await db.execute<{ feed_plan: "fanout" | "scan" }>(ours());
      const chosen = first[0]!.feed_plan;
      const other: FeedPlan = chosen === "fanout" ? "scan" : "fanout";
      const x1 = await measure(5, () => db.execute(ours(undefined, other)), 1);
      const x50 = await measure(5, () => db.execute(ours(cursor, other)), 1);
      const ratio = (a: number[], b: number[]) => (percentile(a, 50) / percentile(b, 50)).toFixed(2);
      console.log(`  ${viewer.name} (dancer ${viewer.id}: follows ${counts[0]!.follows}, ${counts[0]!.sources} sources, plan ${chosen})`);
      console.log(`    naive   page 1 ${fmt(n1)}  page 50 ${fmt(n50)}`);
      console.log(`    feed    page 1 ${fmt(o1)}  page 50 ${fmt(o50)}  feed/naive p1 ${ratio(o1, n1)}, p50 ${ratio(o50, n50)}; page 50/page 1 ${ratio(o50, o1)}`);
      console.log(`    (${other} forced: page 1 ${fmt(x1)}  page 50 ${fmt(x50)})`);
      console.log(`    plans: naive p1 ${await explain(db, naive(viewer.id))}`);
      console.log(`           naive p50 ${await explain(db, naive(viewer.id, naiveBefore))}`);
      console.log(`           feed p1 ${await explain(db, ours())}`);
      console.log(`           feed p50 ${await explain(db, ours(cursor))}`);
    }
  } finally {
    await database.close();
  }
}

// Placeholder until the feed benchmark runs on the generated world (issue 17).
export const feedBench: WorldBench = {
  name: "feed",
  run: () => Promise.reject(new Error("feed: not written yet")),
};
