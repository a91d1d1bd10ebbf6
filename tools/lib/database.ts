import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startNeonLocal } from "../neon-local/server";

/** The database `npm run dev` creates on PGlite. */
export const LOCAL_DATABASE = "mundo_tango";

export interface DatabaseTarget {
  /** What the Neon driver connects to. */
  databaseUrl: string;
  /** The local endpoint's SQL URL; undefined when talking to Neon itself. */
  fetchEndpoint?: string;
  /** Human description for progress output. */
  describe: string;
  close(): Promise<void>;
}

export function dataDir(): string {
  return resolve(process.env.DATA_DIR ?? ".data");
}

const endpointFile = () => join(dataDir(), "neon-local.json");

function isNeonUrl(url: string): boolean {
  return /\.neon\.tech$|\.neon\.build$/.test(new URL(url).hostname);
}

/** Records the running dev endpoint so `db:migrate` and `db:seed` use it instead of opening PGlite twice. */
export function advertiseEndpoint(url: string, databaseUrl: string): () => void {
  writeFileSync(endpointFile(), JSON.stringify({ url, databaseUrl, pid: process.pid }));
  return () => rmSync(endpointFile(), { force: true });
}

async function runningEndpoint(): Promise<{ url: string; databaseUrl: string } | undefined> {
  if (!existsSync(endpointFile())) return undefined;
  const info = JSON.parse(readFileSync(endpointFile(), "utf8")) as { url: string; databaseUrl: string };
  try {
    const res = await fetch(`${info.url}/_local/health`);
    return res.ok ? info : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where the tools (migrate, seed) and `npm run dev` find the database:
 * - `DATABASE_URL` naming Neon: the driver talks to Neon directly;
 * - `DATABASE_URL` naming any other PostgreSQL: a local endpoint in front of it;
 * - otherwise PGlite persisted under `DATA_DIR` (default `.data/`), through the endpoint
 *   `npm run dev` is running, or one started for the occasion.
 */
export async function openDatabase(options: { port?: number; log?: (line: string) => void } = {}): Promise<
  DatabaseTarget & { endpointUrl?: string }
> {
  const url = process.env.DATABASE_URL;
  if (url && isNeonUrl(url)) {
    return { databaseUrl: url, describe: `Neon (${new URL(url).hostname})`, close: () => Promise.resolve() };
  }
  if (!url) {
    const running = await runningEndpoint();
    if (running) {
      return {
        databaseUrl: running.databaseUrl,
        fetchEndpoint: `${running.url}/sql`,
        endpointUrl: running.url,
        describe: `PGlite through the running dev endpoint (${running.url})`,
        close: () => Promise.resolve(),
      };
    }
  }
  const local = await startNeonLocal({
    port: options.port ?? 0,
    databaseUrl: url,
    dataDir: url ? undefined : join(dataDir(), "pglite"),
    log: options.log,
  });
  const database = url ? new URL(url).pathname.slice(1) || "postgres" : LOCAL_DATABASE;
  if (!(await local.backend.hasDatabase(database))) await local.backend.createDatabase(database);
  return {
    databaseUrl: local.connectionString(database),
    fetchEndpoint: `${local.url}/sql`,
    endpointUrl: local.url,
    describe: url
      ? `PostgreSQL ${new URL(url).host}/${database} through ${local.url}`
      : `PGlite in ${join(dataDir(), "pglite", database)} through ${local.url}`,
    close: () => local.close(),
  };
}

/**
 * The PostgreSQL server the test suite runs against, or undefined for PGlite: what
 * `DATABASE_URL` said when `npm test` started (vitest.config.ts keeps it as TEST_POSTGRES_URL).
 */
export function testPostgresUrl(): string | undefined {
  return process.env.TEST_POSTGRES_URL || undefined;
}
