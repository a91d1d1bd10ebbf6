import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { logTail, MAX_LOG_CHARS, signedHeaders } from "./deploy-webhook";

describe("tools/deploy-webhook", () => {
  it("signs `<timestamp>.<body>` with HMAC-SHA256, as the API checks it", () => {
    const headers = signedHeaders("s".repeat(40), '{"event":"deployment"}', 1767225600);
    expect(headers["x-mundo-timestamp"]).toBe("1767225600");
    const expected = createHmac("sha256", "s".repeat(40)).update('1767225600.{"event":"deployment"}').digest("hex");
    expect(headers["x-mundo-signature"]).toBe(`sha256=${expected}`);
  });

  it("cuts a build log to its tail, without terminal escapes or control characters", () => {
    expect(logTail("\u001b[31mnpm ERR!\u001b[0m build\u0007 failed\n\tat step 3")).toBe("npm ERR! build failed\n\tat step 3");
    const long = `${"a".repeat(MAX_LOG_CHARS)}the end`;
    const tail = logTail(long);
    expect(tail).toHaveLength(MAX_LOG_CHARS);
    expect(tail.endsWith("the end")).toBe(true);
  });
});
