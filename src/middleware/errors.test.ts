import { NeonDbError } from "@neondatabase/serverless";
import { createRoute, z } from "@hono/zod-openapi";
import { env } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "../../drizzle/schema";
import { createUser } from "../../test/factories";
import { createApi, useTestDatabase } from "../../test/harness";
import { createApp } from "../app";
import { createRouter, jsonBody, jsonContent } from "../lib/openapi";

const t = await useTestDatabase();

/** The real app plus probe routes that exercise each failure path. */
function appWithProbes(appEnv: Env = t.env) {
  const app = createApp();
  const Body = z.object({ name: z.string().min(1), age: z.number().int().min(0) });
  const probes = createRouter()
    .openapi(
      createRoute({
        method: "post",
        path: "/api/probe",
        request: { body: jsonBody(Body), query: z.object({ page: z.coerce.number().int().optional() }) },
        responses: { 201: jsonContent(Body, "echo") },
      }),
      (c) => c.json(c.req.valid("json"), 201),
    )
    .openapi(
      createRoute({
        method: "post",
        path: "/api/probe/duplicate-user",
        request: { body: jsonBody(z.object({ username: z.string() })) },
        responses: { 201: jsonContent(z.object({ id: z.number() }), "created") },
      }),
      async (c) => {
        const { username } = c.req.valid("json");
        const [row] = await c.var.ctx.db
          .insert(users)
          .values({ username, email: `${username}@example.com`, name: username, password: "x" })
          .returning({ id: users.id });
        return c.json({ id: row!.id }, 201);
      },
    )
    .openapi(
      createRoute({
        method: "get",
        path: "/api/probe/bad-cast",
        responses: { 200: jsonContent(z.object({}), "never") },
      }),
      async (c) => {
        await c.var.ctx.db.execute(sql`SELECT ${"not a number"}::int`);
        return c.json({}, 200);
      },
    )
    .openapi(
      createRoute({
        method: "get",
        path: "/api/probe/large-read",
        responses: { 200: jsonContent(z.object({ length: z.number() }), "the length read") },
      }),
      async (c) => {
        const { rows } = await c.var.ctx.db.execute<{ big: string }>(sql`SELECT repeat('x', 50000) AS big`);
        return c.json({ length: rows[0]!.big.length }, 200);
      },
    )
    .openapi(
      createRoute({
        method: "get",
        path: "/api/probe/large-write",
        responses: { 200: jsonContent(z.object({ length: z.number() }), "the length written") },
      }),
      async (c) => {
        const { rows } = await c.var.ctx.db.execute<{ n: number }>(sql`SELECT length(${"y".repeat(50000)}::text) AS n`);
        return c.json({ length: rows[0]!.n }, 200);
      },
    )
    .openapi(
      createRoute({ method: "get", path: "/api/probe/neon-5xx", responses: { 200: jsonContent(z.object({}), "never") } }),
      () => {
        // What the driver throws when Neon answers 502/503 (an outage or a restart).
        throw new NeonDbError("Server error (HTTP status 502): upstream connect error, SELECT secret_column");
      },
    )
    .openapi(
      createRoute({ method: "get", path: "/api/probe/bug", responses: { 200: jsonContent(z.object({}), "never") } }),
      () => {
        throw new TypeError("a programming error with a secret path /srv/app.ts");
      },
    );
  app.route("/", probes);
  return createApi(appEnv, app.fetch);
}

const api = appWithProbes();

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body).toMatchObject({ status, code, type: `urn:mundo-tango:problem:${code}` });
  expect(res.body.title).toEqual(expect.any(String));
  expect(res.body.detail).toEqual(expect.any(String));
  expect(res.body.requestId).toBe(res.headers.get("x-request-id"));
  expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.(ts|js):\d+/);
}

describe("errors are problem+json", () => {
  it("an unknown route is 404 route_not_found", async () => {
    const res = await api.get("/api/nowhere");
    expectProblem(res, 404, "route_not_found");
    expect(res.body.instance).toBe("/api/nowhere");
  });

  it("malformed JSON is 400 malformed_json", async () => {
    const res = await api.post("/api/probe", { body: '{"name": "Ana",', headers: { "content-type": "application/json" } });
    expectProblem(res, 400, "malformed_json");
  });

  it("a schema violation is 400 validation_failed listing each failing field", async () => {
    const res = await api.post("/api/probe?page=abc", { json: { name: "", age: -1.5 } });
    expectProblem(res, 400, "validation_failed");
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toContain("query.page");
    const body = await api.post("/api/probe", { json: { name: "", age: -1.5 } });
    expect(body.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(["body.age", "body.name"]);
    for (const error of body.body.errors) expect(error.message).toEqual(expect.any(String));
  });

  it("a missing body is a validation error, not a crash", async () => {
    const res = await api.post("/api/probe", { headers: { "content-type": "application/json" } });
    expectProblem(res, 400, "malformed_json");
  });

  it("a body that is not JSON is 415", async () => {
    const res = await api.post("/api/probe", { body: "name=Ana", headers: { "content-type": "text/plain" } });
    expectProblem(res, 415, "unsupported_media_type");
  });

  it("a body over the limit is 413", async () => {
    const res = await api.post("/api/probe", {
      body: JSON.stringify({ name: "x".repeat(1_100_000), age: 1 }),
      headers: { "content-type": "application/json" },
    });
    expectProblem(res, 413, "payload_too_large");
  });

  it("a unique violation that slips through a service is 409, not 500", async () => {
    const existing = await createUser(t.db);
    const res = await api.post("/api/probe/duplicate-user", { json: { username: existing.username } });
    expectProblem(res, 409, "conflict");
  });

  it("a value the database rejects is 400, not 500", async () => {
    expectProblem(await api.get("/api/probe/bad-cast"), 400, "invalid_value");
  });

  describe("Neon's size limits (the local endpoint's, set low for this database)", () => {
    const bindings = env as Env & { TEST_NEON_LOCAL_URL: string; TEST_TEMPLATE_DATABASE: string };
    const name = `${t.databaseName}_limits`.slice(0, 63);
    let limited: ReturnType<typeof appWithProbes>;
    beforeAll(async () => {
      const created = await fetch(`${bindings.TEST_NEON_LOCAL_URL}/_local/databases`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          name,
          template: bindings.TEST_TEMPLATE_DATABASE,
          limits: { maxRequestBytes: 20_000, maxResponseBytes: 20_000 },
        }),
      });
      expect(created.status).toBe(201);
      const { connectionString } = await created.json<{ connectionString: string }>();
      limited = appWithProbes({ ...t.env, DATABASE_URL: connectionString });
    });
    afterAll(async () => {
      await fetch(`${bindings.TEST_NEON_LOCAL_URL}/_local/databases/${name}`, { method: "DELETE" });
    });

    it("a response over the limit (Neon's 507) is 503 database_response_too_large, not 500", async () => {
      expectProblem(await limited.get("/api/probe/large-read"), 503, "database_response_too_large");
      // The same read on a database with the default limit (64 MB) succeeds.
      expect(await api.get("/api/probe/large-read")).toMatchObject({ status: 200, body: { length: 50000 } });
    });

    it("a request over the limit (Neon's 413) is 503 database_request_too_large, not 500", async () => {
      expectProblem(await limited.get("/api/probe/large-write"), 503, "database_request_too_large");
      expect(await api.get("/api/probe/large-write")).toMatchObject({ status: 200, body: { length: 50000 } });
    });
  });

  describe("a database out of reach", () => {
    it("no answer from Neon at all is 503 database_unavailable with Retry-After, not 500", async () => {
      const unreachable = appWithProbes({ ...t.env, NEON_FETCH_ENDPOINT: "http://127.0.0.1:9/sql" });
      const res = await unreachable.get("/api/probe/bad-cast");
      expectProblem(res, 503, "database_unavailable");
      expect(res.headers.get("retry-after")).toBe("2");
    });

    it("a 5xx from Neon is 503 database_unavailable, and its text stays out of the answer", async () => {
      const res = await api.get("/api/probe/neon-5xx");
      expectProblem(res, 503, "database_unavailable");
      expect(JSON.stringify(res.body)).not.toContain("secret_column");
    });
  });

  it("a programming error is 500 without details", async () => {
    const res = await api.get("/api/probe/bug");
    expectProblem(res, 500, "internal_error");
    expect(JSON.stringify(res.body)).not.toContain("secret path");
  });

  it("a misconfigured deployment says so without leaking values", async () => {
    const { DATABASE_URL: _, ...withoutDb } = t.env;
    const res = await createApi(withoutDb as Env).get("/health");
    expect(res.status).toBe(500);
    expect(res.body.code).toBe("misconfigured");
  });
});

describe("cross-cutting headers", () => {
  it("sets security headers and a request id", async () => {
    const res = await api.get("/health");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(res.headers.get("x-request-id")).toMatch(/^[\w-]{8,}$/);
  });

  it("keeps a caller's request id", async () => {
    const res = await api.get("/health", { headers: { "x-request-id": "trace-abc-123" } });
    expect(res.headers.get("x-request-id")).toBe("trace-abc-123");
  });

  it("answers CORS preflights", async () => {
    const res = await api.request("OPTIONS", "/api/probe", {
      headers: {
        origin: "https://app.mundotango.life",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.mundotango.life");
    expect(res.headers.get("access-control-allow-headers")).toMatch(/authorization/i);
  });

  it("marks API responses as not cacheable", async () => {
    const res = await api.post("/api/probe", { json: { name: "Ana", age: 30 } });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
  });
});
