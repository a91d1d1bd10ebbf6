import { describe, expect, it } from "vitest";
import { tokenFor } from "../test/auth";
import { createUser } from "../test/factories";
import { type ApiResponse, useTestDatabase } from "../test/harness";
import {
  badValues,
  type CallOverrides,
  callRoute,
  CONTROL_CHARACTERS,
  GARBAGE_PARAMS,
  NON_CANONICAL_INTEGERS,
  type Operation,
  type OpenApiDocument,
  operationsOf,
  typesOf,
  validValue,
} from "../test/openapi";

/**
 * Bad input for every route in the OpenAPI document, generated: wrong types, control
 * characters, overlong strings, garbage and non-canonical ids, garbage cursors, no body, a
 * wrong content type, malformed JSON. The answer is always a 4xx problem+json, never a 5xx.
 * A route added later is covered here without a test written for it.
 */

const t = await useTestDatabase();
const doc = (await t.api.get<OpenApiDocument>("/openapi.json")).body;
const operations = operationsOf(doc);

/** A caller with every role level (so validation, not a role check, decides) and a target user. */
async function actors() {
  const [caller, target] = await Promise.all([createUser(t.db, { role: "god" }), createUser(t.db)]);
  return { token: await tokenFor(t, caller), target };
}

function expectProblem(res: ApiResponse, label: string) {
  expect(res.status, `${label}: ${JSON.stringify(res.body).slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, label).toBeLessThan(500);
  expect(res.headers.get("content-type"), label).toMatch(/^application\/problem\+json/);
  expect(res.body.code, label).toEqual(expect.any(String));
}

function expectNoServerError(res: ApiResponse, label: string) {
  expect(res.status, `${label}: ${JSON.stringify(res.body).slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) expectProblem(res, label);
}

/** One route, called as `token` with valid input unless a test overrides it. */
function caller(op: Operation, token: string, targetId: number) {
  const defaults = { token: op.auth === "none" ? undefined : token, pathValue: String(targetId) };
  return (overrides: CallOverrides = {}) => callRoute(t.api, op, defaults, overrides);
}

describe.each(operations.map((op) => [`${op.method} ${op.path}`, op] as const))("%s: bad input", (_, op) => {
  const pathParams = op.params.filter((p) => p.in === "path");
  const queryParams = op.params.filter((p) => p.in === "query");
  const bodyFields = Object.entries((op.body?.properties ?? {}) as Record<string, Record<string, any>>);

  it("answers a valid request without a server error", async () => {
    const { token, target } = await actors();
    expectNoServerError(await caller(op, token, target.id)(), "valid request");
  });

  if (pathParams.length > 0) it("refuses garbage path parameters", async () => {
    const { token, target } = await actors();
    const call = caller(op, token, target.id);
    for (const p of pathParams) {
      for (const value of GARBAGE_PARAMS) {
        const res = await call({ path: { [p.name]: value } });
        // A hashtag is a name, not an id: `abc` is one (an empty page), the rest must still be refused or found empty.
        if (op.operation["x-object"] === "hashtag") expectNoServerError(res, `${p.name}=${value.slice(0, 20)}`);
        else expectProblem(res, `${p.name}=${value.slice(0, 20)}`);
      }
      if (typesOf(p.schema).includes("integer")) {
        for (const value of NON_CANONICAL_INTEGERS) {
          const res = await call({ path: { [p.name]: encodeURIComponent(value) } });
          expect(res.status, `${p.name}=${value}`).toBe(400);
        }
      }
    }
  });

  if (queryParams.length > 0) it("refuses garbage query parameters", async () => {
    const { token, target } = await actors();
    const call = caller(op, token, target.id);
    for (const p of queryParams) {
      for (const value of [...GARBAGE_PARAMS.map(decodeURIComponentSafe), "\u0000", "-5", "100000"]) {
        const res = await call({ query: { [p.name]: value } });
        if (p.name === "cursor" || p.name === "limit") expectProblem(res, `${p.name}=${value.slice(0, 20)}`);
        else expectNoServerError(res, `${p.name}=${value.slice(0, 20)}`);
      }
    }
  });

  if (op.body !== undefined) it("refuses a missing body, a wrong content type and malformed JSON", async () => {
    const { token, target } = await actors();
    const call = caller(op, token, target.id);
    if (op.bodyRequired) expectProblem(await call({ json: undefined }), "no body");
    else expectNoServerError(await call({ json: undefined }), "no body (optional)");
    expectProblem(await call({ json: undefined, body: "{}", headers: { "content-type": "text/plain" } }), "text/plain");
    expectProblem(await call({ json: undefined, body: "{\"a\":", headers: { "content-type": "application/json" } }), "malformed");
    for (const value of [null, [], "text", 42]) expectProblem(await call({ json: value }), `body ${JSON.stringify(value)}`);
  });

  if (bodyFields.length > 0) it("refuses wrong types, control characters and overlong values in each field", async () => {
    const { token, target } = await actors();
    const call = caller(op, token, target.id);
    const base = validValue(op.body!) as Record<string, unknown>;
    for (const [name, schema] of bodyFields) {
      for (const bad of badValues(schema)) {
        expectProblem(await call({ json: { ...base, [name]: bad.value } }), `${name} as ${bad.label}`);
      }
    }
  });
});

describe("the generated bad-input suite", () => {
  it("reaches the database with valid requests: control characters are refused by validation, not by luck", async () => {
    // A control character in a text field of a request that would otherwise succeed must be a 400
    // from validation (Postgres refuses NUL with a 5xx-class error if it gets there).
    let checked = 0;
    for (const op of operations.filter((o) => o.body?.properties)) {
      const { token, target } = await actors();
      const call = caller(op, token, target.id);
      const base = validValue(op.body!) as Record<string, unknown>;
      for (const [name, schema] of Object.entries(op.body!.properties as Record<string, Record<string, any>>)) {
        // A typed password is hashed, never stored as text: a wrong one is a 401, not a 400.
        if (!typesOf(schema).includes("string") || name === "password") continue;
        for (const c of CONTROL_CHARACTERS) {
          const res = await call({ json: { ...base, [name]: `tan${c}go` } });
          expect(res.status, `${op.method} ${op.path} ${name} U+${c.charCodeAt(0).toString(16)}`).toBe(400);
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it("covers every route of the document", () => {
    expect(operations.length).toBeGreaterThan(25);
  });
});

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
