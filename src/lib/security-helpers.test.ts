import { describe, expect, it } from "vitest";
import { randomChars } from "./crypto";
import { clientNetworkKey } from "./rate-limit";
import { asciiFold, isMultiLine, isSingleLine } from "./text";

describe("clientNetworkKey", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    ["2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"],
    ["2001:DB8:1:2::1", "2001:db8:1:2::/64"],
    ["2001:0db8:0001:0002:ffff::", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["::ffff:198.51.100.4", "198.51.100.4"],
    [undefined, "unknown"],
  ])("keys %s as %s", (ip, key) => {
    expect(clientNetworkKey(ip)).toBe(key);
  });

  it("gives every address of a /64 the same key, and another /64 another key", () => {
    expect(clientNetworkKey("2001:db8:1:2::5")).toBe(clientNetworkKey("2001:db8:1:2:ffff:ffff:ffff:ffff"));
    expect(clientNetworkKey("2001:db8:1:3::5")).not.toBe(clientNetworkKey("2001:db8:1:2::5"));
  });
});

describe("randomChars", () => {
  it("throws away bytes past the last whole multiple of the alphabet instead of folding them (no modulo bias)", () => {
    const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"; // 31: bytes 248-255 would favour the first 8
    const script = [255, 250, 248, 0, 247, 30];
    let next = 0;
    const random = (bytes: Uint8Array) => bytes.map(() => script[next++ % script.length]!);
    expect(randomChars(alphabet, 3, random)).toBe(`a${alphabet[247 % 31]}9`);
  });

  it("draws every character of the alphabet", () => {
    const drawn = new Set(randomChars("abc", 300));
    expect([...drawn].sort()).toEqual(["a", "b", "c"]);
  });
});

describe("text rules", () => {
  it("single-line refuses every control character and line separators; multi-line allows only \\n \\r \\t", () => {
    for (const c of ["\u0000", "\n", "\r", "\t", "\u001b", "\u007f", "\u0085", "\u2028"]) expect(isSingleLine(`a${c}b`)).toBe(false);
    for (const c of ["\n", "\r", "\t"]) expect(isMultiLine(`a${c}b`)).toBe(true);
    for (const c of ["\u0000", "\u0007", "\u000b", "\u001b", "\u007f"]) expect(isMultiLine(`a${c}b`)).toBe(false);
    expect(isSingleLine("Ana Fernández ✨")).toBe(true);
  });

  it("folds ASCII letters only, as translate() does in SQL", () => {
    expect(asciiFold("ALİCE")).toBe("alİce");
    expect(asciiFold("Ana_Tanguera.2")).toBe("ana_tanguera.2");
    expect(asciiFold("\u212A")).toBe("\u212A");
  });
});
