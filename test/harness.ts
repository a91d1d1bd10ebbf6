import { createExecutionContext, env as baseEnv, waitOnExecutionContext } from "cloudflare:test";
import { afterAll } from "vitest";
import type { Actor, Ctx } from "../src/lib/context";
import { createDb, type Db } from "../src/lib/db";
import { loadConfig } from "../src/lib/env";
import { createLogger } from "../src/lib/logger";
import worker from "../workers/api";
import { findLeaks, subjectOf } from "./leaks";

/** Bindings the test config adds beside the Worker's own (see vitest.config.ts). */
interface TestBindings {
  TEST_NEON_LOCAL_URL: string;
  TEST_TEMPLATE_DATABASE: string;
}

const bindings = baseEnv as Env & TestBindings;

/**
 * What the Worker answered. Every response is checked for leaks on the way (see leaks.ts):
 * a password hash, or another user's private field, fails the test that made the request.
 */
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the response is JSON (or problem+json), else the text. */
  body: T;
}

export interface RequestOptions {
  /** Sent as JSON with `content-type: application/json`. */
  json?: unknown;
  /** A raw body (for malformed-input tests); set the content type in `headers`. */
  body?: BodyInit;
  token?: string;
  headers?: Record<string, string>;
}

export interface Api {
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  get<T = any>(path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  post<T = any>(path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  patch<T = any>(path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  put<T = any>(path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  delete<T = any>(path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
}

export interface TestContext {
  env: Env;
  db: Db;
  api: Api;
  databaseName: string;
}

/** Calls the Worker's fetch handler as the runtime would, and waits for its `waitUntil` work. */
export function createApi(env: Env, fetch: ExportedHandlerFetchHandler<Env> = worker.fetch): Api {
  async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers = new Headers(options.headers);
    let payload = options.body;
    if (options.json !== undefined) {
      headers.set("content-type", "application/json");
      payload = JSON.stringify(options.json);
    }
    if (options.token) headers.set("authorization", `Bearer ${options.token}`);
    const ctx = createExecutionContext();
    const response = await fetch(
      new Request<unknown, IncomingRequestCfProperties>(`https://api.mundotango.test${path}`, {
        method,
        headers,
        body: payload,
      }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const text = await response.text();
    const isJson = /json/.test(response.headers.get("content-type") ?? "");
    const body = (isJson && text ? JSON.parse(text) : text) as T;
    const viewers = new Set<number>();
    for (const token of [options.token, (body as { accessToken?: string } | null)?.accessToken]) {
      const id = subjectOf(token);
      if (id !== undefined) viewers.add(id);
    }
    const leaks = findLeaks(text, viewers);
    if (leaks.length) throw new Error(`${method} ${path} leaked ${leaks.join(", ")}: ${text.slice(0, 500)}`);
    return { status: response.status, headers: response.headers, body };
  }
  return {
    request,
    get: (path, options) => request("GET", path, options),
    post: (path, options) => request("POST", path, options),
    patch: (path, options) => request("PATCH", path, options),
    put: (path, options) => request("PUT", path, options),
    delete: (path, options) => request("DELETE", path, options),
  };
}

/**
 * A service context on the test database, for calling a job or a verb directly: no actor (as
 * a cron job runs) unless one is given.
 *
 * @example
 * await cleanup.run(testCtx(t, { now: new Date("2026-03-01T03:00:00Z") }));
 */
export function testCtx(t: TestContext, options: { now?: Date; actor?: Actor | null } = {}): Ctx {
  return { db: t.db, logger: createLogger("silent"), now: options.now ?? new Date(), config: loadConfig(t.env), actor: options.actor ?? null };
}

let counter = 0;

/**
 * A database of this test file's own: a copy of the migrated template, dropped after the
 * file. Its `env` points the Worker at it, so test files never see each other's rows.
 *
 * @example
 * const t = await useTestDatabase();
 * const res = await t.api.get("/health");
 */
export async function useTestDatabase(): Promise<TestContext> {
  counter += 1;
  const name = `${bindings.TEST_TEMPLATE_DATABASE.replace(/_template$/, "")}_f${crypto.randomUUID().slice(0, 8)}${counter}`;
  const admin = bindings.TEST_NEON_LOCAL_URL;
  const created = await fetch(`${admin}/_local/databases`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, template: bindings.TEST_TEMPLATE_DATABASE }),
  });
  if (created.status !== 201) throw new Error(`could not create test database: ${await created.text()}`);
  const { connectionString } = await created.json<{ connectionString: string }>();
  afterAll(async () => {
    await fetch(`${admin}/_local/databases/${name}`, { method: "DELETE" });
  });
  const env = { ...bindings, DATABASE_URL: connectionString } as Env;
  return {
    env,
    db: createDb({ databaseUrl: connectionString, fetchEndpoint: bindings.NEON_FETCH_ENDPOINT }),
    api: createApi(env),
    databaseName: name,
  };
}

/**
 * The project's shared database, the one the Worker's own `DATABASE_URL` names: what Durable
 * Objects write to, since they reach Postgres with the bindings they were created with (not a
 * request's). For the `chat` project's files, which run one at a time; factories' unique names
 * keep their rows apart.
 *
 * @example
 * const t = useSharedDatabase();
 * const socket = await openSocket(t, `/api/chat/rooms/${room.id}/ws`, token);
 */
export function useSharedDatabase(): TestContext {
  const env = bindings as Env;
  const databaseName = new URL(env.DATABASE_URL).pathname.slice(1);
  return {
    env,
    db: createDb({ databaseUrl: env.DATABASE_URL, fetchEndpoint: bindings.NEON_FETCH_ENDPOINT }),
    api: createApi(env),
    databaseName,
  };
}
