import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { emailQueue, twoFactorBackupCodes, twoFactorSecrets } from "../../../drizzle/schema";
import { decryptSecret, hmacHex, sha256Hex } from "../../lib/crypto";
import { clearOfRateLimitWindowEdge, registerViaApi } from "../../../test/auth";
import { uniqueIp } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { currentStep, totpCode } from "./auth.totp";

const t = await useTestDatabase();

// Rate limits count in fixed one-minute windows: never start a counted loop at a window's edge.
beforeEach(() => clearOfRateLimitWindowEdge());

const post = (path: string, json: unknown, token?: string) =>
  t.api.post(path, { json, token, headers: { "cf-connecting-ip": uniqueIp() } });

/** A registered account with 2FA on; `step` is the TOTP step its enabling code used. */
async function withTwoFactor() {
  const account = await registerViaApi(t.api);
  const setup = await post("/api/auth/2fa/setup", { password: account.password }, account.accessToken);
  expect(setup.status).toBe(200);
  const secret: string = setup.body.secret;
  const step = currentStep();
  const enabled = await post("/api/auth/2fa/enable", { password: account.password, code: await totpCode(secret, step) }, account.accessToken);
  expect(enabled.status).toBe(200);
  return { ...account, secret, step, backupCodes: enabled.body.backupCodes as string[] };
}

const login = (account: { username: string; password: string }, totp?: string) =>
  post("/api/auth/login", { login: account.username, password: account.password, ...(totp ? { totp } : {}) });

describe("setting up two-factor authentication", () => {
  it("gives a secret and an otpauth URL, and changes nothing until a code confirms it", async () => {
    const account = await registerViaApi(t.api);
    const res = await post("/api/auth/2fa/setup", { password: account.password }, account.accessToken);
    expect(res.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(res.body.otpauthUrl).toContain(`secret=${res.body.secret}`);
    expect((await login(account)).status).toBe(200);
    const [row] = await t.db.select().from(twoFactorSecrets).where(eq(twoFactorSecrets.userId, account.id));
    expect(row!.enabledAt).toBeNull();
    expect(row!.secretEncrypted).not.toContain(res.body.secret);
  });

  it("refuses a wrong code, then enables with a right one and returns 10 backup codes", async () => {
    const account = await registerViaApi(t.api);
    const setup = await post("/api/auth/2fa/setup", { password: account.password }, account.accessToken);
    const wrong = await post("/api/auth/2fa/enable", { password: account.password, code: "000000" }, account.accessToken);
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe("invalid_totp");
    const res = await post("/api/auth/2fa/enable", { password: account.password, code: await totpCode(setup.body.secret, currentStep()) }, account.accessToken);
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
    expect((await post("/api/auth/2fa/setup", { password: account.password }, account.accessToken)).body.code).toBe("two_factor_already_enabled");
    const code = await totpCode(account.secret, account.step + 1);
    expect((await post("/api/auth/2fa/enable", { password: account.password, code }, account.accessToken)).status).toBe(409);
    const fresh = await registerViaApi(t.api);
    expect((await post("/api/auth/2fa/enable", { password: fresh.password, code: "123456" }, fresh.accessToken)).body.code).toBe("two_factor_not_set_up");
  });

  it("limits password and code guesses per account, set-up included (429 with Retry-After)", async () => {
    const account = await registerViaApi(t.api);
    await post("/api/auth/2fa/setup", { password: account.password }, account.accessToken);
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await post("/api/auth/2fa/enable", { password: account.password, code: "000000" }, account.accessToken)).status);
    expect(statuses.slice(0, 9).every((s) => s === 401)).toBe(true);
    expect(statuses[9]).toBe(429);
  });

  it("needs a caller for every 2FA route (401) and a 6-digit code (400)", async () => {
    expect((await post("/api/auth/2fa/setup", { password: "x" })).status).toBe(401);
    expect((await post("/api/auth/2fa/enable", { password: "x", code: "123456" })).status).toBe(401);
    expect((await post("/api/auth/2fa/disable", { password: "x", code: "123456" })).status).toBe(401);
    const account = await registerViaApi(t.api);
    expect((await post("/api/auth/2fa/enable", { password: account.password, code: "12ab" }, account.accessToken)).status).toBe(400);
  });
});

describe("2FA changes need the password, and tell the owner", () => {
  it("refuses set-up, enable and disable with only an access token (400) or a wrong password (401)", async () => {
    const account = await registerViaApi(t.api);
    const noPassword = await post("/api/auth/2fa/setup", undefined, account.accessToken);
    expect(noPassword.status).toBe(400);
    const emptyBody = await post("/api/auth/2fa/setup", {}, account.accessToken);
    expect(emptyBody.status).toBe(400);
    expect(emptyBody.body.errors.map((e: { path: string }) => e.path)).toContain("body.password");
    const wrong = await post("/api/auth/2fa/setup", { password: "not-the-password" }, account.accessToken);
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe("invalid_credentials");
    expect(await t.db.select().from(twoFactorSecrets).where(eq(twoFactorSecrets.userId, account.id))).toHaveLength(0);

    const setup = await post("/api/auth/2fa/setup", { password: account.password }, account.accessToken);
    const code = await totpCode(setup.body.secret, currentStep());
    expect((await post("/api/auth/2fa/enable", { code }, account.accessToken)).status).toBe(400);
    const wrongEnable = await post("/api/auth/2fa/enable", { password: "not-the-password", code }, account.accessToken);
    expect(wrongEnable.body.code).toBe("invalid_credentials");
    expect((await t.api.get("/api/auth/me", { token: account.accessToken })).body.twoFactorEnabled).toBe(false);

    const on = await withTwoFactor();
    const next = await totpCode(on.secret, on.step + 1);
    expect((await post("/api/auth/2fa/disable", { code: next }, on.accessToken)).status).toBe(400);
    expect((await post("/api/auth/2fa/disable", { password: "not-the-password", code: next }, on.accessToken)).status).toBe(401);
    expect((await t.api.get("/api/auth/me", { token: on.accessToken })).body.twoFactorEnabled).toBe(true);
  });

  it("emails the owner on set-up, enable and disable (no secret in the mail)", async () => {
    const account = await withTwoFactor();
    const mailOf = async () =>
      (await t.db.select().from(emailQueue).where(eq(emailQueue.userId, account.id)).orderBy(emailQueue.id))
        .filter((m) => m.template.startsWith("two_factor_"));
    expect((await mailOf()).map((m) => [m.template, m.toEmail])).toEqual([
      ["two_factor_setup", account.email],
      ["two_factor_enabled", account.email],
    ]);
    const code = await totpCode(account.secret, account.step + 1);
    expect((await post("/api/auth/2fa/disable", { password: account.password, code }, account.accessToken)).status).toBe(204);
    const mail = await mailOf();
    expect(mail.map((m) => m.template)).toEqual(["two_factor_setup", "two_factor_enabled", "two_factor_disabled"]);
    for (const m of mail) {
      expect(m.bodyText).not.toContain(account.secret);
      for (const backup of account.backupCodes) expect(m.bodyText).not.toContain(backup);
    }
  });

  it("enables only the secret the code was checked against, even with a set-up racing it", async () => {
    let enabledCount = 0;
    let refusedCount = 0;
    for (let i = 0; i < 16; i++) {
      const account = await registerViaApi(t.api);
      const first = await post("/api/auth/2fa/setup", { password: account.password }, account.accessToken);
      const code = await totpCode(first.body.secret, currentStep());
      const [enable, again] = await Promise.all([
        post("/api/auth/2fa/enable", { password: account.password, code }, account.accessToken),
        post("/api/auth/2fa/setup", { password: account.password }, account.accessToken),
      ]);
      const [row] = await t.db.select().from(twoFactorSecrets).where(eq(twoFactorSecrets.userId, account.id));
      const stored = await decryptSecret(t.env.ENCRYPTION_KEY, "totp-secret", row!.secretEncrypted);
      if (enable.status === 200) {
        enabledCount += 1;
        // What is on is the secret the user's authenticator has: the first one.
        expect(stored).toBe(first.body.secret);
        expect(row!.enabledAt).not.toBeNull();
        expect(again.status).toBe(409);
      } else {
        refusedCount += 1;
        expect(enable.status).toBe(401);
        expect(row!.enabledAt).toBeNull();
        expect(stored).toBe(again.body.secret);
      }
    }
    expect(enabledCount + refusedCount).toBe(16);
  });
});

describe("backup codes at rest", () => {
  it("are stored as an HMAC keyed from ENCRYPTION_KEY, not a plain SHA-256", async () => {
    const account = await withTwoFactor();
    const stored = (await t.db.select().from(twoFactorBackupCodes).where(eq(twoFactorBackupCodes.userId, account.id))).map((r) => r.codeHash);
    const normal = account.backupCodes.map((c) => c.replace("-", ""));
    const sha = await Promise.all(normal.map((c) => sha256Hex(c)));
    const hmac = await Promise.all(normal.map((c) => hmacHex(t.env.ENCRYPTION_KEY, "backup-code-hmac", c)));
    for (const hash of sha) expect(stored).not.toContain(hash);
    expect(stored.sort()).toEqual(hmac.sort());
    for (const code of account.backupCodes) expect(code).toMatch(/^[a-hj-km-np-z2-9]{5}-[a-hj-km-np-z2-9]{5}$/);
  });
});

describe("logging in with two-factor authentication on", () => {
  it("counts code guesses at login against the account's two-factor limit", async () => {
    const account = await withTwoFactor(); // set-up and enable: 2 of the 10 attempts a minute
    const statuses = [];
    for (let i = 0; i < 9; i++) statuses.push((await login(account, "999999")).status);
    expect(statuses.slice(0, 8)).toEqual(Array(8).fill(401));
    expect(statuses[8]).toBe(429);
  });

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
