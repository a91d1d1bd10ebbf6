import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { neon, neonConfig, type NeonQueryFunction } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NeonLocal, startNeonLocal } from "../neon-local/server";
import { testPostgresUrl } from "./database";
import { MIGRATIONS_FOLDER, migrate } from "./migrate";

/**
 * Migrations that move data, run on a database holding rows from before them: the folder up
 * to the one before is applied, rows written as they were then, then the real folder.
 */

interface JournalEntry {
  idx: number;
  tag: string;
}

const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8")) as { entries: JournalEntry[] };

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

/** A fresh database migrated up to (not including) the migration tagged `before`. */
async function databaseBefore(before: string): Promise<{ databaseUrl: string; sql: NeonQueryFunction<false, false> }> {
  const name = `md_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  databases.push(name);
  await local.backend.createDatabase(name);
  const databaseUrl = local.connectionString(name);
  const dir = mkdtempSync(join(tmpdir(), "mt-migrations-"));
  tempDirs.push(dir);
  mkdirSync(join(dir, "meta"));
  const full = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8")) as { entries: JournalEntry[] };
  const entries = full.entries.slice(0, full.entries.findIndex((entry) => entry.tag === before));
  for (const { tag } of entries) copyFileSync(join(MIGRATIONS_FOLDER, `${tag}.sql`), join(dir, `${tag}.sql`));
  writeFileSync(join(dir, "meta/_journal.json"), JSON.stringify({ ...full, entries }));
  await migrate({ databaseUrl, fetchEndpoint, migrationsFolder: dir });
  return { databaseUrl, sql: neon(databaseUrl) };
}

describe("0010_city_communities_backfill", () => {
  const tag = journal.entries.find((entry) => entry.tag.endsWith("city_communities_backfill"))!.tag;

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
