import bcrypt from "bcryptjs";
import { and, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { emailTokens, sessions, users } from "../../../drizzle/schema";
import { createUser, createUserWithPassword, uniqueIp } from "../../../test/factories";
import { testCtx, useTestDatabase } from "../../../test/harness";
import { randomToken, sha256Hex } from "../../lib/crypto";
import type { Db } from "../../lib/db";
import { hashPassword } from "../../lib/password";
import { login } from "./auth.service";

const t = await useTestDatabase();

const OLD = "old-milonga-password";
const NEW = "new-vals-password-2026";
const MAX_ROUNDS = 300;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const loginAs = (login: string, password: string) =>
  t.api.post("/api/auth/login", { json: { login, password }, headers: { "cf-connecting-ip": uniqueIp() } });

/** A reset link for the user, as forgot-password would have mailed it. */
async function resetToken(user: { id: number; email: string }) {
  const token = randomToken();
  await t.db.insert(emailTokens).values({
    userId: user.id,
    purpose: "reset_password",
    tokenHash: await sha256Hex(token),
    email: user.email,
    expiresAt: new Date(Date.now() + 3_600_000),
  });
  return token;
}

describe("a login with the old password racing a password reset", () => {
  it("never leaves a session from the old password alive, and the new password always works", async () => {
    // Each round fires a login with the old password from 5 ms after to 15 ms before a reset, on a
    // fresh account (half of them with a bcrypt hash from the original platform, which the
    // login would rehash). It goes on until both orders were seen: the login won (200), and
    // the reset won (401). Whatever the order, once both are done the invariant holds.
    const seen = { loginFirst: 0, resetFirst: 0 };
    let rounds = 0;
    while (rounds < MAX_ROUNDS && (seen.loginFirst < 3 || seen.resetFirst < 3)) {
      rounds += 1;
      const bcryptAccount = rounds % 2 === 0;
      const user = bcryptAccount
        ? await createUser(t.db, { password: bcrypt.hashSync(OLD, 4) })
        : await createUserWithPassword(t.db, OLD);
      const token = await resetToken(user);
      // The login takes more round trips than the reset, so the reset mostly starts later.
      const offset = Math.random() * 20 - 5;
      const loginDelay = Math.max(0, -offset);
      const resetDelay = Math.max(0, offset);
      const [login, reset] = await Promise.all([
        sleep(loginDelay).then(() => loginAs(user.username, OLD)),
        sleep(resetDelay).then(() =>
          t.api.post("/api/auth/reset-password", { json: { token, password: NEW }, headers: { "cf-connecting-ip": uniqueIp() } }),
        ),
      ]);
      expect(reset.status).toBe(204);
      expect([200, 401]).toContain(login.status);
      if (login.status === 200) {
        seen.loginFirst += 1;
        const refresh = await t.api.post("/api/auth/refresh", { json: { refreshToken: login.body.refreshToken } });
        expect(refresh.status, `round ${rounds}: the old password's session outlived the reset`).toBe(401);
      } else {
        seen.resetFirst += 1;
        expect(login.body.code).toBe("invalid_credentials");
      }
      const alive = await t.db
        .select({ id: sessions.id })
        .from(sessions)
        .where(and(eq(sessions.userId, user.id), isNull(sessions.revokedAt)));
      expect(alive, `round ${rounds}: a session survived the reset`).toEqual([]);
      expect((await loginAs(user.username, NEW)).status, `round ${rounds}: the new password does not work`).toBe(200);
      expect((await loginAs(user.username, OLD)).status, `round ${rounds}: the old password still works`).toBe(401);
    }
    console.info(`login/reset race: ${rounds} rounds, login first ${seen.loginFirst}, reset first ${seen.resetFirst}`);
    expect(seen.loginFirst).toBeGreaterThan(0);
    expect(seen.resetFirst).toBeGreaterThan(0);
  }, 120_000);
});

/** The same database, with `between` run once just before the login's write (its second round trip). */
function writeDelayedBy(db: Db, between: () => Promise<unknown>): Db {
  let done = false;
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== "execute") return Reflect.get(target, prop, receiver) as unknown;
      return async (...args: Parameters<Db["execute"]>) => {
        if (!done) {
          done = true;
          await between();
        }
        return target.execute(...args);
      };
    },
  });
}

const request = { client: { ip: "203.0.113.9", userAgent: null }, throttle: async () => {} };

describe("a change to the account between a login's check and its write", () => {
  it.each([
    ["a password reset (scrypt account)", false, async (id: number) => t.db.update(users).set({ password: await hashPassword(NEW, "fast") }).where(eq(users.id, id))],
    ["a password reset (bcrypt account, which the login would rehash)", true, async (id: number) => t.db.update(users).set({ password: await hashPassword(NEW, "fast") }).where(eq(users.id, id))],
    ["a suspension", false, (id: number) => t.db.update(users).set({ suspended: true }).where(eq(users.id, id))],
    ["a deactivation", false, (id: number) => t.db.update(users).set({ isActive: false }).where(eq(users.id, id))],
    ["turning 2FA on", false, (id: number) => t.db.update(users).set({ twoFactorEnabled: true }).where(eq(users.id, id))],
  ])("voids the login after %s: 401, no session, nothing overwritten", async (_label, legacy, change) => {
    const user = legacy ? await createUser(t.db, { password: bcrypt.hashSync(OLD, 4) }) : await createUserWithPassword(t.db, OLD);
    const [before] = await t.db.select().from(users).where(eq(users.id, user.id));
    let changed: typeof before;
    const db = writeDelayedBy(t.db, async () => {
      await change(user.id);
      [changed] = await t.db.select().from(users).where(eq(users.id, user.id));
    });
    await expect(login({ ...testCtx(t), db }, { login: user.username, password: OLD, ...request })).rejects.toMatchObject({ status: 401, code: "invalid_credentials" });
    expect(await t.db.select().from(sessions).where(eq(sessions.userId, user.id))).toEqual([]);
    const [after] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(after!.password).toBe(changed!.password);
    expect(after!.lastLoginAt).toEqual(before!.lastLoginAt);
  });
});
