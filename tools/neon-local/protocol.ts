/**
 * The wire shapes of Neon's SQL-over-HTTP protocol, as `@neondatabase/serverless`
 * sends and reads them (`POST /sql`).
 *
 * Request: `{query, params}` or `{queries: [{query, params}, ...]}` with headers
 * `Neon-Connection-String` (which database), `Neon-Raw-Text-Output`, `Neon-Array-Mode`
 * and, for batches, `Neon-Batch-Isolation-Level`, `Neon-Batch-Read-Only`,
 * `Neon-Batch-Deferrable`.
 * Reply: one {@link QueryResult}, or `{results: QueryResult[]}` for a batch. Every error
 * carries all the keys of {@link ErrorBody} (a SQL error is HTTP 400 with Postgres's fields).
 *
 * Header values follow Neon's proxy: a boolean header is true only when it is exactly
 * `true` (anything else, or no header, is false), and the isolation level is checked on
 * every request, batch or not.
 */

/** A value as Postgres's text output format renders it; `null` for SQL NULL. */
export type TextValue = string | null;

export interface QueryRequest {
  query: string;
  params: TextValue[];
  /** Per-statement override of `Neon-Array-Mode` (Neon reads `arrayMode` in the body). */
  arrayMode?: boolean;
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

/** What the headers of a `/sql` request ask for. */
export interface RequestOptions {
  /** `Neon-Raw-Text-Output: true`: values as Postgres text (the driver always asks). */
  rawText: boolean;
  /** `Neon-Array-Mode: true`: rows as arrays rather than objects. */
  arrayMode: boolean;
  /** The `Neon-Batch-*` headers (only batches use them, but every request checks them). */
  batch: BatchOptions;
}

/**
 * The error fields Postgres reports and Neon passes through (node-postgres names), besides
 * `message`. Neon's reply always has every one: `null` when absent, and `code` and
 * `severity` are `""` when the error did not come from Postgres.
 */
export const SQL_ERROR_FIELDS = [
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
  "severity",
] as const;

type SqlErrorField = (typeof SQL_ERROR_FIELDS)[number];

/** The fields a SQL error has (the rest are null in the reply). */
export type SqlErrorBody = { message: string } & Partial<Record<SqlErrorField, string>>;

/** An error reply as Neon sends it: every key present. */
export type ErrorBody = { message: string; code: string; severity: string } & Record<
  Exclude<SqlErrorField, "code" | "severity">,
  string | null
>;

/** The full reply body for an error: Postgres's fields when it has them, null (or "") otherwise. */
export function errorBody(message: string, fields: Partial<Record<SqlErrorField, string>> = {}): ErrorBody {
  const body = { message } as Record<string, string | null>;
  for (const field of SQL_ERROR_FIELDS) {
    body[field] = fields[field] ?? (field === "code" || field === "severity" ? "" : null);
  }
  return body as ErrorBody;
}

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

/** An error with an HTTP status of its own (413, 507, 404...): the reply has no SQL fields. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
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
export function toQueryResult(raw: RawResult, arrayMode: boolean, rawText = true): QueryResult {
  const values = rawText
    ? raw.rows
    : raw.rows.map((row) => row.map((value, i) => (value === null ? null : textToJson(value, raw.fields[i]!.dataTypeID))));
  const rows = arrayMode
    ? values
    : values.map((row) => Object.fromEntries(raw.fields.map((f, i) => [f.name, row[i] ?? null])));
  return {
    fields: raw.fields,
    command: raw.command,
    rowCount: raw.rowCount,
    rows: rows as QueryResult["rows"],
    rowAsArray: arrayMode,
  };
}

const TYPE = { bool: 16, int2: 21, int4: 23, float4: 700, float8: 701, json: 114, jsonb: 3802 } as const;

/**
 * The built-in array types (Postgres 15 to 18) and, for those whose elements are not
 * rendered as strings, their element type. Arrays of extension or user types (citext[],
 * enums) are not known here: without `Neon-Raw-Text-Output: true` they stay text.
 */
const ARRAY_ELEMENT = new Map<number, number>([
  [1000, TYPE.bool],
  [1005, TYPE.int2],
  [1007, TYPE.int4],
  [1021, TYPE.float4],
  [1022, TYPE.float8],
  [199, TYPE.json],
  [3807, TYPE.jsonb],
  ...[
    22, 30, 143, 210, 270, 271, 272, 273, 629, 651, 719, 775, 791, 1001, 1002, 1003, 1006, 1008, 1009, 1010, 1011,
    1012, 1013, 1014, 1015, 1016, 1017, 1018, 1019, 1020, 1027, 1028, 1034, 1040, 1041, 1115, 1182, 1183, 1185, 1187,
    1231, 1263, 1270, 1561, 1563, 2201, 2207, 2208, 2209, 2210, 2211, 2949, 2951, 3221, 3643, 3644, 3645, 3735, 3770,
    3905, 3907, 3909, 3911, 3913, 3927, 4073, 4090, 4097, 4192, 5039, 6150, 6151, 6152, 6153, 6155, 6157,
  ].map((oid) => [oid, 0] as [number, number]),
]);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A value in Postgres text format as Neon renders it without `Neon-Raw-Text-Output: true`:
 * booleans, int2/int4 and finite floats as JSON numbers, json/jsonb parsed, arrays as JSON
 * arrays; everything else (int8 and numeric included) as the text.
 */
export function textToJson(text: string, typeId: number): Json {
  const element = ARRAY_ELEMENT.get(typeId);
  if (element !== undefined) return parseArray(text, element);
  switch (typeId) {
    case TYPE.bool:
      return text === "t";
    case TYPE.int2:
    case TYPE.int4:
      return Number.parseInt(text, 10);
    case TYPE.float4:
    case TYPE.float8: {
      const value = Number(text);
      return Number.isFinite(value) ? value : text;
    }
    case TYPE.json:
    case TYPE.jsonb:
      return JSON.parse(text) as Json;
    default:
      return text;
  }
}

/** Parses an array's text (`{1,NULL,"a b"}`, nested, with optional bounds) into JSON. */
function parseArray(text: string, element: number): Json[] {
  let i = text.startsWith("[") ? text.indexOf("=") + 1 : 0;
  const fail = () => new Error(`unbalanced array: ${text.slice(0, 40)}`);
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const list = (): Json[] => {
    skipSpace();
    if (text[i] !== "{") throw fail();
    i++;
    const items: Json[] = [];
    if (text[i] === "}") {
      i++;
      return items;
    }
    for (;;) {
      skipSpace();
      if (text[i] === "{") items.push(list());
      else if (text[i] === '"') {
        let value = "";
        i++;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === "\\") i++;
          value += text[i] ?? "";
          i++;
        }
        if (i >= text.length) throw fail();
        i++;
        items.push(textToJson(value, element));
      } else {
        const end = text.slice(i).search(/[,}]/);
        if (end < 0) throw fail();
        const item = text.slice(i, i + end).trim();
        i += end;
        items.push(item === "NULL" ? null : textToJson(item, element));
      }
      skipSpace();
      if (text[i] === ",") i++;
      else if (text[i] === "}") {
        i++;
        return items;
      } else throw fail();
    }
  };
  return list();
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
  const { query, params, arrayMode } = value as Record<string, unknown>;
  if (typeof query !== "string") throw new ProtocolError(`${where}.query must be a string`);
  if (arrayMode !== undefined && typeof arrayMode !== "boolean") {
    throw new ProtocolError(`${where}.arrayMode must be a boolean`);
  }
  return { query, params: parseParams(params, where), ...(arrayMode === undefined ? {} : { arrayMode }) };
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

/**
 * Reads the request headers as Neon's proxy does: a boolean header is true only when it is
 * exactly `true`; an isolation level other than the four names is a 400 on any request.
 */
export function parseRequestOptions(header: (name: string) => string | undefined): RequestOptions {
  const level = header("neon-batch-isolation-level");
  if (level !== undefined && !Object.hasOwn(ISOLATION_LEVELS, level)) {
    throw new ProtocolError("invalid isolation level");
  }
  return {
    rawText: header("neon-raw-text-output") === "true",
    arrayMode: header("neon-array-mode") === "true",
    batch: {
      isolationLevel: level as IsolationLevel | undefined,
      readOnly: header("neon-batch-read-only") === "true",
      deferrable: header("neon-batch-deferrable") === "true",
    },
  };
}

/** The `BEGIN` statement for a batch with these options (Neon only ever adds modes). */
export function beginStatement(options: BatchOptions): string {
  const modes: string[] = [];
  if (options.isolationLevel) modes.push(`ISOLATION LEVEL ${ISOLATION_LEVELS[options.isolationLevel]}`);
  if (options.readOnly) modes.push("READ ONLY");
  if (options.deferrable) modes.push("DEFERRABLE");
  return modes.length ? `BEGIN ${modes.join(", ")}` : "BEGIN";
}

/**
 * What Neon's pooler runs on a connection after every request, before anyone else gets it:
 * no setting, temporary table, prepared statement, cursor, listener or session advisory
 * lock outlives the request. (Not `DISCARD ALL`: it cannot run in the implicit transaction
 * of a multi-statement string, and this way it is one round trip.) Settings given at
 * connection start (`options`) survive `RESET ALL`, as they do on Neon.
 */
export const SESSION_RESET =
  "ROLLBACK; CLOSE ALL; SET SESSION AUTHORIZATION DEFAULT; RESET ALL; DEALLOCATE ALL; UNLISTEN *; " +
  "SELECT pg_advisory_unlock_all(); DISCARD TEMP; DISCARD SEQUENCES";

/** Database names the endpoint accepts: plain identifiers, so they are safe to quote. */
export const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Connection-string parameters that change nothing in the session: TLS settings (Neon's
 * dashboard URLs carry them) and `application_name` (the driver always adds it).
 */
const HARMLESS_PARAMETERS = new Set(["sslmode", "channel_binding", "sslnegotiation", "application_name"]);

/**
 * The database a `Neon-Connection-String` names (its path). Any other query parameter
 * (`options=-c ...`, a setting by name) would be a startup setting, which Neon's HTTP
 * proxy does not reliably pass to Postgres: refused, so that no code depends on it.
 */
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
  const refused = [...new Set(url.searchParams.keys())].filter((key) => !HARMLESS_PARAMETERS.has(key));
  if (refused.length) {
    throw new ProtocolError(
      `connection-string parameter ${refused.join(", ")} is not supported: startup settings do not reach ` +
        "Postgres over HTTP; set them in the statement (SET LOCAL in a batch, or set_config(..., true))",
    );
  }
  return name;
}
