import { createApp } from "../src/app";
import {
  type AiChatRequest,
  type AiProvider,
  AiProviderError,
  type AiStreamEvent,
  type AiToolCall,
  type AiUsage,
  estimateTokens,
} from "../src/lib/ai";
import { type Api, createApi, type TestContext } from "./harness";

/**
 * One scripted model turn:
 * - `{ text }`: a reply, streamed in `chunks` pieces (default 3);
 * - `{ toolCalls }`: the model asks for these tools (ids are filled in);
 * - `{ error }`: the call fails with this provider error (after `afterChunks` text pieces);
 * - `{ hang: true }`: never answers until the request's signal aborts;
 * - a function: decides from the request (what the model was sent).
 * `usage` overrides the counted tokens (default: an estimate of what was sent and replied).
 */
export type ScriptedTurn =
  | { text: string; chunks?: number; usage?: Partial<AiUsage>; finishReason?: "stop" | "length" }
  | { toolCalls: Array<{ name: string; arguments: Record<string, unknown> }>; text?: string; usage?: Partial<AiUsage> }
  | { error: AiProviderError; afterChunks?: string[] }
  | { hang: true }
  | ((request: AiChatRequest) => ScriptedTurn);

/**
 * A scripted model behind the app's {@link AiProvider} interface: each `chat` call takes the
 * next scripted turn (a test fails loudly if the app calls the model more often than
 * scripted) and records what the model was sent, so tests can check the prompt.
 *
 * @example
 * const ai = new FakeAiProvider([{ toolCalls: [{ name: "find_events", arguments: { city: "Madrid" } }] }, { text: "Try El Beso." }]);
 * const api = apiWithAi(t, ai);
 */
export class FakeAiProvider implements AiProvider {
  readonly name = "fake";
  readonly model = "fake-model-1";
  /** Every request the app made, in order. */
  readonly requests: AiChatRequest[] = [];
  private readonly turns: ScriptedTurn[];

  constructor(turns: ScriptedTurn[] = []) {
    this.turns = [...turns];
  }

  /** Adds turns to the end of the script. */
  script(...turns: ScriptedTurn[]): this {
    this.turns.push(...turns);
    return this;
  }

  /** Turns scripted but not yet used. */
  get remaining(): number {
    return this.turns.length;
  }

  async *chat(request: AiChatRequest): AsyncIterable<AiStreamEvent> {
    this.requests.push(structuredClone({ ...request, signal: undefined }));
    let turn = this.turns.shift();
    if (turn === undefined) throw new Error(`FakeAiProvider: call ${this.requests.length} was not scripted`);
    while (typeof turn === "function") turn = turn(request);
    const input = request.messages.reduce((sum, m) => sum + estimateTokens(m.content) + 4, 0);
    if ("hang" in turn) {
      await new Promise<never>((_, reject) => {
        const abort = () => reject(new AiProviderError("aborted", "timeout"));
        if (request.signal?.aborted) abort();
        request.signal?.addEventListener("abort", abort);
      });
      return;
    }
    if ("error" in turn) {
      for (const delta of turn.afterChunks ?? []) yield { type: "text", delta };
      throw turn.error;
    }
    if ("toolCalls" in turn) {
      if (turn.text) yield { type: "text", delta: turn.text };
      const calls: AiToolCall[] = turn.toolCalls.map((c, i) => ({ id: `call_${this.requests.length}_${i}`, ...c }));
      yield { type: "tool_calls", calls };
      const output = estimateTokens(JSON.stringify(calls));
      yield { type: "done", usage: { inputTokens: input, outputTokens: output, ...turn.usage }, model: this.model, finishReason: "tool_calls" };
      return;
    }
    const pieces = Math.max(1, turn.chunks ?? 3);
    const size = Math.ceil(turn.text.length / pieces) || 1;
    for (let at = 0; at < turn.text.length; at += size) {
      await Promise.resolve();
      yield { type: "text", delta: turn.text.slice(at, at + size) };
    }
    yield {
      type: "done",
      usage: { inputTokens: input, outputTokens: estimateTokens(turn.text), ...turn.usage },
      model: this.model,
      finishReason: turn.finishReason ?? "stop",
    };
  }
}

/** The test database's API on an app whose model provider is `provider` (null: none configured). */
export function apiWithAi(t: TestContext, provider: AiProvider | null): Api {
  const app = createApp({ aiProvider: () => provider });
  return createApi(t.env, app.fetch);
}

/**
 * Reads a `text/event-stream` body into its events, in order.
 *
 * @example
 * const events = parseSse(res.body); // [{ event: "delta", data: { text: "Hi" } }, ...]
 */
export function parseSse(body: string): Array<{ event: string; data: any }> {
  const events: Array<{ event: string; data: any }> = [];
  for (const block of body.split(/\n\n/)) {
    if (!block.trim()) continue;
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (!data.length) continue;
    const text = data.join("\n");
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // plain text data stays a string
    }
    events.push({ event, data: parsed });
  }
  return events;
}
