import { OpenAPIHono, type RouteConfig, type RouteHandler, z } from "@hono/zod-openapi";
import type { AppEnv } from "./context";
import { titleFor, validationError } from "./errors";
import { PositiveIntId } from "./text";

/**
 * A router for one domain module. Validation failures anywhere in its routes become one
 * 400 problem listing every failing field (the hook must be set on each router: a hook on
 * the root does not reach sub-routers).
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target);
    },
  });
}

export type Router = ReturnType<typeof createRouter>;

/** A handler for one route definition, typed from its zod schemas. */
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>;

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "urn:mundo-tango:problem:validation_failed" }),
    title: z.string().openapi({ example: "Bad Request" }),
    status: z.number().int().openapi({ example: 400 }),
    detail: z.string(),
    code: z.string().openapi({ description: "Stable, snake_case", example: "validation_failed" }),
    requestId: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    retryAt: z.string().optional().openapi({ description: "When the refused action may be tried again (ISO 8601)" }),
  })
  .openapi("Problem");

/** A JSON response entry for a route's `responses`. */
export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { content: { "application/json": { schema } }, description };
}

/** A required JSON request body: other content types are 415, malformed JSON is 400. */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { content: { "application/json": { schema } }, required: true, ...(description ? { description } : {}) };
}

/** An optional JSON request body: none (or no content type) reads as `{}`; anything else is checked. */
export function optionalJsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { content: { "application/json": { schema } }, required: false, ...(description ? { description } : {}) };
}

/** Problem+json responses for the given statuses, for a route's `responses`. */
export function problems<S extends number>(...statuses: S[]) {
  const entry = { content: { "application/problem+json": { schema: ProblemSchema } } };
  return Object.fromEntries(statuses.map((status) => [status, { ...entry, description: titleFor(status) }])) as Record<
    S,
    typeof entry & { description: string }
  >;
}

/**
 * `{id}` path parameter: a positive int4 id (ids are serial) written as canonical decimal
 * digits; `0x10`, `+1`, `1e3`, `010` and anything past 2147483647 are a 400.
 */
export const IdParam = z.object({
  id: PositiveIntId.openapi({ param: { name: "id", in: "path" }, example: "42" }),
});
