import { z } from "zod";

/** A URL variable that may be unset or empty (both mean "none"). */
const optionalUrl = z.preprocess(
  (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
  z.url().optional(),
);

const ConfigSchema = z.object({
  APP_ENV: z.enum(["development", "test", "production"]).default("production"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  DATABASE_URL: z
    .string({ error: "DATABASE_URL is required (a Neon connection string)" })
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgres:// connection string"),
  NEON_FETCH_ENDPOINT: optionalUrl,
  CORS_ORIGINS: z.string().default("*"),
  JWT_SECRET: z
    .string({ error: "JWT_SECRET is required" })
    .min(32, "JWT_SECRET must be at least 32 characters"),
  ENCRYPTION_KEY: z
    .string({ error: "ENCRYPTION_KEY is required" })
    .min(32, "ENCRYPTION_KEY must be at least 32 characters"),
  APP_URL: z.url().default("https://mundotango.life"),
  /** Where this Worker's `/media/<key>` is reached from outside; empty: APP_URL's origin. */
  MEDIA_PUBLIC_URL: optionalUrl,
  EMAIL_API_URL: optionalUrl,
  EMAIL_API_KEY: z.string().optional(),
  EMAIL_FROM: z.string().default("Mundo Tango <no-reply@mundotango.life>"),
  /**
   * A chat socket's write limit (chat.protocol.ts RATE_BURST, RATE_PER_SECOND when unset): an
   * abuse control. The chat benchmark raises it to measure what one room can take.
   */
  CHAT_RATE_BURST: z.coerce.number().int().min(1).optional(),
  CHAT_RATE_PER_SECOND: z.coerce.number().int().min(1).optional(),
  /**
   * The shared secret CI signs deployment webhooks with (HMAC-SHA256, src/modules/deployments);
   * empty: the webhook answers 503 and records nothing.
   */
  DEPLOY_WEBHOOK_SECRET: z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    z.string().min(32, "DEPLOY_WEBHOOK_SECRET must be at least 32 characters").optional(),
  ),
  /** How long an isolate keeps the feature flags before reading them again (src/modules/flags). */
  FLAG_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  /** An agent with no health report for this long is marked offline by the cron (src/modules/agent-health). */
  AGENT_OFFLINE_MINUTES: z.coerce.number().int().min(1).max(1440).default(10),
  /**
   * The assistants' model provider (src/lib/ai.ts): `workers-ai` (the `AI` binding, the
   * default), `openai` (any OpenAI-compatible chat-completions endpoint: AI_BASE_URL, AI_MODEL,
   * AI_API_KEY) or `none` (the AI routes answer 503 `ai_unavailable`).
   */
  AI_PROVIDER: z.enum(["workers-ai", "openai", "none"]).default("workers-ai"),
  /** The model; for Workers AI, default {@link DEFAULT_WORKERS_AI_MODEL}. */
  AI_MODEL: z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? undefined : value), z.string().max(200).optional()),
  /** An OpenAI-compatible API's base URL (`https://api.openai.com/v1`): `/chat/completions` is appended. */
  AI_BASE_URL: optionalUrl,
  AI_API_KEY: z.string().optional(),
  /** How long one model call may take before it is given up (504 `ai_timeout`). */
  AI_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(300).default(30),
  /** scrypt strength for new password hashes (see lib/password.ts); `fast` is for tests only. */
  PASSWORD_HASH_COST: z.enum(["standard", "fast"]).default("standard"),
})
  .refine((config) => !(config.APP_ENV === "production" && config.PASSWORD_HASH_COST === "fast"), {
    path: ["PASSWORD_HASH_COST"],
    message: "PASSWORD_HASH_COST=fast is for tests; production hashes at the standard cost",
  })
  .refine((config) => config.AI_PROVIDER !== "openai" || (config.AI_BASE_URL !== undefined && config.AI_MODEL !== undefined), {
    path: ["AI_PROVIDER"],
    message: "AI_PROVIDER=openai needs AI_BASE_URL and AI_MODEL (and AI_API_KEY unless the endpoint takes none)",
  });

/** Workers AI's model when AI_MODEL is unset: an instruction model with function calling. */
export const DEFAULT_WORKERS_AI_MODEL = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";

export type Config = z.output<typeof ConfigSchema>;

/** The deployment is misconfigured (a missing or malformed variable or secret). */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid Worker configuration: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

const cache = new WeakMap<object, Config>();

/**
 * Checks the Worker's bindings once per `env` object (one per isolate in production,
 * one per test database in tests) and fails loudly, naming each bad variable.
 *
 * @example
 * const config = loadConfig(env); // throws ConfigError if DATABASE_URL is missing
 */
export function loadConfig(env: Env): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  cache.set(env, result.data);
  return result.data;
}
