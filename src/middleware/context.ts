import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { AiProviderFactory } from "../lib/ai-providers";
import { type AppEnv, createCtx } from "../lib/context";

/**
 * Builds the request's {@link Ctx} (`c.var.ctx`: db, config, logger, now, the model provider;
 * the actor is set by `authenticate`) and writes one access-log line per request. Runs after
 * `requestId()`. `aiProvider` replaces the configured provider (tests pass a scripted fake).
 */
export const requestContext = (options: { aiProvider?: AiProviderFactory } = {}) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const started = Date.now();
    const ctx = createCtx(c.env, { logFields: { requestId: c.var.requestId }, aiProvider: options.aiProvider });
    c.set("ctx", ctx);
    await next();
    ctx.logger.info("request", {
      method: c.req.method,
      // The matched route's pattern (`/api/hashtags/:tag/posts`), not the path: a path can carry
      // a username, a hashtag or a media key, which logs must not.
      route: routePath(c, -1),
      status: c.res.status,
      durationMs: Date.now() - started,
      userId: c.var.ctx.actor?.id,
      colo: (c.req.raw.cf as { colo?: string } | undefined)?.colo,
    });
  });
