/**
 * The hot routes' SQL at scale (issue 17, "Measure" 1): each route's service function, as the API
 * calls it, on the generated world, timed through the production driver (neon-http via the local
 * endpoint: the HTTP round trip is in the figure) with p50 and p99, and the statements it sent
 * run again under EXPLAIN ANALYZE for the time inside the database, the indexes read and any
 * Seq Scan on a big table. Inputs go through the routes' own query schemas (defaults and
 * transforms as a request gets them).
 *
 * Roles: "main" reports every figure (`<route>.p50`, `<route>.p99`); "growth" only the
 * suggestions' p50 (a growth curve); "pglite" the same routes on PGlite, in a section of its own.
 *
 * `npm run bench -- routes [--quick] [--users N] [--keep]`
 */
import { register } from "node:module";
import type { SQL } from "drizzle-orm";
import { createDb, type Db } from "../src/lib/db";
import type { BenchContext, WorldBench, WorldRole } from "./context";
import { measure, percentile } from "./lib";
import { capture, describeIndexes, describeSeqScans, describeTime, explain, type PlanSummary, tableSizes } from "./plans";
import type { World } from "./world";

/** The verbs' context, as much of it as the routes below read (the Worker's `Ctx`: config is read by none of them). */
export interface BenchCtx {
  db: Db;
  actor: { id: number; role: string; level: number; sessionId: string } | null;
  now: Date;
  logger: unknown;
  config: unknown;
}

type Verb<I = never, O = unknown> = (ctx: BenchCtx, input: I) => Promise<O>;
type Parser = { parse: (input: unknown) => Record<string, unknown> };
interface PageOf {
  items: unknown[];
  nextCursor: string | null;
}

/** The API's verbs and query schemas the routes run, loaded by computed path: their types belong to the Worker's tsconfig. */
export interface Api {
  listFeed: Verb<{ limit: number; cursor?: string }, PageOf>;
  listTimeline: Verb<{ userId: number; limit: number; cursor?: string }, PageOf>;
  hashtagPosts: Verb<{ tag: string; limit: number }, PageOf>;
  search: Verb<{ q: string; type: "posts" | "users" | "events" | "groups"; limit: number }, PageOf>;
  listEvents: Verb<Record<string, unknown>, PageOf>;
  getEvent: Verb<{ eventId: number }>;
  answerRsvp: Verb<{ eventId: number; status: "going" | "interested" | "not_going" }>;
  withdrawRsvp: Verb<{ eventId: number }>;
  suggestions: Verb<{ limit: number }, PageOf>;
  mutualFriends: Verb<{ userId: number; limit: number }, PageOf & { count: number }>;
  degree: Verb<{ userId: number }, { degree: 1 | 2 | 3 | null }>;
  getProfile: Verb<{ ref: { id: number } }, { followersCount?: number }>;
  listMessages: Verb<{ roomId: number; limit: number }, PageOf>;
  listRooms: Verb<{ limit: number }, PageOf>;
  searchListings: Verb<Record<string, unknown>, PageOf>;
  planTrip: Verb<Record<string, unknown>, Record<string, { total: number }>>;
  DiscoveryQuery: Parser;
  SearchQuery: Parser;
  PlannerQuery: Parser;
  /** The feed's statement and its cursor, for the feed bench (it times the SQL the API runs, without the page's mapping). */
  feedStatement: (input: { viewerId: number; scope: { feedOf: number }; limit: number; after?: unknown }) => SQL;
  FeedCursor: unknown;
  postCardColumns: (viewerId: number | null, post: SQL, author: SQL) => SQL;
  decodeCursor: (cursor: string | undefined, schema: unknown) => unknown;
  createLogger: (level: string) => unknown;
  DEFAULT_PAGE_SIZE: number;
}

const API_NAMES: (keyof Api)[] = [
  "listFeed", "listTimeline", "hashtagPosts", "search", "listEvents", "getEvent", "answerRsvp", "withdrawRsvp", "suggestions",
  "mutualFriends", "degree", "getProfile", "listMessages", "listRooms", "searchListings", "planTrip", "DiscoveryQuery", "SearchQuery",
  "PlannerQuery", "feedStatement", "FeedCursor", "postCardColumns", "decodeCursor", "createLogger", "DEFAULT_PAGE_SIZE",
];

let api: Promise<Api> | undefined;

/**
 * The modules' surfaces pull in the Durable Object classes (chat rooms, the live hub), which
 * extend `DurableObject` from `cloudflare:workers`, a module only workerd has. In Node it
 * resolves to a bare base class: nothing measured here runs a Durable Object.
 */
const WORKERS_MODULE = "data:text/javascript,export class DurableObject { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }";
const HOOKS = `export async function resolve(specifier, context, next) {
  if (specifier === "cloudflare:workers") return { url: ${JSON.stringify(WORKERS_MODULE)}, shortCircuit: true };
  return next(specifier, context);
}`;

/** Loads the verbs once. The app first, so that the modules load in the Worker's order (they import each other's surfaces). */
export function loadApi(): Promise<Api> {
  api ??= (async () => {
    register(`data:text/javascript,${encodeURIComponent(HOOKS)}`);
    const load = (path: string) => import(path) as Promise<Record<string, unknown>>;
    await load("../src/app.ts");
    const modules: Record<string, unknown>[] = [];
    for (const path of [
      "../src/modules/posts/feed.service.ts",
      "../src/modules/posts/feed.statement.ts",
      "../src/modules/posts/feed.schemas.ts",
      "../src/modules/posts/posts.cards.ts",
      "../src/modules/posts/hashtags.service.ts",
      "../src/modules/search/search.service.ts",
      "../src/modules/events/events.discovery.ts",
      "../src/modules/events/events.service.ts",
      "../src/modules/events/rsvps.service.ts",
      "../src/modules/events/events.input.ts",
      "../src/modules/graph/friendships.service.ts",
      "../src/modules/users/users.service.ts",
      "../src/modules/chat/history.service.ts",
      "../src/modules/chat/rooms.service.ts",
      "../src/modules/housing/housing.search.ts",
      "../src/modules/housing/housing.input.ts",
      "../src/modules/travel/planner.service.ts",
      "../src/modules/travel/travel.input.ts",
      "../src/lib/logger.ts",
      "../src/lib/pagination.ts",
    ])
      modules.push(await load(path));
    // Each name below is exported by exactly one of these modules.
    const loaded = Object.assign({}, ...modules) as Api;
    const missing = API_NAMES.filter((name) => loaded[name] === undefined);
    if (missing.length) throw new Error(`routes: the API no longer exports ${missing.join(", ")}`);
    return loaded;
  })();
  return api;
}

/** A verb's context for `actorId` (null: anonymous) on the world's database, its time now, logging silenced. */
export function benchCtx(a: Api, db: Db, actorId: number | null): BenchCtx {
  return {
    db,
    actor: actorId === null ? null : { id: actorId, role: "free", level: 1, sessionId: "bench" },
    now: new Date(),
    logger: a.createLogger("silent"),
    config: {},
  };
}

/** Runs per timed route: enough for a p99 (the two slowest of 200), fewer with --quick or on PGlite. */
export function runsFor(ctx: BenchContext, role: WorldRole): number {
  if (role === "pglite") return ctx.quick ? 30 : 60;
  return ctx.quick ? 60 : 200;
}

const day = (from: Date, days: number) => new Date(from.getTime() + days * 86_400_000).toISOString().slice(0, 10);

interface Route {
  name: string;
  what: string;
  run: () => Promise<unknown>;
  /** What the answer holds (items, a count), shown beside the times: a route measured on an empty answer says so. */
  size: (answer: never) => string;
}

const items = (page: PageOf) => `${page.items.length} items`;

/** The routes, with the world's rows each looks at. */
function routes(a: Api, world: World, db: Db): Route[] {
  const ids = world.ids;
  const as = (actor: number | null) => benchCtx(a, db, actor);
  const page = a.DEFAULT_PAGE_SIZE;
  const now = new Date();
  const stay = { checkIn: day(now, 30), checkOut: day(now, 37) };
  const list: Route[] = [
    {
      name: "timeline",
      what: `the celebrity's timeline (dancer ${ids.celebrity}), page 1, seen by the light viewer`,
      run: () => a.listTimeline(as(ids.viewers.light), { userId: ids.celebrity, limit: page }),
      size: items,
    },
    {
      name: "hashtag",
      what: `#${ids.hashtag}, page 1`,
      run: () => a.hashtagPosts(as(ids.viewers.medium), { tag: ids.hashtag, limit: page }),
      size: items,
    },
    {
      name: "search.posts",
      what: `posts matching "${ids.searchTerm}", page 1`,
      run: () => a.search(as(ids.viewers.medium), { q: ids.searchTerm, type: "posts", limit: page }),
      size: items,
    },
    {
      name: "search.users",
      what: `dancers matching "${ids.searchTerm}", page 1`,
      run: () => a.search(as(ids.viewers.medium), { q: ids.searchTerm, type: "users", limit: page }),
      size: items,
    },
    {
      name: "events.city",
      what: `upcoming events in ${ids.city.name}, page 1`,
      run: () => a.listEvents(as(ids.viewers.medium), a.DiscoveryQuery.parse({ city: ids.city.name })),
      size: items,
    },
    {
      name: "events.radius",
      what: `upcoming events within 25 km of ${ids.city.name}'s centre, page 1`,
      run: () => a.listEvents(as(ids.viewers.medium), a.DiscoveryQuery.parse({ near: `${ids.city.lat},${ids.city.lng}`, radiusKm: "25" })),
      size: items,
    },
    {
      name: "event.detail",
      what: `event ${ids.event} (many RSVPs)`,
      run: () => a.getEvent(as(ids.rsvpCandidate), { eventId: ids.event }),
      size: () => "1 event",
    },
    {
      name: "suggestions",
      what: `friend suggestions for dancer ${ids.social} (many friends), page 1`,
      run: () => a.suggestions(as(ids.social), { limit: page }),
      size: items,
    },
    {
      name: "mutual",
      what: `mutual friends of dancer ${ids.social} and dancer ${ids.degree2} (degree 2), page 1`,
      run: () => a.mutualFriends(as(ids.social), { userId: ids.degree2, limit: page }),
      size: (p: PageOf & { count: number }) => `${p.count} in common`,
    },
    {
      name: "degree",
      what: `degree from dancer ${ids.social} to dancer ${ids.degree3} (3 steps: every level walked)`,
      run: () => a.degree(as(ids.social), { userId: ids.degree3 }),
      size: (d: { degree: number | null }) => `degree ${d.degree}`,
    },
    {
      name: "profile.dancer",
      what: `the light viewer's profile (dancer ${ids.viewers.light}) with its counts`,
      run: () => a.getProfile(as(ids.viewers.medium), { ref: { id: ids.viewers.light } }),
      size: (p: { followersCount?: number }) => `${p.followersCount} followers`,
    },
    {
      name: "profile.celebrity",
      what: `the celebrity's profile (dancer ${ids.celebrity}) with its counts`,
      run: () => a.getProfile(as(ids.viewers.medium), { ref: { id: ids.celebrity } }),
      size: (p: { followersCount?: number }) => `${p.followersCount} followers`,
    },
    {
      name: "chat.history",
      what: `room ${ids.room}'s newest messages, page 1, for a member`,
      run: () => a.listMessages(as(ids.roomMember), { roomId: ids.room, limit: page }),
      size: items,
    },
    {
      name: "chat.rooms",
      what: `the rooms list with unread counts of dancer ${ids.chatUser} (in many rooms), page 1`,
      run: () => a.listRooms(as(ids.chatUser), { limit: page }),
      size: items,
    },
    {
      name: "housing.search",
      what: `listings in ${ids.listingCity.name} free for a week in 30 days, 2 guests, page 1`,
      run: () =>
        a.searchListings(
          as(ids.traveller),
          a.SearchQuery.parse({ city: ids.listingCity.name, country: ids.listingCity.country, ...stay, guests: "2" }),
        ),
      size: items,
    },
    {
      name: "trip.planner",
      what: `the trip planner for dancer ${ids.traveller}: ${ids.city.name}, a week in 30 days`,
      run: () =>
        a.planTrip(
          as(ids.traveller),
          a.PlannerQuery.parse({ city: ids.city.name, country: ids.city.country, from: stay.checkIn, to: day(now, 36) }),
        ),
      size: (p: Record<string, { total: number }>) =>
        ["events", "listings", "teachers", "venues", "people"].map((k) => `${p[k]?.total ?? 0} ${k}`).join(", "),
    },
  ];
  return list;
}

export interface RouteResult {
  name: string;
  what: string;
  answer: string;
  times: number[];
  plan: PlanSummary;
}

/** Captures one route's statements (its first run), explains them, then times it. */
async function measureRoute(route: Route, runs: number, databaseUrl: string, sizes: Map<string, number>): Promise<RouteResult> {
  const { result, statements } = await capture(route.run);
  const plan = await explain(databaseUrl, statements, sizes);
  const times = await measure(runs, route.run);
  return { name: route.name, what: route.what, answer: route.size(result as never), times, plan };
}

/**
 * The RSVP, a write: the candidate answers "going" and withdraws, in turn, each timed. Its plans:
 * the answer's statements explained (EXPLAIN ANALYZE runs them: the answer again, idempotent),
 * then the withdrawal's (runs it again: nothing left to withdraw), so the world ends as it began.
 */
async function measureRsvp(a: Api, world: World, db: Db, runs: number, sizes: Map<string, number>): Promise<RouteResult[]> {
  const { event, rsvpCandidate } = world.ids;
  const ctx = () => benchCtx(a, db, rsvpCandidate);
  const answer = () => a.answerRsvp(ctx(), { eventId: event, status: "going" });
  const withdraw = () => a.withdrawRsvp(ctx(), { eventId: event });
  const answered = await capture(answer);
  const answerPlan = await explain(world.databaseUrl, answered.statements, sizes);
  const withdrawn = await capture(withdraw);
  const withdrawPlan = await explain(world.databaseUrl, withdrawn.statements, sizes);
  const answerTimes: number[] = [];
  const withdrawTimes: number[] = [];
  for (let i = -3; i < runs; i++) {
    let started = performance.now();
    await answer();
    if (i >= 0) answerTimes.push(performance.now() - started);
    started = performance.now();
    await withdraw();
    if (i >= 0) withdrawTimes.push(performance.now() - started);
  }
  const status = (answered.result as { status?: string }).status ?? "?";
  return [
    { name: "rsvp.answer", what: `dancer ${rsvpCandidate} answers "going" to event ${event} (a batch: the event's lock, the RSVP)`, answer: status, times: answerTimes, plan: answerPlan },
    { name: "rsvp.withdraw", what: "and withdraws it (the seat goes to the first in line)", answer: "withdrawn", times: withdrawTimes, plan: withdrawPlan },
  ];
}

export const routesBench: WorldBench = {
  name: "routes",
  async run(ctx: BenchContext, world: World, role: WorldRole) {
    const a = await loadApi();
    const db = createDb({ databaseUrl: world.databaseUrl, fetchEndpoint: world.fetchEndpoint });
    const runs = runsFor(ctx, role);
    const all = routes(a, world, db);

    if (role === "growth") {
      const suggestions = all.find((r) => r.name === "suggestions")!;
      const times = await measure(runs, suggestions.run);
      ctx.report.grow("suggestions p50", world.scale, percentile(times, 50), "ms");
      console.log(`  suggestions p50 at ${world.scale}: ${percentile(times, 50).toFixed(2)} ms`);
      return;
    }

    const sizes = await tableSizes(world.databaseUrl);
    const results: RouteResult[] = [];
    for (const route of all) {
      results.push(await measureRoute(route, runs, world.databaseUrl, sizes));
      // The RSVP sits with the event routes.
      if (route.name === "event.detail") results.push(...(await measureRsvp(a, world, db, runs, sizes)));
    }

    const title = role === "pglite" ? `Hot routes on PGlite (${world.scale} dancers)` : `Hot routes (${world.scale} dancers)`;
    const section = ctx.report.section(title);
    const prefix = role === "pglite" ? "pglite." : "";
    for (const r of results) {
      section.figure(`${prefix}${r.name}.p50`, percentile(r.times, 50), "ms");
      section.figure(`${prefix}${r.name}.p99`, percentile(r.times, 99), "ms");
    }
    if (role === "main") {
      const suggestions = results.find((r) => r.name === "suggestions")!;
      ctx.report.grow("suggestions p50", world.scale, percentile(suggestions.times, 50), "ms");
    }
    section.text(
      `Each hot route's service function, as the API calls it (inputs through the route's query schema), on the ${world.engine} world of ` +
        `${world.scale} dancers: ${runs} timed runs after 5 warm-ups, through the production driver (neon-http to the local ` +
        `endpoint: the HTTP round trip is in p50/p99). "in DB" is EXPLAIN ANALYZE's planning + execution time of the statements the ` +
        `route sent (captured from the driver's requests), summed; the indexes are those the executed part of the plans read (xN: ` +
        `loops). A Seq Scan on a table of 10,000 rows or more is flagged in capitals. "JIT" is the part of the execution ` +
        `PostgreSQL spent compiling the plan (when the plan's estimated cost passed \`jit_above_cost\`).`,
    );
    section.table(
      ["route", "what", "answer", "p50 ms", "p99 ms", "in DB ms (plan + exec; JIT)", "statements", "indexes used", "seq scans"],
      results.map((r) => [
        r.name,
        r.what,
        r.answer,
        percentile(r.times, 50),
        percentile(r.times, 99),
        describeTime(r.plan),
        String(r.plan.statements),
        describeIndexes(r.plan),
        describeSeqScans(r.plan),
      ]),
    );
    const flagged = results.filter((r) => r.plan.seqScans.some((s) => s.big));
    section.text(
      flagged.length
        ? `Seq Scans on big tables: ${flagged.map((r) => `\`${r.name}\` (${r.plan.seqScans.filter((s) => s.big).map((s) => s.table).join(", ")})`).join("; ")}.`
        : "No route read a big table with a Seq Scan.",
    );
    const compiled = results.filter((r) => r.plan.jitMs > 0);
    section.text(
      compiled.length
        ? `JIT-compiled plans: ${compiled.map((r) => `\`${r.name}\` (${r.plan.jitMs.toFixed(1)} of ${r.plan.executionMs.toFixed(1)} ms)`).join("; ")}.`
        : "No route's plan was JIT-compiled.",
    );
  },
};
