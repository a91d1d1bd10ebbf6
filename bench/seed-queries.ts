/**
 * The seed's three example queries at scale: home feed, city event discovery, closest
 * friends. Prints latency through the production driver (HTTP round trip included), the
 * plan's index use, and the same numbers without the composite indexes this project
 * added, so the ratio shows what each index buys. Compare ratios, not absolute times: this
 * machine is shared.
 *
 * `npm run bench -- seed-queries [--users 20000]`; DATABASE_URL=postgres://... for PostgreSQL.
 */
import { neon } from "@neondatabase/serverless";
import { benchDatabase, measure, summary } from "./lib";

const CITIES = ["Buenos Aires", "Madrid", "New York", "Tokyo", "Paris", "Milan", "Barcelona", "Toronto", "Berlin", "Istanbul"];

export async function seedQueries(users: number): Promise<void> {
  const db = await benchDatabase("seed_queries");
  const sql = neon(db.databaseUrl);
  try {
    console.log(`seed queries on ${db.engine}: ${users} users, ${users * 10} posts, ${users * 40} follows, ${users * 2} events`);
    const started = performance.now();
    await sql.query(`
      INSERT INTO users (email, username, password, name, city)
      SELECT 'u' || i || '@bench.test', 'u' || i, 'x', 'User ' || i, (ARRAY['${CITIES.join("','")}'])[1 + i % 10]
      FROM generate_series(1, ${users}) i`);
    await sql.query(`
      INSERT INTO follows (follower_id, following_id)
      SELECT u, 1 + (u * 7919 + k * 104729) % ${users} FROM generate_series(1, ${users}) u, generate_series(1, 40) k
      WHERE 1 + (u * 7919 + k * 104729) % ${users} <> u
      ON CONFLICT DO NOTHING`);
    await sql.query(`
      INSERT INTO posts (user_id, content, created_at)
      SELECT 1 + i % ${users}, 'post ' || i, now() - (i % 525600) * interval '1 minute'
      FROM generate_series(1, ${users * 10}) i`);
    await sql.query(`
      INSERT INTO events (user_id, title, description, event_type, start_date, location, city)
      SELECT 1 + i % ${users}, 'Milonga ' || i, 'd', 'milonga', now() + ((i % 730) - 365) * interval '1 day', 'v',
             (ARRAY['${CITIES.join("','")}'])[1 + i % 10]
      FROM generate_series(1, ${users * 2}) i`);
    await sql.query(`
      INSERT INTO friendships (user_id, friend_id, closeness_score)
      SELECT u, 1 + (u * 31 + k * 7727) % ${users}, (u * k) % 101 FROM generate_series(1, ${users}) u, generate_series(1, 20) k
      WHERE 1 + (u * 31 + k * 7727) % ${users} <> u
      ON CONFLICT DO NOTHING`);
    await sql.query("ANALYZE");
    console.log(`  data generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const queries = {
      feed: (i: number) =>
        sql.query(
          `SELECT * FROM posts WHERE user_id IN (SELECT following_id FROM follows WHERE follower_id = $1)
           ORDER BY created_at DESC LIMIT 20`,
          [1 + ((i * 131) % users)],
        ),
      // The same feed as one small index range per followed author, merged: what a feed
      // endpoint should run (its cost grows with the follows, not with all posts).
      feedLateral: (i: number) =>
        sql.query(
          `SELECT p.* FROM follows f
           CROSS JOIN LATERAL (SELECT * FROM posts WHERE user_id = f.following_id ORDER BY created_at DESC LIMIT 20) p
           WHERE f.follower_id = $1 ORDER BY p.created_at DESC LIMIT 20`,
          [1 + ((i * 131) % users)],
        ),
      events: (i: number) =>
        sql.query(`SELECT * FROM events WHERE city = $1 AND start_date > NOW() ORDER BY start_date ASC LIMIT 50`, [CITIES[i % 10]]),
      friends: (i: number) =>
        sql.query(`SELECT * FROM friendships WHERE user_id = $1 ORDER BY closeness_score DESC LIMIT 10`, [1 + ((i * 17) % users)]),
    };
    const plans = {
      feed: `EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM posts WHERE user_id IN (SELECT following_id FROM follows WHERE follower_id = 42) ORDER BY created_at DESC LIMIT 20`,
      feedLateral: `EXPLAIN (ANALYZE, FORMAT JSON) SELECT p.* FROM follows f CROSS JOIN LATERAL (SELECT * FROM posts WHERE user_id = f.following_id ORDER BY created_at DESC LIMIT 20) p WHERE f.follower_id = 42 ORDER BY p.created_at DESC LIMIT 20`,
      events: `EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM events WHERE city = 'Madrid' AND start_date > NOW() ORDER BY start_date ASC LIMIT 50`,
      friends: `EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM friendships WHERE user_id = 42 ORDER BY closeness_score DESC LIMIT 10`,
    };

    const run = async (label: string) => {
      const results: Record<string, number> = {};
      for (const [name, query] of Object.entries(queries)) {
        const times = await measure(100, query);
        const [plan] = (await sql.query(plans[name as keyof typeof plans])) as { "QUERY PLAN": [{ Plan: unknown; "Execution Time": number }] }[];
        const top = plan!["QUERY PLAN"][0];
        const indexes = [...JSON.stringify(top.Plan).matchAll(/"Index Name":"([^"]+)"/g)].map((m) => m[1]);
        const seq = JSON.stringify(top.Plan).includes('"Seq Scan"');
        results[name] = top["Execution Time"];
        console.log(
          `  ${label} ${name.padEnd(11)} ${summary(times)}; in-database ${top["Execution Time"].toFixed(2)} ms; ` +
            `indexes: ${[...new Set(indexes)].join(", ") || "none"}${seq ? "; SEQ SCAN" : ""}`,
        );
      }
      return results;
    };

    const withIndexes = await run("with   ");
    await sql.query("DROP INDEX posts_user_created_idx, events_city_start_idx, friendships_user_closeness_idx");
    await sql.query("ANALYZE");
    const without = await run("without");
    for (const name of Object.keys(withIndexes)) {
      console.log(`  ${name}: in-database time without / with the added indexes = ${(without[name]! / withIndexes[name]!).toFixed(1)}`);
    }
  } finally {
    await db.close();
  }
}
