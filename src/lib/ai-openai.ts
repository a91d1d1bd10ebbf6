import {
  type AiChatRequest,
  type AiFailureKind,
  type AiMessage,
  type AiProvider,
  AiProviderError,
  type AiStreamEvent,
  type AiToolCall,
  type AiUsage,
  estimateTokens,
} from "./ai";
import { parseRetryAfter } from "./email";
import { DeadlineError, readSseData, within } from "./sse";

export interface OpenAiCompatibleOptions {
  /** The API's base URL; `/chat/completions` is appended. */
  baseUrl: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
  /** For tests: the fetch to call (default: the global one). */
  fetch?: typeof fetch;
}

type FinishReason = "stop" | "length" | "tool_calls";

/** How an HTTP status from a model provider is handled (see {@link AiFailureKind}). */
export function classifyAiStatus(status: number): AiFailureKind {
  if (status === 401 || status === 403 || status === 404) return "unauthorized";
  if (status === 429) return "rate_limited";
  if (status === 408) return "timeout";
  if (status >= 500) return "unavailable";
  if (status >= 400) return "rejected";
  return "unavailable";
}

/** A deadline as the provider's error: both are `timeout` (an abort is the caller's deadline). */
export function deadlineFailure(error: DeadlineError, provider: string): AiProviderError {
  return new AiProviderError(
    error.reason === "timeout" ? `${provider}: no answer within the timeout` : `${provider}: the call was aborted`,
    "timeout",
  );
}

/** The worst case of what was sent, for when a provider does not count it: as the quota estimates. */
export function estimatePromptTokens(request: AiChatRequest): number {
  const tools = request.tools ? estimateTokens(JSON.stringify(request.tools)) : 0;
  return request.messages.reduce((sum, m) => sum + estimateTokens(m.content) + (m.toolCalls ? estimateTokens(JSON.stringify(m.toolCalls)) : 0) + 4, tools);
}

/**
 * A tool call's arguments as the interface wants them: a JSON object. Providers send a JSON
 * string (OpenAI) or an object (some Workers AI models); empty means no arguments. Anything
 * else is `invalid_response` (the message names the tool, never the arguments: user text).
 */
export function parseToolArguments(raw: unknown, tool: string, provider: string): Record<string, unknown> {
  let value = raw;
  if (raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "")) return {};
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new AiProviderError(`${provider}: the arguments of a call to ${tool.slice(0, 64)} are not JSON`, "invalid_response");
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new AiProviderError(`${provider}: the arguments of a call to ${tool.slice(0, 64)} are not a JSON object`, "invalid_response");
  }
  return value as Record<string, unknown>;
}

/** The interface's messages in the chat-completions shape (tool calls with JSON-string arguments). */
export function toChatCompletionsMessages(messages: AiMessage[]): Array<Record<string, unknown>> {
  return messages.map((m) => {
    if (m.role === "tool") return { role: "tool", tool_call_id: m.toolCallId, content: m.content };
    if (m.role === "assistant" && m.toolCalls?.length) {
      return {
        role: "assistant",
        content: m.content === "" ? null : m.content,
        tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: JSON.stringify(c.arguments) } })),
      };
    }
    return { role: m.role, content: m.content };
  });
}

/** The tools in the chat-completions shape. */
export function toChatCompletionsTools(request: AiChatRequest): Array<Record<string, unknown>> | undefined {
  return request.tools?.length
    ? request.tools.map((t) => ({ type: "function", function: { name: t.name, description: t.description, parameters: t.parameters } }))
    : undefined;
}

function finishReasonOf(value: unknown): FinishReason | undefined {
  if (value === "length") return "length";
  if (value === "tool_calls" || value === "function_call") return "tool_calls";
  // `stop`, `content_filter`, `eos` and the like: the reply is over.
  return typeof value === "string" ? "stop" : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `usage` as the interface counts it, when the provider gave both numbers. */
export function usageOf(value: unknown): AiUsage | undefined {
  if (!isRecord(value)) return undefined;
  const input = value.prompt_tokens ?? value.input_tokens;
  const output = value.completion_tokens ?? value.output_tokens;
  return typeof input === "number" && typeof output === "number" ? { inputTokens: input, outputTokens: output } : undefined;
}

interface PendingToolCall {
  id?: string;
  name: string;
  arguments: string;
}

/**
 * Any OpenAI-compatible chat-completions endpoint, streamed (server-sent events), with tool
 * calls. Each wait (the response headers, every next chunk) is bounded by `timeoutMs`, so a
 * stalled stream fails as `timeout` while a long reply that keeps coming is not cut. Errors
 * carry the HTTP status and a short summary only: the provider's reply body may echo the
 * prompt, and errors end up in logs.
 *
 * A stream that ends without `data: [DONE]` still finishes when a chunk gave a
 * `finish_reason` (some compatible servers never send [DONE]); without either, the reply
 * may be cut short and is `invalid_response`.
 *
 * @example
 * const ai = new OpenAiCompatibleProvider({ baseUrl: "https://api.openai.com/v1", apiKey, model: "gpt-4o-mini", timeoutMs: 30_000 });
 * for await (const event of ai.chat({ messages, maxTokens: 500 })) ...
 */
export class OpenAiCompatibleProvider implements AiProvider {
  readonly name = "openai";
  readonly model: string;

  constructor(private readonly options: OpenAiCompatibleOptions) {
    this.model = options.model;
  }

  /** The request body the endpoint is sent. */
  private body(request: AiChatRequest): Record<string, unknown> {
    const tools = toChatCompletionsTools(request);
    return {
      model: this.model,
      messages: toChatCompletionsMessages(request.messages),
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: request.maxTokens,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(tools ? { tools, tool_choice: "auto" } : {}),
      ...(request.json ? { response_format: { type: "json_object" } } : {}),
    };
  }

  async *chat(request: AiChatRequest): AsyncIterable<AiStreamEvent> {
    const { timeoutMs } = this.options;
    const doFetch = this.options.fetch ?? fetch;
    const connection = new AbortController();
    const bounded = async <T>(promise: Promise<T>): Promise<T> => {
      try {
        return await within(promise, timeoutMs, request.signal);
      } catch (error) {
        if (error instanceof DeadlineError) {
          connection.abort();
          throw deadlineFailure(error, "OpenAI-compatible endpoint");
        }
        // DNS, a refused or reset connection, a body cut mid-stream: cannot be reached just now.
        throw new AiProviderError("OpenAI-compatible endpoint: the request failed on the network", "unavailable");
      }
    };
    const url = `${this.options.baseUrl.replace(/\/+$/, "")}/chat/completions`;
    const response = await bounded(
      doFetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "text/event-stream",
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
        },
        body: JSON.stringify(this.body(request)),
        signal: connection.signal,
      }),
    );
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new AiProviderError(
        `OpenAI-compatible endpoint answered ${response.status}`,
        classifyAiStatus(response.status),
        response.status,
        response.status === 429 || response.status === 503 ? parseRetryAfter(response.headers.get("retry-after")) : undefined,
      );
    }
    if (!response.body) throw new AiProviderError("OpenAI-compatible endpoint: an empty answer", "invalid_response", response.status);

    let text = "";
    let model: string | undefined;
    let usage: AiUsage | undefined;
    let finishReason: FinishReason | undefined;
    let sawDone = false;
    const pending = new Map<number, PendingToolCall>();

    /** One chunk (or a whole, not streamed, completion: some servers ignore `stream`). */
    const take = (chunk: unknown): string => {
      if (!isRecord(chunk)) throw new AiProviderError("OpenAI-compatible endpoint: a chunk is not an object", "invalid_response");
      if (chunk.error !== undefined) throw new AiProviderError("OpenAI-compatible endpoint: the stream reported an error", "unavailable");
      if (typeof chunk.model === "string" && chunk.model !== "") model = chunk.model;
      usage = usageOf(chunk.usage) ?? usage;
      let delta = "";
      for (const choice of Array.isArray(chunk.choices) ? chunk.choices : []) {
        if (!isRecord(choice) || (choice.index !== undefined && choice.index !== 0)) continue;
        const part = isRecord(choice.delta) ? choice.delta : isRecord(choice.message) ? choice.message : {};
        if (typeof part.content === "string") delta += part.content;
        for (const call of Array.isArray(part.tool_calls) ? part.tool_calls : []) {
          if (!isRecord(call)) continue;
          const index = typeof call.index === "number" ? call.index : pending.size;
          const fn = isRecord(call.function) ? call.function : {};
          const entry = pending.get(index) ?? { name: "", arguments: "" };
          if (typeof call.id === "string" && call.id !== "") entry.id = call.id;
          if (typeof fn.name === "string") entry.name += fn.name;
          if (typeof fn.arguments === "string") entry.arguments += fn.arguments;
          else if (isRecord(fn.arguments)) entry.arguments += JSON.stringify(fn.arguments);
          pending.set(index, entry);
        }
        finishReason = finishReasonOf(choice.finish_reason) ?? finishReason;
      }
      return delta;
    };

    const parse = (data: string): unknown => {
      try {
        return JSON.parse(data);
      } catch {
        throw new AiProviderError("OpenAI-compatible endpoint: a chunk is not JSON", "invalid_response");
      }
    };

    if ((response.headers.get("content-type") ?? "").includes("application/json")) {
      const delta = take(parse(await bounded(response.text())));
      sawDone = true;
      if (delta !== "") {
        text += delta;
        yield { type: "text", delta };
      }
    } else {
      for await (const data of readSseData(response.body as ReadableStream<Uint8Array>, bounded)) {
        if (data.trim() === "[DONE]") {
          sawDone = true;
          break;
        }
        const delta = take(parse(data));
        if (delta !== "") {
          text += delta;
          yield { type: "text", delta };
        }
      }
    }
    if (!sawDone && finishReason === undefined) {
      throw new AiProviderError("OpenAI-compatible endpoint: the stream ended before the reply did", "invalid_response");
    }

    const calls: AiToolCall[] = [...pending.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => {
        if (call.name === "") throw new AiProviderError("OpenAI-compatible endpoint: a tool call without a name", "invalid_response");
        return { id: call.id ?? `call_${index}_${crypto.randomUUID()}`, name: call.name, arguments: parseToolArguments(call.arguments, call.name, "OpenAI-compatible endpoint") };
      });
    if (calls.length > 0) yield { type: "tool_calls", calls };
    yield {
      type: "done",
      usage: usage ?? {
        inputTokens: estimatePromptTokens(request),
        outputTokens: estimateTokens(text) + (calls.length > 0 ? estimateTokens(JSON.stringify(calls)) : 0),
      },
      model: model ?? this.model,
      finishReason: calls.length > 0 ? "tool_calls" : finishReason === "tool_calls" ? "stop" : (finishReason ?? "stop"),
    };
  }
}
