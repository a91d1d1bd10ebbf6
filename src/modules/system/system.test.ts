import { describe, expect, it } from "vitest";
import { createApi, useTestDatabase } from "../../../test/harness";

const t = await useTestDatabase();

describe("GET /health", () => {
  it("answers ok when the database answers", async () => {
    const res = await t.api.get("/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, db: "ok" });
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("is 503 problem+json when the database is unreachable", async () => {
    const broken = { ...t.env, DATABASE_URL: t.env.DATABASE_URL.replace(/\/[^/]+$/, "/no_such_database") };
    const res = await createApi(broken).get("/health");
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body).toMatchObject({ status: 503, code: "database_unavailable" });
  });
});

describe("OpenAPI", () => {
  it("serves an OpenAPI 3.1 document that lists the routes", async () => {
    const res = await t.api.get("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    expect(Object.keys(res.body.paths)).toContain("/health");
    expect(res.body.components.schemas.Problem).toBeDefined();
  });

  it("serves the interactive reference at /docs", async () => {
    const res = await t.api.get("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.body).toContain("/openapi.json");
  });
});
