import { getTableConfig, type PgTable } from "drizzle-orm/pg-core";
import { is, sql } from "drizzle-orm";
import { PgTable as PgTableClass } from "drizzle-orm/pg-core";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../test/harness";
import { befriend, createEvent, createPost, createUser, follow } from "../test/factories";
import * as schema from "./schema";
import { ROLES } from "./users";

const t = await useTestDatabase();

/** The 22 tables the seed gives in full. */
const SEED_TABLES = [
  "users",
  "posts",
  "post_likes",
  "post_comments",
  "follows",
  "friend_requests",
  "friendships",
  "friendship_activities",
  "friendship_media",
  "events",
  "event_rsvps",
  "chat_rooms",
  "chat_room_users",
  "chat_messages",
  "message_reactions",
  "mr_blue_conversations",
  "mr_blue_messages",
  "life_ceo_domains",
  "life_ceo_goals",
  "esa_agents",
  "agent_health",
  "deployments",
];

const tables: PgTable[] = Object.values(schema as Record<string, unknown>).filter((value): value is PgTable =>
  is(value, PgTableClass),
);

/** drizzle's SQL type names as Postgres's format_type() prints them. */
function pgTypeName(sqlType: string): string {
  return sqlType
    .replace(/^serial$/, "integer")
    .replace(/^bigserial$/, "bigint")
    .replace(/^varchar/, "character varying")
    .replace(/^timestamp$/, "timestamp without time zone");
}

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return (await t.db.execute(query)).rows as T[];
}

describe("the migrated database", () => {
  it("has every seed table", async () => {
    const names = await rows<{ table_name: string }>(
      sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    expect(names.map((r) => r.table_name)).toEqual(expect.arrayContaining(SEED_TABLES));
    expect(tables.map((table) => getTableConfig(table).name)).toEqual(expect.arrayContaining(SEED_TABLES));
  });

  it.each(tables.map((table) => [getTableConfig(table).name, table] as const))(
    "%s matches the schema column for column",
    async (name, table) => {
      const config = getTableConfig(table);
      const actual = await rows<{ name: string; type: string; not_null: boolean; default: string | null }>(sql`
        SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
               pg_get_expr(d.adbin, d.adrelid) AS default
        FROM pg_attribute a
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = ${`public.${name}`}::regclass AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`);
      const expected = config.columns.map((column) => ({
        name: column.name,
        type: pgTypeName(column.getSQLType()),
        not_null: column.notNull,
        // A generated column's expression is stored as its "default" too.
        hasDefault: column.hasDefault || column.generated !== undefined,
      }));
      expect(actual.map((c) => ({ name: c.name, type: c.type, not_null: c.not_null, hasDefault: c.default !== null })))
        .toEqual(expected);
    },
  );

  it.each(tables.map((table) => [getTableConfig(table).name, table] as const))(
    "%s has its indexes, unique constraints and foreign keys",
    async (name, table) => {
      const config = getTableConfig(table);
      const indexes = await rows<{ name: string; unique: boolean; columns: string[] }>(sql`
        SELECT i.relname AS name, x.indisunique AS unique,
               array(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n)
                     JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = ${`public.${name}`}::regclass`);
      for (const index of config.indexes) {
        const found = indexes.find((i) => i.name === index.config.name);
        expect(found, `index ${index.config.name}`).toBeDefined();
        expect(found!.unique).toBe(index.config.unique);
        // Expression indexes (lower(email)) have no plain columns to compare.
        if (index.config.columns.every((c) => "name" in c)) {
          expect(found!.columns).toEqual(index.config.columns.map((c) => ("name" in c ? c.name : "")));
        }
      }
      for (const column of config.columns.filter((c) => c.isUnique)) {
        expect(indexes.some((i) => i.unique && i.columns.length === 1 && i.columns[0] === column.name)).toBe(true);
      }

      const foreignKeys = await rows<{ column: string; references: string; on_delete: string }>(sql`
        SELECT a.attname AS column, r.relname AS references, c.confdeltype AS on_delete
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        JOIN pg_class r ON r.oid = c.confrelid
        WHERE c.conrelid = ${`public.${name}`}::regclass AND c.contype = 'f'`);
      const expected = config.foreignKeys.map((fk) => {
        const ref = fk.reference();
        return {
          column: ref.columns[0]!.name,
          references: getTableConfig(ref.foreignTable).name,
          on_delete: ({ cascade: "c", "set null": "n", restrict: "r" } as Record<string, string>)[fk.onDelete ?? ""] ?? "a",
        };
      });
      expect(foreignKeys.sort((a, b) => a.column.localeCompare(b.column))).toEqual(
        expected.sort((a, b) => a.column.localeCompare(b.column)),
      );
    },
  );
});

describe("role tiers", () => {
  it("user_roles holds exactly the 8 tiers of ROLES", async () => {
    const tiers = await rows<{ name: string; level: number; title: string }>(
      sql`SELECT name, level, title FROM user_roles ORDER BY level`,
    );
    expect(tiers).toEqual(ROLES.map(({ name, level, title }) => ({ name, level, title })));
  });
});

/** Plan node types and index names of an EXPLAIN (FORMAT JSON), flattened. */
function planNodes(plan: unknown): { type: string; index?: string; relation?: string }[] {
  const out: { type: string; index?: string; relation?: string }[] = [];
  const walk = (node: Record<string, unknown>) => {
    out.push({
      type: node["Node Type"] as string,
      index: node["Index Name"] as string | undefined,
      relation: node["Relation Name"] as string | undefined,
    });
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  walk(plan as Record<string, unknown>);
  return out;
}

/** EXPLAIN with sequential scans priced out: shows which index can serve the query. */
async function explain(query: ReturnType<typeof sql>) {
  const [, result] = await t.db.batch([
    t.db.execute(sql`SET LOCAL enable_seqscan = off`),
    t.db.execute(sql`EXPLAIN (FORMAT JSON) ${query}`),
  ]);
  const json = (result.rows[0] as { "QUERY PLAN": [{ Plan: unknown }] })["QUERY PLAN"];
  return planNodes(json[0].Plan);
}

describe("the seed's example queries are served by indexes", () => {
  let viewerId = 0;

  beforeAll(async () => {
    const viewer = await createUser(t.db);
    viewerId = viewer.id;
    for (let i = 0; i < 20; i++) {
      const author = await createUser(t.db, { city: i % 2 ? "Madrid" : "Buenos Aires" });
      if (i % 3 === 0) await follow(t.db, viewer.id, author.id);
      if (i % 4 === 0) await befriend(t.db, viewer.id, author.id, { closenessScore: 50 + i });
      await createPost(t.db, { userId: author.id });
      await createEvent(t.db, { userId: author.id, city: author.city });
    }
    await t.db.execute(sql`ANALYZE`);
  });

  it("home feed: posts of followed users, newest first", async () => {
    const nodes = await explain(sql`
      SELECT * FROM posts
      WHERE user_id IN (SELECT following_id FROM follows WHERE follower_id = ${viewerId})
      ORDER BY created_at DESC LIMIT 20`);
    expect(nodes.filter((n) => n.relation === "posts").map((n) => n.index)).toEqual([
      expect.stringMatching(/^posts_user_(created_)?idx$/),
    ]);
    expect(nodes.filter((n) => n.relation === "follows").every((n) => n.index)).toBe(true);
    expect(nodes.some((n) => n.type === "Seq Scan")).toBe(false);
  });

  it("event discovery: upcoming events in a city, soonest first, without a sort", async () => {
    const nodes = await explain(sql`
      SELECT * FROM events WHERE city = ${"Buenos Aires"} AND start_date > NOW() ORDER BY start_date ASC`);
    expect(nodes.find((n) => n.relation === "events")?.index).toBe("events_city_start_idx");
    expect(nodes.some((n) => n.type === "Sort" || n.type === "Seq Scan")).toBe(false);
  });

  it("closest friends: a user's friendships by closeness, without a sort", async () => {
    const nodes = await explain(sql`
      SELECT * FROM friendships WHERE user_id = ${viewerId} ORDER BY closeness_score DESC LIMIT 10`);
    expect(nodes.find((n) => n.relation === "friendships")?.index).toBe("friendships_user_closeness_idx");
    expect(nodes.some((n) => n.type === "Sort" || n.type === "Seq Scan")).toBe(false);
  });
});
