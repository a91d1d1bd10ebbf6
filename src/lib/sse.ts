/**
 * Reads a server-sent-events body (the model providers' streamed replies) and yields the
 * `data` of each event, in order. The network may cut the body anywhere: inside a line, a
 * CRLF pair or a multi-byte UTF-8 character, so bytes are decoded with `stream: true` and
 * only whole lines are interpreted. Comments (`: keep-alive`), `event:`/`id:`/`retry:`
 * fields and events without data are skipped; multi-line data is joined with "\n" as the
 * SSE specification says. A last event without its blank line is still yielded when the
 * body ends. Reading stops (and the body is cancelled) when the consumer stops iterating.
 *
 * `nextChunk` lets the caller bound each read (an idle timeout, the caller's abort): it is
 * given the reader's pending read and returns what to await instead.
 *
 * @example
 * for await (const data of readSseData(response.body)) if (data !== "[DONE]") handle(JSON.parse(data));
 */
export async function* readSseData(
  body: ReadableStream<Uint8Array>,
  nextChunk: (read: Promise<ReadableStreamReadResult<Uint8Array>>) => Promise<ReadableStreamReadResult<Uint8Array>> = (read) => read,
): AsyncGenerator<string, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder("utf-8");
  let buffer = "";
  let data: string[] = [];
  let finished = false;
  /** Interprets one line; returns an event's data when the line ends the event. */
  const line = (text: string): string | undefined => {
    if (text === "") {
      if (data.length === 0) return undefined;
      const event = data.join("\n");
      data = [];
      return event;
    }
    if (text.startsWith(":")) return undefined;
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    if (field !== "data") return undefined;
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    data.push(value);
    return undefined;
  };
  try {
    for (;;) {
      const { done, value } = await nextChunk(reader.read());
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      // A CR at the very end may be the first half of a CRLF: keep it for the next chunk.
      for (;;) {
        const match = /\r\n|\r|\n/.exec(buffer);
        if (!match || (!done && match[0] === "\r" && match.index === buffer.length - 1)) break;
        const event = line(buffer.slice(0, match.index));
        buffer = buffer.slice(match.index + match[0].length);
        if (event !== undefined) yield event;
      }
      if (done) {
        finished = true;
        if (buffer !== "") line(buffer);
        if (data.length > 0) yield data.join("\n");
        return;
      }
    }
  } finally {
    // The consumer stopped early (or a read failed): tell the server to stop sending.
    if (!finished) await reader.cancel().catch(() => undefined);
    try {
      reader.releaseLock();
    } catch {
      // A read abandoned by `nextChunk` may still be pending; the body is cancelled anyway.
    }
  }
}

/** Why {@link within} gave up: its time ran out, or the caller's signal aborted. */
export class DeadlineError extends Error {
  constructor(readonly reason: "timeout" | "aborted") {
    super(reason === "timeout" ? "no answer in time" : "aborted by the caller");
    this.name = "DeadlineError";
  }
}

/**
 * `promise`, unless `timeoutMs` passes first or `signal` aborts: then a {@link DeadlineError}.
 * A timer per call (cleared when the promise settles) rather than one AbortSignal.timeout
 * for the whole call, so that a long reply that keeps streaming is not cut while a stalled
 * one is: callers bound each wait (the first byte, each next chunk) separately.
 */
export function within<T>(promise: Promise<T>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  if (signal?.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(new DeadlineError("aborted"));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => finish(() => reject(new DeadlineError("aborted")));
    const timer = setTimeout(() => finish(() => reject(new DeadlineError("timeout"))), timeoutMs);
    let settled = false;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      settle();
    };
    signal?.addEventListener("abort", onAbort);
    promise.then(
      (value) => finish(() => resolve(value)),
      (error: Error) => finish(() => reject(error)),
    );
  });
}
