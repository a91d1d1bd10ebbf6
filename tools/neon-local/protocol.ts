/**
 * The wire shapes of Neon's SQL-over-HTTP protocol, as `@neondatabase/serverless`
 * sends and reads them (`POST /sql`).
 *
 * Request: `{query, params}` or `{queries: [{query, params}, ...]}` with headers
 * `Neon-Connection-String` (which database), `Neon-Raw-Text-Output`, `Neon-Array-Mode`
 * and, for batches, `Neon-Batch-Isolation-Level`, `Neon-Batch-Read-Only`,
 * `Neon-Batch-Deferrable`.
 * Reply: one {@link QueryResult}, or `{results: QueryResult[]}` for a batch; a SQL
 * error is HTTP 400 with the fields of {@link SqlErrorBody}.
 */

/** A value as Postgres's text output format renders it; `null` for SQL NULL. */
export type TextValue = string | null;

export interface QueryRequest {
  query: string;
  params: TextValue[];
}

export interface FieldDescription {
  name: string;
  tableID: number;
  columnID: number;
  dataTypeID: number;
  dataTypeSize: number;
  dataTypeModifier: number;
  format: "text";
}

export interface QueryResult {
  fields: FieldDescription[];
  command: string;
  rowCount: number | null;
  rows: TextValue[][] | Record<string, TextValue>[];
  rowAsArray: boolean;
}

/** What one statement produced, before shaping into the reply. */
export interface RawResult {
  fields: FieldDescription[];
  rows: TextValue[][];
  command: string;
  rowCount: number | null;
}

export const ISOLATION_LEVELS = {
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
  Serializable: "SERIALIZABLE",
} as const;

export type IsolationLevel = keyof typeof ISOLATION_LEVELS;

export interface BatchOptions {
  isolationLevel?: IsolationLevel;
  readOnly?: boolean;
  deferrable?: boolean;
}

/** The error fields Postgres reports and Neon passes through (node-postgres names). */
export const SQL_ERROR_FIELDS = [
  "severity",
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;

export type SqlErrorBody = { message: string } & Partial<
  Record<(typeof SQL_ERROR_FIELDS)[number], string>
>;

/** A SQL error raised by a backend: becomes HTTP 400 with {@link SqlErrorBody}. */
export class SqlError extends Error {
  readonly body: SqlErrorBody;

  constructor(body: SqlErrorBody) {
    super(body.message);
    this.name = "SqlError";
    this.body = body;
  }

  /** Copies the Postgres error fields off an error object from PGlite or node-postgres. */
  static from(error: unknown): SqlError {
    if (error instanceof SqlError) return error;
    const source = (error ?? {}) as Record<string, unknown>;
    const body: SqlErrorBody = {
      message: typeof source.message === "string" ? source.message : String(error),
    };
    for (const field of SQL_ERROR_FIELDS) {
      const value = source[field];
      if (typeof value === "string" || typeof value === "number") body[field] = String(value);
    }
    return new SqlError(body);
  }
}

/** Splits a command tag the way node-postgres does: `INSERT 0 2` -> INSERT, 2. */
export function parseCommandTag(tag: string): { command: string; rowCount: number | null } {
  const match = /^([A-Za-z]+)(?: (\d+))?(?: (\d+))?/.exec(tag);
  if (!match) return { command: tag, rowCount: null };
  const count = match[3] ?? match[2];
  return { command: match[1] ?? tag, rowCount: count === undefined ? null : Number(count) };
}

/** Shapes a statement's output as Neon replies it (arrays, or objects by column name). */
export function toQueryResult(raw: RawResult, arrayMode: boolean): QueryResult {
  const rows = arrayMode
    ? raw.rows
    : raw.rows.map((row) => Object.fromEntries(raw.fields.map((f, i) => [f.name, row[i] ?? null])));
  return { fields: raw.fields, command: raw.command, rowCount: raw.rowCount, rows, rowAsArray: arrayMode };
}

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

function parseParams(value: unknown, where: string): TextValue[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ProtocolError(`${where}.params must be an array`);
  return (value as unknown[]).map((param, i) => {
    if (param === null || typeof param === "string") return param;
    if (typeof param === "number" || typeof param === "boolean") return String(param);
    throw new ProtocolError(`${where}.params[${i}] must be a string, number, boolean or null`);
  });
}

function parseQuery(value: unknown, where: string): QueryRequest {
  if (typeof value !== "object" || value === null) throw new ProtocolError(`${where} must be an object`);
  const { query, params } = value as Record<string, unknown>;
  if (typeof query !== "string") throw new ProtocolError(`${where}.query must be a string`);
  return { query, params: parseParams(params, where) };
}

/** Parses a request body: one query, or a batch. */
export function parseRequestBody(body: unknown): { single: QueryRequest } | { batch: QueryRequest[] } {
  if (typeof body === "object" && body !== null && "queries" in body) {
    const { queries } = body;
    if (!Array.isArray(queries)) throw new ProtocolError("queries must be an array");
    return { batch: (queries as unknown[]).map((q, i) => parseQuery(q, `queries[${i}]`)) };
  }
  return { single: parseQuery(body, "body") };
}

function parseBooleanHeader(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === "true") return true;
  if (value === "false") return false;
  throw new ProtocolError(`${name} must be true or false`);
}

/** Reads the batch headers (`Neon-Batch-*`); an unknown isolation level is an error. */
export function parseBatchOptions(header: (name: string) => string | undefined): BatchOptions {
  const level = header("neon-batch-isolation-level");
  if (level !== undefined && !(level in ISOLATION_LEVELS)) {
    throw new ProtocolError(
      `Neon-Batch-Isolation-Level must be one of ${Object.keys(ISOLATION_LEVELS).join(", ")}`,
    );
  }
  return {
    isolationLevel: level as IsolationLevel | undefined,
    readOnly: parseBooleanHeader(header("neon-batch-read-only"), "Neon-Batch-Read-Only"),
    deferrable: parseBooleanHeader(header("neon-batch-deferrable"), "Neon-Batch-Deferrable"),
  };
}

/** The `BEGIN` statement for a batch with these options. */
export function beginStatement(options: BatchOptions): string {
  const modes: string[] = [];
  if (options.isolationLevel) modes.push(`ISOLATION LEVEL ${ISOLATION_LEVELS[options.isolationLevel]}`);
  if (options.readOnly !== undefined) modes.push(options.readOnly ? "READ ONLY" : "READ WRITE");
  if (options.deferrable !== undefined) modes.push(options.deferrable ? "DEFERRABLE" : "NOT DEFERRABLE");
  return modes.length ? `BEGIN ${modes.join(", ")}` : "BEGIN";
}

/** Database names the endpoint accepts: plain identifiers, so they are safe to quote. */
export const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The database a `Neon-Connection-String` names (its path). */
export function databaseFromConnectionString(connectionString: string | undefined): string {
  if (!connectionString) throw new ProtocolError("Neon-Connection-String header is required");
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new ProtocolError("Neon-Connection-String is not a valid URL");
  }
  const name = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!DATABASE_NAME.test(name)) {
    throw new ProtocolError(`database name "${name}" must match ${DATABASE_NAME.source}`);
  }
  return name;
}
