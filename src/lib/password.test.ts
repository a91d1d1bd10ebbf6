import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { dummyHash, hashPassword, needsRehash, verifyPassword } from "./password";

describe("password hashing", () => {
  it("hashes with scrypt, recording its parameters, and verifies", async () => {
    const stored = await hashPassword("milonga-2026");
    expect(stored).toMatch(/^\$scrypt\$ln=14,r=8,p=5\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(await verifyPassword("milonga-2026", stored)).toBe(true);
    expect(await verifyPassword("milonga-2027", stored)).toBe(false);
  });

  it("salts: the same password hashes differently each time", async () => {
    expect(await hashPassword("same-password")).not.toBe(await hashPassword("same-password"));
  });

  it("treats canonically equal Unicode passwords as the same", async () => {
    const stored = await hashPassword("caf\u00e9-tango");
    expect(await verifyPassword("cafe\u0301-tango", stored)).toBe(true);
  });

  it("accepts the original platform's bcrypt hashes ($2a$, $2b$) and asks for a rehash", async () => {
    const b = bcrypt.hashSync("legacy-pass", 4);
    const a = b.replace(/^\$2b\$/, "$2a$");
    expect(await verifyPassword("legacy-pass", b)).toBe(true);
    expect(await verifyPassword("legacy-pass", a)).toBe(true);
    expect(await verifyPassword("wrong-pass", b)).toBe(false);
    expect(needsRehash(b)).toBe(true);
  });

  it("hashes at the configured cost, and asks for a rehash when a hash's cost is another", async () => {
    const fast = await hashPassword("milonga-2026", "fast");
    expect(fast).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
    expect(await verifyPassword("milonga-2026", fast)).toBe(true);
    expect(needsRehash(fast, "fast")).toBe(false);
    expect(needsRehash(fast)).toBe(true);
    expect(needsRehash(await hashPassword("milonga-2026"), "fast")).toBe(true);
  });

  it("asks for a rehash when the scrypt cost is not today's", async () => {
    expect(needsRehash(await hashPassword("x".repeat(8)))).toBe(false);
    expect(needsRehash("$scrypt$ln=12,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).toBe(true);
  });

  it("never matches malformed, unknown or absurdly expensive hashes", async () => {
    for (const stored of ["", "plain-text", "$argon2id$v=19$m=1,t=1,p=1$x$y", "$scrypt$ln=30,r=8,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]) {
      expect(await verifyPassword("anything", stored)).toBe(false);
    }
    expect(await verifyPassword("anything", dummyHash())).toBe(false);
    expect(await verifyPassword("anything", dummyHash("fast"))).toBe(false);
  });
});
