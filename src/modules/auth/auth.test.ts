import bcrypt from "bcryptjs";
import { eq, sql } from "drizzle-orm";
import { sign } from "hono/jwt";
import { beforeEach, describe, expect, it } from "vitest";
import { emailQueue, sessions, users } from "../../../drizzle/schema";
import { clearOfRateLimitWindowEdge, registerViaApi, tokenFor } from "../../../test/auth";
import { createUser, createUserWithPassword, unique, uniqueIp } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { loadConfig } from "../../lib/env";
import { renderAccountEmail } from "./auth.emails";
import { issueAccessToken, JWT_AUDIENCE, JWT_ISSUER } from "../../lib/access-tokens";

const t = await useTestDatabase();

// Rate limits count in fixed one-minute windows: never start a counted loop at a window's edge.
beforeEach(() => clearOfRateLimitWindowEdge());
const PASSWORD = "milonga-de-prueba";

function loginAs(login: string, password = PASSWORD, extra: Record<string, unknown> = {}) {
  return t.api.post("/api/auth/login", { json: { login, password, ...extra }, headers: { "cf-connecting-ip": uniqueIp() } });
}

describe("POST /api/auth/register", () => {
  it("creates the account, a session and tokens, and queues a verification email", async () => {
    const handle = unique("ana");
    const res = await t.api.post("/api/auth/register", {
      json: { email: `${handle.toUpperCase()}@Example.com`, username: handle, password: PASSWORD, name: "Ana Fernandez" },
      headers: { "cf-connecting-ip": uniqueIp(), "user-agent": "TangoApp/1.0" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ tokenType: "Bearer", expiresIn: 900 });
    expect(res.body.user).toMatchObject({ username: handle, email: `${handle}@example.com`, isVerified: false, role: "user", level: 1 });
    expect(res.body.user).not.toHaveProperty("password");
    expect(res.body.accessToken.split(".")).toHaveLength(3);
    expect(res.body.refreshToken.length).toBeGreaterThanOrEqual(40);

    const [session] = await t.db.select().from(sessions).where(eq(sessions.userId, res.body.user.id));
    expect(session).toMatchObject({ userAgent: "TangoApp/1.0", revokedAt: null });
    const mail = await t.db.select().from(emailQueue).where(eq(emailQueue.userId, res.body.user.id));
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ template: "verify_email", toEmail: `${handle}@example.com`, status: "pending" });
    expect(mail[0]).toMatchObject({ bodyText: "", data: { token: expect.stringMatching(/^v1\./) } });
    expect((await renderAccountEmail(mail[0]!, loadConfig(t.env)))?.text).toMatch(/verify-email\?token=/);

    const me = await t.api.get("/api/auth/me", { token: res.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(res.body.user.id);
  });

  it("stores a scrypt hash, never the password", async () => {
    const account = await registerViaApi(t.api);
    const [row] = await t.db.select({ password: users.password }).from(users).where(eq(users.id, account.id));
    expect(row!.password).toMatch(/^\$scrypt\$/);
    expect(row!.password).not.toContain(account.password);
  });

  it("refuses a taken email or username, whatever their case (409)", async () => {
    const first = await registerViaApi(t.api);
    const sameEmail = await t.api.post("/api/auth/register", {
      json: { email: first.email.toUpperCase(), username: unique("other"), password: PASSWORD, name: "X" },
      headers: { "cf-connecting-ip": uniqueIp() },
    });
    expect(sameEmail.status).toBe(409);
    expect(sameEmail.body.code).toBe("email_taken");
    const sameName = await t.api.post("/api/auth/register", {
      json: { email: `${unique()}@example.com`, username: first.username.toUpperCase(), password: PASSWORD, name: "X" },
      headers: { "cf-connecting-ip": uniqueIp() },
    });
    expect(sameName.status).toBe(409);
    expect(sameName.body.code).toBe("username_taken");
  });

  it.each([
    ["a short password", { password: "short" }, "body.password"],
    ["a password over 100 characters", { password: "x".repeat(101) }, "body.password"],
    ["an invalid email", { email: "not-an-email" }, "body.email"],
    ["a username with spaces", { username: "ana fernandez" }, "body.username"],
    ["a username with @", { username: "ana@tango" }, "body.username"],
    ["an empty name", { name: "   " }, "body.name"],
  ])("rejects %s with 400 naming the field", async (_label, override, path) => {
    const res = await t.api.post("/api/auth/register", {
      json: { email: `${unique()}@example.com`, username: unique("u"), password: PASSWORD, name: "Ana", ...override },
      headers: { "cf-connecting-ip": uniqueIp() },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("validation_failed");
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it("creates nothing when refused", async () => {
    const [before] = await t.db.select({ n: sql<number>`count(*)::int` }).from(users);
    await t.api.post("/api/auth/register", { json: { email: "bad", username: "x", password: "y", name: "" } });
    const [after] = await t.db.select({ n: sql<number>`count(*)::int` }).from(users);
    expect(after!.n).toBe(before!.n);
  });
});

describe("POST /api/auth/login", () => {
  it("logs in by email or by username, case-insensitively", async () => {
    const user = await createUserWithPassword(t.db, PASSWORD);
    for (const login of [user.email, user.email.toUpperCase(), user.username, user.username.toUpperCase()]) {
      const res = await loginAs(login);
      expect(res.status, login).toBe(200);
      expect(res.body.user.id).toBe(user.id);
    }
    const [row] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(row!.lastLoginAt).not.toBeNull();
  });

  it("answers the same 401 for a wrong password and an unknown account", async () => {
    const user = await createUserWithPassword(t.db, PASSWORD);
    const wrong = await loginAs(user.username, "not-the-password");
    const unknown = await loginAs(unique("nobody"));
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe("invalid_credentials");
    }
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it("refuses suspended and deactivated accounts (403), only after the password is right", async () => {
    const suspended = await createUserWithPassword(t.db, PASSWORD, { suspended: true });
    const inactive = await createUserWithPassword(t.db, PASSWORD, { isActive: false });
    expect((await loginAs(suspended.username)).body.code).toBe("account_suspended");
    expect((await loginAs(inactive.username)).body.code).toBe("account_inactive");
    expect((await loginAs(suspended.username, "wrong-password")).body.code).toBe("invalid_credentials");
  });

  it("accepts a bcrypt hash from the original platform and upgrades it to scrypt", async () => {
    const user = await createUser(t.db, { password: bcrypt.hashSync(PASSWORD, 4) });
    const res = await loginAs(user.username);
    expect(res.status).toBe(200);
    const [row] = await t.db.select({ password: users.password }).from(users).where(eq(users.id, user.id));
    expect(row!.password).toMatch(/^\$scrypt\$/);
    expect((await loginAs(user.username)).status).toBe(200);
  });

  it("rejects a missing password or login with 400", async () => {
    const res = await t.api.post("/api/auth/login", { json: { login: "" } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(["body.login", "body.password"]);
  });

  it("throttles repeated attempts on one account with 429 and Retry-After", async () => {
    const user = await createUserWithPassword(t.db, PASSWORD);
    const responses = [];
    for (let i = 0; i < 12; i++) responses.push(await loginAs(user.username, `guess-${i}`));
    expect(responses.slice(0, 10).every((r) => r.status === 401)).toBe(true);
    const last = responses[11]!;
    expect(last.status).toBe(429);
    expect(last.headers.get("retry-after")).toBe("60");
    expect(last.body.code).toBe("rate_limited");
  });

  it("throttles many attempts from one IP across accounts", async () => {
    const ip = uniqueIp();
    const statuses: number[] = [];
    // Past 2 x 30 attempts, one fixed window must have seen more than its 30.
    for (let i = 0; i < 61 && !statuses.includes(429); i++) {
      const res = await t.api.post("/api/auth/login", {
        json: { login: unique("ghost"), password: "whatever" },
        headers: { "cf-connecting-ip": ip },
      });
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  });
});

describe("POST /api/auth/login: throttling and matching by account", () => {
  it("throttles the account, not the spelling: after 429 on the username, its case variants and email are 429 too", async () => {
    const username = `alice${unique().slice(-8)}`;
    const user = await createUserWithPassword(t.db, PASSWORD, { username, email: `${username}@example.com` });
    for (let i = 0; i < 10; i++) expect((await loginAs(username, `guess-${i}`)).status).toBe(401);
    expect((await loginAs(username)).status).toBe(429);
    expect((await loginAs(user.email)).status).toBe(429);
    expect((await loginAs(user.email.toUpperCase())).status).toBe(429);
    expect((await loginAs(username.toUpperCase())).status).toBe(429);
    // U+0130, which Postgres' lower() folds to "i": never a way around the limit, never a match.
    const dotted = username.replace("i", "\u0130");
    const variant = await loginAs(dotted);
    expect(variant.status).toBe(400);
    expect(variant.body.errors.map((e: { path: string }) => e.path)).toEqual(["body.login"]);
  });

  it("matches logins by ASCII case fold only: a stored name that lower() folds differently is not matched", async () => {
    // A legacy row with a non-ASCII username: lower('\u0130') is 'i' in Postgres, so the old
    // lower() = lower() match let "alice" reach "al\u0130ce". The ASCII fold keeps them apart.
    const legacy = await createUserWithPassword(t.db, PASSWORD, { username: `al\u0130ce${unique().slice(-6)}` });
    const asAscii = legacy.username.replace("\u0130", "i");
    const res = await loginAs(asAscii);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("invalid_credentials");
  });

  it("keys IPv6 clients by their /64: many addresses in one network share the IP limit", async () => {
    const prefix = `2001:db8:${(crypto.getRandomValues(new Uint16Array(1))[0]! | 1).toString(16)}:${unique().length.toString(16)}`;
    const statuses: number[] = [];
    for (let i = 1; i <= 32; i++) {
      const res = await t.api.post("/api/auth/login", {
        json: { login: unique("ghost"), password: "whatever" },
        headers: { "cf-connecting-ip": `${prefix}:${i.toString(16)}::${i.toString(16)}` },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429]);
  });

  it("throttles registration per IP as login is", async () => {
    const ip = uniqueIp();
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      const res = await t.api.post("/api/auth/register", {
        json: { email: "not-an-email", username: "x", password: "y", name: "" },
        headers: { "cf-connecting-ip": ip },
      });
      statuses.push(res.status);
    }
    // Validation refuses these before the limiter; a valid body from the same IP is counted.
    const counted: number[] = [];
    for (let i = 0; i < 31; i++) {
      const handle = unique("r");
      const res = await t.api.post("/api/auth/register", {
        json: { email: `${handle}@example.com`, username: handle, password: PASSWORD, name: "Ana" },
        headers: { "cf-connecting-ip": ip },
      });
      counted.push(res.status);
    }
    expect(statuses.every((s) => s === 400)).toBe(true);
    expect(counted.slice(0, 30).every((s) => s === 201)).toBe(true);
    expect(counted[30]).toBe(429);
  });

  it("does not rehash a bcrypt password typed over 72 bytes (bcrypt only checked the first 72)", async () => {
    const long = `${"tango-".repeat(12)}milonga`; // 79 bytes
    const user = await createUser(t.db, { password: bcrypt.hashSync(long, 4) });
    const sameStart = `${long.slice(0, 72)}-anything-else`;
    expect((await loginAs(user.username, sameStart)).status).toBe(200);
    const [row] = await t.db.select({ password: users.password }).from(users).where(eq(users.id, user.id));
    expect(row!.password).toMatch(/^\$2[aby]\$/);
    expect((await loginAs(user.username, long)).status).toBe(200);
  });
});

describe("GET /api/auth/me and access tokens", () => {
  it("answers the caller's private view", async () => {
    const user = await createUser(t.db);
    const res = await t.api.get("/api/auth/me", { token: await tokenFor(t, user) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, email: user.email, mobileNo: user.mobileNo });
    expect(Object.keys(res.body)).not.toEqual(expect.arrayContaining(["password", "apiToken", "stripeCustomerId", "deviceToken", "lastLoginIp"]));
  });

  it("is 401 without a token", async () => {
    const res = await t.api.get("/api/auth/me");
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("unauthorized");
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("is 401 token_expired for an expired token", async () => {
    const user = await createUser(t.db);
    const old = await issueAccessToken(t.env.JWT_SECRET, { userId: user.id, role: "user", level: 1, sessionId: crypto.randomUUID() }, Date.now() - 16 * 60_000);
    const res = await t.api.get("/api/auth/me", { token: old });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("token_expired");
  });

  it("is 401 for forged tokens: another key, another algorithm, another audience, alg none, garbage", async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: "1", sid: crypto.randomUUID(), role: "god", lvl: 8, iss: JWT_ISSUER, aud: JWT_AUDIENCE, iat: now, exp: now + 600 };
    const none = `${btoa(JSON.stringify({ alg: "none", typ: "JWT" }))}.${btoa(JSON.stringify(claims))}.`.replaceAll("=", "");
    const forged = [
      await sign(claims, "another-secret-another-secret-another-secret", "HS256"),
      await sign(claims, t.env.JWT_SECRET, "HS512"),
      await sign({ ...claims, aud: "someone-else" }, t.env.JWT_SECRET, "HS256"),
      await sign({ ...claims, iss: "someone-else" }, t.env.JWT_SECRET, "HS256"),
      none,
      "not.a.token",
    ];
    for (const token of forged) {
      const res = await t.api.get("/api/auth/me", { token });
      expect(res.status, token).toBe(401);
      expect(res.body.code).toBe("invalid_token");
    }
    const malformedHeader = await t.api.get("/api/auth/me", { headers: { authorization: "Basic abc" } });
    expect(malformedHeader.status).toBe(401);
  });

  it.each(["exp", "iat", "iss", "aud"])("is 401 for a correctly signed token without %s", async (claim) => {
    const user = await createUser(t.db);
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = { sub: String(user.id), sid: crypto.randomUUID(), role: "user", lvl: 1, iss: JWT_ISSUER, aud: JWT_AUDIENCE, iat: now, exp: now + 600 };
    delete claims[claim];
    const res = await t.api.get("/api/auth/me", { token: await sign(claims, t.env.JWT_SECRET, "HS256") });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("invalid_token");
  });
});

describe("GET /api/auth/availability", () => {
  it("says whether a username is free, case-insensitively", async () => {
    const user = await createUser(t.db);
    const ip = uniqueIp();
    const get = (q: string) => t.api.get(`/api/auth/availability?${q}`, { headers: { "cf-connecting-ip": ip } });
    expect((await get(`username=${user.username.toUpperCase()}`)).body).toEqual({ available: false });
    expect((await get(`username=${unique("free")}`)).body).toEqual({ available: true });
  });

  it("never tells whether an email has an account: the email form is a 400", async () => {
    const user = await createUser(t.db);
    const res = await t.api.get(`/api/auth/availability?email=${encodeURIComponent(user.email)}`);
    expect(res.status).toBe(400);
    expect(res.body).not.toHaveProperty("available");
  });

  it("needs a valid username", async () => {
    expect((await t.api.get("/api/auth/availability")).status).toBe(400);
    expect((await t.api.get("/api/auth/availability?username=abc&email=a@b.co")).status).toBe(400);
    expect((await t.api.get("/api/auth/availability?username=a")).status).toBe(400);
  });
});
