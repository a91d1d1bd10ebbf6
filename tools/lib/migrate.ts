import { readFileSync } from "node:fs";
import { join } from "node:path";
import { neon, neonConfig, type NeonQueryFunction } from "@neondatabase/serverless";
import { readMigrationFiles } from "drizzle-orm/migrator";

export const MIGRATIONS_FOLDER = new URL("../../migrations", import.meta.url).pathname;

export interface MigrateOptions {
  databaseUrl: string;
  /** The local endpoint (`http://127.0.0.1:port/sql`); unset for Neon itself. */
  fetchEndpoint?: string;
  migrationsFolder?: string;
  log?: (line: string) => void;
}

/** Any constant shared by all migrators: they queue on this advisory lock. */
const MIGRATION_LOCK = 727_370_001;

/**
 * Fails the batch when `hash` is recorded: another migrator applied it while this one
 * waited on the lock (its list of applied hashes was read before).
 */
function failIfApplied(sql: NeonQueryFunction<false, false>, hash: string) {
  // DO takes no parameters: the hash is inlined, so make sure it is drizzle's hex SHA-256.
  if (!/^[0-9a-f]+$/.test(hash)) throw new Error(`unexpected migration hash: ${hash}`);
  return sql.query(`DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM drizzle.__drizzle_migrations WHERE hash = '${hash}') THEN
      RAISE EXCEPTION 'migration % was applied concurrently', '${hash}';
    END IF;
  END $$`);
}

/**
 * Applies the drizzle-kit migrations in `migrations/` through the same neon-http driver
 * the Worker uses, so one command migrates the local endpoint and Neon alike.
 *
 * Each migration runs as one batch (an atomic transaction) together with its row in
 * `drizzle.__drizzle_migrations` (drizzle-kit's own table and hashes): a failing migration
 * leaves nothing half-applied, and applied ones are skipped, so running it again is a no-op.
 */
export async function migrate(options: MigrateOptions): Promise<{ applied: string[] }> {
  const folder = options.migrationsFolder ?? MIGRATIONS_FOLDER;
  if (options.fetchEndpoint) neonConfig.fetchEndpoint = options.fetchEndpoint;
  const sql = neon(options.databaseUrl);
  const journal = JSON.parse(readFileSync(join(folder, "meta/_journal.json"), "utf8")) as {
    entries: { when: number; tag: string }[];
  };
  const tagOf = new Map(journal.entries.map((e) => [e.when, e.tag]));

  await sql.transaction([
    // Concurrent `CREATE ... IF NOT EXISTS` of the same object can still fail on a unique
    // catalog index (23505 on pg_namespace_nspname_index): migrators take turns here too.
    sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`,
    sql`CREATE SCHEMA IF NOT EXISTS drizzle`,
    sql`CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
  ]);
  const appliedHashes = async () =>
    new Set(((await sql`SELECT hash FROM drizzle.__drizzle_migrations`) as { hash: string }[]).map((r) => r.hash));
  const done = await appliedHashes();

  const applied: string[] = [];
  for (const migration of readMigrationFiles({ migrationsFolder: folder })) {
    if (done.has(migration.hash)) continue;
    const tag = tagOf.get(migration.folderMillis) ?? String(migration.folderMillis);
    try {
      await sql.transaction([
        sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`,
        // Else a migration that can run twice (all IF NOT EXISTS) would be applied and recorded twice.
        failIfApplied(sql, migration.hash),
        ...migration.sql.filter((statement) => statement.trim()).map((statement) => sql.query(statement)),
        sql`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES (${migration.hash}, ${migration.folderMillis})`,
      ]);
    } catch (error) {
      // Another migrator may have applied it while this one waited on the lock.
      if ((await appliedHashes()).has(migration.hash)) continue;
      throw new Error(`migration ${tag} failed: ${(error as Error).message}`, { cause: error });
    }
    applied.push(tag);
    options.log?.(`applied ${tag}`);
  }
  return { applied };
}
