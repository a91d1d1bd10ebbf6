import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { twoFactorBackupCodes, twoFactorSecrets } from "../../../drizzle/schema";
import { registerViaApi } from "../../../test/auth";
import { uniqueIp } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { currentStep, totpCode } from "./auth.totp";

const t = await useTestDatabase();

const post = (path: string, json: unknown, token?: string) =>
  t.api.post(path, { json, token, headers: { "cf-connecting-ip": uniqueIp() } });

/** A registered account with 2FA on; `step` is the TOTP step its enabling code used. */
async function withTwoFactor() {
  const account = await registerViaApi(t.api);
  const setup = await post("/api/auth/2fa/setup", undefined, account.accessToken);
  expect(setup.status).toBe(200);
  const secret: string = setup.body.secret;
  const step = currentStep();
  const enabled = await post("/api/auth/2fa/enable", { code: await totpCode(secret, step) }, account.accessToken);
  expect(enabled.status).toBe(200);
  return { ...account, secret, step, backupCodes: enabled.body.backupCodes as string[] };
}

const login = (account: { username: string; password: string }, totp?: string) =>
  post("/api/auth/login", { login: account.username, password: account.password, ...(totp ? { totp } : {}) });

describe("setting up two-factor authentication", () => {
  it("gives a secret and an otpauth URL, and changes nothing until a code confirms it", async () => {
    const account = await registerViaApi(t.api);
    const res = await post("/api/auth/2fa/setup", undefined, account.accessToken);
    expect(res.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(res.body.otpauthUrl).toContain(`secret=${res.body.secret}`);
    expect((await login(account)).status).toBe(200);
    const [row] = await t.db.select().from(twoFactorSecrets).where(eq(twoFactorSecrets.userId, account.id));
    expect(row!.enabledAt).toBeNull();
    expect(row!.secretEncrypted).not.toContain(res.body.secret);
  });

  it("refuses a wrong code, then enables with a right one and returns 10 backup codes", async () => {
    const account = await registerViaApi(t.api);
    const setup = await post("/api/auth/2fa/setup", undefined, account.accessToken);
    const wrong = await post("/api/auth/2fa/enable", { code: "000000" }, account.accessToken);
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe("invalid_totp");
    const res = await post("/api/auth/2fa/enable", { code: await totpCode(setup.body.secret, currentStep()) }, account.accessToken);
    expect(res.status).toBe(200);
    expect(res.body.backupCodes).toHaveLength(10);
    expect(new Set(res.body.backupCodes).size).toBe(10);
    const me = await t.api.get("/api/auth/me", { token: account.accessToken });
    expect(me.body.twoFactorEnabled).toBe(true);
    const stored = await t.db.select().from(twoFactorBackupCodes).where(eq(twoFactorBackupCodes.userId, account.id));
    expect(stored).toHaveLength(10);
    for (const code of res.body.backupCodes) expect(stored.map((s) => s.codeHash)).not.toContain(code);
  });

  it("answers 409 to setup or enable when already on, and to enable before setup", async () => {
    const account = await withTwoFactor();
    expect((await post("/api/auth/2fa/setup", undefined, account.accessToken)).body.code).toBe("two_factor_already_enabled");
    const code = await totpCode(account.secret, account.step + 1);
    expect((await post("/api/auth/2fa/enable", { code }, account.accessToken)).status).toBe(409);
    const fresh = await registerViaApi(t.api);
    expect((await post("/api/auth/2fa/enable", { code: "123456" }, fresh.accessToken)).body.code).toBe("two_factor_not_set_up");
  });

  it("limits code guesses per account (429 with Retry-After)", async () => {
    const account = await registerViaApi(t.api);
    await post("/api/auth/2fa/setup", undefined, account.accessToken);
    const statuses = [];
    for (let i = 0; i < 11; i++) statuses.push((await post("/api/auth/2fa/enable", { code: "000000" }, account.accessToken)).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it("needs a caller for every 2FA route (401) and a 6-digit code (400)", async () => {
    expect((await post("/api/auth/2fa/setup", undefined)).status).toBe(401);
    expect((await post("/api/auth/2fa/enable", { code: "123456" })).status).toBe(401);
    expect((await post("/api/auth/2fa/disable", { password: "x", code: "123456" })).status).toBe(401);
    const account = await registerViaApi(t.api);
    expect((await post("/api/auth/2fa/enable", { code: "12ab" }, account.accessToken)).status).toBe(400);
  });
});

describe("logging in with two-factor authentication on", () => {
  it("asks for the code: 401 totp_required", async () => {
    const account = await withTwoFactor();
    const res = await login(account);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("totp_required");
  });

  it("accepts a current code once, never twice, and never the enabling code", async () => {
    const account = await withTwoFactor();
    expect((await login(account, await totpCode(account.secret, account.step))).body.code).toBe("invalid_totp");
    const next = await totpCode(account.secret, account.step + 1);
    expect((await login(account, next)).status).toBe(200);
    expect((await login(account, next)).body.code).toBe("invalid_totp");
    expect((await login(account, "999999")).status).toBe(401);
  });

  it("accepts each backup code once, with or without its dash, in any case", async () => {
    const account = await withTwoFactor();
    const [first, second] = account.backupCodes;
    expect((await login(account, first!.toUpperCase())).status).toBe(200);
    expect((await login(account, first)).body.code).toBe("invalid_totp");
    expect((await login(account, second!.replace("-", ""))).status).toBe(200);
    const left = await t.db.select().from(twoFactorBackupCodes).where(eq(twoFactorBackupCodes.userId, account.id));
    expect(left).toHaveLength(8);
  });

  it("lets only one of two simultaneous logins spend the same backup code", async () => {
    const account = await withTwoFactor();
    const code = account.backupCodes[3]!;
    const results = await Promise.all([login(account, code), login(account, code)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });
});

describe("turning two-factor authentication off", () => {
  it("needs the password and a code; then logins need no code", async () => {
    const account = await withTwoFactor();
    const code = await totpCode(account.secret, account.step + 1);
    const wrongPassword = await post("/api/auth/2fa/disable", { password: "not-it-at-all", code }, account.accessToken);
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.body.code).toBe("invalid_credentials");
    expect((await post("/api/auth/2fa/disable", { password: account.password }, account.accessToken)).status).toBe(400);
    expect((await post("/api/auth/2fa/disable", { password: account.password, code }, account.accessToken)).status).toBe(204);
    expect((await login(account)).status).toBe(200);
    expect(await t.db.select().from(twoFactorBackupCodes).where(eq(twoFactorBackupCodes.userId, account.id))).toHaveLength(0);
    expect((await post("/api/auth/2fa/disable", { password: account.password, code }, account.accessToken)).status).toBe(409);
  });

  it("accepts a backup code instead of a TOTP code", async () => {
    const account = await withTwoFactor();
    const res = await post("/api/auth/2fa/disable", { password: account.password, code: account.backupCodes[0] }, account.accessToken);
    expect(res.status).toBe(204);
  });
});
