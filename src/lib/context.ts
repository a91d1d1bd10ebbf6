import type { AiProvider } from "./ai";
import { type AiProviderFactory, resolveAiProvider } from "./ai-providers";
import { createDb, type Db } from "./db";
import { type Config, loadConfig } from "./env";
import { unauthorized } from "./errors";
import { createLogger, type Logger } from "./logger";

/** Who is acting: the signed-in caller, from a valid access token. */
export interface Actor {
  id: number;
  role: string;
  level: number;
  /** The login (refresh token family) this access token was issued from. */
  sessionId: string;
}

/**
 * What every service verb gets as its first argument, `verb(ctx, input)`: the database, the
 * checked configuration, a logger, the time the work is pinned to, and who is acting (null for
 * an anonymous request or a cron job). Built by the request middleware, by the scheduler for a
 * job, and by a Durable Object for its outbox, so one verb serves all three.
 */
export interface Ctx {
  db: Db;
  config: Config;
  logger: Logger;
  /** The request's arrival, or the trigger's scheduled time for a job. */
  now: Date;
  actor: Actor | null;
  /**
   * The model provider the assistants use (src/lib/ai.ts), or null when none is configured
   * (their routes answer 503 `ai_unavailable`; `requireAi(ctx.ai)`). Left out of contexts
   * that never call a model.
   */
  ai?: AiProvider | null;
}

/** A context whose actor is known: what verbs that act for a signed-in dancer take. */
export interface ActorCtx extends Ctx {
  actor: Actor;
}

/**
 * Builds a context from the Worker's bindings (config checked once per `env`).
 *
 * @example
 * const ctx = createCtx(env, { now: new Date(controller.scheduledTime), logFields: { cron } });
 */
export function createCtx(
  env: Env,
  options: { now?: Date; actor?: Actor | null; logFields?: Record<string, unknown>; aiProvider?: AiProviderFactory } = {},
): Ctx {
  const config = loadConfig(env);
  return {
    ai: (options.aiProvider ?? resolveAiProvider)(env, config),
    db: createDb({ databaseUrl: config.DATABASE_URL, fetchEndpoint: config.NEON_FETCH_ENDPOINT }),
    config,
    logger: createLogger(config.LOG_LEVEL, options.logFields),
    now: options.now ?? new Date(),
    actor: options.actor ?? null,
  };
}

/** The context with its actor required: a 401 for anonymous callers. */
export function withActor(ctx: Ctx): ActorCtx {
  if (!ctx.actor) throw unauthorized();
  return ctx as ActorCtx;
}

/** Hono's environment for this app: bindings, the request id, and the request's {@link Ctx}. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    ctx: Ctx;
  };
}
