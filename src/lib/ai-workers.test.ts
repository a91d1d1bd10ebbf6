import { describe, expect, it } from "vitest";
import { type AiChatRequest, AiProviderError, type AiStreamEvent, collectReply, estimateTokens } from "./ai";
import { type WorkersAiBinding, WorkersAiProvider } from "./ai-workers";
import { DEFAULT_WORKERS_AI_MODEL } from "./env";

const encoder = new TextEncoder();

/** A fake `AI` binding: answers each `run` with the next scripted answer and records the calls. */
function fakeBinding(...answers: Array<(options?: { signal?: AbortSignal }) => Promise<unknown>>) {
  const calls: Array<{ model: string; inputs: Record<string, unknown>; options?: { signal?: AbortSignal } }> = [];
  const binding: WorkersAiBinding = {
    run(model, inputs, options) {
      calls.push({ model, inputs: structuredClone(inputs), options });
      const answer = answers.shift();
      if (!answer) throw new Error("run called more often than scripted");
      return answer(options);
    },
  };
  return { binding, calls };
}

/** An SSE stream as the binding returns with `stream: true`, cut in awkward places, recording a cancel. */
function sseStream(events: Array<object | string>, then: "close" | "hang" = "close") {
  const text = events.map((e) => `data: ${typeof e === "string" ? e : JSON.stringify(e)}\n\n`).join("");
  const bytes = encoder.encode(text);
  const pieces = [bytes.slice(0, 5), bytes.slice(5, 23), bytes.slice(23)].filter((p) => p.length > 0);
  const state = { cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = pieces.shift();
      if (next) controller.enqueue(next);
      else if (then === "close") controller.close();
      else return new Promise(() => undefined);
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

const provider = (binding: WorkersAiBinding, timeoutMs = 5_000) => new WorkersAiProvider({ binding, model: DEFAULT_WORKERS_AI_MODEL, timeoutMs });

const request: AiChatRequest = { messages: [{ role: "user", content: "Where can I dance tonight in Madrid?" }], maxTokens: 200 };
const tools: AiChatRequest["tools"] = [
  { name: "find_events", description: "Events in a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
];

async function events(stream: AsyncIterable<AiStreamEvent>): Promise<AiStreamEvent[]> {
  const all: AiStreamEvent[] = [];
  for await (const event of stream) all.push(event);
  return all;
}

async function failure(stream: AsyncIterable<AiStreamEvent>): Promise<AiProviderError> {
  try {
    await events(stream);
  } catch (error) {
    expect(error).toBeInstanceOf(AiProviderError);
    return error as AiProviderError;
  }
  throw new Error("expected the call to fail");
}

describe("WorkersAiProvider: the request", () => {
  it("streams a reply without tools: the model, messages, max_tokens and stream as the docs say", async () => {
    const { binding, calls } = fakeBinding(() => Promise.resolve(sseStream([{ response: "Hola" }, "[DONE]"]).stream));
    await collectReply(
      provider(binding).chat({
        messages: [
          { role: "system", content: "You are Mr. Blue." },
          { role: "user", content: "Tonight?" },
        ],
        maxTokens: 256,
        temperature: 0.3,
      }),
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]!.model).toBe("@cf/meta/llama-3.3-70b-instruct-fp8-fast");
    expect(calls[0]!.inputs).toEqual({
      messages: [
        { role: "system", content: "You are Mr. Blue." },
        { role: "user", content: "Tonight?" },
      ],
      max_tokens: 256,
      temperature: 0.3,
      stream: true,
    });
    expect(calls[0]!.options?.signal).toBeInstanceOf(AbortSignal);
  });

  it("does not stream when tools are given; sends them as functions, the tool turns with their names, and json mode", async () => {
    const { binding, calls } = fakeBinding(() => Promise.resolve({ response: '{"ok":true}' }));
    await collectReply(
      provider(binding).chat({
        messages: [
          { role: "user", content: "Tonight in Madrid?" },
          { role: "assistant", content: "", toolCalls: [{ id: "call_1", name: "find_events", arguments: { city: "Madrid" } }] },
          { role: "tool", toolCallId: "call_1", content: "[]" },
        ],
        tools,
        maxTokens: 100,
        json: true,
      }),
    );
    expect(calls[0]!.inputs).toEqual({
      messages: [
        { role: "user", content: "Tonight in Madrid?" },
        { role: "assistant", content: "", tool_calls: [{ id: "call_1", type: "function", function: { name: "find_events", arguments: '{"city":"Madrid"}' } }] },
        { role: "tool", tool_call_id: "call_1", name: "find_events", content: "[]" },
      ],
      tools: [{ type: "function", function: tools[0] }],
      max_tokens: 100,
      response_format: { type: "json_object" },
    });
  });
});

describe("WorkersAiProvider: answers in each shape", () => {
  it("streams `{response}` chunks (multi-byte text cut anywhere) with usage from the last chunk", async () => {
    const { binding } = fakeBinding(() =>
      Promise.resolve(sseStream([{ response: "¡Hola, " }, { response: "tangueros! 🎵" }, { response: "", usage: { prompt_tokens: 20, completion_tokens: 6, total_tokens: 26 } }, "[DONE]"]).stream),
    );
    expect(await events(provider(binding).chat(request))).toEqual([
      { type: "text", delta: "¡Hola, " },
      { type: "text", delta: "tangueros! 🎵" },
      { type: "done", usage: { inputTokens: 20, outputTokens: 6 }, model: DEFAULT_WORKERS_AI_MODEL, finishReason: "stop" },
    ]);
  });

  it("streams OpenAI-shaped chunks (the newer models), and a stream that ends without [DONE]", async () => {
    const { binding } = fakeBinding(() =>
      Promise.resolve(
        sseStream([
          { model: "@cf/openai/gpt-oss-20b", choices: [{ index: 0, delta: { content: "Try " } }] },
          { choices: [{ index: 0, delta: { content: "El Beso" }, finish_reason: "stop" }], usage: { prompt_tokens: 9, completion_tokens: 4 } },
        ]).stream,
      ),
    );
    expect(await collectReply(provider(binding).chat(request))).toEqual({
      text: "Try El Beso",
      toolCalls: [],
      usage: { inputTokens: 9, outputTokens: 4 },
      model: "@cf/openai/gpt-oss-20b",
      finishReason: "stop",
    });
  });

  it("reads Llama-shaped tool calls `{name, arguments}` with object arguments, giving each an id", async () => {
    const { binding } = fakeBinding(() =>
      Promise.resolve({
        response: null,
        tool_calls: [
          { name: "find_events", arguments: { city: "Madrid" } },
          { name: "my_rsvps", arguments: {} },
        ],
        usage: { prompt_tokens: 50, completion_tokens: 12 },
      }),
    );
    const all = await events(provider(binding).chat({ ...request, tools }));
    expect(all).toHaveLength(2);
    const [calls, done] = all;
    expect(calls).toMatchObject({ type: "tool_calls", calls: [{ name: "find_events", arguments: { city: "Madrid" } }, { name: "my_rsvps", arguments: {} }] });
    const ids = (calls as Extract<AiStreamEvent, { type: "tool_calls" }>).calls.map((c) => c.id);
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) expect(id).toMatch(/^call_/);
    expect(done).toEqual({ type: "done", usage: { inputTokens: 50, outputTokens: 12 }, model: DEFAULT_WORKERS_AI_MODEL, finishReason: "tool_calls" });
  });

  it("reads OpenAI-shaped tool calls with JSON-string arguments, at the top level or in choices", async () => {
    const call = { id: "chatcmpl-tool-1", type: "function", function: { name: "find_events", arguments: '{"city":"Madrid"}' } };
    const top = fakeBinding(() => Promise.resolve({ response: "", tool_calls: [call] }));
    expect((await collectReply(provider(top.binding).chat({ ...request, tools }))).toolCalls).toEqual([{ id: "chatcmpl-tool-1", name: "find_events", arguments: { city: "Madrid" } }]);
    const choices = fakeBinding(() =>
      Promise.resolve({ model: "@cf/qwen/qwen3-30b-a3b-fp8", choices: [{ message: { role: "assistant", content: null, tool_calls: [call] }, finish_reason: "tool_calls" }] }),
    );
    const reply = await collectReply(provider(choices.binding).chat({ ...request, tools }));
    expect(reply).toMatchObject({ text: "", toolCalls: [{ id: "chatcmpl-tool-1", name: "find_events", arguments: { city: "Madrid" } }], model: "@cf/qwen/qwen3-30b-a3b-fp8", finishReason: "tool_calls" });
  });

  it("takes a JSON-mode reply handed back already parsed as its JSON text, and a bare string", async () => {
    const parsed = fakeBinding(() => Promise.resolve({ response: { title: "Practice ochos", domain: 3 } }));
    expect(JSON.parse((await collectReply(provider(parsed.binding).chat({ ...request, json: true }))).text)).toEqual({ title: "Practice ochos", domain: 3 });
    const bare = fakeBinding(() => Promise.resolve("Hola"));
    expect((await collectReply(provider(bare.binding).chat({ ...request, tools }))).text).toBe("Hola");
  });

  it("estimates usage when none is given, and calls a reply that used its whole cap `length`", async () => {
    const short = fakeBinding(() => Promise.resolve({ response: "Hola" }));
    expect(await collectReply(provider(short.binding).chat({ ...request, tools }))).toMatchObject({
      usage: { inputTokens: estimateTokens(request.messages[0]!.content) + 4 + estimateTokens(JSON.stringify(tools)), outputTokens: 1 },
      finishReason: "stop",
    });
    const long = fakeBinding(() => Promise.resolve(sseStream([{ response: "x".repeat(40) }, "[DONE]"]).stream));
    expect((await collectReply(provider(long.binding).chat({ ...request, maxTokens: 10 }))).finishReason).toBe("length");
  });

  it("refuses tool arguments that are not a JSON object, a call without a name, and a chunk that is not JSON", async () => {
    for (const answer of [
      { tool_calls: [{ name: "find_events", arguments: "{city: Madrid" }] },
      { tool_calls: [{ name: "find_events", arguments: "[1]" }] },
      { tool_calls: [{ arguments: {} }] },
    ]) {
      const { binding } = fakeBinding(() => Promise.resolve(answer));
      const error = await failure(provider(binding).chat({ ...request, tools }));
      expect(error.kind).toBe("invalid_response");
      expect(error.message).not.toContain("Madrid");
    }
    const broken = fakeBinding(() => Promise.resolve(sseStream(["{nope"]).stream));
    expect((await failure(provider(broken.binding).chat(request))).kind).toBe("invalid_response");
  });
});

describe("WorkersAiProvider: failures", () => {
  const thrown: Array<[string, string, Error]> = [
    ["capacity", "rate_limited", Object.assign(new Error("3040: Capacity temporarily exceeded, please try again."), { name: "InferenceUpstreamError" })],
    ["daily allocation", "rate_limited", new Error("3036: You have used up your daily free allocation of 10,000 neurons.")],
    ["no such model", "unauthorized", Object.assign(new Error("5007: No such model @cf/meta/nope or task"), { name: "InferenceUpstreamError" })],
    ["invalid model id", "unauthorized", new Error("AiError: 3042: The model name is invalid")],
    ["authentication", "unauthorized", new Error("Authentication error")],
    ["request too large", "rejected", new Error("3006: Request is too large")],
    ["upstream timeout", "timeout", new Error("3007: Request timeout")],
    ["anything else", "unavailable", new Error("Tonight in Madrid? broke something")],
  ];
  it.each(thrown)("maps a thrown %s error to %s, keeping only its name and code", async (_, kind, error) => {
    const { binding } = fakeBinding(() => Promise.reject(error));
    const failed = await failure(provider(binding).chat(request));
    expect(failed.kind).toBe(kind);
    expect(failed.message).toMatch(/^Workers AI failed \([A-Za-z]+( \d{4})?\)$/);
    expect(failed.message).not.toMatch(/Madrid|Capacity|neurons/);
  });

  it("maps a stream that fails midway, after the text so far", async () => {
    let sent = false;
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new Error("3040: Capacity temporarily exceeded"));
        sent = true;
        controller.enqueue(encoder.encode('data: {"response":"Ho"}\n\n'));
      },
    });
    const seen: AiStreamEvent[] = [];
    const { binding } = fakeBinding(() => Promise.resolve(failing));
    const error = await failure(
      (async function* () {
        for await (const event of provider(binding).chat(request)) yield (seen.push(event), event);
      })(),
    );
    expect(error.kind).toBe("rate_limited");
    expect(seen).toEqual([{ type: "text", delta: "Ho" }]);
  });

  it("times out when the binding does not answer, aborting its call", async () => {
    let aborted = false;
    const { binding } = fakeBinding(
      (options) =>
        new Promise((_, reject) => {
          options?.signal?.addEventListener("abort", () => {
            aborted = true;
            reject(new Error("aborted"));
          });
        }),
    );
    const error = await failure(provider(binding, 50).chat(request));
    expect(error.kind).toBe("timeout");
    expect(aborted).toBe(true);
  });

  it("times out when the stream stalls and cancels it; the caller's abort does the same", async () => {
    const stalled = sseStream([{ response: "Hola" }], "hang");
    const stall = fakeBinding(() => Promise.resolve(stalled.stream));
    expect((await failure(provider(stall.binding, 50).chat(request))).kind).toBe("timeout");
    expect(stalled.state.cancelled).toBe(true);

    const open = sseStream([{ response: "Hola" }], "hang");
    const controller = new AbortController();
    const hang = fakeBinding(() => Promise.resolve(open.stream));
    const error = await failure(
      (async function* () {
        for await (const event of provider(hang.binding).chat({ ...request, signal: controller.signal })) {
          controller.abort();
          yield event;
        }
      })(),
    );
    expect(error.kind).toBe("timeout");
    expect(error.message).toMatch(/aborted/);
    expect(open.state.cancelled).toBe(true);
  });
});
