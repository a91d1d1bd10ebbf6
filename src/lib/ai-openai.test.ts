import { describe, expect, it } from "vitest";
import { type AiChatRequest, AiProviderError, type AiStreamEvent, collectReply, estimateTokens } from "./ai";
import { OpenAiCompatibleProvider } from "./ai-openai";

const encoder = new TextEncoder();

/** A body that sends `bytes` cut at the given offsets, and records whether it was cancelled. */
function body(bytes: Uint8Array, cuts: number[] = [], then: "close" | "hang" = "close") {
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut > from) pieces.push(bytes.slice(from, cut));
    from = cut;
  }
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

/** SSE lines for chunks (objects are JSON-encoded), each event ended by a blank line. */
function sse(events: Array<object | string>, eol = "\n"): string {
  return events.map((e) => `data: ${typeof e === "string" ? e : JSON.stringify(e)}${eol}${eol}`).join("");
}

const delta = (content: string) => ({ model: "gpt-test-2025", choices: [{ index: 0, delta: { content }, finish_reason: null }] });
const finish = (reason: string) => ({ choices: [{ index: 0, delta: {}, finish_reason: reason }] });
const usage = { choices: [], usage: { prompt_tokens: 31, completion_tokens: 9, total_tokens: 40 } };

/** A fetch answering each call with the next scripted response, recording the requests. */
function scriptedFetch(...answers: Array<(request: Request) => Promise<Response> | Response>) {
  const requests: Request[] = [];
  const fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    requests.push(request);
    const answer = answers.shift();
    if (!answer) throw new Error("fetch called more often than scripted");
    return Promise.resolve(answer(request));
  };
  return { fetch, requests };
}

const streamed = (text: string, cuts?: number[]) => () =>
  new Response(body(encoder.encode(text), cuts).stream, { headers: { "content-type": "text/event-stream" } });

function provider(fetch: typeof globalThis.fetch, options: { apiKey?: string; timeoutMs?: number } = {}) {
  return new OpenAiCompatibleProvider({
    baseUrl: "https://llm.example.test/v1/",
    model: "gpt-test",
    timeoutMs: options.timeoutMs ?? 5_000,
    apiKey: "apiKey" in options ? options.apiKey : "sk-test-key",
    fetch,
  });
}

const request: AiChatRequest = { messages: [{ role: "user", content: "Where can I dance tonight in Madrid?" }], maxTokens: 200 };

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

describe("OpenAiCompatibleProvider: streamed replies", () => {
  // CRLF line ends, a keep-alive comment, an `event:` field and multi-byte characters (2, 3 and 4 bytes).
  const reply = `: keep-alive\r\n\r\n${sse([delta("¡Hola, "), delta("tangueros! ñ € 🎵"), finish("stop"), usage], "\r\n")}event: end\r\ndata: [DONE]\r\n\r\n`;
  const bytes = encoder.encode(reply);

  it("reads the reply whole wherever the body is cut: at every byte boundary, and one byte at a time", async () => {
    const cutsList: number[][] = [[], Array.from({ length: bytes.length - 1 }, (_, i) => i + 1)];
    for (let i = 1; i < bytes.length; i++) cutsList.push([i]);
    for (const cuts of cutsList) {
      const { fetch } = scriptedFetch(streamed(reply, cuts));
      const answer = await collectReply(provider(fetch).chat(request));
      expect(answer, `cut at ${cuts.slice(0, 3).join(",")}`).toEqual({
        text: "¡Hola, tangueros! ñ € 🎵",
        toolCalls: [],
        usage: { inputTokens: 31, outputTokens: 9 },
        model: "gpt-test-2025",
        finishReason: "stop",
      });
    }
  });

  it("yields each delta as it comes, then one done", async () => {
    const { fetch } = scriptedFetch(streamed(reply));
    expect(await events(provider(fetch).chat(request))).toEqual([
      { type: "text", delta: "¡Hola, " },
      { type: "text", delta: "tangueros! ñ € 🎵" },
      { type: "done", usage: { inputTokens: 31, outputTokens: 9 }, model: "gpt-test-2025", finishReason: "stop" },
    ]);
  });

  it("estimates usage when the endpoint does not report it, and says when the cap cut the reply", async () => {
    const { fetch } = scriptedFetch(streamed(sse([{ choices: [{ delta: { content: "Try El Beso" } }] }, finish("length"), "[DONE]"])));
    const answer = await collectReply(provider(fetch).chat(request));
    expect(answer.usage).toEqual({ inputTokens: estimateTokens(request.messages[0]!.content) + 4, outputTokens: estimateTokens("Try El Beso") });
    expect(answer.model).toBe("gpt-test");
    expect(answer.finishReason).toBe("length");
  });

  it("accumulates two tool calls streamed in pieces (interleaved) and emits them once, after the text", async () => {
    const call = (index: number, fn: object, id?: string) => ({ choices: [{ index: 0, delta: { tool_calls: [{ index, ...(id ? { id, type: "function" } : {}), function: fn }] } }] });
    const text = sse([
      delta("Looking. "),
      call(0, { name: "find_events", arguments: "" }, "call_a"),
      call(0, { arguments: '{"city":"Ma' }),
      call(1, { name: "find_teachers", arguments: '{"ci' }, "call_b"),
      call(0, { arguments: 'drid","from":"2026-12-06"}' }),
      call(1, { arguments: 'ty":"Madrid"}' }),
      finish("tool_calls"),
      usage,
      "[DONE]",
    ]);
    const { fetch } = scriptedFetch(streamed(text, [17, 100, 101, 260]));
    expect(await events(provider(fetch).chat(request))).toEqual([
      { type: "text", delta: "Looking. " },
      {
        type: "tool_calls",
        calls: [
          { id: "call_a", name: "find_events", arguments: { city: "Madrid", from: "2026-12-06" } },
          { id: "call_b", name: "find_teachers", arguments: { city: "Madrid" } },
        ],
      },
      { type: "done", usage: { inputTokens: 31, outputTokens: 9 }, model: "gpt-test-2025", finishReason: "tool_calls" },
    ]);
  });

  it("takes a call without arguments as {} and refuses arguments that are not a JSON object", async () => {
    const call = (args: string) => sse([{ choices: [{ delta: { tool_calls: [{ index: 0, id: "c1", function: { name: "my_rsvps", arguments: args } }] } }] }, finish("tool_calls"), "[DONE]"]);
    const ok = await collectReply(provider(scriptedFetch(streamed(call(""))).fetch).chat(request));
    expect(ok.toolCalls).toEqual([{ id: "c1", name: "my_rsvps", arguments: {} }]);
    for (const bad of ['{"city": "Madr', "[1,2]", '"Madrid"', "null"]) {
      const error = await failure(provider(scriptedFetch(streamed(call(bad))).fetch).chat(request));
      expect(error.kind).toBe("invalid_response");
      expect(error.message).not.toContain("Madr");
    }
  });

  it("finishes a stream without [DONE] when a finish_reason came, and refuses one cut before that", async () => {
    const whole = await collectReply(provider(scriptedFetch(streamed(sse([delta("Hola"), finish("stop")]))).fetch).chat(request));
    expect(whole.text).toBe("Hola");
    const error = await failure(provider(scriptedFetch(streamed(sse([delta("Hola")]))).fetch).chat(request));
    expect(error.kind).toBe("invalid_response");
  });

  it("refuses a chunk that is not JSON, and reports an error the stream carries as unavailable", async () => {
    expect((await failure(provider(scriptedFetch(streamed("data: {not json\n\n")).fetch).chat(request))).kind).toBe("invalid_response");
    const error = await failure(provider(scriptedFetch(streamed(sse([delta("Ho"), { error: { message: "overloaded: Where can I dance" } }]))).fetch).chat(request));
    expect(error.kind).toBe("unavailable");
    expect(error.message).not.toContain("Where");
  });

  it("reads a whole JSON completion when the endpoint does not stream", async () => {
    const { fetch } = scriptedFetch(() =>
      Response.json({ model: "m-2", choices: [{ index: 0, message: { role: "assistant", content: '{"ok":true}' }, finish_reason: "stop" }], usage: { prompt_tokens: 5, completion_tokens: 3 } }),
    );
    expect(await collectReply(provider(fetch).chat(request))).toEqual({ text: '{"ok":true}', toolCalls: [], usage: { inputTokens: 5, outputTokens: 3 }, model: "m-2", finishReason: "stop" });
  });
});

describe("OpenAiCompatibleProvider: the request", () => {
  it("POSTs the chat-completions body: messages mapped, tools, json mode, the cap and temperature, with the key", async () => {
    const { fetch, requests } = scriptedFetch(streamed(sse([finish("stop"), "[DONE]"])));
    await collectReply(
      provider(fetch).chat({
        messages: [
          { role: "system", content: "You are Mr. Blue." },
          { role: "user", content: "Tonight in Madrid?" },
          { role: "assistant", content: "", toolCalls: [{ id: "call_1", name: "find_events", arguments: { city: "Madrid" } }] },
          { role: "tool", toolCallId: "call_1", content: '[{"title":"Milonga"}]' },
        ],
        tools: [{ name: "find_events", description: "Events in a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }],
        maxTokens: 300,
        temperature: 0.2,
        json: true,
      }),
    );
    const [sent] = requests;
    expect(sent!.method).toBe("POST");
    expect(sent!.url).toBe("https://llm.example.test/v1/chat/completions");
    expect(sent!.headers.get("authorization")).toBe("Bearer sk-test-key");
    expect(sent!.headers.get("content-type")).toBe("application/json");
    expect(await sent!.json()).toEqual({
      model: "gpt-test",
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 300,
      temperature: 0.2,
      messages: [
        { role: "system", content: "You are Mr. Blue." },
        { role: "user", content: "Tonight in Madrid?" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "find_events", arguments: '{"city":"Madrid"}' } }] },
        { role: "tool", tool_call_id: "call_1", content: '[{"title":"Milonga"}]' },
      ],
      tools: [
        {
          type: "function",
          function: { name: "find_events", description: "Events in a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
        },
      ],
      tool_choice: "auto",
      response_format: { type: "json_object" },
    });
  });

  it("sends no Authorization header, tools, temperature or response_format when there are none", async () => {
    const { fetch, requests } = scriptedFetch(streamed(sse([finish("stop"), "[DONE]"])));
    await collectReply(provider(fetch, { apiKey: undefined }).chat(request));
    expect(requests[0]!.headers.has("authorization")).toBe(false);
    const sent = await requests[0]!.json<Record<string, unknown>>();
    expect(Object.keys(sent).sort()).toEqual(["max_tokens", "messages", "model", "stream", "stream_options"]);
  });
});

describe("OpenAiCompatibleProvider: failures", () => {
  const statuses: Array<[number, string]> = [
    [401, "unauthorized"],
    [403, "unauthorized"],
    [404, "unauthorized"],
    [400, "rejected"],
    [413, "rejected"],
    [422, "rejected"],
    [500, "unavailable"],
    [502, "unavailable"],
    [503, "unavailable"],
  ];
  it.each(statuses)("answers HTTP %i as %s, without the reply's words", async (status, kind) => {
    const replyBody = body(encoder.encode('{"error":{"message":"Tonight in Madrid? is not allowed"}}'));
    const { fetch } = scriptedFetch(() => new Response(replyBody.stream, { status }));
    const error = await failure(provider(fetch).chat(request));
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.message).toBe(`OpenAI-compatible endpoint answered ${status}`);
    expect(replyBody.state.cancelled).toBe(true);
  });

  it("answers 429 as rate_limited with Retry-After in seconds or as a date", async () => {
    const seconds = await failure(provider(scriptedFetch(() => new Response("slow down", { status: 429, headers: { "retry-after": "7" } })).fetch).chat(request));
    expect([seconds.kind, seconds.retryAfterSeconds]).toEqual(["rate_limited", 7]);
    const at = new Date(Date.now() + 90_000).toUTCString();
    const date = await failure(provider(scriptedFetch(() => new Response("", { status: 429, headers: { "retry-after": at } })).fetch).chat(request));
    expect(date.kind).toBe("rate_limited");
    expect(date.retryAfterSeconds).toBeGreaterThanOrEqual(88);
    expect(date.retryAfterSeconds).toBeLessThanOrEqual(90);
    const none = await failure(provider(scriptedFetch(() => new Response("", { status: 429 })).fetch).chat(request));
    expect(none.retryAfterSeconds).toBeUndefined();
  });

  it("answers a network failure, before or during the stream, as unavailable", async () => {
    const refused = await failure(provider(scriptedFetch(() => Promise.reject(new TypeError("fetch failed: Tonight in Madrid"))).fetch).chat(request));
    expect(refused.kind).toBe("unavailable");
    expect(refused.message).not.toContain("Madrid");
    let sent = false;
    const reset = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new TypeError("connection reset"));
        sent = true;
        controller.enqueue(encoder.encode(sse([delta("Ho")])));
      },
    });
    const seen: AiStreamEvent[] = [];
    const error = await failure(
      (async function* () {
        for await (const event of provider(scriptedFetch(() => new Response(reset)).fetch).chat(request)) yield (seen.push(event), event);
      })(),
    );
    expect(error.kind).toBe("unavailable");
    expect(seen).toEqual([{ type: "text", delta: "Ho" }]);
  });

  it("times out when no answer comes, aborting the request", async () => {
    let aborted = false;
    const { fetch } = scriptedFetch(
      (sent) =>
        new Promise<Response>((_, reject) => {
          sent.signal.addEventListener("abort", () => {
            aborted = true;
            reject(new DOMException("aborted", "AbortError"));
          });
        }),
    );
    const error = await failure(provider(fetch, { timeoutMs: 50 }).chat(request));
    expect(error.kind).toBe("timeout");
    expect(aborted).toBe(true);
  });

  it("times out when the stream stalls, and cancels the body; a slow stream that keeps coming is not cut", async () => {
    const stalled = body(encoder.encode(sse([delta("Hola")])), [], "hang");
    const seen: AiStreamEvent[] = [];
    const error = await failure(
      (async function* () {
        for await (const event of provider(scriptedFetch(() => new Response(stalled.stream)).fetch, { timeoutMs: 50 }).chat(request)) yield (seen.push(event), event);
      })(),
    );
    expect(error.kind).toBe("timeout");
    expect(seen).toEqual([{ type: "text", delta: "Hola" }]);
    expect(stalled.state.cancelled).toBe(true);

    // Six chunks 30 ms apart: 180 ms in all, each wait well under the 100 ms bound.
    const chunks = [delta("a"), delta("b"), delta("c"), delta("d"), finish("stop"), "[DONE]"].map((e) => encoder.encode(sse([e])));
    const slow = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 30));
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    expect((await collectReply(provider(scriptedFetch(() => new Response(slow)).fetch, { timeoutMs: 100 }).chat(request))).text).toBe("abcd");
  });

  it("stops reading and cancels the body when the caller aborts", async () => {
    const hanging = body(encoder.encode(sse([delta("Hola")])), [], "hang");
    const controller = new AbortController();
    const seen: AiStreamEvent[] = [];
    const error = await failure(
      (async function* () {
        for await (const event of provider(scriptedFetch(() => new Response(hanging.stream)).fetch).chat({ ...request, signal: controller.signal })) {
          seen.push(event);
          controller.abort();
          yield event;
        }
      })(),
    );
    expect(error.kind).toBe("timeout");
    expect(error.message).toMatch(/aborted/);
    expect(seen).toEqual([{ type: "text", delta: "Hola" }]);
    expect(hanging.state.cancelled).toBe(true);

    const already = new AbortController();
    already.abort();
    const early = scriptedFetch(streamed(sse([delta("Hola"), "[DONE]"])));
    expect((await failure(provider(early.fetch).chat({ ...request, signal: already.signal }))).kind).toBe("timeout");
  });

  it("cancels the body when the consumer stops reading early", async () => {
    const open = body(encoder.encode(sse([delta("Hola"), delta(" y")])), [], "hang");
    for await (const event of provider(scriptedFetch(() => new Response(open.stream)).fetch).chat(request)) {
      expect(event).toEqual({ type: "text", delta: "Hola" });
      break;
    }
    expect(open.state.cancelled).toBe(true);
  });
});
