import { and, desc, eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { emailQueue, emailTokens, users } from "../../../drizzle/schema";
import { clearOfRateLimitWindowEdge, registerViaApi, signedIn } from "../../../test/auth";
import { createUserWithPassword, uniqueIp } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { sha256Hex } from "../../lib/crypto";
import { loadConfig } from "../../lib/env";
import { renderAccountEmail } from "./auth.emails";

const t = await useTestDatabase();

// Rate limits count in fixed one-minute windows: never start a counted loop at a window's edge.
beforeEach(() => clearOfRateLimitWindowEdge());

async function newestEmail(userId: number, template: string) {
  const [mail] = await t.db
    .select()
    .from(emailQueue)
    .where(and(eq(emailQueue.userId, userId), eq(emailQueue.template, template)))
    .orderBy(desc(emailQueue.id))
    .limit(1);
  if (!mail) throw new Error(`no ${template} email for user ${userId}`);
  return mail;
}

/**
 * Tokens are only ever emailed: read the newest one out of the email as the queue renders
 * it when sending, as a user would.
 */
async function tokenFromEmail(userId: number, template: string): Promise<string> {
  const rendered = await renderAccountEmail(await newestEmail(userId, template), loadConfig(t.env));
  const match = /token=([\w-]+)/.exec(rendered?.text ?? "");
  if (!match) throw new Error(`no ${template} link for user ${userId}`);
  return match[1]!;
}

describe("queued account emails", () => {
  it("hold neither the token nor the link until the job renders them", async () => {
    const account = await registerViaApi(t.api);
    expect((await post("/api/auth/verify-email/resend", {}, account.accessToken)).status).toBe(202);
    expect((await post("/api/auth/forgot-password", { email: account.email })).status).toBe(202);
    for (const template of ["verify_email", "reset_password"]) {
      const row = await newestEmail(account.id, template);
      const token = await tokenFromEmail(account.id, template);
      const { rows } = await t.db.execute<{ stored: string }>(sql`SELECT row_to_json(q)::text AS stored FROM email_queue q WHERE id = ${row.id}`);
      const stored = rows[0]!.stored;
      expect(stored).not.toContain(token);
      expect(stored).not.toMatch(/token=|https?:\/\//);
      expect(row).toMatchObject({ bodyText: "", bodyHtml: null, data: { token: expect.stringMatching(/^v1\./) } });
      // The row expires with its token: the job drops rather than sends a dead link.
      const [issued] = await t.db.select().from(emailTokens).where(eq(emailTokens.tokenHash, await sha256Hex(token)));
      expect(row.expiresAt).toEqual(issued!.expiresAt);
    }
  });
});

const post = (path: string, json: unknown, token?: string) =>
  t.api.post(path, { json, token, headers: { "cf-connecting-ip": uniqueIp() } });

describe("email verification", () => {
  it("verifies with the emailed token, once", async () => {
    const account = await registerViaApi(t.api);
    const token = await tokenFromEmail(account.id, "verify_email");
    expect((await post("/api/auth/verify-email", { token })).status).toBe(204);
    const me = await t.api.get("/api/auth/me", { token: account.accessToken });
    expect(me.body.isVerified).toBe(true);
    const again = await post("/api/auth/verify-email", { token });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe("invalid_token");
  });

  it("stores only a hash of the token", async () => {
    const account = await registerViaApi(t.api);
    const token = await tokenFromEmail(account.id, "verify_email");
    const rows = await t.db.select().from(emailTokens).where(eq(emailTokens.userId, account.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.tokenHash).not.toBe(token);
  });

  it("refuses an expired token, and one issued for an address the account no longer has", async () => {
    const expired = await registerViaApi(t.api);
    const token = await tokenFromEmail(expired.id, "verify_email");
    await t.db.update(emailTokens).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(emailTokens.userId, expired.id));
    expect((await post("/api/auth/verify-email", { token })).body.code).toBe("invalid_token");

    const moved = await registerViaApi(t.api);
    const movedToken = await tokenFromEmail(moved.id, "verify_email");
    await t.db.update(users).set({ email: `moved-${moved.email}` }).where(eq(users.id, moved.id));
    expect((await post("/api/auth/verify-email", { token: movedToken })).status).toBe(400);
  });

  it("resends on request, and says 409 once verified", async () => {
    const account = await registerViaApi(t.api);
    const resent = await post("/api/auth/verify-email/resend", undefined, account.accessToken);
    expect(resent.status).toBe(202);
    const token = await tokenFromEmail(account.id, "verify_email");
    expect((await post("/api/auth/verify-email", { token })).status).toBe(204);
    const again = await post("/api/auth/verify-email/resend", undefined, account.accessToken);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("already_verified");
  });

  it("resends at most 5 times an hour (429)", async () => {
    const account = await registerViaApi(t.api);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await post("/api/auth/verify-email/resend", undefined, account.accessToken)).status);
    expect(statuses).toEqual([202, 202, 202, 202, 429]);
  });

  it("resend needs a caller (401)", async () => {
    expect((await post("/api/auth/verify-email/resend", undefined)).status).toBe(401);
  });

  it("rejects a malformed token with 400", async () => {
    expect((await post("/api/auth/verify-email", { token: "short" })).status).toBe(400);
    expect((await post("/api/auth/verify-email", { token: "z".repeat(43) })).body.code).toBe("invalid_token");
  });
});

describe("password reset", () => {
  it("answers 202 whether or not the account exists, and emails only real accounts", async () => {
    const user = await createUserWithPassword(t.db, "old-password-1");
    const known = await post("/api/auth/forgot-password", { email: user.email.toUpperCase() });
    const unknown = await post("/api/auth/forgot-password", { email: "nobody-here@example.com" });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(known.body).toEqual(unknown.body);
    const mails = await t.db.select().from(emailQueue).where(eq(emailQueue.toEmail, "nobody-here@example.com"));
    expect(mails).toHaveLength(0);
    await tokenFromEmail(user.id, "reset_password");
  });

  it("sets the new password, ends every session, and works once", async () => {
    const account = await registerViaApi(t.api);
    await post("/api/auth/forgot-password", { email: account.email });
    const token = await tokenFromEmail(account.id, "reset_password");
    expect((await post("/api/auth/reset-password", { token, password: "brand-new-password" })).status).toBe(204);

    const refreshed = await t.api.post("/api/auth/refresh", { json: { refreshToken: account.refreshToken } });
    expect(refreshed.body.code).toBe("session_revoked");
    const oldLogin = await post("/api/auth/login", { login: account.username, password: account.password });
    expect(oldLogin.status).toBe(401);
    const newLogin = await post("/api/auth/login", { login: account.username, password: "brand-new-password" });
    expect(newLogin.status).toBe(200);
    expect(newLogin.body.user.isVerified).toBe(true);

    const again = await post("/api/auth/reset-password", { token, password: "another-password" });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe("invalid_token");
  });

  it("spends the account's other outstanding reset links too", async () => {
    const user = await createUserWithPassword(t.db, "old-password-2");
    await post("/api/auth/forgot-password", { email: user.email });
    const first = await tokenFromEmail(user.id, "reset_password");
    await post("/api/auth/forgot-password", { email: user.email });
    const second = await tokenFromEmail(user.id, "reset_password");
    expect((await post("/api/auth/reset-password", { token: second, password: "fresh-password-2" })).status).toBe(204);
    expect((await post("/api/auth/reset-password", { token: first, password: "fresh-password-3" })).status).toBe(400);
  });

  it("refuses an expired link and a weak password", async () => {
    const user = await createUserWithPassword(t.db, "old-password-3");
    await post("/api/auth/forgot-password", { email: user.email });
    const token = await tokenFromEmail(user.id, "reset_password");
    const weak = await post("/api/auth/reset-password", { token, password: "short" });
    expect(weak.status).toBe(400);
    expect(weak.body.errors[0].path).toBe("body.password");
    await t.db.update(emailTokens).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(emailTokens.userId, user.id));
    expect((await post("/api/auth/reset-password", { token, password: "long-enough-password" })).status).toBe(400);
  });

  it("sends at most 5 reset emails an hour to one account, still answering 202", async () => {
    const user = await createUserWithPassword(t.db, "old-password-4");
    for (let i = 0; i < 7; i++) expect((await post("/api/auth/forgot-password", { email: user.email })).status).toBe(202);
    const mails = await t.db.select().from(emailQueue).where(eq(emailQueue.userId, user.id));
    expect(mails).toHaveLength(5);
  });

  it("does not email suspended accounts", async () => {
    const { user } = await signedIn(t, { suspended: true });
    await post("/api/auth/forgot-password", { email: user.email });
    const mails = await t.db.select().from(emailQueue).where(eq(emailQueue.userId, user.id));
    expect(mails).toHaveLength(0);
  });
});
