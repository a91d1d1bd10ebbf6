import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { verifyAccessToken } from "../lib/access-tokens";
import { type ActorCtx, type AppEnv, withActor } from "../lib/context";
import { forbidden, unauthorized } from "../lib/errors";

/**
 * Reads `Authorization: Bearer <token>` when present and sets the context's actor. A malformed,
 * forged or expired token is a 401 on any route (so clients know to refresh); no header
 * leaves the caller anonymous for public routes.
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("authorization");
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthorized("Use Authorization: Bearer <token>.", "invalid_token");
    const claims = await verifyAccessToken(c.var.ctx.config.JWT_SECRET, match[1]!);
    const actor = { id: claims.userId, role: claims.role, level: claims.level, sessionId: claims.sessionId };
    c.set("ctx", { ...c.var.ctx, actor });
  }
  await next();
});

/** Refuses anonymous callers with 401. */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  withActor(c.var.ctx);
  await next();
});

/**
 * Refuses callers below a role level (403) and anonymous ones (401). Levels are the seed's
 * tiers: 5 Admin, 7 Super Admin, ... (see ROLES in drizzle/users.ts).
 *
 * @example
 * route.authed({ ..., minLevel: 7 }) // src/lib/routes.ts adds requireLevel(7)
 */
export function requireLevel(level: number) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const { actor } = withActor(c.var.ctx);
    if (actor.level < level) throw forbidden(`This needs role level ${level} or above.`, "insufficient_role");
    await next();
  });
}

/** The request's context with its actor, for handlers of signed-in routes (401 if anonymous). */
export function actorCtx(c: Context<AppEnv>): ActorCtx {
  return withActor(c.var.ctx);
}
