/**
 * The world's data: a tango network of `n` dancers written as the API would have written it,
 * bulk-loaded by `INSERT ... SELECT` over `generate_series`, each statement over a range of ids
 * small enough to stay well inside Neon's ~15 s HTTP timeout at 100k dancers.
 *
 * Every draw is a hash of the row's id and a salt (`bench_rand`), not `random()`: the same scale
 * gives the same world on every run and engine, so figures of two runs compare.
 *
 * Shape (per 100k dancers, linear below): ~200 cities, dancers by a Zipf law over them (ids in
 * contiguous blocks per city, Buenos Aires first); ~3M follows (a Zipf law over ids: dancer 1,
 * the celebrity, gets about half of all dancers as followers; a third of follows local);
 * ~500k friendships (both rows), three in four local; 1M posts (authors skewed; one author in
 * ten, id % 10 = 7, posting 90% friends-only); likes and comments in proportion to the author's
 * followers; 20k events (a third of them weekly series) with ~500k RSVPs; 50k chat rooms with
 * ~1M messages; listings, bookings, trips, teachers, venues, schools.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../../src/lib/db";
import { CITIES } from "./cities";
import { Progress, type Step } from "./progress";

/** A deterministic draw in [0, 1) from an id and a salt (see the module comment). */
const R = (expr: string, salt: number) => `bench_rand((${expr})::bigint, ${salt})`;

/** Pick from a SQL array literal by a draw in [0, 1): `skew` > 1 favours its first items. */
function pick(items: readonly string[], draw: string, skew = 1): string {
  const list = items.map((s) => `'${s.replace(/'/g, "''")}'`).join(",");
  const at = skew === 1 ? draw : `power(${draw}, ${skew})`;
  return `(ARRAY[${list}])[1 + floor(${at} * ${items.length})::int]`;
}

const FIRST_NAMES = [
  "Sofia", "Lucia", "Martina", "Valentina", "Juan", "Carlos", "Diego", "Mariana", "Ana", "Pablo", "Camila", "Julia",
  "Marco", "Elena", "Anna", "Laura", "Javier", "Miguel", "Clara", "Isabel", "Tomas", "Nicolas", "Paula", "Andrea",
  "Hans", "Katja", "Pierre", "Claire", "Yuki", "Kenji", "Olga", "Dmitri", "Giulia", "Luca", "Selin", "Emre", "Sarah",
  "David", "Maria", "Gabriel",
];
const LAST_NAMES = [
  "Garcia", "Rodriguez", "Fernandez", "Lopez", "Martinez", "Gonzalez", "Perez", "Sanchez", "Romero", "Alvarez",
  "Rossi", "Bianchi", "Muller", "Schmidt", "Dubois", "Martin", "Tanaka", "Sato", "Ivanova", "Petrov", "Kaya",
  "Yilmaz", "Smith", "Brown", "Silva", "Santos", "Costa", "Novak", "Kowalski", "Nagy", "Jansen", "Berg", "Papadopoulos",
  "Cohen", "Moreau", "Ferrari", "Esposito", "Weber", "Wagner", "Castro",
];
/** Tango hashtags, most used first (`tango` is the world's popular hashtag). */
const TAGS = [
  "tango", "milonga", "argentinetango", "tangolife", "vals", "practica", "abrazo", "cabeceo", "tangofestival",
  "encuentro", "marathon", "buenosaires", "dancelife", "tangoshoes", "orquesta", "pugliese", "dartagnan", "disarli",
  "troilo", "biagi", "canaro", "donato", "calo", "laurenz", "tanda", "cortina", "ochos", "giros", "sacadas",
  "colgadas", "tangonuevo", "milonguero", "salon", "tangovals", "tangodj", "livemusic", "workshop", "tangoclass",
  "tangotravel", "tangofriends",
];
const PHRASES = [
  "What a night at the milonga!", "Three tandas of Di Sarli and I am in heaven.", "Looking for a partner for the weekend workshop.",
  "New shoes, new floor, same old ochos.", "The orchestra tonight was unbelievable.", "Practica tomorrow, who is in?",
  "Best cabeceo of my life.", "Sunday afternoon milonga under the trees.", "Finally nailed that sacada.",
  "Who is going to the festival next month?", "Thank you to the DJ for that Pugliese tanda.", "My feet hurt but my heart is happy.",
  "Learning vals is harder than it looks.", "A marathon weekend, 30 hours of tango.", "Tango is a three minute love affair.",
  "First class as a teacher today!", "The floor at the new venue is perfect.", "Looking for recommendations in town.",
];
const COMMENTS = [
  "So true!", "See you there!", "Beautiful.", "Count me in.", "Which venue?", "Love this.", "Wish I was there!",
  "Great tanda.", "Thanks for sharing.", "Next time I will come too.", "Amazing orchestra.", "What a night.",
];
const MESSAGES = [
  "Are you going to the milonga tonight?", "Yes! See you at ten.", "Save me a tanda.", "Who is the DJ?",
  "The practica moved to Thursday.", "Can you share the address?", "Running late, sorry!", "That was so much fun.",
  "Do you need a ride?", "I found a great pair of shoes.", "Let us practise the new sequence.", "Happy birthday!",
  "Workshop registration is open.", "Thanks for the dance.", "Who else is coming to the festival?",
];
const EVENT_TYPES = ["milonga", "milonga", "milonga", "practica", "practica", "class", "class", "workshop", "festival", "marathon", "encuentro"];
const ACTIVITY_TYPES = ["message_sent", "post_liked", "event_attended_together", "group_joined_together", "memory_shared", "dance_together"];

/** Rows (or draws) each step is expected to write per dancer: the progress bar's weights. */
interface Plan {
  n: number;
  posts: number;
  standaloneEvents: number;
  series: number;
  occurrences: number;
  directRooms: number;
  groupRooms: number;
  homes: number;
  venues: number;
  schools: number;
  trips: number;
}

function planFor(n: number): Plan {
  return {
    n,
    posts: 10 * n,
    standaloneEvents: Math.max(10, Math.round(0.13 * n)),
    series: Math.max(2, Math.round(n / 400)),
    // 24 weeks past, 11 ahead: the series job has the rest of its 90-day window to write.
    occurrences: 35,
    directRooms: Math.max(10, Math.round(0.4 * n)),
    groupRooms: Math.max(5, Math.round(0.1 * n)),
    homes: Math.max(5, Math.round(0.02 * n)),
    venues: Math.max(5, Math.round(0.01 * n)),
    schools: Math.max(2, Math.round(0.003 * n)),
    trips: Math.max(10, Math.round(0.08 * n)),
  };
}

/** The special dancers chosen by id before generation (the rest are found in the data afterwards). */
export function viewerIds(n: number) {
  return { light: n - 1, celebrity: n - 2, medium: n - 3, heavy: n - 4, heavyClosed: n - 5 };
}
/** A dancer in many chat rooms: an organiser who runs many group chats. */
export const chatUserId = (n: number) => Math.min(7, n);

/**
 * The big tables: their secondary indexes and foreign keys are dropped before loading and made
 * again after it (one sort per index, one anti-join per key, instead of a b-tree insert and a
 * trigger per row: several times faster). Unique indexes stay, for ON CONFLICT.
 */
const BULK_TABLES = [
  "users", "follows", "friendships", "friend_requests", "friendship_activities", "posts", "post_hashtags", "post_likes",
  "post_comments", "comment_likes", "post_shares", "bookmarks", "notifications", "group_members", "events", "event_rsvps",
  "event_attendees", "chat_rooms", "chat_room_users", "chat_messages",
];

interface GenStep extends Step {
  run(g: Generator): Promise<void>;
  /** The tables it writes: analysed after it, so the later steps' statements (and lookups) are planned on statistics. */
  writes?: string[];
}

class Generator {
  constructor(
    readonly db: Db,
    readonly p: Plan,
    readonly progress: Progress,
    readonly passwordHash: string,
  ) {}

  /** The longest statement so far, and its step (Neon's HTTP endpoint would cut one at ~15 s). */
  slowest = { step: "", seconds: 0 };
  step = "";

  async exec(statement: string): Promise<void> {
    const started = performance.now();
    await this.db.execute(sql.raw(statement));
    const seconds = (performance.now() - started) / 1000;
    if (seconds > this.slowest.seconds) this.slowest = { step: this.step, seconds };
  }

  /** Runs `statement(from, to)` over 1..total in ranges of `size`, advancing the bar. */
  async chunks(total: number, size: number, statement: (from: number, to: number) => string): Promise<void> {
    for (let from = 1; from <= total; from += size) {
      await this.exec(statement(from, Math.min(total, from + size - 1)));
      this.progress.update(Math.min(total, from + size - 1) / total);
    }
  }

  /** Drops the secondary indexes and foreign keys of `tables`, keeping their definitions in bench_deferred. */
  async defer(tables: string[]): Promise<void> {
    const list = tables.map((t) => `'${t}'`).join(", ");
    await this.exec(`CREATE TABLE IF NOT EXISTS bench_deferred (seq serial, tbl text NOT NULL, kind text NOT NULL, name text NOT NULL, def text NOT NULL)`);
    await this.exec(`INSERT INTO bench_deferred (tbl, kind, name, def)
      SELECT c.relname, 'fk', k.conname, format('ALTER TABLE %I ADD CONSTRAINT %I %s', c.relname, k.conname, pg_get_constraintdef(k.oid))
      FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
      WHERE k.contype = 'f' AND c.relnamespace = 'public'::regnamespace AND c.relname IN (${list})`);
    await this.exec(`INSERT INTO bench_deferred (tbl, kind, name, def)
      SELECT i.tablename, 'index', i.indexname, i.indexdef FROM pg_indexes i JOIN pg_class x ON x.relname = i.indexname AND x.relnamespace = 'public'::regnamespace
      JOIN pg_index ix ON ix.indexrelid = x.oid
      WHERE i.schemaname = 'public' AND i.tablename IN (${list}) AND NOT ix.indisunique AND NOT ix.indisprimary
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.oid)`);
    await this.exec(`DO $$ DECLARE r record; BEGIN
      FOR r IN SELECT * FROM bench_deferred WHERE tbl IN (${list}) ORDER BY seq LOOP
        IF r.kind = 'fk' THEN EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', r.tbl, r.name);
        ELSE EXECUTE format('DROP INDEX %I', r.name); END IF;
      END LOOP; END $$`);
  }

  /** Makes again what `defer` dropped for `tables` (all when none given), one statement each. */
  async restore(tables?: string[]): Promise<void> {
    const where = tables ? `WHERE tbl IN (${tables.map((t) => `'${t}'`).join(", ")})` : "";
    const { rows } = await this.db.execute<{ seq: number; def: string }>(sql.raw(`SELECT seq, def FROM bench_deferred ${where} ORDER BY kind DESC, seq`));
    for (const [i, row] of rows.entries()) {
      // More sort memory than a session's default: each index is one sort of the whole table.
      await this.exec(`DO $$ BEGIN SET LOCAL maintenance_work_mem = '256MB'; EXECUTE ${quote(row.def)}; END $$`);
      await this.exec(`DELETE FROM bench_deferred WHERE seq = ${row.seq}`);
      if (!tables) this.progress.update((i + 1) / rows.length);
    }
  }

  async value(statement: string): Promise<number> {
    const { rows } = await this.db.execute<{ v: number | string | null }>(sql.raw(statement));
    return Number(rows[0]?.v ?? 0);
  }
}

/** A SQL string literal (dollar-quoted: definitions hold quotes). */
const quote = (text: string) => `$q$${text}$q$`;

/** Rows per chunk: about 100k-200k rows per statement at any scale. */
const per = (rowsPerId: number, target = 150_000) => Math.max(1, Math.floor(target / rowsPerId));

function citiesValues(n: number): string {
  // Zipf (exponent 1) sizes, rounded down; the remainder goes to the largest cities.
  const weights = CITIES.map((_, i) => 1 / (i + 1));
  const sum = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.floor((n * w) / sum));
  let rest = n - sizes.reduce((a, b) => a + b, 0);
  for (let i = 0; rest > 0; i = (i + 1) % sizes.length, rest--) sizes[i]! += 1;
  let first = 1;
  return CITIES.map((c, i) => {
    const row = `(${i + 1}, '${c.name.replace(/'/g, "''")}', '${c.country}', ${c.lat}, ${c.lng}, '${c.timezone}', ${first}, ${first + sizes[i]! - 1}, ${sizes[i]})`;
    first += sizes[i]!;
    return row;
  }).join(",\n");
}

/** The city block of dancer `id` (as `c`): JOIN bench_cities c ON ... */
const cityOf = (id: string) => `bench_cities c ON ${id} BETWEEN c.first_id AND c.last_id`;
/** A local dancer of city `c`, by a draw. */
const localDancer = (draw: string) => `(c.first_id + floor(c.size * ${draw}))::int`;
/** Coordinates near a city's centre (about 5 km). */
const near = (base: string, draw: string) => `round((${base} + (${draw} - 0.5) * 0.09)::numeric, 5)`;

function steps(p: Plan): GenStep[] {
  const n = p.n;
  const v = viewerIds(n);
  const viewerList = Object.values(v).join(", ");
  const events = p.standaloneEvents + p.series * p.occurrences;
  const rooms = p.directRooms + p.groupRooms;
  return [
    {
      name: "setup",
      writes: ["bench_cities"],
      weight: 100,
      async run(g) {
        await g.exec(`CREATE OR REPLACE FUNCTION bench_rand(i bigint, salt int) RETURNS float8
          LANGUAGE sql IMMUTABLE PARALLEL SAFE
          AS $$ SELECT ((hashint8extended(i, salt) & 9007199254740991)::float8 + 0.5) / 9007199254740992.0 $$`);
        await g.exec(`CREATE TABLE bench_cities (rank int PRIMARY KEY, name text NOT NULL, country text NOT NULL,
          lat float8 NOT NULL, lng float8 NOT NULL, tz text NOT NULL, first_id int NOT NULL, last_id int NOT NULL, size int NOT NULL)`);
        await g.exec(`INSERT INTO bench_cities VALUES ${citiesValues(n)}`);
        await g.exec(`CREATE INDEX ON bench_cities (name)`);
        await g.defer(BULK_TABLES);
      },
    },
    {
      name: "users",
      writes: ["users"],
      weight: n,
      async run(g) {
        await g.chunks(n, per(1, 25_000), (a, b) => `
          INSERT INTO users (id, email, username, password, name, first_name, last_name, bio, country, city, languages,
            tango_roles, leader_level, follower_level, years_of_dancing, started_dancing_year, is_verified,
            is_onboarding_complete, code_of_conduct_accepted, terms_accepted, created_at, updated_at, last_login_at)
          SELECT i, 'dancer' || i || '@bench.test', 'dancer' || i, '${g.passwordHash}', f.first || ' ' || f.last, f.first, f.last,
            'Tango dancer from ' || c.name || '.', c.country, c.name,
            CASE WHEN ${R("i", 3)} < 0.4 THEN ARRAY['es', 'en'] WHEN ${R("i", 3)} < 0.8 THEN ARRAY['en'] ELSE ARRAY['en', 'fr', 'de'] END,
            CASE WHEN ${R("i", 4)} < 0.42 THEN ARRAY['leader'] WHEN ${R("i", 4)} < 0.88 THEN ARRAY['follower'] ELSE ARRAY['both'] END,
            floor(${R("i", 5)} * 6)::int, floor(${R("i", 6)} * 6)::int, y.years, 2026 - y.years,
            ${R("i", 7)} < 0.05, true, true, true, y.created, y.created, now() - ${R("i", 8)} * interval '30 days'
          FROM generate_series(${a}, ${b}) i JOIN ${cityOf("i")}
          CROSS JOIN LATERAL (SELECT ${pick(FIRST_NAMES, R("i", 1), 1.6)} AS first, ${pick(LAST_NAMES, R("i", 2), 1.4)} AS last) f
          CROSS JOIN LATERAL (SELECT floor(${R("i", 9)} * 25)::int AS years,
            now() - interval '30 days' - ${R("i", 10)} * interval '1065 days' AS created) y`);
      },
    },
    {
      name: "city communities",
      writes: ["groups", "group_members"],
      weight: n,
      async run(g) {
        // As a profile city makes them (migration 0010, groups/city.statement.ts): one community per city, every dancer a member.
        await g.exec(`INSERT INTO groups (id, type, name, slug, city, country, city_key, member_count, created_at, updated_at)
          SELECT rank, 'city', name,
            coalesce(nullif(btrim(left(regexp_replace(lower(mt_unaccent(name)), '[^a-z0-9]+', '-', 'g'), 100), '-'), ''), 'group') || '-' || rank,
            name, country, lower(mt_unaccent(name)), size, now() - interval '3 years', now()
          FROM bench_cities WHERE size > 0`);
        await g.chunks(n, per(1), (a, b) => `INSERT INTO group_members (group_id, user_id, role, status, created_at)
          SELECT c.rank, u.id, 'member', 'active', u.created_at FROM users u JOIN ${cityOf("u.id")} WHERE u.id BETWEEN ${a} AND ${b}`);
      },
    },
    {
      name: "follows",
      writes: ["follows"],
      weight: 30 * n,
      async run(g) {
        // A Zipf law over ids (exponent 3.3: dancer 1 is drawn by about half of all dancers), a third local.
        await g.chunks(n, per(31), (a, b) => `INSERT INTO follows (follower_id, following_id, created_at)
          SELECT u, d.f, greatest(uu.created_at, now() - ${R("u::bigint * 128 + k", 13)} * interval '365 days')
          FROM generate_series(${a}, ${b}) u JOIN users uu ON uu.id = u JOIN ${cityOf("u")},
            LATERAL generate_series(1, 10 + floor(62 * power(${R("u", 12)}, 2))::int) k,
            LATERAL (SELECT CASE WHEN ${R("u::bigint * 128 + k", 14)} < 0.3 THEN ${localDancer(R("u::bigint * 128 + k", 15))}
              ELSE (1 + floor(${n} * power(${R("u::bigint * 128 + k", 11)}, 3.3)))::int END AS f) d
          WHERE d.f <> u ON CONFLICT DO NOTHING`);
      },
    },
    {
      name: "friendships",
      writes: ["friendships"],
      weight: 11 * n,
      async run(g) {
        // Both rows of a pair share their dates and closeness (drawn from the pair); three in four local.
        await g.chunks(n, per(11), (a, b) => `INSERT INTO friendships (user_id, friend_id, created_at, closeness_score, last_interaction_at, status)
          SELECT x.a, x.b, d.at, d.score, d.at + ${R("d.pair", 27)} * (now() - d.at), 'active'
          FROM generate_series(${a}, ${b}) u JOIN ${cityOf("u")},
            LATERAL generate_series(1, 5 + (${R("u", 24)} < 0.5)::int) k,
            LATERAL (SELECT CASE WHEN ${R("u::bigint * 8 + k", 21)} < 0.75 THEN ${localDancer(R("u::bigint * 8 + k", 22))}
              ELSE (1 + floor(${n} * power(${R("u::bigint * 8 + k", 23)}, 2)))::int END AS v) p,
            LATERAL (SELECT least(u, p.v)::bigint * 1000003 + greatest(u, p.v) AS pair) q,
            LATERAL (SELECT q.pair, now() - interval '1 day' - ${R("q.pair", 25)} * interval '700 days' AS at,
              (20 + floor(${R("q.pair", 26)} * 81))::int AS score) d,
            LATERAL (VALUES (u, p.v), (p.v, u)) x(a, b)
          WHERE p.v <> u ON CONFLICT DO NOTHING`);
      },
    },
    {
      name: "feed viewers",
      writes: ["follows", "friendships"],
      weight: 10_000,
      async run(g) {
        // The five follower classes of bench/feed.ts: their follows replaced by the class's, friends with ten of them (none for heavyClosed).
        const cap = (want: number) => Math.max(5, Math.min(want, Math.floor((n - 20) / 2)));
        const closedCap = (want: number) => Math.max(5, Math.min(want, Math.floor((n / 10) * 0.6)));
        const classes = [
          { id: v.light, want: cap(30), pool: "zipf" },
          { id: v.celebrity, want: cap(30) - 1, pool: "zipf" },
          { id: v.medium, want: cap(300), pool: "zipf" },
          { id: v.heavy, want: cap(3000), pool: "zipf" },
          { id: v.heavyClosed, want: closedCap(3000), pool: "closed" },
        ];
        await g.exec(`DELETE FROM follows WHERE follower_id IN (${viewerList})`);
        await g.exec(`DELETE FROM friendships WHERE user_id IN (${viewerList}) OR friend_id IN (${viewerList})`);
        for (const c of classes) {
          const draw =
            c.pool === "closed"
              ? `(floor(${Math.floor(n / 10) - 1} * power(${R(`${c.id}::bigint * 100000 + s`, 31)}, 2)))::int * 10 + 7`
              : `(11 + floor(${n - 20} * power(${R(`${c.id}::bigint * 100000 + s`, 31)}, 3)))::int`;
          await g.exec(`INSERT INTO follows (follower_id, following_id, created_at)
            SELECT ${c.id}, f, now() - ${R("f", 32)} * interval '300 days'
            FROM (SELECT DISTINCT ${draw} AS f FROM generate_series(1, ${c.want * 8}) s) d
            WHERE f <> ${c.id} AND f BETWEEN 8 AND ${n - 10} ORDER BY ${R(`f + ${c.id}`, 33)} LIMIT ${c.want}`);
          if (c.id === v.celebrity) await g.exec(`INSERT INTO follows (follower_id, following_id) VALUES (${c.id}, 1) ON CONFLICT DO NOTHING`);
          if (c.pool !== "closed") {
            await g.exec(`INSERT INTO friendships (user_id, friend_id, created_at)
              SELECT a, b, now() - interval '200 days' FROM (SELECT following_id FROM follows WHERE follower_id = ${c.id}
                ORDER BY ${R("following_id", 34)} LIMIT 10) f,
              LATERAL (VALUES (${c.id}, f.following_id), (f.following_id, ${c.id})) x(a, b) ON CONFLICT DO NOTHING`);
          }
        }
      },
    },
    {
      name: "friend requests",
      writes: ["friend_requests"],
      weight: 6 * n,
      async run(g) {
        // Every friendship was a request accepted; other requests pending, declined or withdrawn.
        await g.chunks(n, per(6), (a, b) => `INSERT INTO friend_requests (sender_id, receiver_id, message, status, created_at, responded_at)
          SELECT CASE WHEN ${R("f.id", 41)} < 0.5 THEN f.user_id ELSE f.friend_id END,
                 CASE WHEN ${R("f.id", 41)} < 0.5 THEN f.friend_id ELSE f.user_id END,
                 CASE WHEN ${R("f.id", 42)} < 0.3 THEN 'We danced at the milonga!' END, 'accepted',
                 f.created_at - ${R("f.id", 43)} * interval '3 days', f.created_at
          FROM friendships f WHERE f.user_id BETWEEN ${a} AND ${b} AND f.user_id < f.friend_id ON CONFLICT DO NOTHING`);
        await g.chunks(n, per(1), (a, b) => `INSERT INTO friend_requests (sender_id, receiver_id, message, status, created_at, responded_at)
          SELECT u, r.v, 'Hi! Shall we connect?', s.status, s.at, CASE WHEN s.status <> 'pending' THEN s.at + interval '1 day' END
          FROM generate_series(${a}, ${b}) u JOIN ${cityOf("u")},
            LATERAL (SELECT ${localDancer(R("u", 44))} AS v) r,
            LATERAL (SELECT CASE WHEN ${R("u", 45)} < 0.6 THEN 'pending' WHEN ${R("u", 45)} < 0.85 THEN 'rejected' ELSE 'cancelled' END AS status,
              now() - ${R("u", 46)} * interval '90 days' AS at) s
          WHERE ${R("u", 47)} < 0.6 AND r.v <> u AND u NOT IN (${viewerList}) AND r.v NOT IN (${viewerList})
            AND NOT EXISTS (SELECT 1 FROM friendships f WHERE f.user_id = u AND f.friend_id = r.v)
          ON CONFLICT DO NOTHING`);
        await g.exec(`INSERT INTO friend_requests (sender_id, receiver_id, status, created_at, responded_at)
          SELECT f.user_id, f.friend_id, 'accepted', f.created_at, f.created_at FROM friendships f
          WHERE f.user_id IN (${viewerList}) ON CONFLICT DO NOTHING`);
      },
    },
    {
      name: "friendship activities",
      writes: ["friendship_activities"],
      weight: 10 * n,
      async run(g) {
        const rows = await g.value(`SELECT max(id) AS v FROM friendships`);
        // On the acting dancer's row, as graph/activities.ts records them; about two per friendship.
        await g.chunks(rows, 150_000, (a, b) => `INSERT INTO friendship_activities (friendship_id, activity_type, metadata, created_at)
          SELECT f.id, ${pick(ACTIVITY_TYPES, R("f.id::bigint * 8 + k", 52))}, '{}',
            f.created_at + ${R("f.id::bigint * 8 + k", 53)} * (now() - f.created_at)
          FROM friendships f, LATERAL generate_series(1, floor(3.4 * power(${R("f.id", 51)}, 1.5))::int) k
          WHERE f.id BETWEEN ${a} AND ${b}`);
      },
    },
    {
      name: "posts",
      writes: ["posts", "post_hashtags", "notifications"],
      weight: p.posts,
      async run(g) {
        // Authors by a Zipf law over ids (dancer 1 posts ~750 times at 100k); one author in ten (id % 10 = 7)
        // posts 90% friends-only, others 10%; 3% to their city community. Hashtags and mentions as
        // posts.service.ts stores them (content's tags lower-cased and distinct, mentions as resolved usernames).
        await g.chunks(p.posts, 50_000, (a, b) => `INSERT INTO posts (id, user_id, content, plain_text, mentions, hashtags,
            visibility, group_id, created_at, updated_at)
          SELECT i, au.id, t.content, t.content, t.mentions, t.tags, vis.visibility, vis.group_id, t.at, t.at
          FROM generate_series(${a}, ${b}) i
          CROSS JOIN LATERAL (SELECT (1 + floor(${n} * power(${R("i", 61)}, 1.6)))::int AS author) x
          JOIN users au ON au.id = x.author JOIN bench_cities c ON c.name = au.city
          CROSS JOIN LATERAL (SELECT ${pick(TAGS, R("i", 62), 2.2)} AS t1, ${pick(TAGS, R("i", 63), 1.5)} AS t2,
            ${R("i", 64)} AS ntags, (1 + floor(${n} * power(${R("i", 65)}, 2)))::int AS mentioned, ${R("i", 66)} < 0.15 AS mentions,
            ${pick(FIRST_NAMES, R("i", 67), 1.6)} AS thanked, ${R("i", 68)} < 0.2 AS thanks) d
          CROSS JOIN LATERAL (SELECT
            ${pick(PHRASES, R("i", 69))}
              || CASE WHEN d.thanks THEN ' Thanks ' || d.thanked || '!' ELSE '' END
              || CASE WHEN d.ntags >= 0.3 THEN ' #' || d.t1 ELSE '' END
              || CASE WHEN d.ntags >= 0.7 THEN ' #' || d.t2 ELSE '' END
              || CASE WHEN d.mentions AND d.mentioned <> au.id THEN ' @dancer' || d.mentioned ELSE '' END AS content,
            CASE WHEN d.ntags < 0.3 THEN '{}'::text[] WHEN d.ntags < 0.7 OR d.t2 = d.t1 THEN ARRAY[d.t1] ELSE ARRAY[d.t1, d.t2] END AS tags,
            CASE WHEN d.mentions AND d.mentioned <> au.id THEN ARRAY['dancer' || d.mentioned] ELSE '{}'::text[] END AS mentions,
            now() - ${R("i", 70)} * least(interval '365 days', now() - au.created_at) AS at) t
          CROSS JOIN LATERAL (SELECT CASE
              WHEN au.id % 10 <> 7 AND ${R("i", 71)} < 0.03 THEN 'group'
              WHEN ${R("i", 72)} < CASE WHEN au.id % 10 = 7 THEN 0.9 ELSE 0.1 END THEN 'friends' ELSE 'public' END AS visibility) v0
          CROSS JOIN LATERAL (SELECT v0.visibility, CASE WHEN v0.visibility = 'group' THEN c.rank END AS group_id) vis`);
        await g.chunks(p.posts, 200_000, (a, b) => `INSERT INTO post_hashtags (post_id, tag, created_at)
          SELECT p.id, t.tag, p.created_at FROM posts p CROSS JOIN unnest(p.hashtags) AS t(tag) WHERE p.id BETWEEN ${a} AND ${b}`);
        // The mention notification posts.service.ts sends each mentioned dancer.
        await g.chunks(p.posts, 200_000, (a, b) => `INSERT INTO notifications (user_id, type, actor_id, subject_type, subject_id, data, group_key, created_at, updated_at, is_read)
          SELECT substr(p.mentions[1], 7)::int, 'mention', p.user_id, 'post', p.id, '{}'::jsonb, 'mention:post:' || p.id, p.created_at, p.created_at,
            p.created_at < now() - interval '7 days'
          FROM posts p WHERE p.id BETWEEN ${a} AND ${b} AND cardinality(p.mentions) > 0`);
      },
    },
    {
      name: "likes",
      writes: ["post_likes", "bench_followers"],
      weight: 30 * n,
      async run(g) {
        await g.exec(`CREATE TABLE bench_followers AS SELECT following_id AS user_id, count(*)::int AS followers FROM follows GROUP BY following_id`);
        await g.exec(`ALTER TABLE bench_followers ADD PRIMARY KEY (user_id)`);
        // Likes per post in proportion to the author's followers (an exponential draw around 2.5 + followers/150),
        // by dancers who may see it: anyone for a public post, friends for friends-only, the city for a community post.
        const likes = (a: number, b: number, visibility: string, liker: string, extraJoin = "") => `INSERT INTO post_likes (post_id, user_id, created_at)
          SELECT p.id, l.liker, p.created_at + ${R("p.id::bigint * 4096 + k", 82)} * least(interval '3 days', now() - p.created_at)
          FROM posts p LEFT JOIN bench_followers bf ON bf.user_id = p.user_id ${extraJoin},
            LATERAL generate_series(1, least(${n - 1}, floor(-ln(${R("p.id", 81)}) * (2.5 + coalesce(bf.followers, 0) / 150.0)))::int) k,
            LATERAL (SELECT ${liker} AS liker) l
          WHERE p.id BETWEEN ${a} AND ${b} AND p.visibility = '${visibility}' AND l.liker IS NOT NULL AND l.liker <> p.user_id
          ON CONFLICT DO NOTHING`;
        await g.chunks(p.posts, 50_000, (a, b) => likes(a, b, "public", `(1 + floor(${n} * ${R("p.id::bigint * 4096 + k", 83)}))::int`));
        await g.chunks(p.posts, 100_000, (a, b) =>
          likes(a, b, "friends", `(SELECT f.friend_id FROM friendships f WHERE f.user_id = p.user_id ORDER BY f.id
            OFFSET floor(${R("p.id::bigint * 4096 + k", 84)} * 10) LIMIT 1)`),
        );
        await g.chunks(p.posts, 100_000, (a, b) => likes(a, b, "group", localDancer(R("p.id::bigint * 4096 + k", 85)), `JOIN ${cityOf("p.user_id")}`));
      },
    },
    {
      name: "comments",
      writes: ["post_comments", "comment_likes"],
      weight: 10 * n,
      async run(g) {
        const comments = (a: number, b: number, visibility: string, commenter: string, extraJoin = "") => `INSERT INTO post_comments (post_id, user_id, content, created_at, updated_at)
          SELECT p.id, l.commenter, ${pick(COMMENTS, R("p.id::bigint * 4096 + k", 92))}, t.at, t.at
          FROM posts p LEFT JOIN bench_followers bf ON bf.user_id = p.user_id ${extraJoin},
            LATERAL generate_series(1, least(2000, floor(-ln(${R("p.id", 91)}) * (1.2 + coalesce(bf.followers, 0) / 800.0)))::int) k,
            LATERAL (SELECT ${commenter} AS commenter,
              p.created_at + ${R("p.id::bigint * 4096 + k", 93)} * least(interval '5 days', now() - p.created_at) AS at) l
          CROSS JOIN LATERAL (SELECT l.at) t
          WHERE p.id BETWEEN ${a} AND ${b} AND p.visibility = '${visibility}' AND l.commenter IS NOT NULL`;
        await g.chunks(p.posts, 100_000, (a, b) => comments(a, b, "public", `(1 + floor(${n} * ${R("p.id::bigint * 4096 + k", 94)}))::int`));
        await g.chunks(p.posts, 100_000, (a, b) =>
          comments(a, b, "friends", `(SELECT f.friend_id FROM friendships f WHERE f.user_id = p.user_id ORDER BY f.id
            OFFSET floor(${R("p.id::bigint * 4096 + k", 95)} * 10) LIMIT 1)`),
        );
        await g.chunks(p.posts, 100_000, (a, b) => comments(a, b, "group", localDancer(R("p.id::bigint * 4096 + k", 96)), `JOIN ${cityOf("p.user_id")}`));
        // Replies and counters below look comments up by post.
        await g.restore(["post_comments"]);
        const rows = await g.value(`SELECT max(id) AS v FROM post_comments`);
        // One comment in five answers the post's first comment.
        await g.chunks(rows, 200_000, (a, b) => `UPDATE post_comments c SET parent_id = f.id
          FROM (SELECT DISTINCT ON (post_id) post_id, id FROM post_comments WHERE post_id IN
                  (SELECT post_id FROM post_comments WHERE id BETWEEN ${a} AND ${b}) ORDER BY post_id, id) f
          WHERE c.id BETWEEN ${a} AND ${b} AND c.post_id = f.post_id AND c.id <> f.id AND ${R("c.id", 97)} < 0.2`);
        await g.chunks(rows, 200_000, (a, b) => `INSERT INTO comment_likes (comment_id, user_id, created_at)
          SELECT c.id, (1 + floor(${n} * ${R("c.id::bigint * 8 + k", 99)}))::int, c.created_at + interval '1 hour'
          FROM post_comments c, LATERAL generate_series(1, floor(-ln(${R("c.id", 98)}) * 0.3)::int) k
          WHERE c.id BETWEEN ${a} AND ${b} ON CONFLICT DO NOTHING`);
      },
    },
    {
      name: "shares and bookmarks",
      writes: ["post_shares", "bookmarks"],
      weight: 2 * n,
      async run(g) {
        // About one share per dancer, of a public post (more often a popular author's), and half a bookmark.
        await g.chunks(n, per(2), (a, b) => `INSERT INTO post_shares (post_id, user_id, comment, created_at)
          SELECT p.id, u, CASE WHEN ${R("u::bigint * 4 + k", 102)} < 0.4 THEN 'Worth a look' END,
            p.created_at + ${R("u::bigint * 4 + k", 103)} * least(interval '2 days', now() - p.created_at)
          FROM generate_series(${a}, ${b}) u CROSS JOIN generate_series(1, 2) k
          JOIN posts p ON p.id = (1 + floor(${p.posts} * ${R("u::bigint * 4 + k", 101)}))::int
          WHERE p.visibility = 'public' AND p.user_id <> u AND ${R("u::bigint * 4 + k", 104)} < 0.55 ON CONFLICT DO NOTHING`);
        await g.chunks(n, per(1), (a, b) => `INSERT INTO bookmarks (user_id, post_id, created_at)
          SELECT u, p.id, p.created_at + interval '1 day'
          FROM generate_series(${a}, ${b}) u JOIN posts p ON p.id = (1 + floor(${p.posts} * ${R("u", 105)}))::int
          WHERE p.visibility = 'public' AND ${R("u", 106)} < 0.5 ON CONFLICT DO NOTHING`);
      },
    },
    {
      name: "post counters",
      writes: ["posts", "post_comments"],
      weight: 3 * n,
      async run(g) {
        await g.chunks(p.posts, 100_000, (a, b) => `UPDATE posts p SET
            likes = (SELECT count(*) FROM post_likes l WHERE l.post_id = p.id),
            comments = (SELECT count(*) FROM post_comments c WHERE c.post_id = p.id),
            shares = (SELECT count(*) FROM post_shares s WHERE s.post_id = p.id)
          WHERE p.id BETWEEN ${a} AND ${b}`);
        const rows = await g.value(`SELECT max(id) AS v FROM post_comments`);
        await g.chunks(rows, 300_000, (a, b) => `UPDATE post_comments c SET likes = l.n
          FROM (SELECT comment_id, count(*)::int AS n FROM comment_likes WHERE comment_id BETWEEN ${a} AND ${b} GROUP BY comment_id) l
          WHERE c.id = l.comment_id`);
      },
    },
    {
      name: "venues and schools",
      writes: ["venues", "venue_reviews", "schools"],
      weight: Math.round(0.05 * n),
      async run(g) {
        // In the city of a dancer drawn at random: as many per city as its dancers say.
        await g.exec(`INSERT INTO venues (id, created_by, name, description, address, city, country, latitude, longitude, floor, capacity,
            regular_nights, created_at, updated_at)
          SELECT i, o.id, ${pick(["Salon", "Club", "Confiteria", "Casa", "Espacio", "Studio"], R("i", 111))} || ' ' || ${pick(LAST_NAMES, R("i", 112))},
            'A tango venue in ' || c.name || '.', (1 + floor(${R("i", 113)} * 900))::int || ' Tango Street', c.name, c.country,
            ${near("c.lat", R("i", 114))}, ${near("c.lng", R("i", 115))}, ${pick(["wood", "parquet", "marble", "tile", "other"], R("i", 116))},
            (40 + floor(${R("i", 117)} * 400))::int,
            jsonb_build_array(jsonb_build_object('weekday', floor(${R("i", 118)} * 7)::int, 'start', '21:00', 'end', '02:00', 'kind', 'milonga')),
            now() - interval '2 years', now() - interval '1 year'
          FROM generate_series(1, ${p.venues}) i JOIN users o ON o.id = (1 + floor(${n} * ${R("i", 110)}))::int
          JOIN bench_cities c ON c.name = o.city`);
        await g.exec(`INSERT INTO venue_reviews (venue_id, user_id, rating, comment, created_at, updated_at)
          SELECT v.id, ${localDancer(R("v.id::bigint * 16 + k", 121))}, (3 + floor(${R("v.id::bigint * 16 + k", 122)} * 3))::int, 'Lovely floor.',
            now() - ${R("v.id::bigint * 16 + k", 123)} * interval '300 days', now() - interval '1 day'
          FROM venues v JOIN bench_cities c ON c.name = v.city, generate_series(1, 6) k
          WHERE ${R("v.id::bigint * 16 + k", 124)} < 0.5 ON CONFLICT DO NOTHING`);
        await g.exec(`UPDATE venues v SET review_count = r.n, rating_sum = r.s
          FROM (SELECT venue_id, count(*)::int AS n, sum(rating)::int AS s FROM venue_reviews GROUP BY venue_id) r WHERE r.venue_id = v.id`);
        await g.exec(`INSERT INTO schools (owner_id, name, description, city, country, latitude, longitude, styles, created_at, updated_at)
          SELECT o.id, 'Escuela de Tango ' || o.last_name, 'Classes for every level in ' || c.name || '.', c.name, c.country,
            ${near("c.lat", R("i", 126))}, ${near("c.lng", R("i", 127))}, ARRAY['salon', 'milonguero'], now() - interval '1 year', now()
          FROM generate_series(1, ${p.schools}) i JOIN users o ON o.id = (1 + floor(${n} * ${R("i", 125)}))::int
          JOIN bench_cities c ON c.name = o.city`);
      },
    },
    {
      name: "events",
      writes: ["events", "event_series"],
      weight: events,
      async run(g) {
        const type = pick(EVENT_TYPES, R("i", 131));
        // One-off events over the past year and the next three months, 21:00 local time in the organiser's city.
        await g.exec(`INSERT INTO events (id, user_id, title, description, event_type, start_date, end_date, location, venue, address,
            city, country, latitude, longitude, is_paid, price, currency, max_attendees, max_leaders, max_followers, status, tags,
            timezone, cancelled_at, created_at, updated_at)
          SELECT i, o.id, initcap(t.type) || ' ' || ${pick(["de los Martes", "del Sur", "La Viruta", "Porteña", "del Barrio", "Bajo las Estrellas", "Sunset", "Nocturna"], R("i", 132))},
            'Tango in ' || c.name || ': ' || t.type || ' with a live orchestra.', t.type, s.start, s.start + t.length,
            'Salon ' || ${pick(LAST_NAMES, R("i", 133))} || ', ' || c.name, 'Salon ' || ${pick(LAST_NAMES, R("i", 133))},
            (1 + floor(${R("i", 134)} * 900))::int || ' Tango Street', c.name, c.country,
            ${near("c.lat", R("i", 135))}::text, ${near("c.lng", R("i", 136))}::text,
            ${R("i", 137)} < 0.6, CASE WHEN ${R("i", 137)} < 0.6 THEN (5 + floor(${R("i", 138)} * 20))::int::text END,
            CASE WHEN ${R("i", 137)} < 0.6 THEN 'EUR' END,
            cap.max, CASE WHEN cap.paired THEN cap.max / 2 END, CASE WHEN cap.paired THEN cap.max - cap.max / 2 END,
            st.status, ARRAY[t.type, lower(c.country)], c.tz, CASE WHEN st.status = 'cancelled' THEN s.start - interval '2 days' END,
            least(now(), s.start - ${R("i", 139)} * interval '60 days'), least(now(), s.start - interval '1 day')
          FROM generate_series(1, ${p.standaloneEvents}) i JOIN users o ON o.id = (1 + floor(${n} * ${R("i", 130)}))::int
          JOIN bench_cities c ON c.name = o.city
          CROSS JOIN LATERAL (SELECT ${type} AS type,
            CASE WHEN ${type} IN ('festival', 'marathon', 'encuentro') THEN interval '2 days 6 hours' ELSE interval '4 hours' END AS length) t
          CROSS JOIN LATERAL (SELECT ((current_date - 365 + floor(${R("i", 140)} * 456)::int + time '21:00') AT TIME ZONE c.tz) AT TIME ZONE 'UTC' AS start) s
          CROSS JOIN LATERAL (SELECT CASE WHEN ${R("i", 141)} < 0.3 THEN (40 + floor(${R("i", 142)} * 200))::int END AS max, ${R("i", 143)} < 0.5 AS paired) cap
          CROSS JOIN LATERAL (SELECT CASE WHEN ${R("i", 144)} < 0.03 THEN 'cancelled' WHEN ${R("i", 144)} < 0.04 THEN 'draft' ELSE 'published' END AS status) st`);
        // Weekly series (a milonga or practica each week), materialised 24 weeks back and 11 ahead.
        await g.exec(`INSERT INTO event_series (id, user_id, title, description, event_type, location, venue, address, city, country,
            latitude, longitude, tags, status, timezone, frequency, "interval", weekday, start_time, duration_minutes, starts_on,
            materialized_until, created_at, updated_at)
          SELECT i, o.id, 'Weekly ' || t.type || ' ' || ${pick(LAST_NAMES, R("i", 152))}, 'Every week in ' || c.name || '.', t.type,
            'Club ' || ${pick(LAST_NAMES, R("i", 152))} || ', ' || c.name, 'Club ' || ${pick(LAST_NAMES, R("i", 152))},
            (1 + floor(${R("i", 153)} * 900))::int || ' Milonga Avenue', c.name, c.country,
            ${near("c.lat", R("i", 154))}::text, ${near("c.lng", R("i", 155))}::text, ARRAY[t.type], 'published', c.tz, 'weekly', 1,
            extract(dow FROM d.starts_on)::int, '21:00', 240, d.starts_on, d.starts_on + ${7 * (p.occurrences - 1)},
            d.starts_on - 7, now() - interval '1 day'
          FROM generate_series(1, ${p.series}) i JOIN users o ON o.id = (1 + floor(${n} * ${R("i", 150)}))::int
          JOIN bench_cities c ON c.name = o.city
          CROSS JOIN LATERAL (SELECT CASE WHEN ${R("i", 151)} < 0.7 THEN 'milonga' ELSE 'practica' END AS type) t
          CROSS JOIN LATERAL (SELECT current_date - 168 - (i % 7) AS starts_on) d`);
        await g.exec(`INSERT INTO events (id, user_id, title, description, event_type, start_date, end_date, location, venue, address,
            city, country, latitude, longitude, tags, status, timezone, series_id, occurrence_on, created_at, updated_at)
          SELECT ${p.standaloneEvents} + (s.id - 1) * ${p.occurrences} + j + 1, s.user_id, s.title, s.description, s.event_type,
            st.start, st.start + interval '4 hours', s.location, s.venue, s.address, s.city, s.country, s.latitude, s.longitude,
            s.tags, 'published', s.timezone, s.id, o.on_day, s.created_at, s.created_at
          FROM event_series s, generate_series(0, ${p.occurrences - 1}) j
          CROSS JOIN LATERAL (SELECT s.starts_on + 7 * j AS on_day) o
          CROSS JOIN LATERAL (SELECT ((o.on_day + time '21:00') AT TIME ZONE s.timezone) AT TIME ZONE 'UTC' AS start) st`);
      },
    },
    {
      name: "RSVPs",
      writes: ["event_rsvps", "events", "event_attendees", "event_reviews"],
      weight: 25 * events,
      async run(g) {
        // Per event a heavy-tailed count (mean ~25, the largest thousands at 100k), four in five local.
        // Then, as rsvps.statement.ts keeps them: going past a capacity (or a role's) waits in line, counters from the rows.
        await g.chunks(events, per(25), (a, b) => `INSERT INTO event_rsvps (event_id, user_id, status, role, created_at, updated_at)
          SELECT e.id, r.u, s.status, CASE WHEN s.status = 'going' THEN CASE WHEN ${R("e.id::bigint * 8192 + k", 163)} < 0.5 THEN 'leader' ELSE 'follower' END END,
            s.at, s.at
          FROM events e JOIN bench_cities c ON c.name = e.city,
            LATERAL generate_series(1, least(${Math.max(50, Math.floor(n / 30))}, floor(13 * power(${R("e.id", 160)}, -0.6)))::int) k,
            LATERAL (SELECT CASE WHEN ${R("e.id::bigint * 8192 + k", 161)} < 0.8 THEN ${localDancer(R("e.id::bigint * 8192 + k", 162))}
              ELSE (1 + floor(${n} * ${R("e.id::bigint * 8192 + k", 164)}))::int END AS u) r,
            LATERAL (SELECT CASE WHEN ${R("e.id::bigint * 8192 + k", 165)} < CASE WHEN e.start_date < now() THEN 0.7 ELSE 0.55 END THEN 'going'
                WHEN ${R("e.id::bigint * 8192 + k", 165)} < 0.9 THEN 'interested' ELSE 'not_going' END AS status,
              least(now(), e.created_at + ${R("e.id::bigint * 8192 + k", 166)} * (e.start_date - e.created_at)) AS at) s
          WHERE e.id BETWEEN ${a} AND ${b} AND e.status = 'published' AND r.u <> e.user_id ON CONFLICT DO NOTHING`);
        await g.chunks(events, per(25), (a, b) => `UPDATE event_rsvps r SET status = 'waitlisted', queued_at = r.created_at
          FROM (SELECT r.id, e.max_attendees, e.max_leaders, e.max_followers,
                  row_number() OVER (PARTITION BY r.event_id ORDER BY r.created_at, r.id) AS nth,
                  row_number() OVER (PARTITION BY r.event_id, r.role ORDER BY r.created_at, r.id) AS nth_role, r.role
                FROM event_rsvps r JOIN events e ON e.id = r.event_id
                WHERE r.event_id BETWEEN ${a} AND ${b} AND r.status = 'going' AND e.max_attendees IS NOT NULL) x
          WHERE r.id = x.id AND (x.nth > x.max_attendees OR (x.role = 'leader' AND x.nth_role > x.max_leaders)
            OR (x.role = 'follower' AND x.nth_role > x.max_followers))`);
        await g.chunks(events, per(25), (a, b) => `UPDATE events e SET going_count = c.going, leaders_going = c.leaders,
            followers_going = c.followers, interested_count = c.interested, waitlist_count = c.waitlisted
          FROM (SELECT event_id, count(*) FILTER (WHERE status = 'going')::int AS going,
                  count(*) FILTER (WHERE status = 'going' AND role = 'leader')::int AS leaders,
                  count(*) FILTER (WHERE status = 'going' AND role = 'follower')::int AS followers,
                  count(*) FILTER (WHERE status = 'interested')::int AS interested,
                  count(*) FILTER (WHERE status = 'waitlisted')::int AS waitlisted
                FROM event_rsvps WHERE event_id BETWEEN ${a} AND ${b} GROUP BY event_id) c
          WHERE e.id = c.event_id`);
        // Check-ins at past events (most who went), and reviews from some of them.
        await g.chunks(events, per(20), (a, b) => `INSERT INTO event_attendees (event_id, user_id, method, checked_in_at)
          SELECT r.event_id, r.user_id, 'user', e.start_date + ${R("r.id", 171)} * interval '2 hours'
          FROM event_rsvps r JOIN events e ON e.id = r.event_id
          WHERE r.event_id BETWEEN ${a} AND ${b} AND r.status = 'going' AND e.start_date < now() - interval '1 day' AND ${R("r.id", 170)} < 0.6`);
        await g.chunks(events, per(20), (a, b) => `INSERT INTO event_reviews (event_id, user_id, rating, text, created_at, updated_at)
          SELECT a.event_id, a.user_id, (3 + floor(${R("a.user_id::bigint * 100003 + a.event_id", 173)} * 3))::int, 'Wonderful night.',
            a.checked_in_at + interval '1 day', a.checked_in_at + interval '1 day'
          FROM event_attendees a WHERE a.event_id BETWEEN ${a} AND ${b} AND ${R("a.user_id::bigint * 100003 + a.event_id", 172)} < 0.1`);
      },
    },
    {
      name: "chat rooms",
      writes: ["bench_rooms", "chat_rooms", "chat_room_users"],
      weight: 3 * rooms,
      async run(g) {
        // Direct rooms of friends (key 'min:max' as rooms.service.ts makes it), group rooms of a city's dancers
        // (members: the creator's id block by a stride), the first of them run by the chat user.
        const pairs = await g.value(`SELECT count(*) AS v FROM friendships WHERE user_id < friend_id`);
        const share = Math.min(1, p.directRooms / Math.max(1, pairs));
        await g.exec(`CREATE TABLE bench_rooms (id int PRIMARY KEY, kind text NOT NULL, a int NOT NULL, b int, m int NOT NULL,
          stride int NOT NULL, msgs int NOT NULL, created timestamp NOT NULL)`);
        await g.exec(`INSERT INTO bench_rooms (id, kind, a, b, m, stride, msgs, created)
          SELECT row_number() OVER (ORDER BY f.id), 'direct', f.user_id, f.friend_id, 2, 1, 0, f.created_at
          FROM friendships f WHERE f.user_id < f.friend_id AND ${R("f.id", 180)} < ${share}
            AND f.user_id NOT IN (${viewerList}) AND f.friend_id NOT IN (${viewerList})`);
        const direct = await g.value(`SELECT count(*) AS v FROM bench_rooms`);
        const chatUser = chatUserId(n);
        const run = Math.min(200, Math.floor(p.groupRooms / 2));
        await g.exec(`INSERT INTO bench_rooms (id, kind, a, b, m, stride, msgs, created)
          SELECT ${direct} + i, 'group', CASE WHEN i <= ${run} THEN ${chatUser} ELSE (1 + floor(${n} * ${R("i", 181)}))::int END, NULL,
            (3 + floor(37 * power(${R("i", 182)}, 2)))::int, CASE WHEN i <= ${run} THEN i ELSE 1 + i % 7 END, 0,
            now() - interval '1 day' - ${R("i", 183)} * interval '360 days'
          FROM generate_series(1, ${p.groupRooms}) i`);
        // Messages per room: heavy-tailed, mean ~20, the largest ~10k at 100k.
        await g.exec(`UPDATE bench_rooms SET msgs = least(${Math.max(100, Math.floor(n / 10))}, floor(7 * power(${R("id", 184)}, -0.7)))::int`);
        const rows = direct + p.groupRooms;
        const member = `CASE WHEN r.kind = 'direct' THEN CASE WHEN j = 0 THEN r.a ELSE r.b END ELSE 1 + ((r.a - 1 + j * r.stride) % ${n}) END`;
        await g.chunks(rows, 50_000, (a, b) => `INSERT INTO chat_rooms (id, type, name, direct_key, created_by, member_count, created_at, updated_at)
          SELECT r.id, r.kind, CASE WHEN r.kind = 'group' THEN ${pick(["Milonga crew", "Practica buddies", "Festival carpool", "Tango friends", "Class of Tuesday"], R("r.id", 185))} || ' ' || r.id END,
            CASE WHEN r.kind = 'direct' THEN least(r.a, r.b) || ':' || greatest(r.a, r.b) END, r.a, r.m, r.created, r.created
          FROM bench_rooms r WHERE r.id BETWEEN ${a} AND ${b}`);
        await g.chunks(rows, per(15), (a, b) => `INSERT INTO chat_room_users (chat_room_id, user_id, role, joined_at)
          SELECT r.id, ${member}, CASE WHEN r.kind = 'group' AND j = 0 THEN 'admin' ELSE 'member' END, r.created
          FROM bench_rooms r, generate_series(0, r.m - 1) j WHERE r.id BETWEEN ${a} AND ${b} ON CONFLICT DO NOTHING`);
        await g.exec(`UPDATE chat_rooms r SET member_count = c.n FROM (SELECT chat_room_id, count(*)::int AS n FROM chat_room_users GROUP BY chat_room_id) c
          WHERE c.chat_room_id = r.id AND r.member_count <> c.n`);
      },
    },
    {
      name: "chat messages",
      writes: ["chat_messages", "chat_rooms", "chat_room_users"],
      weight: 20 * rooms,
      async run(g) {
        const rows = await g.value(`SELECT max(id) AS v FROM bench_rooms`);
        // Numbered per room in time order over the room's life; a member sends each.
        const sender = `CASE WHEN r.kind = 'direct' THEN CASE WHEN ${R("r.id::bigint * 65536 + s", 191)} < 0.5 THEN r.a ELSE r.b END
          ELSE 1 + ((r.a - 1 + floor(${R("r.id::bigint * 65536 + s", 191)} * r.m)::int * r.stride) % ${n}) END`;
        await g.chunks(rows, per(20, 100_000), (a, b) => `INSERT INTO chat_messages (chat_room_id, user_id, message, room_seq, created_at)
          SELECT r.id, ${sender}, ${pick(MESSAGES, R("r.id::bigint * 65536 + s", 192))}, s,
            r.created + (s::float8 / (r.msgs + 1)) * (now() - r.created)
          FROM bench_rooms r, generate_series(1, r.msgs) s WHERE r.id BETWEEN ${a} AND ${b}`);
        // The room's last message, and each member's receipts: delivered all, most read all, some a few behind.
        await g.chunks(rows, 20_000, (a, b) => `UPDATE chat_rooms c SET last_message_seq = m.room_seq, last_message_preview = left(m.message, 140),
            last_message_user_id = m.user_id, last_message_at = m.created_at, updated_at = m.created_at
          FROM chat_messages m JOIN bench_rooms r ON r.id = m.chat_room_id AND m.room_seq = r.msgs
          WHERE c.id = m.chat_room_id AND c.id BETWEEN ${a} AND ${b}`);
        await g.chunks(rows, 20_000, (a, b) => `UPDATE chat_room_users u SET last_delivered_seq = r.msgs,
            last_read_seq = greatest(0, r.msgs - CASE WHEN ${R("u.id", 194)} < 0.6 THEN 0 ELSE floor(${R("u.id", 195)} * least(r.msgs, 30))::int END),
            last_read_at = now() - ${R("u.id", 196)} * interval '3 days'
          FROM bench_rooms r WHERE r.id = u.chat_room_id AND u.chat_room_id BETWEEN ${a} AND ${b}`);
      },
    },
    {
      name: "housing",
      writes: ["host_homes", "host_home_photos", "guest_bookings", "housing_reviews", "host_home_blocked_dates"],
      weight: 8 * p.homes,
      async run(g) {
        // Listings in the host's city; stays a month apart per home (none overlap, as guest_bookings_no_overlap demands):
        // past ones completed (some cancelled or declined), upcoming ones approved or pending; reviews of completed stays.
        await g.exec(`INSERT INTO host_homes (id, user_id, title, description, address, city, country, latitude, longitude, amenities,
            max_guests, price_per_night, currency, house_rules, booking_policy, status, created_at, updated_at)
          SELECT i, o.id, ${pick(["Cozy room", "Bright studio", "Spare bedroom", "Apartment", "Loft"], R("i", 201))} || ' near the milongas of ' || c.name,
            'A quiet place for dancers visiting ' || c.name || '.', (1 + floor(${R("i", 202)} * 900))::int || ' Abrazo Street', c.name, c.country,
            ${near("c.lat", R("i", 203))}, ${near("c.lng", R("i", 204))}, ARRAY['wifi', 'kitchen'], (1 + floor(${R("i", 205)} * 4))::int,
            (20 + floor(${R("i", 206)} * 100))::int, 'EUR', 'No shoes on the bed. Quiet after midnight.',
            CASE WHEN ${R("i", 207)} < 0.7 THEN 'anyone' WHEN ${R("i", 207)} < 0.9 THEN 'friends' ELSE 'friends_of_friends' END,
            CASE WHEN ${R("i", 208)} < 0.92 THEN 'active' ELSE 'paused' END, now() - interval '400 days', now() - interval '30 days'
          FROM generate_series(1, ${p.homes}) i JOIN users o ON o.id = (1 + floor(${n} * ${R("i", 200)}))::int
          JOIN bench_cities c ON c.name = o.city`);
        await g.exec(`INSERT INTO host_home_photos (home_id, url, caption, position)
          SELECT h.id, 'https://images.bench.test/homes/' || h.id || '/' || k || '.jpg', NULL, k FROM host_homes h, generate_series(0, 2) k`);
        await g.exec(`INSERT INTO guest_bookings (home_id, guest_id, check_in, check_out, guests, message, rules_accepted_at, house_rules,
            nights, price_per_night, total_price, currency, status, responded_at, cancelled_at, completed_at, created_at, updated_at)
          SELECT h.id, s.guest, s.check_in, s.check_in + s.nights, 1, 'Coming for the festival!', s.created, h.house_rules, s.nights,
            h.price_per_night, h.price_per_night * s.nights, h.currency, st.status,
            CASE WHEN st.status <> 'pending' THEN s.created + interval '1 day' END,
            CASE WHEN st.status = 'cancelled' THEN s.created + interval '2 days' END,
            CASE WHEN st.status = 'completed' THEN (s.check_in + s.nights)::timestamp END, s.created, s.created
          FROM host_homes h, generate_series(0, 6) j
          CROSS JOIN LATERAL (SELECT current_date - 300 + j * 45 + floor(${R("h.id::bigint * 8 + j", 211)} * 10)::int AS check_in,
            (2 + floor(${R("h.id::bigint * 8 + j", 212)} * 7))::int AS nights,
            (1 + floor(${n} * ${R("h.id::bigint * 8 + j", 213)}))::int AS guest) s0
          CROSS JOIN LATERAL (SELECT s0.*, least(now(), s0.check_in - ${R("h.id::bigint * 8 + j", 214)} * interval '60 days') AS created) s
          CROSS JOIN LATERAL (SELECT CASE WHEN s.check_in + s.nights <= current_date
              THEN CASE WHEN ${R("h.id::bigint * 8 + j", 215)} < 0.85 THEN 'completed' WHEN ${R("h.id::bigint * 8 + j", 215)} < 0.93 THEN 'cancelled' ELSE 'rejected' END
              ELSE CASE WHEN ${R("h.id::bigint * 8 + j", 215)} < 0.6 THEN 'approved' WHEN ${R("h.id::bigint * 8 + j", 215)} < 0.9 THEN 'pending' ELSE 'rejected' END END AS status) st
          WHERE ${R("h.id::bigint * 8 + j", 216)} < 0.5 AND s.guest <> h.user_id`);
        await g.exec(`INSERT INTO housing_reviews (booking_id, home_id, reviewer_id, reviewee_id, direction, rating, comment, created_at, updated_at)
          SELECT b.id, b.home_id, b.guest_id, h.user_id, 'guest_to_home', (3 + floor(${R("b.id", 221)} * 3))::int, 'A perfect base for dancing.',
            b.check_out + interval '1 day', b.check_out + interval '1 day'
          FROM guest_bookings b JOIN host_homes h ON h.id = b.home_id WHERE b.status = 'completed' AND ${R("b.id", 220)} < 0.7`);
        await g.exec(`INSERT INTO housing_reviews (booking_id, home_id, reviewer_id, reviewee_id, direction, rating, comment, created_at, updated_at)
          SELECT b.id, b.home_id, h.user_id, b.guest_id, 'host_to_guest', (4 + floor(${R("b.id", 223)} * 2))::int, 'A lovely guest.',
            b.check_out + interval '2 days', b.check_out + interval '2 days'
          FROM guest_bookings b JOIN host_homes h ON h.id = b.home_id WHERE b.status = 'completed' AND ${R("b.id", 222)} < 0.5`);
        await g.exec(`UPDATE host_homes h SET review_count = r.n, rating_sum = r.s
          FROM (SELECT home_id, count(*)::int AS n, sum(rating)::int AS s FROM housing_reviews WHERE direction = 'guest_to_home' GROUP BY home_id) r
          WHERE r.home_id = h.id`);
        await g.exec(`INSERT INTO host_home_blocked_dates (home_id, starts_on, ends_on, reason)
          SELECT h.id, current_date + 320, current_date + 330, 'Away at a festival' FROM host_homes h WHERE ${R("h.id", 224)} < 0.2`);
      },
    },
    {
      name: "trips",
      writes: ["trips"],
      weight: 2 * p.trips,
      async run(g) {
        // A trip for each booking's stay (the guest travels to the listing's city), and trips of their own to a
        // city drawn as dancers are (popular cities more often).
        await g.exec(`INSERT INTO trips (user_id, city, country, latitude, longitude, starts_on, ends_on, note, visibility, created_at, updated_at)
          SELECT b.guest_id, h.city, h.country, c.lat, c.lng, b.check_in, b.check_out, 'Staying with a host', 'friends', b.created_at, b.created_at
          FROM guest_bookings b JOIN host_homes h ON h.id = b.home_id JOIN bench_cities c ON c.name = h.city
          WHERE b.status IN ('approved', 'completed', 'pending')`);
        await g.exec(`INSERT INTO trips (user_id, city, country, latitude, longitude, starts_on, ends_on, note, visibility, created_at, updated_at)
          SELECT u.id, c.name, c.country, c.lat, c.lng, d.starts_on, d.starts_on + (2 + floor(${R("i", 233)} * 12))::int, 'Tango trip',
            CASE WHEN ${R("i", 234)} < 0.3 THEN 'public' WHEN ${R("i", 234)} < 0.9 THEN 'friends' ELSE 'private' END,
            now() - interval '10 days', now() - interval '10 days'
          FROM generate_series(1, ${p.trips}) i JOIN users u ON u.id = (1 + floor(${n} * ${R("i", 230)}))::int
          JOIN users place ON place.id = (1 + floor(${n} * ${R("i", 231)}))::int JOIN bench_cities c ON c.name = place.city
          CROSS JOIN LATERAL (SELECT current_date - 180 + floor(${R("i", 232)} * 360)::int AS starts_on) d
          WHERE c.name <> u.city`);
      },
    },
    {
      name: "teachers",
      writes: ["teacher_profiles", "teacher_locations", "teacher_students", "teacher_reviews", "school_teachers"],
      weight: Math.round(0.3 * n),
      async run(g) {
        // Three dancers in a hundred teach: a profile in their city, some visiting another, students and reviews.
        await g.chunks(n, per(0.03, 50_000), (a, b) => `INSERT INTO teacher_profiles (user_id, headline, bio, styles, levels, languages, city, country,
            latitude, longitude, private_lessons, private_rate, group_rate, currency, created_at, updated_at)
          SELECT u.id, ${pick(["Salon tango teacher", "Milonguero style classes", "Tango nuevo and technique", "Musicality and vals", "Classes for couples"], R("u.id", 241))},
            'Teaching tango in ' || c.name || ' for ' || greatest(u.years_of_dancing, 3) || ' years.',
            CASE WHEN ${R("u.id", 242)} < 0.5 THEN ARRAY['salon'] WHEN ${R("u.id", 242)} < 0.8 THEN ARRAY['salon', 'milonguero'] ELSE ARRAY['nuevo', 'vals'] END,
            ARRAY['beginner', 'intermediate'] || CASE WHEN ${R("u.id", 243)} < 0.5 THEN ARRAY['advanced'] ELSE '{}'::text[] END,
            u.languages, c.name, c.country, ${near("c.lat", R("u.id", 244))}, ${near("c.lng", R("u.id", 245))},
            ${R("u.id", 246)} < 0.7, (30 + floor(${R("u.id", 247)} * 70))::int, (10 + floor(${R("u.id", 248)} * 20))::int, 'EUR',
            u.created_at + interval '10 days', now() - interval '20 days'
          FROM users u JOIN bench_cities c ON c.name = u.city WHERE u.id BETWEEN ${a} AND ${b} AND ${R("u.id", 240)} < 0.03`);
        await g.exec(`INSERT INTO teacher_locations (teacher_id, city, country, latitude, longitude, starts_on, ends_on, note)
          SELECT t.id, c.name, c.country, c.lat, c.lng, d.s, d.s + 7, 'Workshops and privates'
          FROM teacher_profiles t JOIN bench_cities c ON c.rank = 1 + floor(40 * ${R("t.id", 251)})::int
          CROSS JOIN LATERAL (SELECT current_date - 60 + floor(${R("t.id", 252)} * 240)::int AS s) d
          WHERE ${R("t.id", 250)} < 0.3 AND c.name <> t.city`);
        await g.exec(`INSERT INTO teacher_students (teacher_id, student_id, status, message, responded_at, created_at, updated_at)
          SELECT t.id, ${localDancer(R("t.id::bigint * 32 + k", 261))}, s.status, 'I would love to learn with you.',
            CASE WHEN s.status <> 'pending' THEN now() - interval '10 days' END, now() - interval '30 days', now() - interval '10 days'
          FROM teacher_profiles t JOIN bench_cities c ON c.name = t.city, generate_series(1, 10) k
          CROSS JOIN LATERAL (SELECT CASE WHEN ${R("t.id::bigint * 32 + k", 262)} < 0.7 THEN 'approved' WHEN ${R("t.id::bigint * 32 + k", 262)} < 0.9 THEN 'pending' ELSE 'rejected' END AS status) s
          WHERE ${R("t.id::bigint * 32 + k", 260)} < 0.5 AND ${localDancer(R("t.id::bigint * 32 + k", 261))} <> t.user_id ON CONFLICT DO NOTHING`);
        await g.exec(`INSERT INTO teacher_reviews (teacher_id, user_id, rating, comment, created_at, updated_at)
          SELECT s.teacher_id, s.student_id, (3 + floor(${R("s.id", 271)} * 3))::int, 'Clear and patient.', now() - interval '5 days', now() - interval '5 days'
          FROM teacher_students s WHERE s.status = 'approved' AND ${R("s.id", 270)} < 0.4 ON CONFLICT DO NOTHING`);
        await g.exec(`UPDATE teacher_profiles t SET student_count = coalesce(s.n, 0), review_count = coalesce(r.n, 0), rating_sum = coalesce(r.s, 0)
          FROM teacher_profiles t2
          LEFT JOIN (SELECT teacher_id, count(*)::int AS n FROM teacher_students WHERE status = 'approved' GROUP BY teacher_id) s ON s.teacher_id = t2.id
          LEFT JOIN (SELECT teacher_id, count(*)::int AS n, sum(rating)::int AS s FROM teacher_reviews GROUP BY teacher_id) r ON r.teacher_id = t2.id
          WHERE t.id = t2.id`);
        await g.exec(`INSERT INTO school_teachers (school_id, teacher_id)
          SELECT s.id, t.id FROM schools s JOIN teacher_profiles t ON t.city = s.city WHERE ${R("s.id::bigint * 100003 + t.id", 280)} < 0.3
          ON CONFLICT DO NOTHING`);
      },
    },
    {
      name: "blocks",
      writes: ["blocked_users"],
      weight: Math.round(0.01 * n),
      async run(g) {
        // A few blocks between dancers who are not friends (none involving the feed viewers).
        await g.exec(`INSERT INTO blocked_users (blocker_id, blocked_id, created_at)
          SELECT u, x.v, now() - interval '30 days' FROM generate_series(1, ${n}) u
          CROSS JOIN LATERAL (SELECT (1 + floor(${n} * ${R("u", 291)}))::int AS v) x
          WHERE ${R("u", 290)} < 0.005 AND x.v <> u AND u > 10 AND x.v > 10 AND u NOT IN (${viewerList}) AND x.v NOT IN (${viewerList})
            AND NOT EXISTS (SELECT 1 FROM friendships f WHERE f.user_id = u AND f.friend_id = x.v)
          ON CONFLICT DO NOTHING`);
      },
    },
    {
      name: "indexes and keys",
      weight: 40 * n,
      async run(g) {
        await g.restore();
        await g.exec(`DROP TABLE bench_deferred`);
      },
    },
    {
      name: "sequences",
      weight: 100,
      async run(g) {
        // Rows written with their ids: each serial's next value past them, so the API's own inserts go on.
        await g.exec(`DO $$ DECLARE r record; BEGIN
          FOR r IN SELECT c.relname AS tbl, a.attname AS col, pg_get_serial_sequence(format('%I', c.relname), a.attname) AS seq
            FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
              AND pg_get_serial_sequence(format('%I', c.relname), a.attname) IS NOT NULL
          LOOP
            EXECUTE format('SELECT setval(%L, coalesce((SELECT max(%I) FROM %I), 0) + 1, false)', r.seq, r.col, r.tbl);
          END LOOP;
        END $$`);
        await g.exec(`DROP TABLE bench_followers`);
        await g.exec(`DROP TABLE bench_rooms`);
      },
    },
  ];
}

/**
 * Fills the (fresh, migrated) database with the world of `n` dancers; a progress bar on stderr.
 * Returns the longest statement (an index build on the largest tables, at 100k).
 */
export async function generate(db: Db, n: number, passwordHash: string, label: string): Promise<{ step: string; seconds: number }> {
  const plan = planFor(n);
  const list = steps(plan);
  const progress = new Progress(label, list);
  const g = new Generator(db, plan, progress, passwordHash);
  for (const step of list) {
    progress.start(step);
    g.step = step.name;
    try {
      await step.run(g);
      if (step.writes) await g.exec(`ANALYZE ${step.writes.join(", ")}`);
    } catch (error) {
      process.stderr.write("\n");
      throw new Error(`world generation, step ${step.name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    progress.finish();
  }
  progress.close();
  return g.slowest;
}
