/**
 * HTTP load through `npm run dev` (issue 17, "Measure" 5): autocannon at a fixed concurrency
 * against the home feed, a post create, a like (with its unlike, so it can repeat), an RSVP (with
 * its cancel) and event discovery (by city, by radius), each for a fixed time. Requests/s and
 * latency p50/p99 per route, as autocannon sees them (the client shares the machine with the
 * dev server, wrangler's proxy, workerd, the local endpoint and the database).
 *
 * Data: dancers, follows, posts and events made in a few statements (`generate_series`, through
 * the production driver and the dev server's own local endpoint); tokens issued directly with the
 * server's JWT secret (registration is rate limited per IP).
 */
import autocannon from "autocannon";
import { sql } from "drizzle-orm";
import type { BenchContext, StandaloneBench } from "./context";
import { acquire, type DevServer, release } from "./dev-server";

export const CONCURRENCY = 16;

/** The cities of the load data: events and dancers spread over them. */
const CITIES: [string, string, number, number][] = [
  ["Buenos Aires", "Argentina", -34.6037, -58.3816],
  ["Berlin", "Germany", 52.52, 13.405],
  ["Paris", "France", 48.8566, 2.3522],
  ["Istanbul", "Turkey", 41.0082, 28.9784],
  ["Montevideo", "Uruguay", -34.9011, -56.1645],
  ["New York", "USA", 40.7128, -74.006],
  ["Tokyo", "Japan", 35.6762, 139.6503],
  ["Milano", "Italy", 45.4642, 9.19],
];

export interface LoadData {
  dancers: number[];
  posts: number[];
  events: number[];
  tokens: string[];
}

/**
 * `dancers` dancers in CITIES, each following `follows` others and with `postsEach` posts over
 * the last 30 days; `events` published upcoming events over the cities; tokens for the first
 * `withTokens` dancers.
 */
export async function seed(
  server: DevServer,
  options: { dancers: number; follows: number; postsEach: number; events: number; withTokens: number; tag: string },
): Promise<LoadData> {
  const { db } = server;
  const { dancers: n, tag } = options;
  const cities = CITIES.map(([city, country, lat, lng]) => `('${city}', '${country}', ${lat}, ${lng})`).join(", ");
  const { rows: made } = await db.execute<{ id: number }>(
    sql.raw(`
      WITH c(city, country, lat, lng) AS (VALUES ${cities}),
      numbered AS (SELECT row_number() OVER () - 1 AS k, * FROM c)
      INSERT INTO users (email, username, password, name, city, country)
      SELECT '${tag}' || i || '@load.test', '${tag}' || i, 'x', 'Dancer ' || i, numbered.city, numbered.country
      FROM generate_series(1, ${n}) i JOIN numbered ON numbered.k = i % ${CITIES.length}
      RETURNING id`),
  );
  const dancers = made.map((r) => Number(r.id)).sort((a, b) => a - b);
  const first = dancers[0]!;
  await db.execute(
    sql.raw(`
      INSERT INTO follows (follower_id, following_id)
      SELECT ${first} + u, ${first} + (u * 7919 + k * 104729) % ${n}
      FROM generate_series(0, ${n - 1}) u, generate_series(1, ${options.follows}) k
      WHERE (u * 7919 + k * 104729) % ${n} <> u
      ON CONFLICT DO NOTHING`),
  );
  const { rows: posts } = await db.execute<{ id: number }>(
    sql.raw(`
      INSERT INTO posts (user_id, content, plain_text, hashtags, visibility, created_at)
      SELECT ${first} + u, 'Milonga night ' || u || '-' || k || ' #milonga', 'Milonga night ' || u || '-' || k || ' #milonga',
             ARRAY['milonga'], 'public', now() - ((u * 31 + k * 977) % 43200) * interval '1 minute'
      FROM generate_series(0, ${n - 1}) u, generate_series(1, ${options.postsEach}) k
      RETURNING id`),
  );
  const { rows: events } = await db.execute<{ id: number }>(
    sql.raw(`
      WITH c(city, country, lat, lng) AS (VALUES ${cities}),
      numbered AS (SELECT row_number() OVER () - 1 AS k, * FROM c)
      INSERT INTO events (user_id, title, description, event_type, start_date, location, city, country, latitude, longitude, status)
      SELECT ${first} + (i * 13) % ${n}, 'Milonga ' || i, 'A milonga', 'milonga', now() + (1 + i % 60) * interval '1 day' + (i % 24) * interval '1 hour',
             'Salon ' || i, numbered.city, numbered.country,
             (numbered.lat + ((i % 20) - 10) * 0.01)::text, (numbered.lng + ((i % 17) - 8) * 0.01)::text, 'published'
      FROM generate_series(1, ${options.events}) i JOIN numbered ON numbered.k = i % ${CITIES.length}
      RETURNING id`),
  );
  await db.execute(sql`ANALYZE`);
  const tokens = await server.tokens(dancers.slice(0, options.withTokens));
  return { dancers, posts: posts.map((r) => Number(r.id)).sort((a, b) => a - b), events: events.map((r) => Number(r.id)), tokens };
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
}

/**
 * autocannon against `baseUrl` for `seconds`: each connection runs `requests` in order, again and
 * again (autocannon keeps a per-connection `context` for what one request leaves to the next).
 */
export async function load(
  baseUrl: string,
  options: { connections: number; seconds: number; requests: autocannon.Request[] },
): Promise<LoadResult> {
  const result = await autocannon({
    url: baseUrl,
    connections: options.connections,
    duration: options.seconds,
    requests: options.requests,
    // Latency of every answer, 4xx included: a failed request is still a request served.
    timeout: 30,
  });
  return {
    rps: result.requests.total / ((result.finish.getTime() - result.start.getTime()) / 1000),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

type Ctx = { token?: string; path?: string; n?: number };
const authed = (token: string) => ({ authorization: `Bearer ${token}`, "content-type": "application/json" });

/** A connection's next dancer (its own, fixed: like and RSVP toggles are per dancer). */
function dancerOf(context: object, tokens: string[], counter: { next: number }): Ctx {
  const c = context as Ctx;
  c.token ??= tokens[counter.next++ % tokens.length];
  c.n = (c.n ?? 0) + 1;
  return c;
}

export const httpLoadBench: StandaloneBench = {
  name: "http",
  async run(ctx: BenchContext) {
    const held = acquire();
    try {
      const server = await held;
      const seconds = ctx.quick ? 3 : 10;
      const size = ctx.quick ? { dancers: 1_000, postsEach: 5, events: 400 } : { dancers: 5_000, postsEach: 10, events: 2_000 };
      console.log(`\n# HTTP load through npm run dev on ${server.engine}: ${CONCURRENCY} connections, ${seconds} s per route`);
      const started = performance.now();
      const data = await seed(server, { ...size, follows: 30, withTokens: 400, tag: `load${process.pid}_` });
      console.log(`  data: ${data.dancers.length} dancers, ${data.posts.length} posts, ${data.events.length} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const { tokens, posts, events } = data;
      const pick = <T>(list: T[], i: number) => list[(i * 2_654_435_761) % list.length]!;
      const counter = { next: 0 };
      const scenarios: { key: string; label: string; requests: () => autocannon.Request[] }[] = [
        {
          key: "feed",
          label: "GET /api/feed (page 1)",
          requests: () => [{ method: "GET", path: "/api/feed", setupRequest: (req, c) => ({ ...req, headers: authed(dancerOf(c, tokens, counter).token!) }) }],
        },
        {
          key: "post_create",
          label: "POST /api/posts",
          requests: () => [
            {
              method: "POST",
              path: "/api/posts",
              setupRequest: (req, c) => {
                const d = dancerOf(c, tokens, counter);
                return { ...req, headers: authed(d.token!), body: JSON.stringify({ content: `Load test post ${d.n} #practica`, visibility: "public" }) };
              },
            },
          ],
        },
        {
          key: "like",
          label: "POST then DELETE /api/posts/{id}/like (each dancer its own posts)",
          requests: () => [
            {
              method: "POST",
              setupRequest: (req, c) => {
                const d = dancerOf(c, tokens, counter);
                d.path = `/api/posts/${pick(posts, counter.next * 7 + d.n!)}/like`;
                return { ...req, path: d.path, headers: authed(d.token!) };
              },
            },
            { method: "DELETE", setupRequest: (req, c) => ({ ...req, path: (c as Ctx).path!, headers: authed((c as Ctx).token!) }) },
          ],
        },
        {
          key: "rsvp",
          label: "POST then DELETE /api/events/{id}/rsvp",
          requests: () => [
            {
              method: "POST",
              setupRequest: (req, c) => {
                const d = dancerOf(c, tokens, counter);
                d.path = `/api/events/${pick(events, counter.next * 5 + d.n!)}/rsvp`;
                return { ...req, path: d.path, headers: authed(d.token!), body: JSON.stringify({ status: "going", role: d.n! % 2 ? "leader" : "follower" }) };
              },
            },
            { method: "DELETE", setupRequest: (req, c) => ({ ...req, path: (c as Ctx).path!, headers: authed((c as Ctx).token!) }) },
          ],
        },
        {
          key: "discovery_city",
          label: "GET /api/events?city=",
          requests: () => [
            {
              method: "GET",
              setupRequest: (req, c) => {
                const d = dancerOf(c, tokens, counter);
                return { ...req, path: `/api/events?city=${encodeURIComponent(CITIES[d.n! % CITIES.length]![0])}`, headers: authed(d.token!) };
              },
            },
          ],
        },
        {
          key: "discovery_radius",
          label: "GET /api/events?near=&radiusKm=25",
          requests: () => [
            {
              method: "GET",
              setupRequest: (req, c) => {
                const d = dancerOf(c, tokens, counter);
                const [, , lat, lng] = CITIES[d.n! % CITIES.length]!;
                return { ...req, path: `/api/events?near=${lat},${lng}&radiusKm=25`, headers: authed(d.token!) };
              },
            },
          ],
        },
      ];
      const section = ctx.report.section("HTTP load");
      const rows: (string | number)[][] = [];
      for (const scenario of scenarios) {
        // A short warm-up: workerd compiles and the endpoint's pool fills before the clock runs.
        await load(server.baseUrl, { connections: CONCURRENCY, seconds: 1, requests: scenario.requests() });
        const r = await load(server.baseUrl, { connections: CONCURRENCY, seconds, requests: scenario.requests() });
        const note = `${CONCURRENCY} connections, ${seconds} s, ${r.requests} requests, ${r.non2xx} non-2xx, ${r.errors} errors`;
        section.figure(`http.${scenario.key}.rps`, r.rps, "req/s", { note });
        section.figure(`http.${scenario.key}.p50`, r.p50, "ms");
        section.figure(`http.${scenario.key}.p99`, r.p99, "ms");
        rows.push([scenario.label, r.rps.toFixed(0), r.p50.toFixed(1), r.p99.toFixed(1), String(r.requests), String(r.non2xx), String(r.errors)]);
        if (r.non2xx || r.errors) console.warn(`  ${scenario.key}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
      }
      section.text(
        `autocannon against \`npm run dev\` (wrangler dev: its proxy, then the Worker in workerd; the local endpoint; ${server.engine}), ` +
          `${CONCURRENCY} connections for ${seconds} s per route after a 1 s warm-up, on ${data.dancers.length} dancers (30 followees each), ` +
          `${data.posts.length} posts and ${data.events.length} upcoming events in ${CITIES.length} cities. Each connection acts as one dancer ` +
          "(its own token); a like is followed by its unlike and an RSVP by its cancel, so each connection can repeat them: their rows count " +
          "both requests. Everything shares the machine's 2 cores (the client too): these are ratios between routes on one machine, not " +
          "a deployment's capacity.",
      );
      section.table(["route", "req/s", "p50 ms", "p99 ms", "requests", "non-2xx", "errors"], rows);
    } finally {
      await release();
    }
  },
};
