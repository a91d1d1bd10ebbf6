import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Backend } from "./backend";
import { PGliteBackend } from "./pglite";
import { PostgresBackend } from "./postgres";
import {
  DATABASE_NAME,
  HttpError,
  ProtocolError,
  type RawResult,
  SqlError,
  databaseFromConnectionString,
  errorBody,
  parseRequestBody,
  parseRequestOptions,
  toQueryResult,
} from "./protocol";

/**
 * Neon's size limits, each way: the serverless driver's documentation (October 2026) says
 * 64 MB. Neon answers a request body over it with 413 and a response over it (a whole
 * batch counted together) with 507.
 */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** The request and response size limits of the endpoint, or of one database. */
export interface SizeLimits {
  /** Largest request body, in bytes: more is a 413. */
  maxRequestBytes: number;
  /** Largest reply body, in bytes (a batch's results together): more is a 507. */
  maxResponseBytes: number;
}

/**
 * A fault put on one database's `/sql` (admin API), for tests of what a client does when Neon
 * is out of reach: `refuse` answers 503 without running anything; `hang` holds each request
 * until the fault is cleared (then runs it) or the client gives up; `fail_after_commit` runs
 * the request (a batch commits) and then answers 503, as a reply lost on the way back would.
 */
export const FAULT_MODES = ["none", "refuse", "hang", "fail_after_commit"] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export interface NeonLocalOptions {
  /** Port to listen on (0 picks a free one). */
  port?: number;
  host?: string;
  /** A PostgreSQL server to use instead of PGlite (its role needs CREATEDB). */
  databaseUrl?: string;
  /** Where PGlite keeps its databases; in memory when unset. */
  dataDir?: string;
  /** Called once per request with a one-line summary. */
  log?: (line: string) => void;
  /**
   * Largest request body in bytes (413 beyond). Default: NEON_LOCAL_MAX_REQUEST_BYTES from
   * the environment, else {@link DEFAULT_MAX_BYTES}.
   */
  maxRequestBytes?: number;
  /**
   * Largest reply body in bytes (507 beyond). Default: NEON_LOCAL_MAX_RESPONSE_BYTES from
   * the environment, else {@link DEFAULT_MAX_BYTES}.
   */
  maxResponseBytes?: number;
}

export interface NeonLocal {
  /** `http://host:port`: `/sql` is the Neon endpoint, `/_local/*` the admin API. */
  readonly url: string;
  readonly port: number;
  readonly backend: Backend;
  /** The limits that apply to databases without limits of their own. */
  readonly limits: SizeLimits;
  /** A connection string for `database` that the Neon driver can use with this endpoint. */
  connectionString(database: string): string;
  close(): Promise<void>;
}

function byteLimit(value: unknown, name: string): number {
  const limit = typeof value === "string" ? Number(value) : value;
  if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 1) {
    throw new ProtocolError(`${name} must be a positive whole number of bytes`);
  }
  return limit;
}

/** The endpoint-wide limits: options, else the environment (for `npm run dev`), else 64 MB. */
function defaultLimits(options: NeonLocalOptions): SizeLimits {
  const pick = (option: number | undefined, variable: string) =>
    option !== undefined
      ? byteLimit(option, variable)
      : process.env[variable]
        ? byteLimit(process.env[variable], variable)
        : DEFAULT_MAX_BYTES;
  return {
    maxRequestBytes: pick(options.maxRequestBytes, "NEON_LOCAL_MAX_REQUEST_BYTES"),
    maxResponseBytes: pick(options.maxResponseBytes, "NEON_LOCAL_MAX_RESPONSE_BYTES"),
  };
}

async function readJson(req: IncomingMessage, maxBytes = DEFAULT_MAX_BYTES): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // Past the limit, read on without keeping anything: answering before the client has
    // sent its body would reset the connection instead of delivering the 413.
    if (size <= maxBytes) chunks.push(chunk as Buffer);
  }
  if (size > maxBytes) throw new HttpError(413, `request is too large (max is ${maxBytes} bytes)`);
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ProtocolError("request body is not valid JSON");
  }
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  sendJson(res, status, JSON.stringify(body));
}

function sendJson(res: ServerResponse, status: number, json: string): void {
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
  res.end(json);
}

function createBackend(options: NeonLocalOptions): Backend {
  return options.databaseUrl ? new PostgresBackend(options.databaseUrl) : new PGliteBackend(options.dataDir);
}

/**
 * Starts a local endpoint that speaks Neon's SQL-over-HTTP protocol in front of PGlite
 * (default) or a real PostgreSQL, so the production driver (`neon()` + drizzle
 * `neon-http`) runs unchanged in development and tests.
 *
 * Admin API (local only): `POST /_local/databases {name, template?, limits?}` creates a
 * database, empty or as a copy of `template`, with its own {@link SizeLimits} if given (a
 * test that exercises the 413 and 507 paths sets them low); `DELETE /_local/databases/:name`
 * drops one; `PUT /_local/databases/:name/fault {mode}` puts a {@link FaultMode} on its `/sql`
 * (`none` clears it; tests of outages must clear it in a `finally`); `GET /_local/health`
 * answers `{ok, backend}`.
 *
 * @example
 * const local = await startNeonLocal({ port: 0 });
 * await local.backend.createDatabase("app");
 * neonConfig.fetchEndpoint = `${local.url}/sql`;
 * const sql = neon(local.connectionString("app"));
 */
export async function startNeonLocal(options: NeonLocalOptions = {}): Promise<NeonLocal> {
  const limits = defaultLimits(options);
  const backend = createBackend(options);
  const host = options.host ?? "127.0.0.1";
  /** Databases created with limits of their own (admin API). */
  const databaseLimits = new Map<string, SizeLimits>();
  /** Databases with a fault on (admin API); absent means `none`. */
  const faults = new Map<string, Exclude<FaultMode, "none">>();
  /** Requests held by a `hang` fault, released when their database's fault changes. */
  const held = new Map<string, Set<() => void>>();

  function setFault(database: string, mode: FaultMode): void {
    if (mode === "none") faults.delete(database);
    else faults.set(database, mode);
    const waiting = held.get(database);
    held.delete(database);
    for (const release of waiting ?? []) release();
  }

  /** Holds a request until its database's fault changes: true then, false if the client went away first. */
  function holdUntilFaultChanges(database: string, res: ServerResponse): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const waiting = held.get(database) ?? new Set<() => void>();
      const gone = () => {
        waiting.delete(release);
        resolve(false);
      };
      const release = () => {
        res.off("close", gone);
        resolve(true);
      };
      waiting.add(release);
      held.set(database, waiting);
      res.once("close", gone);
    });
  }

  async function handleSql(req: IncomingMessage, res: ServerResponse): Promise<string> {
    const header = (name: string) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    // In Neon's order: the connection string and the headers, then the body.
    const database = databaseFromConnectionString(header("neon-connection-string"));
    const request = parseRequestOptions(header);
    const { maxRequestBytes, maxResponseBytes } = databaseLimits.get(database) ?? limits;
    for (let mode = faults.get(database); mode === "refuse" || mode === "hang"; mode = faults.get(database)) {
      if (mode === "refuse") {
        // Read the body first: answering before the client has sent it would reset the connection.
        for await (const chunk of req) void chunk;
        throw new HttpError(503, `database ${database} is unavailable (fault injected)`);
      }
      if (!(await holdUntilFaultChanges(database, res))) return `${database} held by a fault until the client went away`;
    }
    const body = parseRequestBody(await readJson(req, maxRequestBytes));
    const queries = "single" in body ? [body.single] : body.batch;

    // Each result is serialized once, as it completes, counting the bytes of the whole
    // reply: over the limit, the request fails with 507 (a batch rolls back).
    const parts: string[] = [];
    let bytes = 0;
    const accept = (result: RawResult, index: number) => {
      const json = JSON.stringify(toQueryResult(result, queries[index]?.arrayMode ?? request.arrayMode, request.rawText));
      bytes += Buffer.byteLength(json) + 1;
      if (bytes > maxResponseBytes) throw new HttpError(507, `response is too large (max is ${maxResponseBytes} bytes)`);
      parts.push(json);
    };
    await backend.run(database, queries, "single" in body ? null : request.batch, accept);
    if (faults.get(database) === "fail_after_commit") {
      throw new HttpError(503, `database ${database} ran the request but its reply was lost (fault injected)`);
    }
    if ("single" in body) {
      sendJson(res, 200, parts[0]!);
      return `${database} 1 query`;
    }
    sendJson(res, 200, `{"results":[${parts.join(",")}]}`);
    return `${database} batch of ${queries.length}`;
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, path: string): Promise<string> {
    if (req.method === "GET" && path === "/_local/health") {
      send(res, 200, { ok: true, backend: backend.kind });
      return "health";
    }
    if (req.method === "POST" && path === "/_local/databases") {
      const body = (await readJson(req)) as { name?: unknown; template?: unknown; limits?: unknown } | null;
      const name = body?.name;
      const template = body?.template;
      const ownLimits = body?.limits === undefined ? undefined : parseLimits(body.limits);
      if (typeof name !== "string" || !DATABASE_NAME.test(name)) {
        throw new ProtocolError(`name must match ${DATABASE_NAME.source}`);
      }
      if (template !== undefined && (typeof template !== "string" || !DATABASE_NAME.test(template))) {
        throw new ProtocolError(`template must match ${DATABASE_NAME.source}`);
      }
      await backend.createDatabase(name, template);
      if (ownLimits) databaseLimits.set(name, ownLimits);
      send(res, 201, { name, connectionString: connectionString(name) });
      return `create database ${name}${template ? ` from ${template}` : ""}`;
    }
    const fault = /^\/_local\/databases\/([^/]+)\/fault$/.exec(path);
    if (req.method === "PUT" && fault) {
      const name = decodeURIComponent(fault[1]!);
      if (!DATABASE_NAME.test(name)) throw new ProtocolError(`name must match ${DATABASE_NAME.source}`);
      const mode = ((await readJson(req)) as { mode?: unknown } | null)?.mode;
      if (typeof mode !== "string" || !(FAULT_MODES as readonly string[]).includes(mode)) {
        throw new ProtocolError(`mode must be one of ${FAULT_MODES.join(", ")}`);
      }
      setFault(name, mode as FaultMode);
      send(res, 200, { name, mode });
      return `fault ${mode} on ${name}`;
    }
    const drop = /^\/_local\/databases\/([^/]+)$/.exec(path);
    if (req.method === "DELETE" && drop) {
      const name = decodeURIComponent(drop[1]!);
      if (!DATABASE_NAME.test(name)) throw new ProtocolError(`name must match ${DATABASE_NAME.source}`);
      await backend.dropDatabase(name);
      databaseLimits.delete(name);
      setFault(name, "none");
      send(res, 204);
      return `drop database ${name}`;
    }
    throw new HttpError(404, `no route for ${req.method} ${path}`);
  }

  function parseLimits(value: unknown): SizeLimits {
    if (typeof value !== "object" || value === null) throw new ProtocolError("limits must be an object");
    const given = value as Record<string, unknown>;
    return {
      maxRequestBytes:
        given.maxRequestBytes === undefined ? limits.maxRequestBytes : byteLimit(given.maxRequestBytes, "limits.maxRequestBytes"),
      maxResponseBytes:
        given.maxResponseBytes === undefined
          ? limits.maxResponseBytes
          : byteLimit(given.maxResponseBytes, "limits.maxResponseBytes"),
    };
  }

  const server: Server = createServer((req, res) => {
    const started = performance.now();
    const path = new URL(req.url ?? "/", "http://local").pathname;
    const handle =
      req.method === "POST" && path === "/sql" ? handleSql(req, res) : handleAdmin(req, res, path);
    handle.then(
      (summary) => options.log?.(`${summary} ${(performance.now() - started).toFixed(1)}ms`),
      (error: unknown) => {
        // Every error body carries all of Neon's keys (see errorBody).
        if (error instanceof SqlError) {
          const { message, ...fields } = error.body;
          send(res, 400, errorBody(message, fields));
          options.log?.(`sql error ${error.body.code ?? ""} ${error.message}`);
        } else if (error instanceof ProtocolError) {
          send(res, 400, errorBody(error.message));
        } else if (error instanceof HttpError) {
          send(res, error.status, errorBody(error.message));
          options.log?.(`${error.status} ${error.message}`);
        } else {
          const message = error instanceof Error ? error.message : String(error);
          options.log?.(`internal error: ${message}`);
          if (!res.headersSent) send(res, 500, errorBody(message));
        }
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;

  function connectionString(database: string): string {
    return `postgresql://neon:local@${host}:${port}/${database}`;
  }

  return {
    url,
    port,
    backend,
    limits,
    connectionString,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await backend.close();
    },
  };
}
