import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { refreshTokens, sessions, users } from "../../../drizzle/schema";
import { registerViaApi, signedIn, tokenFor } from "../../../test/auth";
import { createUserWithPassword, uniqueIp } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { encodeCursor } from "../../lib/pagination";

const t = await useTestDatabase();

const refresh = (refreshToken: string) => t.api.post("/api/auth/refresh", { json: { refreshToken } });

describe("POST /api/auth/refresh", () => {
  it("rotates: a new pair each time, and the old refresh token stops working", async () => {
    const account = await registerViaApi(t.api);
    const first = await refresh(account.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(account.refreshToken);
    expect(first.body.user.id).toBe(account.id);
    const me = await t.api.get("/api/auth/me", { token: first.body.accessToken });
    expect(me.status).toBe(200);
    const second = await refresh(first.body.refreshToken);
    expect(second.status).toBe(200);
  });

  it("treats reuse of a spent token as theft: 401 and the whole family is revoked", async () => {
    const account = await registerViaApi(t.api);
    const rotated = await refresh(account.refreshToken);
    const reused = await refresh(account.refreshToken);
    expect(reused.status).toBe(401);
    expect(reused.body.code).toBe("refresh_token_reused");
    // The thief's reuse also ends the legitimate holder's newer token.
    const legit = await refresh(rotated.body.refreshToken);
    expect(legit.status).toBe(401);
    expect(legit.body.code).toBe("session_revoked");
    const [session] = await t.db.select().from(sessions).where(eq(sessions.userId, account.id));
    expect(session!.revokedReason).toBe("refresh_token_reuse");
  });

  it("lets exactly one of two concurrent refreshes with the same token win", async () => {
    const account = await registerViaApi(t.api);
    const results = await Promise.all([refresh(account.refreshToken), refresh(account.refreshToken)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    const tokens = await t.db.select().from(refreshTokens).where(eq(refreshTokens.userId, account.id));
    expect(tokens).toHaveLength(2);
  });

  it("refuses unknown, malformed and expired tokens", async () => {
    expect((await refresh("x".repeat(43))).body.code).toBe("invalid_refresh_token");
    expect((await refresh("too-short")).status).toBe(400);
    // No token at all (and no cookie): the web app's cookie mode found nothing to read.
    const none = await t.api.post("/api/auth/refresh", { json: {} });
    expect(none.status).toBe(401);
    expect(none.body.code).toBe("refresh_token_missing");
    const account = await registerViaApi(t.api);
    await t.db.update(refreshTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(refreshTokens.userId, account.id));
    const expired = await refresh(account.refreshToken);
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe("session_expired");
  });

  it("refuses a suspended or deactivated account", async () => {
    for (const change of [{ suspended: true }, { isActive: false }]) {
      const account = await registerViaApi(t.api);
      await t.db.update(users).set(change).where(eq(users.id, account.id));
      const res = await refresh(account.refreshToken);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe("account_unavailable");
    }
  });
});

describe("POST /api/auth/logout", () => {
  it("ends the session: its refresh token no longer works", async () => {
    const account = await registerViaApi(t.api);
    expect((await t.api.post("/api/auth/logout", { json: { refreshToken: account.refreshToken } })).status).toBe(204);
    const res = await refresh(account.refreshToken);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("session_revoked");
  });

  it("is idempotent and says nothing about unknown tokens", async () => {
    expect((await t.api.post("/api/auth/logout", { json: { refreshToken: "y".repeat(43) } })).status).toBe(204);
  });
});

describe("GET /api/auth/sessions", () => {
  async function loginTimes(n: number) {
    const user = await createUserWithPassword(t.db, "sesiones-123");
    const tokens: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await t.api.post("/api/auth/login", {
        json: { login: user.username, password: "sesiones-123" },
        headers: { "cf-connecting-ip": uniqueIp(), "user-agent": `device-${i}` },
      });
      tokens.push(res.body.accessToken);
    }
    return { user, tokens };
  }

  it("lists the caller's live sessions newest first, marking the current one", async () => {
    const { tokens } = await loginTimes(3);
    const res = await t.api.get("/api/auth/sessions", { token: tokens[1] });
    expect(res.status).toBe(200);
    expect(res.body.items.map((s: { userAgent: string }) => s.userAgent)).toEqual(["device-2", "device-1", "device-0"]);
    expect(res.body.items.map((s: { current: boolean }) => s.current)).toEqual([false, true, false]);
    expect(res.body.nextCursor).toBeNull();
  });

  it("pages with limit and cursor, without duplicates or gaps", async () => {
    const { tokens } = await loginTimes(5);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await t.api.get(`/api/auth/sessions?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { token: tokens[0] });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((s: { id: string }) => s.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it("rejects a bad limit or cursor with 400", async () => {
    const { token } = await signedIn(t);
    expect((await t.api.get("/api/auth/sessions?limit=0", { token })).status).toBe(400);
    expect((await t.api.get("/api/auth/sessions?limit=101", { token })).status).toBe(400);
    const bad = await t.api.get("/api/auth/sessions?cursor=not-a-cursor", { token });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("invalid_cursor");
    // Well-formed JSON in the cursor, but a time the database would choke on.
    const forged = encodeCursor(["garbage", crypto.randomUUID()]);
    expect((await t.api.get(`/api/auth/sessions?cursor=${forged}`, { token })).body.code).toBe("invalid_cursor");
  });

  it("is 401 for anonymous callers", async () => {
    expect((await t.api.get("/api/auth/sessions")).status).toBe(401);
  });
});

describe("DELETE /api/auth/sessions/{id}", () => {
  it("ends one of the caller's sessions", async () => {
    const account = await registerViaApi(t.api);
    const list = await t.api.get("/api/auth/sessions", { token: account.accessToken });
    const id = list.body.items[0].id;
    expect((await t.api.delete(`/api/auth/sessions/${id}`, { token: account.accessToken })).status).toBe(204);
    expect((await refresh(account.refreshToken)).body.code).toBe("session_revoked");
  });

  it("refuses another user's session (404), an anonymous caller (401) and a bad id (400)", async () => {
    const owner = await registerViaApi(t.api);
    const [session] = await t.db.select().from(sessions).where(eq(sessions.userId, owner.id));
    const other = await signedIn(t);
    const admin = await signedIn(t, { role: "god" });
    expect((await t.api.delete(`/api/auth/sessions/${session!.id}`, { token: other.token })).status).toBe(404);
    expect((await t.api.delete(`/api/auth/sessions/${session!.id}`, { token: admin.token })).status).toBe(404);
    expect((await t.api.delete(`/api/auth/sessions/${session!.id}`)).status).toBe(401);
    expect((await t.api.delete("/api/auth/sessions/not-a-uuid", { token: other.token })).status).toBe(400);
    expect((await refresh(owner.refreshToken)).status).toBe(200);
  });

  it("is 404 for a session already ended", async () => {
    const { user } = await signedIn(t);
    const token = await tokenFor(t, user);
    const list = await t.api.get("/api/auth/sessions", { token });
    const id = list.body.items[0].id;
    await t.api.delete(`/api/auth/sessions/${id}`, { token });
    expect((await t.api.delete(`/api/auth/sessions/${id}`, { token })).status).toBe(404);
  });
});
