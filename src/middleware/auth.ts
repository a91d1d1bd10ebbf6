import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv, Viewer } from "../lib/context";
import { forbidden, unauthorized } from "../lib/errors";
import { verifyAccessToken } from "../modules/auth/auth.tokens";

/**
 * Reads `Authorization: Bearer <token>` when present and sets `c.var.viewer`. A malformed,
 * forged or expired token is a 401 on any route (so clients know to refresh); no header
 * leaves the viewer anonymous for public routes.
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("authorization");
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthorized("Use Authorization: Bearer <token>.", "invalid_token");
    const claims = await verifyAccessToken(c.var.config.JWT_SECRET, match[1]!);
    c.set("viewer", { id: claims.userId, role: claims.role, level: claims.level, sessionId: claims.sessionId });
  }
  await next();
});

/** Refuses anonymous callers with 401. */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.var.viewer) throw unauthorized();
  await next();
});

/**
 * Refuses callers below a role level (403) and anonymous ones (401). Levels are the seed's
 * tiers: 5 Admin, 7 Super Admin, ... (see ROLES in drizzle/users.ts).
 *
 * @example
 * createRoute({ ..., middleware: [requireLevel(7)] as const })
 */
export function requireLevel(level: number) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const viewer = c.var.viewer;
    if (!viewer) throw unauthorized();
    if (viewer.level < level) throw forbidden(`This needs role level ${level} or above.`, "insufficient_role");
    await next();
  });
}

/** The authenticated caller, for handlers behind `requireAuth`. */
export function viewerOf(c: Context<AppEnv>): Viewer {
  const viewer = c.var.viewer;
  if (!viewer) throw unauthorized();
  return viewer;
}
