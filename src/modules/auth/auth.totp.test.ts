import { describe, expect, it } from "vitest";
import { base32Decode, base32Encode, matchTotp, otpauthUrl, totpCode } from "./auth.totp";

// RFC 6238 appendix B: the SHA-1 secret is the ASCII "12345678901234567890".
const RFC_SECRET = base32Encode(new TextEncoder().encode("12345678901234567890"));

describe("TOTP (RFC 6238)", () => {
  it.each([
    [59, "287082"],
    [1111111109, "081804"],
    [1111111111, "050471"],
    [1234567890, "005924"],
    [2000000000, "279037"],
  ])("at T=%i the code is %s", async (seconds, code) => {
    expect(await totpCode(RFC_SECRET, Math.floor(seconds / 30))).toBe(code);
  });

  it("accepts one step of drift either way and says which step matched", async () => {
    const now = 1234567890 * 1000;
    const step = Math.floor(now / 30000);
    expect(await matchTotp(RFC_SECRET, await totpCode(RFC_SECRET, step), now)).toBe(step);
    expect(await matchTotp(RFC_SECRET, await totpCode(RFC_SECRET, step - 1), now)).toBe(step - 1);
    expect(await matchTotp(RFC_SECRET, await totpCode(RFC_SECRET, step + 1), now)).toBe(step + 1);
    expect(await matchTotp(RFC_SECRET, await totpCode(RFC_SECRET, step - 2), now)).toBeNull();
    expect(await matchTotp(RFC_SECRET, "000000", now)).toBeNull();
  });

  it("round-trips base32", () => {
    const bytes = crypto.getRandomValues(new Uint8Array(20));
    expect(base32Decode(base32Encode(bytes))).toEqual(bytes);
    expect(() => base32Decode("not base32!")).toThrow();
  });

  it("builds the otpauth URL authenticator apps read", () => {
    const url = new URL(otpauthUrl("JBSWY3DPEHPK3PXP", "ana_tanguera"));
    expect(url.protocol).toBe("otpauth:");
    expect(url.host).toBe("totp");
    expect(decodeURIComponent(url.pathname)).toBe("/Mundo Tango:ana_tanguera");
    expect(url.searchParams.get("secret")).toBe("JBSWY3DPEHPK3PXP");
    expect(url.searchParams.get("issuer")).toBe("Mundo Tango");
    expect(url.searchParams.get("period")).toBe("30");
  });
});
