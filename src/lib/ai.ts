import { AppError } from "./errors";

/**
 * The model provider: one small interface the assistants (src/modules/assistant, life-ceo)
 * talk to, with two real implementations chosen by configuration (src/lib/ai-providers.ts):
 * the Workers AI binding and any OpenAI-compatible chat-completions endpoint. Tests use a
 * scripted fake behind the same interface (test/ai.ts).
 */

export type AiRole = "system" | "user" | "assistant" | "tool";

/** A call the model asked for: the tool's name and its arguments (parsed JSON). */
export interface AiToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

export interface AiMessage {
  role: AiRole;
  content: string;
  /** On an assistant message: the tool calls it made (its `content` may then be empty). */
  toolCalls?: AiToolCall[];
  /** On a tool message: the call it answers. */
  toolCallId?: string;
}

/** A tool the model may call: its arguments described by a JSON Schema object. */
export interface AiToolSpec {
  name: string;
  description: string;
  parameters: { type: "object"; properties: Record<string, unknown>; required?: string[]; additionalProperties?: boolean };
}

export interface AiChatRequest {
  messages: AiMessage[];
  tools?: AiToolSpec[];
  /** The reply's cap in tokens. */
  maxTokens: number;
  temperature?: number;
  /** Ask for one JSON object as the reply (recommendations). */
  json?: boolean;
  /** Aborts the call (the client went away, or a deadline). */
  signal?: AbortSignal;
}

export interface AiUsage {
  inputTokens: number;
  outputTokens: number;
}

/**
 * What a streamed reply yields, in order: text deltas, then at most one `tool_calls` (the
 * model wants those run before it goes on), then exactly one `done`.
 */
export type AiStreamEvent =
  | { type: "text"; delta: string }
  | { type: "tool_calls"; calls: AiToolCall[] }
  | { type: "done"; usage: AiUsage; model: string; finishReason: "stop" | "length" | "tool_calls" };

export interface AiProvider {
  /** `workers-ai`, `openai` (or `fake` in tests): recorded in each message's metadata. */
  readonly name: string;
  /** The model asked for (the reply's `done` says which one answered). */
  readonly model: string;
  /** One model turn, streamed. Throws {@link AiProviderError} when the provider fails. */
  chat(request: AiChatRequest): AsyncIterable<AiStreamEvent>;
}

/**
 * Why a provider call failed:
 * - `unauthorized`: the provider refused our key (401, 403) or the model/URL is wrong (404);
 * - `rate_limited`: the provider's own limit (429), with `retryAfterSeconds` when it said;
 * - `unavailable`: the provider failed (5xx, a reset connection);
 * - `timeout`: no answer within the configured time;
 * - `rejected`: the provider refused the request itself (400, 413, 422: too long, filtered);
 * - `invalid_response`: an answer we cannot read (bad JSON, a tool call with broken arguments).
 */
export type AiFailureKind = "unauthorized" | "rate_limited" | "unavailable" | "timeout" | "rejected" | "invalid_response";

export class AiProviderError extends Error {
  constructor(
    message: string,
    readonly kind: AiFailureKind,
    readonly status?: number,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "AiProviderError";
  }
}

/** A whole (not streamed) reply: the text, the tool calls if any, usage and model. */
export interface AiReply {
  text: string;
  toolCalls: AiToolCall[];
  usage: AiUsage;
  model: string;
  finishReason: "stop" | "length" | "tool_calls";
}

/**
 * Reads a streamed reply to its end.
 *
 * @example
 * const reply = await collectReply(provider.chat({ messages, maxTokens: 400, json: true }));
 */
export async function collectReply(stream: AsyncIterable<AiStreamEvent>): Promise<AiReply> {
  let text = "";
  let toolCalls: AiToolCall[] = [];
  for await (const event of stream) {
    if (event.type === "text") text += event.delta;
    else if (event.type === "tool_calls") toolCalls = event.calls;
    else return { text, toolCalls, usage: event.usage, model: event.model, finishReason: event.finishReason };
  }
  throw new AiProviderError("The provider's stream ended without a final event.", "invalid_response");
}

/** 503 `ai_unavailable`: no provider is configured here (as on a laptop offline). */
export function aiUnavailable(): AppError {
  return new AppError(
    503,
    "ai_unavailable",
    "The assistant is not available: no model provider is configured on this deployment (set AI_PROVIDER, see the README).",
  );
}

/** The provider, or 503 `ai_unavailable` when there is none. */
export function requireAi(provider: AiProvider | null | undefined): AiProvider {
  if (!provider) throw aiUnavailable();
  return provider;
}

/**
 * A provider failure as the client sees it: never a 500, never the provider's own words
 * (they may echo the prompt). 502 `ai_failed` for a refusal of our key or a broken answer
 * (an operator must look), 503 `ai_busy` with `Retry-After` for limits and outages, 504
 * `ai_timeout`, 422 `ai_rejected` when the provider refused this request's content.
 */
export function aiFailure(error: AiProviderError): AppError {
  switch (error.kind) {
    case "rate_limited":
    case "unavailable":
      return new AppError(503, "ai_busy", "The assistant's model provider is busy or failing; retry shortly.", {
        cause: error,
        headers: { "Retry-After": String(error.retryAfterSeconds ?? 30) },
      });
    case "timeout":
      return new AppError(504, "ai_timeout", "The assistant's model provider did not answer in time.", { cause: error });
    case "rejected":
      return new AppError(422, "ai_rejected", "The model provider refused this request (too long, or filtered).", { cause: error });
    default:
      return new AppError(502, "ai_failed", "The assistant's model provider could not be used; the operators have been told.", {
        cause: error,
      });
  }
}

/**
 * A rough token count for budgeting (context windows, quota reservations): about four
 * characters per token, rounded up, as the common tokenizers average on English text.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
