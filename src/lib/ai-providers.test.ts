import { describe, expect, it } from "vitest";
import { collectReply } from "./ai";
import { OpenAiCompatibleProvider } from "./ai-openai";
import { resolveAiProvider } from "./ai-providers";
import { WorkersAiProvider } from "./ai-workers";
import { ConfigError, DEFAULT_WORKERS_AI_MODEL, loadConfig } from "./env";

/** The test Worker's required bindings, with the AI variables given. */
function envWith(vars: Record<string, unknown>): Env {
  return {
    DATABASE_URL: "postgres://user@localhost/db",
    JWT_SECRET: "test-jwt-secret-0123456789abcdef0123456789",
    ENCRYPTION_KEY: "test-encryption-key-0123456789abcdef012345",
    APP_URL: "https://app.mundotango.test",
    ...vars,
  } as unknown as Env;
}

const resolve = (vars: Record<string, unknown>) => {
  const env = envWith(vars);
  return resolveAiProvider(env, loadConfig(env));
};

/** A binding that answers every run with one short reply, recording the model asked for. */
function binding() {
  const models: string[] = [];
  return { models, AI: { run: (model: string) => (models.push(model), Promise.resolve({ response: "Hola" })) } };
}

describe("resolveAiProvider", () => {
  it("none: no provider (the AI routes answer 503 ai_unavailable)", () => {
    expect(resolve({ AI_PROVIDER: "none", AI: binding().AI })).toBeNull();
  });

  it("workers-ai without the binding (a local run): no provider", () => {
    expect(resolve({ AI_PROVIDER: "workers-ai" })).toBeNull();
    expect(resolve({})).toBeNull();
  });

  it("workers-ai with the binding: the default model unless AI_MODEL names one, and it calls the binding", async () => {
    const { AI, models } = binding();
    const provider = resolve({ AI_PROVIDER: "workers-ai", AI_MODEL: "", AI });
    expect(provider).toBeInstanceOf(WorkersAiProvider);
    expect(provider!.model).toBe(DEFAULT_WORKERS_AI_MODEL);
    expect(provider!.name).toBe("workers-ai");
    expect((await collectReply(provider!.chat({ messages: [{ role: "user", content: "hola" }], maxTokens: 10, tools: [] }))).text).toBe("Hola");
    expect(models).toEqual([DEFAULT_WORKERS_AI_MODEL]);
    expect(resolve({ AI_PROVIDER: "workers-ai", AI_MODEL: "@cf/qwen/qwen3-30b-a3b-fp8", AI })!.model).toBe("@cf/qwen/qwen3-30b-a3b-fp8");
  });

  it("openai: an OpenAI-compatible provider with the configured model", () => {
    const provider = resolve({ AI_PROVIDER: "openai", AI_BASE_URL: "https://api.openai.com/v1", AI_MODEL: "gpt-4o-mini", AI_API_KEY: "sk-test" });
    expect(provider).toBeInstanceOf(OpenAiCompatibleProvider);
    expect(provider!.model).toBe("gpt-4o-mini");
    expect(provider!.name).toBe("openai");
  });

  it("refuses openai without its URL or model (ConfigError names AI_PROVIDER)", () => {
    expect(() => loadConfig(envWith({ AI_PROVIDER: "openai", AI_MODEL: "gpt-4o-mini" }))).toThrow(ConfigError);
    expect(() => loadConfig(envWith({ AI_PROVIDER: "openai", AI_BASE_URL: "https://api.openai.com/v1" }))).toThrow(/AI_PROVIDER/);
    expect(() => loadConfig(envWith({ AI_PROVIDER: "claude" }))).toThrow(ConfigError);
  });
});
