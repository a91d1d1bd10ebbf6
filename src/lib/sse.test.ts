import { describe, expect, it } from "vitest";
import { DeadlineError, readSseData, within } from "./sse";

function streamOf(...pieces: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(encoder.encode(piece));
      controller.close();
    },
  });
}

async function all(stream: ReadableStream<Uint8Array>): Promise<string[]> {
  const events: string[] = [];
  for await (const data of readSseData(stream)) events.push(data);
  return events;
}

describe("readSseData", () => {
  it("joins multi-line data, skips comments, other fields and empty events, and takes CR, LF and CRLF line ends", async () => {
    expect(await all(streamOf(": hi\n\nevent: x\nid: 1\ndata: one\ndata:two\n\n", "retry: 5\n\n", "data: three\r", "\rdata: four\r\n\r\n"))).toEqual(["one\ntwo", "three", "four"]);
  });

  it("yields a last event the body ends without its blank line, and a CRLF split across chunks ends one line", async () => {
    expect(await all(streamOf("data: a\r", "\n\r", "\ndata: b"))).toEqual(["a", "b"]);
  });

  it("keeps a space after `data:` only beyond the first, and a field without a colon as empty data", async () => {
    expect(await all(streamOf("data:  two spaces\n\ndata\n\n"))).toEqual([" two spaces", ""]);
  });
});

describe("within", () => {
  it("passes the value or the error through, times out, and refuses an aborted signal at once", async () => {
    expect(await within(Promise.resolve(1), 50)).toBe(1);
    await expect(within(Promise.reject(new Error("no")), 50)).rejects.toThrow("no");
    await expect(within(new Promise(() => undefined), 20)).rejects.toEqual(new DeadlineError("timeout"));
    const controller = new AbortController();
    const pending = within(new Promise(() => undefined), 5_000, controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ reason: "aborted" });
    await expect(within(Promise.resolve(1), 50, controller.signal)).rejects.toMatchObject({ reason: "aborted" });
  });
});
