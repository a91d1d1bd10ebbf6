import type { AiProvider } from "./ai";
import { OpenAiCompatibleProvider } from "./ai-openai";
import { WorkersAiProvider } from "./ai-workers";
import { type Config, DEFAULT_WORKERS_AI_MODEL } from "./env";

/** Builds the deployment's model provider from its bindings and configuration (null: none). */
export type AiProviderFactory = (env: Env, config: Config) => AiProvider | null;

/**
 * The provider AI_PROVIDER names: the Workers AI binding (when the deployment has it), an
 * OpenAI-compatible endpoint, or none (the AI routes answer 503 `ai_unavailable`).
 *
 * @example
 * const ai = resolveAiProvider(env, loadConfig(env)); // WorkersAiProvider in production
 */
export const resolveAiProvider: AiProviderFactory = (env, config) => {
  const timeoutMs = config.AI_TIMEOUT_SECONDS * 1000;
  switch (config.AI_PROVIDER) {
    case "none":
      return null;
    case "openai":
      return new OpenAiCompatibleProvider({
        baseUrl: config.AI_BASE_URL!,
        apiKey: config.AI_API_KEY || undefined,
        model: config.AI_MODEL!,
        timeoutMs,
      });
    case "workers-ai":
      return env.AI ? new WorkersAiProvider({ binding: env.AI, model: config.AI_MODEL ?? DEFAULT_WORKERS_AI_MODEL, timeoutMs }) : null;
  }
};
