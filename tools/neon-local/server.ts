import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Backend } from "./backend";
import { PGliteBackend } from "./pglite";
import { PostgresBackend } from "./postgres";
import {
  DATABASE_NAME,
  ProtocolError,
  SqlError,
  databaseFromConnectionString,
  parseBatchOptions,
  parseRequestBody,
  toQueryResult,
} from "./protocol";

const MAX_BODY_BYTES = 64 * 1024 * 1024;

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
}

export interface NeonLocal {
  /** `http://host:port`: `/sql` is the Neon endpoint, `/_local/*` the admin API. */
  readonly url: string;
  readonly port: number;
  readonly backend: Backend;
  /** A connection string for `database` that the Neon driver can use with this endpoint. */
  connectionString(database: string): string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "request body too large");
    chunks.push(chunk as Buffer);
  }
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
  const json = JSON.stringify(body);
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
 * Admin API (local only): `POST /_local/databases {name, template?}` creates a database,
 * empty or as a copy of `template`; `DELETE /_local/databases/:name` drops one;
 * `GET /_local/health` answers `{ok, backend}`.
 *
 * @example
 * const local = await startNeonLocal({ port: 0 });
 * await local.backend.createDatabase("app");
 * neonConfig.fetchEndpoint = `${local.url}/sql`;
 * const sql = neon(local.connectionString("app"));
 */
export async function startNeonLocal(options: NeonLocalOptions = {}): Promise<NeonLocal> {
  const backend = createBackend(options);
  const host = options.host ?? "127.0.0.1";

  async function handleSql(req: IncomingMessage, res: ServerResponse): Promise<string> {
    const header = (name: string) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const database = databaseFromConnectionString(header("neon-connection-string"));
    if (header("neon-raw-text-output") === "false") {
      throw new ProtocolError("only Neon-Raw-Text-Output: true is supported (the driver always sends it)");
    }
    const arrayMode = header("neon-array-mode") === "true";
    const body = parseRequestBody(await readJson(req));
    if ("single" in body) {
      const [result] = await backend.run(database, [body.single], null);
      send(res, 200, toQueryResult(result!, arrayMode));
      return `${database} 1 query`;
    }
    const results = await backend.run(database, body.batch, parseBatchOptions(header));
    send(res, 200, { results: results.map((r) => toQueryResult(r, arrayMode)) });
    return `${database} batch of ${body.batch.length}`;
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, path: string): Promise<string> {
    if (req.method === "GET" && path === "/_local/health") {
      send(res, 200, { ok: true, backend: backend.kind });
      return "health";
    }
    if (req.method === "POST" && path === "/_local/databases") {
      const body = (await readJson(req)) as { name?: unknown; template?: unknown } | null;
      const name = body?.name;
      const template = body?.template;
      if (typeof name !== "string" || !DATABASE_NAME.test(name)) {
        throw new ProtocolError(`name must match ${DATABASE_NAME.source}`);
      }
      if (template !== undefined && (typeof template !== "string" || !DATABASE_NAME.test(template))) {
        throw new ProtocolError(`template must match ${DATABASE_NAME.source}`);
      }
      await backend.createDatabase(name, template);
      send(res, 201, { name, connectionString: connectionString(name) });
      return `create database ${name}${template ? ` from ${template}` : ""}`;
    }
    const drop = /^\/_local\/databases\/([^/]+)$/.exec(path);
    if (req.method === "DELETE" && drop) {
      const name = decodeURIComponent(drop[1]!);
      if (!DATABASE_NAME.test(name)) throw new ProtocolError(`name must match ${DATABASE_NAME.source}`);
      await backend.dropDatabase(name);
      send(res, 204);
      return `drop database ${name}`;
    }
    throw new HttpError(404, `no route for ${req.method} ${path}`);
  }

  const server: Server = createServer((req, res) => {
    const started = performance.now();
    const path = new URL(req.url ?? "/", "http://local").pathname;
    const handle =
      req.method === "POST" && path === "/sql" ? handleSql(req, res) : handleAdmin(req, res, path);
    handle.then(
      (summary) => options.log?.(`${summary} ${(performance.now() - started).toFixed(1)}ms`),
      (error: unknown) => {
        if (error instanceof SqlError) {
          send(res, 400, error.body);
          options.log?.(`sql error ${error.body.code ?? ""} ${error.message}`);
        } else if (error instanceof ProtocolError) {
          send(res, 400, { message: error.message });
        } else if (error instanceof HttpError) {
          send(res, error.status, { message: error.message });
        } else {
          const message = error instanceof Error ? error.message : String(error);
          options.log?.(`internal error: ${message}`);
          if (!res.headersSent) send(res, 500, { message });
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
    connectionString,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await backend.close();
    },
  };
}
