import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { refreshTokens, sessions, users } from "../../../drizzle/schema";
import { clearOfRateLimitWindowEdge, registerViaApi } from "../../../test/auth";
import { createUserWithPassword, unique, uniqueIp } from "../../../test/factories";
import { type ApiResponse, useTestDatabase } from "../../../test/harness";
import { REFRESH_TOKEN_TTL_DAYS } from "../../lib/access-tokens";
import { currentStep, totpCode } from "./auth.totp";

const t = await useTestDatabase();

// Rate limits count in fixed one-minute windows: never start a counted loop at a window's edge.
beforeEach(() => clearOfRateLimitWindowEdge());

const PASSWORD = "milonga-de-prueba";
/** The origin the harness sends every request to: the web app's own. */
const SAME_ORIGIN = "https://api.mundotango.test";
const MAX_AGE = String(REFRESH_TOKEN_TTL_DAYS * 24 * 60 * 60);

/** A POST as the web app sends it: same-origin `Origin`, and the refresh cookie when there is one. */
function post(path: string, json: unknown, options: { cookie?: string; origin?: string | null; token?: string } = {}) {
  const headers: Record<string, string> = { "cf-connecting-ip": uniqueIp() };
  const origin = options.origin === undefined ? SAME_ORIGIN : options.origin;
  if (origin !== null) headers.origin = origin;
  if (options.cookie !== undefined) headers.cookie = `theme=dark; mt_refresh=${options.cookie}`;
  return t.api.post(path, { json, headers, token: options.token });
}

/** The refresh cookie a response set: its value and its attributes, lower-cased by name. */
function setCookie(res: ApiResponse) {
  const cookies = res.headers.getSetCookie().filter((c) => c.startsWith("mt_refresh="));
  expect(cookies, "exactly one mt_refresh cookie").toHaveLength(1);
  const [pair, ...attributes] = cookies[0]!.split(";").map((part) => part.trim());
  const flags = Object.fromEntries(
    attributes.map((a) => {
      const [name, value = true] = a.split("=");
      return [name!.toLowerCase(), value];
    }),
  );
  return { value: pair!.slice("mt_refresh=".length), flags };
}

/** Asserts the response hands the browser a refresh token with every attribute, and returns it. */
function expectRefreshCookie(res: ApiResponse): string {
  const { value, flags } = setCookie(res);
  expect(value.length).toBeGreaterThanOrEqual(40);
  expect(flags).toEqual({ "max-age": MAX_AGE, path: "/api/auth", httponly: true, secure: true, samesite: "Strict" });
  expect(res.body).not.toHaveProperty("refreshToken");
  expect(res.body).toMatchObject({ tokenType: "Bearer", expiresIn: 900, accessToken: expect.any(String) });
  return value;
}

function expectClearedCookie(res: ApiResponse) {
  const { value, flags } = setCookie(res);
  expect(value).toBe("");
  expect(flags).toEqual({ "max-age": "0", path: "/api/auth", httponly: true, secure: true, samesite: "Strict" });
}

function expectNoCookie(res: ApiResponse) {
  expect(res.headers.getSetCookie().filter((c) => c.startsWith("mt_refresh="))).toEqual([]);
}

function registerBody(extra: Record<string, unknown> = {}) {
  const handle = unique("cookie");
  return { email: `${handle}@example.com`, username: handle, password: PASSWORD, name: "Ana Cookie", ...extra };
}

/** A registered dancer whose refresh token is in the cookie (as the web app signs up). */
async function signedUpWithCookie() {
  const res = await post("/api/auth/register", registerBody({ refreshTransport: "cookie" }));
  expect(res.status).toBe(201);
  return { id: res.body.user.id as number, cookie: expectRefreshCookie(res) };
}

async function refreshTokenRows(userId: number) {
  return t.db.select().from(refreshTokens).where(eq(refreshTokens.userId, userId));
}

describe("setting the refresh cookie", () => {
  it("register with refreshTransport cookie: the cookie with every attribute, no refreshToken in the body", async () => {
    const res = await post("/api/auth/register", registerBody({ refreshTransport: "cookie" }));
    expect(res.status).toBe(201);
    const cookie = expectRefreshCookie(res);
    // The cookie is a working refresh token of this account's session.
    const refreshed = await post("/api/auth/refresh", {}, { cookie });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.user.id).toBe(res.body.user.id);
  });

  it("login with refreshTransport cookie sets it too", async () => {
    const user = await createUserWithPassword(t.db, PASSWORD);
    const res = await post("/api/auth/login", { login: user.username, password: PASSWORD, refreshTransport: "cookie" });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(user.id);
    expectRefreshCookie(res);
  });

  it("login's TOTP step sets it: none on totp_required, the cookie once the code is right", async () => {
    const account = await registerViaApi(t.api);
    const setup = await post("/api/auth/2fa/setup", { password: account.password }, { token: account.accessToken });
    const step = currentStep();
    const enable = { password: account.password, code: await totpCode(setup.body.secret, step) };
    expect((await post("/api/auth/2fa/enable", enable, { token: account.accessToken })).status).toBe(200);

    const login = { login: account.username, password: account.password, refreshTransport: "cookie" };
    const first = await post("/api/auth/login", login);
    expect(first.status).toBe(401);
    expect(first.body.code).toBe("totp_required");
    expectNoCookie(first);
    const second = await post("/api/auth/login", { ...login, totp: await totpCode(setup.body.secret, step + 1) });
    expect(second.status).toBe(200);
    expectRefreshCookie(second);
  });

  it("bearer mode is unchanged: refreshToken in the body, no cookie, no Origin needed", async () => {
    const user = await createUserWithPassword(t.db, PASSWORD);
    for (const extra of [{}, { refreshTransport: "body" }]) {
      const res = await post("/api/auth/login", { login: user.username, password: PASSWORD, ...extra }, { origin: null });
      expect(res.status).toBe(200);
      expect(res.body.refreshToken.length).toBeGreaterThanOrEqual(40);
      expectNoCookie(res);
      const refreshed = await post("/api/auth/refresh", { refreshToken: res.body.refreshToken, ...extra }, { origin: "https://elsewhere.test" });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.refreshToken).toEqual(expect.any(String));
      expectNoCookie(refreshed);
    }
  });

  it("refresh with a body token and refreshTransport cookie moves the session into the cookie", async () => {
    const account = await registerViaApi(t.api);
    const res = await post("/api/auth/refresh", { refreshToken: account.refreshToken, refreshTransport: "cookie" });
    expect(res.status).toBe(200);
    const cookie = expectRefreshCookie(res);
    expect((await post("/api/auth/refresh", {}, { cookie })).status).toBe(200);
  });

  it("rejects an unknown refreshTransport with 400 naming the field", async () => {
    const res = await post("/api/auth/login", { login: "someone", password: PASSWORD, refreshTransport: "header" });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(["body.refreshTransport"]);
  });
});

describe("refreshing from the cookie", () => {
  it("rotates: a new cookie each time, and the body never carries the token", async () => {
    const { id, cookie } = await signedUpWithCookie();
    const first = await post("/api/auth/refresh", {}, { cookie });
    expect(first.status).toBe(200);
    const next = expectRefreshCookie(first);
    expect(next).not.toBe(cookie);
    expect(first.body.user.id).toBe(id);
    expect((await t.api.get("/api/auth/me", { token: first.body.accessToken })).status).toBe(200);
    // Even when asked for the body: a cookie-read refresh answers in cookie mode.
    const second = await post("/api/auth/refresh", { refreshTransport: "body" }, { cookie: next });
    expect(second.status).toBe(200);
    expectRefreshCookie(second);
  });

  it("treats a reused cookie as theft: 401 refresh_token_reused, the family revoked, the cookie cleared", async () => {
    const { id, cookie } = await signedUpWithCookie();
    const rotated = expectRefreshCookie(await post("/api/auth/refresh", {}, { cookie }));
    const reused = await post("/api/auth/refresh", {}, { cookie });
    expect(reused.status).toBe(401);
    expect(reused.body.code).toBe("refresh_token_reused");
    expectClearedCookie(reused);
    const [session] = await t.db.select().from(sessions).where(eq(sessions.userId, id));
    expect(session!.revokedReason).toBe("refresh_token_reuse");
    const legit = await post("/api/auth/refresh", {}, { cookie: rotated });
    expect(legit.status).toBe(401);
    expect(legit.body.code).toBe("session_revoked");
    expectClearedCookie(legit);
  });

  it("clears an expired or unknown cookie, answering as a body token would", async () => {
    const { id, cookie } = await signedUpWithCookie();
    await t.db.update(refreshTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(refreshTokens.userId, id));
    const expired = await post("/api/auth/refresh", {}, { cookie });
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe("session_expired");
    expectClearedCookie(expired);
    for (const unknown of ["x".repeat(43), "short", "y".repeat(500)]) {
      const res = await post("/api/auth/refresh", {}, { cookie: unknown });
      expect(res.status, unknown.slice(0, 10)).toBe(401);
      expect(res.body.code).toBe("invalid_refresh_token");
      expectClearedCookie(res);
    }
  });

  it("lets exactly one of two racing refreshes with the same cookie win", async () => {
    const { id, cookie } = await signedUpWithCookie();
    const results = await Promise.all([post("/api/auth/refresh", {}, { cookie }), post("/api/auth/refresh", {}, { cookie })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    const winner = results.find((r) => r.status === 200)!;
    const loser = results.find((r) => r.status === 401)!;
    expectRefreshCookie(winner);
    expectClearedCookie(loser);
    // One token spent, one issued: the race did not fork the family.
    const rows = await refreshTokenRows(id);
    expect(rows).toHaveLength(2);
    expect(rows.filter((r) => r.usedAt === null)).toHaveLength(1);
  });

  it("refuses a suspended or deactivated account's cookie as it refuses a body token", async () => {
    for (const change of [{ suspended: true }, { isActive: false }]) {
      const { id, cookie } = await signedUpWithCookie();
      await t.db.update(users).set(change).where(eq(users.id, id));
      const res = await post("/api/auth/refresh", {}, { cookie });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe("account_unavailable");
      expectClearedCookie(res);
      expect((await refreshTokenRows(id)).every((r) => r.usedAt === null)).toBe(true);
    }
  });

  it("uses the body's token when both are sent, leaving the cookie alone", async () => {
    const web = await signedUpWithCookie();
    const account = await registerViaApi(t.api);
    const res = await post("/api/auth/refresh", { refreshToken: account.refreshToken }, { cookie: web.cookie });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(account.id);
    expect(res.body.refreshToken).toEqual(expect.any(String));
    expectNoCookie(res);
    expect((await refreshTokenRows(web.id)).every((r) => r.usedAt === null)).toBe(true);
  });

  it("is 401 refresh_token_missing with neither a body token nor a cookie", async () => {
    for (const origin of [SAME_ORIGIN, null]) {
      const res = await post("/api/auth/refresh", {}, { origin });
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe("refresh_token_missing");
    }
    expect((await post("/api/auth/refresh", {}, { cookie: "" })).body.code).toBe("refresh_token_missing");
  });
});

describe("logging out with the cookie", () => {
  it("ends the cookie's session and clears the cookie: a refresh after it fails", async () => {
    const { id, cookie } = await signedUpWithCookie();
    const res = await post("/api/auth/logout", {}, { cookie });
    expect(res.status).toBe(204);
    expectClearedCookie(res);
    const [session] = await t.db.select().from(sessions).where(eq(sessions.userId, id));
    expect(session!.revokedReason).toBe("logout");
    const after = await post("/api/auth/refresh", {}, { cookie });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe("session_revoked");
  });

  it("is 204 and clears the cookie when there is none or it is unknown", async () => {
    for (const cookie of [undefined, "z".repeat(43)]) {
      const res = await post("/api/auth/logout", {}, { cookie });
      expect(res.status).toBe(204);
      expectClearedCookie(res);
    }
  });

  it("with a body token, ends that session as today and sets no cookie", async () => {
    const account = await registerViaApi(t.api);
    const res = await post("/api/auth/logout", { refreshToken: account.refreshToken }, { origin: null });
    expect(res.status).toBe(204);
    expectNoCookie(res);
    expect((await post("/api/auth/refresh", { refreshToken: account.refreshToken })).body.code).toBe("session_revoked");
  });
});

describe("cross-origin cookie requests", () => {
  const ORIGINS: [string, string | null][] = [
    ["no Origin", null],
    ["another site", "https://evil.example"],
    ["a same-site sibling", "https://app.mundotango.test"],
    ["the same host over http", "http://api.mundotango.test"],
    ["an opaque origin", "null"],
  ];

  it.each(ORIGINS)("refuses a cookie refresh from %s with 403 and rotates nothing", async (_label, origin) => {
    const { id, cookie } = await signedUpWithCookie();
    const res = await post("/api/auth/refresh", {}, { cookie, origin });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe("cross_origin_cookie");
    expectNoCookie(res);
    const rows = await refreshTokenRows(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.usedAt).toBeNull();
    // The cookie still works from the app's own origin.
    expect((await post("/api/auth/refresh", {}, { cookie })).status).toBe(200);
  });

  it.each(ORIGINS)("refuses setting the cookie from %s: no account, no session, no rotation", async (_label, origin) => {
    const body = registerBody({ refreshTransport: "cookie" });
    const registered = await post("/api/auth/register", body, { origin });
    expect(registered.status).toBe(403);
    expect(registered.body.code).toBe("cross_origin_cookie");
    expectNoCookie(registered);
    expect(await t.db.select().from(users).where(eq(users.username, body.username))).toEqual([]);

    const user = await createUserWithPassword(t.db, PASSWORD);
    const login = await post("/api/auth/login", { login: user.username, password: PASSWORD, refreshTransport: "cookie" }, { origin });
    expect(login.status).toBe(403);
    expect(login.body.code).toBe("cross_origin_cookie");
    expect(await t.db.select().from(sessions).where(eq(sessions.userId, user.id))).toEqual([]);

    const account = await registerViaApi(t.api);
    const moved = await post("/api/auth/refresh", { refreshToken: account.refreshToken, refreshTransport: "cookie" }, { origin });
    expect(moved.status).toBe(403);
    expectNoCookie(moved);
    expect((await refreshTokenRows(account.id)).every((r) => r.usedAt === null)).toBe(true);
  });

  it.each(ORIGINS)("refuses a cookie logout from %s: the session lives on", async (_label, origin) => {
    const { id, cookie } = await signedUpWithCookie();
    const res = await post("/api/auth/logout", {}, { cookie, origin });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("cross_origin_cookie");
    expectNoCookie(res);
    const [session] = await t.db.select().from(sessions).where(eq(sessions.userId, id));
    expect(session!.revokedAt).toBeNull();
  });
});

describe("the OpenAPI document", () => {
  it("describes refreshTransport, the optional refreshToken and the cookie", async () => {
    const doc = (await t.api.get("/openapi.json")).body;
    const schemas = doc.components.schemas;
    for (const name of ["RegisterRequest", "LoginRequest", "RefreshRequest"]) {
      expect(schemas[name].properties.refreshTransport, name).toMatchObject({ enum: ["body", "cookie"] });
    }
    // AuthResult is TokenPair with the user added (allOf), so the token fields are TokenPair's.
    for (const name of ["RefreshRequest", "LogoutRequest", "TokenPair"]) {
      expect(schemas[name].required ?? [], name).not.toContain("refreshToken");
      expect(schemas[name].properties.refreshToken.description, name).toEqual(expect.any(String));
    }
    expect(schemas.TokenPair.required).toEqual(expect.arrayContaining(["accessToken", "tokenType", "expiresIn"]));
    expect(schemas.AuthResult.allOf[0]).toEqual({ $ref: "#/components/schemas/TokenPair" });
    const responses = [
      doc.paths["/api/auth/register"].post.responses["201"],
      doc.paths["/api/auth/login"].post.responses["200"],
      doc.paths["/api/auth/refresh"].post.responses["200"],
      doc.paths["/api/auth/logout"].post.responses["204"],
    ];
    for (const response of responses) expect(response.headers["Set-Cookie"].description).toContain("mt_refresh=");
    expect(doc.paths["/api/auth/refresh"].post.responses["403"]).toBeDefined();
  });
});
