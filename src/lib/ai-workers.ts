import { type AiChatRequest, type AiFailureKind, type AiMessage, type AiProvider, AiProviderError, type AiStreamEvent, type AiToolCall, type AiUsage, estimateTokens } from "./ai";
import { deadlineFailure, estimatePromptTokens, parseToolArguments, toChatCompletionsTools, usageOf } from "./ai-openai";
import { DeadlineError, readSseData, within } from "./sse";

/**
 * What this provider uses of the `AI` binding: `run` with a model name, its inputs and options
 * (the generated `Ai` type only accepts the model names it lists, and AI_MODEL is free text).
 */
export interface WorkersAiBinding {
  run(model: string, inputs: Record<string, unknown>, options?: { signal?: AbortSignal }): Promise<unknown>;
}

export interface WorkersAiOptions {
  binding: WorkersAiBinding;
  model: string;
  timeoutMs: number;
}

const PROVIDER = "Workers AI";

/**
 * Workers AI's internal error codes (developers.cloudflare.com/workers-ai/platform/errors),
 * which the binding's errors carry in their message ("3040: Capacity temporarily exceeded"),
 * by failure kind. A wrong model or an account refused is for an operator (`unauthorized`);
 * a request too large or malformed is this request's (`rejected`).
 */
const ERROR_CODES: Record<string, AiFailureKind> = {
  "3036": "rate_limited", // the account's daily allocation is used up
  "3040": "rate_limited", // out of capacity
  "3007": "timeout",
  "3008": "timeout",
  "5007": "unauthorized", // no such model
  "3042": "unauthorized", // invalid model id
  "5005": "unauthorized", // the model does not support this
  "5016": "unauthorized", // model terms not agreed
  "5018": "unauthorized", // private model
  "3041": "unauthorized",
  "3023": "unauthorized", // account blocked
  "5019": "unauthorized", // deprecated SDK
  "3006": "rejected", // request too large
  "3003": "rejected", // incomplete request
  "5004": "rejected", // invalid data
};

/**
 * An error the binding threw (or a stream it failed) as a provider error: by its Workers AI
 * code when it has one, else by what its message says, else `unavailable`. The message keeps
 * the code only: the binding's words may quote the request.
 */
export function workersAiFailure(error: unknown): AiProviderError {
  if (error instanceof AiProviderError) return error;
  if (error instanceof DeadlineError) return deadlineFailure(error, PROVIDER);
  const message = error instanceof Error ? error.message : String(error);
  const code = /\b([35]\d{3})\b/.exec(message)?.[1];
  let kind: AiFailureKind = code ? (ERROR_CODES[code] ?? "unavailable") : "unavailable";
  if (!code || !(code in ERROR_CODES)) {
    if (/\b(401|403)\b|unauthori[sz]ed|forbidden|authentication/i.test(message)) kind = "unauthorized";
    else if (/\b429\b|rate.?limit|capacity/i.test(message)) kind = "rate_limited";
    else if (/time(d)?.?out/i.test(message)) kind = "timeout";
  }
  const name = error instanceof Error && /^[A-Za-z]{1,40}$/.test(error.name) ? error.name : "error";
  return new AiProviderError(`${PROVIDER} failed (${name}${code ? ` ${code}` : ""})`, kind);
}

/**
 * The messages as Workers AI's chat models take them: an assistant's tool calls in the
 * OpenAI shape (content a string, never null), and a tool's answer with the tool's name
 * next to its call id (the Llama templates render the name).
 */
export function toWorkersAiMessages(messages: AiMessage[]): Array<Record<string, unknown>> {
  const names = new Map<string, string>();
  return messages.map((m) => {
    if (m.role === "assistant" && m.toolCalls?.length) {
      for (const c of m.toolCalls) names.set(c.id, c.name);
      return {
        role: "assistant",
        content: m.content,
        tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: JSON.stringify(c.arguments) } })),
      };
    }
    if (m.role === "tool") {
      const name = m.toolCallId ? names.get(m.toolCallId) : undefined;
      return { role: "tool", tool_call_id: m.toolCallId, ...(name ? { name } : {}), content: m.content };
    }
    return { role: m.role, content: m.content };
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Tool calls in either shape the models answer with: `{name, arguments}` (Llama) or the
 * OpenAI one `{id, type, function: {name, arguments}}`; arguments an object or a JSON string.
 */
export function workersAiToolCalls(value: unknown): AiToolCall[] {
  if (!Array.isArray(value)) return [];
  return value.map((raw: unknown) => {
    const call = isRecord(raw) ? raw : {};
    const fn = isRecord(call.function) ? call.function : call;
    const name = typeof fn.name === "string" ? fn.name : "";
    if (name === "") throw new AiProviderError(`${PROVIDER}: a tool call without a name`, "invalid_response");
    const id = typeof call.id === "string" && call.id !== "" ? call.id : `call_${crypto.randomUUID()}`;
    return { id, name, arguments: parseToolArguments(fn.arguments ?? fn.parameters, name, PROVIDER) };
  });
}

/** One answer (a whole reply, or one streamed chunk) in either the Workers AI or the OpenAI shape. */
interface Piece {
  text: string;
  toolCalls: AiToolCall[];
  usage?: AiUsage;
  model?: string;
  finishReason?: "stop" | "length" | "tool_calls";
}

function readPiece(value: unknown): Piece {
  if (typeof value === "string") return { text: value, toolCalls: [] };
  if (!isRecord(value)) throw new AiProviderError(`${PROVIDER}: an answer that is not an object`, "invalid_response");
  let text = "";
  let finish: unknown;
  // JSON mode: some models hand the reply back already parsed.
  if (typeof value.response === "string") text = value.response;
  else if (isRecord(value.response) || Array.isArray(value.response)) text = JSON.stringify(value.response);
  let toolCalls = workersAiToolCalls(value.tool_calls);
  const choice: unknown = Array.isArray(value.choices) ? value.choices[0] : undefined;
  if (isRecord(choice)) {
    const part = isRecord(choice.delta) ? choice.delta : isRecord(choice.message) ? choice.message : {};
    if (typeof part.content === "string") text += part.content;
    toolCalls = [...toolCalls, ...workersAiToolCalls(part.tool_calls)];
    finish = choice.finish_reason;
  }
  finish ??= value.finish_reason;
  return {
    text,
    toolCalls,
    usage: usageOf(value.usage),
    model: typeof value.model === "string" && value.model !== "" ? value.model : undefined,
    finishReason: finish === "length" ? "length" : finish === "tool_calls" ? "tool_calls" : typeof finish === "string" ? "stop" : undefined,
  };
}

/**
 * The Workers AI binding (`[ai]` in wrangler.toml). Without tools the reply is streamed
 * (`stream: true`: server-sent events of `{response, usage}`, or OpenAI-shaped chunks for
 * the newer models). With tools it is NOT streamed: the models' streamed tool calls come in
 * several undocumented shapes (whole calls, argument fragments, or as text), while the
 * whole answer's `tool_calls` is documented and reliable, so the reply text then arrives as
 * one delta. Every wait (the answer, each next chunk) is bounded by `timeoutMs`.
 *
 * @example
 * const ai = new WorkersAiProvider({ binding: env.AI, model: DEFAULT_WORKERS_AI_MODEL, timeoutMs: 30_000 });
 */
export class WorkersAiProvider implements AiProvider {
  readonly name = "workers-ai";
  readonly model: string;

  constructor(private readonly options: WorkersAiOptions) {
    this.model = options.model;
  }

  /** The inputs `run` is given (the docs' text-generation shape). */
  inputs(request: AiChatRequest): Record<string, unknown> {
    const tools = toChatCompletionsTools(request);
    return {
      messages: toWorkersAiMessages(request.messages),
      max_tokens: request.maxTokens,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(tools ? { tools } : { stream: true }),
      ...(request.json ? { response_format: { type: "json_object" } } : {}),
    };
  }

  async *chat(request: AiChatRequest): AsyncIterable<AiStreamEvent> {
    const { timeoutMs } = this.options;
    const connection = new AbortController();
    const bounded = async <T>(promise: Promise<T>): Promise<T> => {
      try {
        return await within(promise, timeoutMs, request.signal);
      } catch (error) {
        if (error instanceof DeadlineError) connection.abort();
        throw workersAiFailure(error);
      }
    };
    const answer = await bounded(this.options.binding.run(this.model, this.inputs(request), { signal: connection.signal }));

    let text = "";
    let usage: AiUsage | undefined;
    let model: string | undefined;
    let finishReason: Piece["finishReason"];
    let toolCalls: AiToolCall[] = [];
    const take = (piece: Piece) => {
      text += piece.text;
      toolCalls = [...toolCalls, ...piece.toolCalls];
      usage = piece.usage ?? usage;
      model = piece.model ?? model;
      finishReason = piece.finishReason ?? finishReason;
      return piece.text;
    };

    if (answer instanceof ReadableStream) {
      // The binding errors the stream itself when inference fails, so a stream that ends
      // without `[DONE]` has ended as the binding meant it to.
      for await (const data of readSseData(answer as ReadableStream<Uint8Array>, bounded)) {
        if (data.trim() === "[DONE]") break;
        let chunk: unknown;
        try {
          chunk = JSON.parse(data);
        } catch {
          throw new AiProviderError(`${PROVIDER}: a chunk is not JSON`, "invalid_response");
        }
        const delta = take(readPiece(chunk));
        if (delta !== "") yield { type: "text", delta };
      }
    } else {
      const delta = take(readPiece(answer));
      if (delta !== "") yield { type: "text", delta };
    }

    if (toolCalls.length > 0) yield { type: "tool_calls", calls: toolCalls };
    const counted: AiUsage = usage ?? {
      inputTokens: estimatePromptTokens(request),
      outputTokens: estimateTokens(text) + (toolCalls.length > 0 ? estimateTokens(JSON.stringify(toolCalls)) : 0),
    };
    yield {
      type: "done",
      usage: counted,
      model: model ?? this.model,
      // The Workers AI shape has no finish reason: a reply that used its whole cap was cut.
      finishReason:
        toolCalls.length > 0 ? "tool_calls" : finishReason === "length" || (finishReason === undefined && counted.outputTokens >= request.maxTokens) ? "length" : "stop",
    };
  }
}
