import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { neon, neonConfig, NeonDbError, type NeonQueryFunction } from "@neondatabase/serverless";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NeonLocal, startNeonLocal } from "../neon-local/server";
import { testPostgresUrl } from "./database";
import { MIGRATIONS_FOLDER, migrate } from "./migrate";

/**
 * `migrate()` through the local endpoint (PGlite by default, PostgreSQL when DATABASE_URL
 * is set), each test on a fresh database.
 */

interface JournalEntry {
  idx: number;
  version: string;
  when: number;
  tag: string;
  breakpoints: boolean;
}

const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8")) as {
  entries: JournalEntry[];
};
const allTags = journal.entries.map((entry) => entry.tag);

let local: NeonLocal;
let fetchEndpoint: string;
const databases: string[] = [];
const tempDirs: string[] = [];

beforeAll(async () => {
  local = await startNeonLocal({ port: 0, databaseUrl: testPostgresUrl() });
  fetchEndpoint = `${local.url}/sql`;
  neonConfig.fetchEndpoint = fetchEndpoint;
});

afterAll(async () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  if (!local) return;
  for (const name of databases) await local.backend.dropDatabase(name);
  await local.close();
});

/** A new empty database: its connection string and a driver on it. */
async function freshDatabase(): Promise<{ databaseUrl: string; sql: NeonQueryFunction<false, false> }> {
  const name = `mg_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  databases.push(name);
  await local.backend.createDatabase(name);
  const databaseUrl = local.connectionString(name);
  return { databaseUrl, sql: neon(databaseUrl) };
}

/** Writes a migrations folder in drizzle-kit's layout: `meta/_journal.json` and `<tag>.sql`. */
function migrationsFolder(migrations: { tag: string; statements: string[] }[]): string {
  const dir = mkdtempSync(join(tmpdir(), "mt-migrations-"));
  tempDirs.push(dir);
  writeMigrations(dir, migrations);
  return dir;
}

function writeMigrations(dir: string, migrations: { tag: string; statements: string[] }[]): void {
  mkdirSync(join(dir, "meta"), { recursive: true });
  const entries: JournalEntry[] = migrations.map(({ tag }, idx) => ({
    idx,
    version: "7",
    when: 1_700_000_000_000 + idx * 1000,
    tag,
    breakpoints: true,
  }));
  for (const { tag, statements } of migrations) {
    writeFileSync(join(dir, `${tag}.sql`), statements.join("\n--> statement-breakpoint\n"));
  }
  writeFileSync(join(dir, "meta/_journal.json"), JSON.stringify({ version: "7", dialect: "postgresql", entries }));
}

async function recorded(sql: NeonQueryFunction<false, false>): Promise<{ id: number; hash: string; created_at: string }[]> {
  return (await sql`SELECT id, hash, created_at FROM drizzle.__drizzle_migrations ORDER BY id`) as {
    id: number;
    hash: string;
    created_at: string;
  }[];
}

async function tableExists(sql: NeonQueryFunction<false, false>, name: string): Promise<boolean> {
  const [row] = await sql`SELECT to_regclass(${name}) IS NOT NULL AS present`;
  return row!.present as boolean;
}

/** Every column, index and constraint of the schemas migrations touch: changes if anything does. */
async function schemaFingerprint(sql: NeonQueryFunction<false, false>): Promise<string> {
  const [row] = await sql`
    SELECT md5(
      (SELECT string_agg(table_schema || '.' || table_name || '.' || column_name || ':' || data_type || ':'
         || coalesce(column_default, ''), ',' ORDER BY table_schema, table_name, column_name)
       FROM information_schema.columns WHERE table_schema IN ('public', 'drizzle'))
      || (SELECT string_agg(schemaname || '.' || indexname || ':' || indexdef, ',' ORDER BY schemaname, indexname)
       FROM pg_indexes WHERE schemaname IN ('public', 'drizzle'))
      || (SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint
       WHERE connamespace IN ('public'::regnamespace, 'drizzle'::regnamespace))
      || (SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension)
    ) AS fingerprint`;
  return row!.fingerprint as string;
}

describe("migrate() on a fresh database", () => {
  let sql: NeonQueryFunction<false, false>;
  let databaseUrl: string;
  let firstRun: { applied: string[] };
  const logged: string[] = [];

  beforeAll(async () => {
    ({ sql, databaseUrl } = await freshDatabase());
    firstRun = await migrate({ databaseUrl, fetchEndpoint, log: (line) => logged.push(line) });
  });

  it("applies every migration in the journal, in order", () => {
    expect(allTags.length).toBeGreaterThan(0);
    expect(firstRun.applied).toStrictEqual(allTags);
    expect(logged).toStrictEqual(allTags.map((tag) => `applied ${tag}`));
  });

  it.each(["users", "posts", "friendships", "events", "chat_messages"])("creates the %s table", async (table) => {
    expect(await tableExists(sql, `public.${table}`)).toBe(true);
  });

  it("creates every extension the migrations ask for", async () => {
    const wanted = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).flatMap((m) =>
      m.sql.flatMap((statement) => [...statement.matchAll(/CREATE EXTENSION IF NOT EXISTS "?(\w+)"?/gi)].map((x) => x[1])),
    );
    expect(wanted.length).toBeGreaterThan(0);
    const rows = await sql`SELECT extname FROM pg_extension`;
    expect(rows.map((r) => r.extname as string)).toEqual(expect.arrayContaining(wanted));
  });

  it("records one row per journal entry, with drizzle-kit's hashes and timestamps", async () => {
    const expected = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
    const rows = await recorded(sql);
    expect(rows).toHaveLength(journal.entries.length);
    expect(rows.map((r) => [r.hash, r.created_at])).toStrictEqual(
      expected.map((m) => [m.hash, String(m.folderMillis)]),
    );
    expect(rows.map((r) => r.created_at)).toStrictEqual(journal.entries.map((e) => String(e.when)));
  });

  it("a second run applies nothing and changes nothing", async () => {
    const rowsBefore = await recorded(sql);
    const fingerprintBefore = await schemaFingerprint(sql);
    const logs: string[] = [];

    expect(await migrate({ databaseUrl, fetchEndpoint, log: (line) => logs.push(line) })).toStrictEqual({
      applied: [],
    });
    expect(logs).toStrictEqual([]);
    expect(await recorded(sql)).toStrictEqual(rowsBefore);
    expect(await schemaFingerprint(sql)).toBe(fingerprintBefore);
  });
});

describe("a failing migration", () => {
  const good = { tag: "0000_good", statements: ["CREATE TABLE good_table (id int PRIMARY KEY)"] };
  const broken = {
    tag: "0001_broken",
    statements: [
      "CREATE TABLE half_table (id int PRIMARY KEY)",
      "INSERT INTO half_table VALUES (1)",
      "INSERT INTO no_such_table VALUES (1)",
    ],
  };

  it("leaves nothing behind, and the error names the migration", async () => {
    const { sql, databaseUrl } = await freshDatabase();
    const folder = migrationsFolder([{ tag: "0000_broken", statements: broken.statements }]);

    const error = await migrate({ databaseUrl, fetchEndpoint, migrationsFolder: folder }).then(
      () => {
        throw new Error("expected migrate() to fail");
      },
      (error: unknown) => error as Error,
    );
    expect(error.message).toMatch(/^migration 0000_broken failed: /);
    expect(error.message).toContain('relation "no_such_table" does not exist');
    expect(error.cause).toBeInstanceOf(NeonDbError);
    expect((error.cause as NeonDbError).code).toBe("42P01");

    expect(await tableExists(sql, "public.half_table")).toBe(false);
    expect(await recorded(sql)).toStrictEqual([]);
  });

  it("keeps the migrations before it, and a fixed version applies on the next run", async () => {
    const { sql, databaseUrl } = await freshDatabase();
    const folder = migrationsFolder([good, broken]);

    await expect(migrate({ databaseUrl, fetchEndpoint, migrationsFolder: folder })).rejects.toThrow(
      /^migration 0001_broken failed/,
    );
    expect(await tableExists(sql, "public.good_table")).toBe(true);
    expect(await tableExists(sql, "public.half_table")).toBe(false);
    expect(await recorded(sql)).toHaveLength(1);

    writeMigrations(folder, [good, { tag: broken.tag, statements: broken.statements.slice(0, 2) }]);
    expect(await migrate({ databaseUrl, fetchEndpoint, migrationsFolder: folder })).toStrictEqual({
      applied: ["0001_broken"],
    });
    expect(await sql`SELECT id FROM half_table`).toStrictEqual([{ id: 1 }]);
    expect(await recorded(sql)).toHaveLength(2);
  });
});

describe("concurrent migrators", () => {
  /** Runs two migrate() at once on one fresh database; both must succeed. */
  async function migrateTwiceInParallel(migrationsFolder?: string) {
    const { sql, databaseUrl } = await freshDatabase();
    const [a, b] = await Promise.all([
      migrate({ databaseUrl, fetchEndpoint, migrationsFolder }),
      migrate({ databaseUrl, fetchEndpoint, migrationsFolder }),
    ]);
    return { sql, applied: [...a.applied, ...b.applied] };
  }

  it("two migrate() calls in parallel both succeed, and each migration is applied once", async () => {
    const { sql, applied } = await migrateTwiceInParallel();
    expect(applied.sort()).toStrictEqual([...allTags].sort());
    const rows = await recorded(sql);
    expect(rows).toHaveLength(journal.entries.length);
    expect(new Set(rows.map((r) => r.hash)).size).toBe(rows.length);
    expect(await tableExists(sql, "public.users")).toBe(true);
  });

  it("an idempotent migration (IF NOT EXISTS) is still applied and recorded once", async () => {
    const folder = migrationsFolder([
      {
        tag: "0000_idempotent",
        statements: [
          "CREATE TABLE IF NOT EXISTS runs (id serial PRIMARY KEY)",
          "INSERT INTO runs DEFAULT VALUES",
        ],
      },
    ]);
    const { sql, applied } = await migrateTwiceInParallel(folder);
    expect(applied).toStrictEqual(["0000_idempotent"]);
    expect(await recorded(sql)).toHaveLength(1);
    expect(await sql`SELECT count(*)::int AS n FROM runs`).toStrictEqual([{ n: 1 }]);
  });
});

/**
 * A fresh database migrated up to (not including) the migration tagged `before`: for migrations
 * that move data, run on rows written as they were before them.
 */
async function databaseBefore(before: string): Promise<{ databaseUrl: string; sql: NeonQueryFunction<false, false> }> {
  const database = await freshDatabase();
  const dir = mkdtempSync(join(tmpdir(), "mt-migrations-"));
  tempDirs.push(dir);
  mkdirSync(join(dir, "meta"));
  const entries = journal.entries.slice(0, allTags.indexOf(before));
  for (const { tag } of entries) copyFileSync(join(MIGRATIONS_FOLDER, `${tag}.sql`), join(dir, `${tag}.sql`));
  writeFileSync(join(dir, "meta/_journal.json"), JSON.stringify({ ...journal, entries }));
  await migrate({ databaseUrl: database.databaseUrl, fetchEndpoint, migrationsFolder: dir });
  return database;
}

describe("0010_city_communities_backfill", () => {
  const tag = allTags.find((t) => t.endsWith("city_communities_backfill"))!;

  it("puts every dancer with a city into their city's community, one per city key, counted", async () => {
    const { databaseUrl, sql } = await databaseBefore(tag);
    const cities = ["Buenos Aires", "  buenos   aires ", "Buenos Aires", "São Paulo", "sao paulo", "São Paulo", null, "   ", "Berlin"];
    for (const [i, city] of cities.entries()) {
      await sql.query("INSERT INTO users (email, username, password, name, city) VALUES ($1, $2, 'x', $3, $4)", [`d${i}@backfill.test`, `d${i}`, `Dancer ${i}`, city]);
    }
    // Berlin's community already exists, with one member who keeps their row.
    const [berlin] = await sql`INSERT INTO groups (type, name, slug, city, city_key, member_count) VALUES ('city', 'Berlin', 'berlin-x', 'Berlin', 'berlin', 1) RETURNING id`;
    await sql`INSERT INTO group_members (group_id, user_id, role, status) SELECT ${berlin!.id}, id, 'member', 'active' FROM users WHERE username = 'd8'`;

    expect((await migrate({ databaseUrl, fetchEndpoint })).applied[0]).toBe(tag);

    const groups = (await sql`SELECT name, city_key, member_count, slug, (SELECT count(*)::int FROM group_members m WHERE m.group_id = g.id AND m.status = 'active') AS members
      FROM groups g WHERE type = 'city' ORDER BY city_key`) as { name: string; city_key: string; member_count: number; slug: string; members: number }[];
    expect(groups.map((g) => [g.city_key, g.name, g.member_count, g.members])).toEqual([
      ["berlin", "Berlin", 1, 1],
      ["buenos aires", "Buenos Aires", 3, 3],
      ["sao paulo", "São Paulo", 3, 3],
    ]);
    expect(groups.find((g) => g.city_key === "buenos aires")!.slug).toMatch(/^buenos-aires-\d+$/);
    const unplaced = (await sql`SELECT username FROM users u WHERE NOT EXISTS (SELECT 1 FROM group_members m WHERE m.user_id = u.id) ORDER BY username`) as { username: string }[];
    expect(unplaced.map((u) => u.username)).toEqual(["d6", "d7"]);
  });
});

describe("0013_chat", () => {
  const tag = allTags.find((t) => t.endsWith("_chat"))!;

  it("numbers, keys and counts the rooms and messages written before it", async () => {
    const { databaseUrl, sql } = await databaseBefore(tag);
    for (const i of [0, 1, 2, 3]) {
      await sql.query("INSERT INTO users (email, username, password, name) VALUES ($1, $2, 'x', $3)", [`c${i}@chat.test`, `c${i}`, `Dancer ${i}`]);
    }
    const ids = ((await sql`SELECT id FROM users ORDER BY username`) as { id: number }[]).map((u) => u.id);
    const [a, b, c, d] = ids as [number, number, number, number];
    // Two direct rooms of the same pair (the older keeps the pair's key), a direct room of one
    // member, and a group room whose first member becomes its admin.
    const rooms = (await sql`INSERT INTO chat_rooms (type, name) VALUES ('direct', NULL), ('direct', NULL), ('direct', NULL), ('group', 'Tanda')
      RETURNING id`) as { id: number }[];
    const [pair, duplicate, lonely, group] = rooms.map((r) => r.id) as [number, number, number, number];
    await sql.query(
      `INSERT INTO chat_room_users (chat_room_id, user_id, joined_at, last_read_at) VALUES
        ($1, $5, '2026-01-01', '2026-01-02 10:00'), ($1, $6, '2026-01-01', NULL), ($2, $6, '2026-01-01', NULL), ($2, $5, '2026-01-01', NULL),
        ($3, $7, '2026-01-01', NULL), ($4, $8, '2026-01-03', NULL), ($4, $7, '2026-01-02', NULL), ($4, $5, '2026-01-04', NULL)`,
      [pair, duplicate, lonely, group, a, b, c, d],
    );
    await sql.query(
      `INSERT INTO chat_messages (chat_room_id, user_id, message, created_at) VALUES
        ($1, $3, 'uno', '2026-01-02 09:00'), ($1, $4, 'dos', '2026-01-02 11:00'), ($1, $3, 'tres', '2026-01-02 09:30'), ($2, $3, 'otra', '2026-01-05')`,
      [pair, group, a, b],
    );

    expect((await migrate({ databaseUrl, fetchEndpoint })).applied[0]).toBe(tag);

    const roomRows = (await sql`SELECT id, direct_key, member_count, last_message_seq, last_message_preview FROM chat_rooms ORDER BY id`) as {
      id: number;
      direct_key: string | null;
      member_count: number;
      last_message_seq: number;
      last_message_preview: string | null;
    }[];
    const key = `${Math.min(a, b)}:${Math.max(a, b)}`;
    expect(roomRows.map((r) => [r.direct_key, r.member_count, r.last_message_seq, r.last_message_preview])).toEqual([
      [key, 2, 3, "dos"],
      [`${key}#${duplicate}`, 2, 0, null],
      [`legacy:${lonely}`, 1, 0, null],
      [null, 3, 1, "otra"],
    ]);
    const messages = (await sql`SELECT message, room_seq FROM chat_messages WHERE chat_room_id = ${pair} ORDER BY room_seq`) as { message: string; room_seq: number }[];
    expect(messages.map((m) => m.message)).toEqual(["uno", "tres", "dos"]);
    const members = (await sql`SELECT chat_room_id, user_id, role, last_read_seq FROM chat_room_users ORDER BY chat_room_id, user_id`) as {
      chat_room_id: number;
      user_id: number;
      role: string;
      last_read_seq: number;
    }[];
    expect(members.filter((m) => m.role === "admin").map((m) => [m.chat_room_id, m.user_id])).toEqual([[group, c]]);
    expect(members.find((m) => m.chat_room_id === pair && m.user_id === a)!.last_read_seq).toBe(2);
  });
});
