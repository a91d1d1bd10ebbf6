import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../lib/context";
import { createDb } from "../lib/db";
import { loadConfig } from "../lib/env";
import { createLogger } from "../lib/logger";

/**
 * Builds the per-request context (`c.var.config`, `logger`, `db`, `viewer`) and writes one
 * access-log line per request. Runs after `requestId()`.
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  const config = loadConfig(c.env);
  const logger = createLogger(config.LOG_LEVEL, { requestId: c.var.requestId });
  c.set("config", config);
  c.set("logger", logger);
  c.set("db", createDb({ databaseUrl: config.DATABASE_URL, fetchEndpoint: config.NEON_FETCH_ENDPOINT }));
  c.set("viewer", null);
  await next();
  logger.info("request", {
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    durationMs: Date.now() - started,
    userId: c.var.viewer?.id,
    colo: (c.req.raw.cf as { colo?: string } | undefined)?.colo,
  });
});
