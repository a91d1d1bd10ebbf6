import { webhookHeaders } from "./deployments";
import { unique, uniqueIp } from "./factories";
import type { Api, ApiResponse, RequestOptions } from "./harness";

/**
 * Reads the app's own OpenAPI document to generate tests for every route: the route list,
 * a valid request for each, and the bad values each parameter and body field must refuse.
 * A route added later is covered by the generated suites without a test written by hand.
 */

type JsonSchema = Record<string, any>;

export interface Operation {
  method: string;
  /** The OpenAPI path, with `{param}` placeholders. */
  path: string;
  operation: Record<string, any>;
  /** Who may call: `required` (a bearer token), `optional` (anonymous or a token), or `none`. */
  auth: "required" | "optional" | "none";
  /** Request body schema (resolved), when the route takes JSON. */
  body?: JsonSchema;
  /** Whether the JSON body must be sent (an optional one reads as `{}` when absent). */
  bodyRequired: boolean;
  params: { name: string; in: "path" | "query"; required: boolean; schema: JsonSchema }[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Record<string, any>>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** Every operation in the document, with `$ref`s resolved. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  const resolve = (schema: JsonSchema | undefined): JsonSchema | undefined => resolveRefs(schema, doc);
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const security = operation.security as Record<string, unknown>[] | undefined;
      const auth = !security?.length
        ? "none"
        : security.some((requirement) => Object.keys(requirement).length === 0)
          ? "optional"
          : "required";
      out.push({
        method: method.toUpperCase(),
        path,
        operation,
        auth,
        body: resolve(operation.requestBody?.content?.["application/json"]?.schema),
        bodyRequired: Boolean(operation.requestBody?.required),
        params: ((operation.parameters ?? []) as any[]).map((p) => ({
          name: p.name,
          in: p.in,
          required: Boolean(p.required),
          schema: resolve(p.schema) ?? {},
        })),
      });
    }
  }
  return out;
}

function resolveRefs(schema: JsonSchema | undefined, doc: OpenApiDocument, depth = 0): JsonSchema | undefined {
  if (!schema || depth > 8) return schema;
  if (typeof schema.$ref === "string") {
    const name = schema.$ref.replace("#/components/schemas/", "");
    return resolveRefs(doc.components?.schemas?.[name], doc, depth + 1);
  }
  const out: JsonSchema = { ...schema };
  if (schema.properties) {
    out.properties = Object.fromEntries(
      Object.entries(schema.properties as Record<string, JsonSchema>).map(([k, v]) => [k, resolveRefs(v, doc, depth + 1)]),
    );
  }
  if (schema.items) out.items = resolveRefs(schema.items, doc, depth + 1);
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    if (Array.isArray(schema[key])) out[key] = schema[key].map((s: JsonSchema) => resolveRefs(s, doc, depth + 1));
  }
  return out;
}

/** The JSON types a schema allows (`type` may be a list, e.g. `["string", "null"]`). */
export function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type as string[];
  if (typeof schema.type === "string") return [schema.type];
  const alternatives = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  return alternatives ? alternatives.flatMap(typesOf) : [];
}

/**
 * A value the schema accepts: its example where it has one (made unique for emails and
 * usernames, which must not collide), else the least value its constraints allow. Objects get
 * their required properties only.
 */
export function validValue(schema: JsonSchema, name = ""): unknown {
  if (schema.enum) return schema.enum[0];
  const [type] = typesOf(schema).filter((t) => t !== "null");
  switch (type) {
    case "object":
      return Object.fromEntries(
        ((schema.required ?? []) as string[]).map((key) => [key, validValue(schema.properties?.[key] ?? {}, key)]),
      );
    case "array":
      return [];
    case "integer":
    case "number":
      return schema.example ?? schema.minimum ?? 1;
    case "boolean":
      return true;
    case "string":
      return validString(schema, name);
    default:
      return schema.example ?? null;
  }
}

function validString(schema: JsonSchema, name: string): string {
  if (schema.format === "email" || /email/i.test(name)) return `${unique("gen")}@example.com`;
  if (/username/i.test(name)) return unique("gen").slice(0, 30);
  if (schema.format === "uri") return "https://example.com/tango";
  if (typeof schema.example === "string") return schema.example;
  return "m".repeat(Math.max(schema.minLength ?? 1, 1));
}

export interface BadValue {
  label: string;
  value: unknown;
}

/** Characters no text field stores: NUL (Postgres refuses it), a bell, an escape. */
export const CONTROL_CHARACTERS = ["\u0000", "\u0007", "\u001b"];

/** Values of the wrong kind for a field: each must be refused with a 4xx, never a 5xx. */
export function badValues(schema: JsonSchema): BadValue[] {
  const types = typesOf(schema);
  const out: BadValue[] = [];
  if (!types.includes("string")) out.push({ label: "a string", value: "not-a-number" });
  if (!types.includes("number") && !types.includes("integer")) out.push({ label: "a number", value: 12345 });
  if (!types.includes("object")) out.push({ label: "an object", value: { nested: true } });
  if (!types.includes("array")) out.push({ label: "an array", value: ["x"] });
  if (!types.includes("boolean")) out.push({ label: "a boolean", value: true });
  if (types.includes("integer") || types.includes("number")) {
    out.push({ label: "a huge number", value: 1e308 });
    // A fraction is wrong only for an integer, a negative only where the schema says so (a latitude may be -1.5).
    if (!types.includes("number")) out.push({ label: "a fraction", value: 1.5 });
    if (typeof schema.minimum !== "number" || schema.minimum >= 0) out.push({ label: "a negative", value: -1 });
  }
  if (types.includes("string")) {
    out.push({ label: "an overlong string", value: "x".repeat(Math.max((schema.maxLength ?? 0) + 1, 20_000)) });
    for (const c of CONTROL_CHARACTERS) out.push({ label: `a control character U+${hex(c)}`, value: `tan${c}go` });
  }
  if (types.includes("array")) {
    out.push({ label: "an array of numbers", value: [1, 2] }, { label: "an array of NULs", value: ["\u0000"] });
    out.push({ label: "an overlong array", value: Array.from({ length: 1000 }, (_, i) => `v${i}`) });
  }
  return out;
}

const hex = (c: string) => c.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase();

/** Text no path or query parameter may turn into a 5xx. */
export const GARBAGE_PARAMS = [
  "abc",
  "0x10",
  "+1",
  "1e3",
  "-1",
  "0",
  "1.5",
  " 7",
  "2147483648",
  "99999999999999999999999",
  "%00",
  "a%00b",
  "%E2%80%AE",
  "%FF",
  "x".repeat(3000),
];

/** Non-canonical integers: an integer parameter must refuse each with 400, not read it as a number. */
export const NON_CANONICAL_INTEGERS = ["0x10", "+1", "1e3", "1.0", "01", " 7", "2147483648"];

/** Fills `{name}` placeholders in an OpenAPI path. */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? "1");
}

export interface CallOverrides extends RequestOptions {
  path?: Record<string, string>;
  query?: Record<string, string>;
}

/**
 * Calls a route with a valid request (every path parameter `pathValue`, required query
 * parameters and a body from the schemas), changed by `overrides`. Each call comes from a
 * client IP of its own, so rate limits never decide a test. A signed webhook route
 * (`x-signed-webhook`) gets its request signed with the test secret, so that its validation,
 * which runs only after the signature is checked, is what the generated suites reach.
 *
 * @example
 * const res = await callRoute(t.api, op, { token, pathValue: String(user.id) }, { json: { name: "\u0000" } });
 */
export async function callRoute(
  api: Api,
  op: Operation,
  defaults: { token?: string; pathValue: string },
  overrides: CallOverrides = {},
): Promise<ApiResponse> {
  const { path, query, ...options } = overrides;
  const pathValues = Object.fromEntries(op.params.filter((p) => p.in === "path").map((p) => [p.name, defaults.pathValue]));
  const requiredQuery = Object.fromEntries(
    op.params.filter((p) => p.in === "query" && p.required).map((p) => [p.name, String(validValue(p.schema, p.name))]),
  );
  const url = fillPath(op.path, { ...pathValues, ...path });
  const search = new URLSearchParams({ ...requiredQuery, ...query }).toString();
  const json = "json" in overrides || "body" in overrides ? overrides.json : op.body ? validValue(op.body) : undefined;
  const signed = op.operation["x-signed-webhook"] === undefined ? {} : await webhookHeaders(signedBody(json, options.body));
  return api.request(op.method, `${url}${search ? `?${search}` : ""}`, {
    token: defaults.token,
    ...options,
    json,
    headers: { "cf-connecting-ip": uniqueIp(), ...signed, ...options.headers },
  });
}

/** The raw body a request will carry (as the harness serializes it), for signing. */
function signedBody(json: unknown, body: RequestOptions["body"]): string {
  if (json !== undefined) return JSON.stringify(json);
  return typeof body === "string" ? body : "";
}
