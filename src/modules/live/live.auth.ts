import { createMiddleware } from "hono/factory";
import { verifyAccessToken } from "../../lib/access-tokens";
import type { AppEnv } from "../../lib/context";
import { unauthorized } from "../../lib/errors";

/**
 * The token of a WebSocket upgrade from `["bearer", "<token>"]` subprotocols (browsers cannot
 * set an Authorization header on a WebSocket); undefined when not offered that way.
 */
export function subprotocolToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const offered = header.split(",").map((p) => p.trim());
  const at = offered.findIndex((p) => p.toLowerCase() === "bearer");
  if (at < 0) return undefined;
  const token = offered[at + 1];
  if (!token) throw unauthorized('Offer the subprotocols ["bearer", "<token>"].', "invalid_token");
  return token;
}

/**
 * Authenticates an upgrade that carries its token in `?token=` or the subprotocols, the ways
 * a WebSocket client can; `authenticate` has already read `Authorization`, which wins. An
 * invalid token is a 401 before anything opens.
 */
export const upgradeToken = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.var.ctx.actor) {
    const token = c.req.query("token") || subprotocolToken(c.req.header("sec-websocket-protocol"));
    if (token) {
      const claims = await verifyAccessToken(c.var.ctx.config.JWT_SECRET, token);
      c.set("ctx", { ...c.var.ctx, actor: { id: claims.userId, role: claims.role, level: claims.level, sessionId: claims.sessionId } });
    }
  }
  await next();
});
