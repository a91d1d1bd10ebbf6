import { neon, neonConfig } from "@neondatabase/serverless";
import { getTableColumns, type Table } from "drizzle-orm";
import { drizzle, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import * as schema from "../../drizzle/schema";
import { withRiders } from "./db-riders";

export type Schema = typeof schema;
export type Db = NeonHttpDatabase<Schema>;

export interface DbConfig {
  databaseUrl: string;
  /** Local development and tests only: the tools/neon-local endpoint (`http://host:port/sql`). */
  fetchEndpoint?: string;
  /** Aborts the handle's requests when it fires (e.g. `AbortSignal.timeout(ms)`): for callers that must not wait on a hung database. */
  signal?: AbortSignal;
}

/**
 * Builds the database handle for one request: drizzle over Neon's HTTP driver. Cheap (no
 * connection is opened: every query is one HTTPS request), so it is made per request.
 *
 * neon-http has no interactive transactions: fold work into one statement (CTEs) or
 * `db.batch([...])`, which runs as one atomic transaction.
 *
 * @example
 * const db = createDb({ databaseUrl: env.DATABASE_URL });
 * const [row] = await db.select().from(users).where(eq(users.id, 1));
 */
export function createDb(config: DbConfig): Db {
  // The endpoint is a process-wide driver setting; it is the same for every request of a
  // deployment, so setting it here is idempotent.
  if (config.fetchEndpoint) neonConfig.fetchEndpoint = config.fetchEndpoint;
  const client = config.signal ? neon(config.databaseUrl, { fetchOptions: { signal: config.signal } }) : neon(config.databaseUrl);
  // Riders (db-riders.ts) do nothing unless a scope asked for one.
  return drizzle({ client: withRiders(client), schema });
}

/** Postgres SQLSTATE codes the application reacts to. */
export const PG = {
  uniqueViolation: "23505",
  foreignKeyViolation: "23503",
  checkViolation: "23514",
  notNullViolation: "23502",
  exclusionViolation: "23P01",
  invalidTextRepresentation: "22P02",
  numericOutOfRange: "22003",
  stringTooLong: "22001",
  datetimeOverflow: "22008",
  invalidDatetimeFormat: "22007",
  serializationFailure: "40001",
  deadlockDetected: "40P01",
} as const;

export interface PgErrorInfo {
  code: string;
  constraint?: string;
  detail?: string;
}

/**
 * The Postgres error behind a failed query, if any. Drizzle wraps the driver's error
 * (`DrizzleQueryError` with the `NeonDbError` as `cause`), so this walks the cause chain.
 */
export function pgError(error: unknown): PgErrorInfo | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const candidate = current as { code?: unknown; constraint?: unknown; detail?: unknown; cause?: unknown };
    if (typeof candidate.code === "string" && /^[0-9A-Z]{5}$/.test(candidate.code)) {
      return {
        code: candidate.code,
        constraint: typeof candidate.constraint === "string" ? candidate.constraint : undefined,
        detail: typeof candidate.detail === "string" ? candidate.detail : undefined,
      };
    }
    current = candidate.cause;
  }
  return undefined;
}

/**
 * Maps a raw row (snake_case columns, driver text values) from `db.execute(sql...)` into the
 * typed row drizzle's own selects give, for statements the query builder cannot express
 * (data-modifying CTEs). Columns missing from the row are left out.
 *
 * @example
 * const { rows } = await db.execute(sql`WITH u AS (UPDATE users ... RETURNING *) SELECT * FROM u`);
 * const user = mapRow(users, rows[0]);
 */
export function mapRow<T extends Table>(table: T, raw: Record<string, unknown>): T["$inferSelect"] {
  const out: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    if (!(column.name in raw)) continue;
    const value = raw[column.name];
    out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return out;
}
