import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import { requireAuth, requireLevel } from "../middleware/auth";
import { problems } from "./openapi";

/** What a module declares for one route; security, auth middleware and tags come from the helper. */
type Declared = Omit<RouteConfig, "security" | "middleware" | "tags">;

interface AuthedOptions {
  /** The lowest role level that may call (5 Admin, 7 Super Admin, ...): 403 below it. */
  minLevel?: number;
  /**
   * What the `{id}` in the path names, for the generated security tests
   * (src/routes.security.test.ts): an object kind someone owns (`"session"`, `"notification"`),
   * whose route must refuse other users; `"user"`, a dancer the caller acts on; `"hashtag"`, a
   * tag nobody owns; or `"moderation_item"`, a queue item no one owns (its routes are gated by
   * `minLevel`).
   */
  object?: string;
}

const bearer = [{ bearerAuth: [] }];

/** `A` with `B`'s entries added, as one flat object type (an intersection confuses the typed client). */
type Merge<A, B> = { [K in keyof A | keyof B]: K extends keyof B ? B[K] : K extends keyof A ? A[K] : never };

/** A route's own responses plus the problem responses the helper adds. */
function withProblems<T extends object, S extends number>(responses: T, ...statuses: S[]): Merge<T, ReturnType<typeof problems<S>>> {
  return { ...responses, ...problems(...statuses) } as Merge<T, ReturnType<typeof problems<S>>>;
}
/** Anonymous, or with a token: who the viewer is changes what they see. */
const optionalBearer: Record<string, string[]>[] = [{}, { bearerAuth: [] }];

/**
 * Route declarations for one module: the tag, the security requirement, its middleware and its
 * 401/403 problems are written once here, as Unkey's `createAuthRoute` does, so a route states
 * only what is its own.
 *
 * @example
 * const route = moduleRoutes("Blocks");
 * export const block = route.authed({ method: "post", path: "/api/users/{id}/block", object: "user", ... });
 * export const roles = route.public({ method: "get", path: "/api/roles", ... });
 */
export function moduleRoutes(tag: string) {
  const tags = [tag];
  return {
    /** Signed-in callers only (401 without a valid token; 403 under `minLevel`). */
    authed<const R extends Declared>(config: R & AuthedOptions) {
      const { minLevel, object, responses, ...route } = config;
      return createRoute({
        ...route,
        tags,
        security: bearer,
        middleware: [minLevel === undefined ? requireAuth : requireLevel(minLevel)] as const,
        responses: withProblems<R["responses"], 401 | 403>(responses, ...(minLevel === undefined ? [401 as const] : [401 as const, 403 as const])),
        ...(minLevel === undefined ? {} : { "x-min-level": minLevel }),
        ...(object === undefined ? {} : { "x-object": object }),
      });
    },
    /** Anonymous or signed in: the viewer changes what is seen; a bad token is still a 401. */
    viewer<const R extends Declared>(config: R & Pick<AuthedOptions, "object">) {
      const { object, responses, ...route } = config;
      return createRoute({
        ...route,
        tags,
        security: optionalBearer,
        responses: withProblems<R["responses"], 401>(responses, 401),
        ...(object === undefined ? {} : { "x-object": object }),
      });
    },
    /** Anyone: no token needed (a token sent anyway must still be valid). */
    public<const R extends Declared>(config: R) {
      return createRoute({ ...config, tags });
    },
  };
}
