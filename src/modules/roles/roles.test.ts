import { desc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { notifications, roleChanges, users } from "../../../drizzle/schema";
import { ROLES } from "../../../drizzle/users";
import { auditCount, auditRowsOf } from "../../../test/admin";
import { signedIn, tokenFor } from "../../../test/auth";
import { createUser } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { encodeCursor } from "../../lib/pagination";

const t = await useTestDatabase();

function assign(userId: number | string, json: unknown, token?: string) {
  return t.api.request("PUT", `/api/admin/users/${userId}/role`, { json, token });
}

async function roleOf(userId: number) {
  const [row] = await t.db.select({ role: users.role }).from(users).where(eq(users.id, userId));
  return row!.role;
}

async function changesOf(userId: number) {
  return t.db.select().from(roleChanges).where(eq(roleChanges.userId, userId)).orderBy(desc(roleChanges.id));
}

let superAdmin: Awaited<ReturnType<typeof signedIn>>;
let god: Awaited<ReturnType<typeof signedIn>>;

beforeAll(async () => {
  superAdmin = await signedIn(t, { role: "super_admin" });
  god = await signedIn(t, { role: "god" });
});

describe("GET /api/roles", () => {
  it("lists the eight tiers, lowest first, to anyone", async () => {
    const res = await t.api.get("/api/roles");
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items.map((r: { name: string; level: number; title: string }) => [r.name, r.level, r.title])).toEqual(
      ROLES.map((r) => [r.name, r.level, r.title]),
    );
    expect(res.body.items[6].description).toEqual(expect.any(String));
  });
});

describe("PUT /api/admin/users/{id}/role: happy paths", () => {
  it("gives the role, answers it with its level, and records the change", async () => {
    const dancer = await createUser(t.db);
    const res = await assign(dancer.id, { role: "admin", reason: "  Runs the Rosario community  " }, superAdmin.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ userId: dancer.id, role: "admin", level: 5 });
    expect(await roleOf(dancer.id)).toBe("admin");
    expect(await changesOf(dancer.id)).toEqual([
      expect.objectContaining({ oldRole: "user", newRole: "admin", changedBy: superAdmin.user.id, reason: "Runs the Rosario community" }),
    ]);
  });

  it("lets a Super Admin assign their own level, but not lower a peer: only someone above can", async () => {
    const peer = await createUser(t.db);
    expect((await assign(peer.id, { role: "super_admin" }, superAdmin.token)).body.level).toBe(7);
    const refused = await assign(peer.id, { role: "basic" }, superAdmin.token);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("user_outranks_you");
    expect(await roleOf(peer.id)).toBe("super_admin");
    const res = await assign(peer.id, { role: "basic" }, god.token);
    expect(res.body).toEqual({ userId: peer.id, role: "basic", level: 2 });
    expect((await changesOf(peer.id)).map((c) => [c.oldRole, c.newRole, c.reason])).toEqual([
      ["super_admin", "basic", null],
      ["user", "super_admin", null],
    ]);
  });

  it("refuses two Super Admins demoting each other at the same moment: neither succeeds", async () => {
    const a = await signedIn(t, { role: "super_admin" });
    const b = await signedIn(t, { role: "super_admin" });
    const results = await Promise.all([assign(b.user.id, { role: "user" }, a.token), assign(a.user.id, { role: "user" }, b.token)]);
    expect(results.map((r) => r.status)).toEqual([403, 403]);
    expect([await roleOf(a.user.id), await roleOf(b.user.id)]).toEqual(["super_admin", "super_admin"]);
  });

  it("locks the actor too: a change by an actor demoted meanwhile is ordered before the demotion or refused", async () => {
    // God demotes a Super Admin while that Super Admin promotes a dancer. With both rows locked
    // in id order the two statements serialize: the promotion either committed first (its
    // history row comes first) or sees the demotion and is refused. Repeated to hit both orders.
    const outcomes = new Set<number>();
    for (let i = 0; i < 25; i++) {
      const admin = await signedIn(t, { role: "super_admin" });
      const dancer = await createUser(t.db);
      const [promotion, demotion] = await Promise.all([
        assign(dancer.id, { role: "admin" }, admin.token),
        assign(admin.user.id, { role: "user" }, god.token),
      ]);
      expect(demotion.status).toBe(200);
      outcomes.add(promotion.status);
      if (promotion.status === 200) {
        const [promoted] = await changesOf(dancer.id);
        const [demoted] = await changesOf(admin.user.id);
        expect(promoted!.id).toBeLessThan(demoted!.id);
      } else {
        expect(promotion.status).toBe(403);
        expect(await roleOf(dancer.id)).toBe("user");
      }
    }
    expect([...outcomes].every((s) => s === 200 || s === 403)).toBe(true);
  });

  it("lets God give any role", async () => {
    const dancer = await createUser(t.db);
    expect((await assign(dancer.id, { role: "god" }, god.token)).body).toEqual({ userId: dancer.id, role: "god", level: 8 });
  });

  it("notifies the user of the change, and not of a no-op", async () => {
    const dancer = await createUser(t.db);
    await assign(dancer.id, { role: "community" }, superAdmin.token);
    await assign(dancer.id, { role: "community" }, superAdmin.token);
    const rows = await t.db.select().from(notifications).where(eq(notifications.userId, dancer.id));
    expect(rows).toEqual([
      expect.objectContaining({ type: "role_changed", actorId: superAdmin.user.id, data: { role: "community" }, count: 1 }),
    ]);
  });

  it("answers 200 and records nothing when the user already has the role", async () => {
    const dancer = await createUser(t.db, { role: "premium" });
    const res = await assign(dancer.id, { role: "premium" }, superAdmin.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ userId: dancer.id, role: "premium", level: 3 });
    expect(await changesOf(dancer.id)).toEqual([]);
  });

  it("keeps the history a chain when changes race: each records the role it really replaced", async () => {
    const dancer = await createUser(t.db);
    const wanted = ["basic", "premium", "community", "admin", "volunteer", "basic"];
    const results = await Promise.all(wanted.map((role) => assign(dancer.id, { role }, god.token)));
    expect(results.map((r) => r.status)).toEqual(wanted.map(() => 200));
    const chain = (await changesOf(dancer.id)).reverse();
    expect(chain[0]!.oldRole).toBe("user");
    for (let i = 1; i < chain.length; i++) expect(chain[i]!.oldRole).toBe(chain[i - 1]!.newRole);
    expect(chain.at(-1)!.newRole).toBe(await roleOf(dancer.id));
  });
});

describe("PUT /api/admin/users/{id}/role: audit", () => {
  it("writes the change's audit row (who, role before and after) with it", async () => {
    const dancer = await createUser(t.db);
    expect((await assign(dancer.id, { role: "admin" }, superAdmin.token)).status).toBe(200);
    expect(await auditRowsOf(t.db, "user", dancer.id)).toEqual([
      expect.objectContaining({ actorId: superAdmin.user.id, action: "role.assign", before: { role: "user" }, after: { role: "admin" } }),
    ]);
  });

  it("writes none for a no-op, a refused change or an unknown user", async () => {
    const dancer = await createUser(t.db, { role: "premium" });
    const peer = await createUser(t.db, { role: "super_admin" });
    const before = await auditCount(t.db);
    expect((await assign(dancer.id, { role: "premium" }, superAdmin.token)).status).toBe(200);
    expect((await assign(peer.id, { role: "user" }, superAdmin.token)).status).toBe(403);
    expect((await assign(dancer.id, { role: "god" }, superAdmin.token)).status).toBe(403);
    expect((await assign(2147483647, { role: "admin" }, superAdmin.token)).status).toBe(404);
    expect(await auditCount(t.db)).toBe(before);
  });

  it("writes one audit row per change when changes race, chained like the history", async () => {
    const dancer = await createUser(t.db);
    const wanted = ["basic", "premium", "community", "basic"];
    const results = await Promise.all(wanted.map((role) => assign(dancer.id, { role }, god.token)));
    expect(results.map((r) => r.status)).toEqual(wanted.map(() => 200));
    const rows = await auditRowsOf(t.db, "user", dancer.id);
    const history = (await changesOf(dancer.id)).reverse();
    expect(rows.map((r) => [r.before, r.after])).toEqual(history.map((c) => [{ role: c.oldRole }, { role: c.newRole }]));
  });
});

describe("PUT /api/admin/users/{id}/role: errors", () => {
  it.each([
    ["an unknown role", { role: "emperor" }, "body.role"],
    ["no role", { reason: "why not" }, "body.role"],
    ["an unknown field", { role: "admin", level: 8 }, "body"],
    ["a reason over 500 characters", { role: "admin", reason: "x".repeat(501) }, "body.reason"],
  ])("rejects %s with 400 naming the field", async (_label, json, path) => {
    const dancer = await createUser(t.db);
    const res = await assign(dancer.id, json, superAdmin.token);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await roleOf(dancer.id)).toBe("user");
  });

  it.each(["abc", "0", "99999999999", "2147483648", "0x10", "+1", "1e3", "010", "1.0", " 1", "-1"])("rejects the id %s with 400", async (id) => {
    const res = await assign(id, { role: "admin" }, superAdmin.token);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "path.id" })]);
  });

  it("is 404 for an unknown user", async () => {
    const res = await assign(2147483647, { role: "admin" }, superAdmin.token);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("not_found");
  });
});

describe("PUT /api/admin/users/{id}/role: security", () => {
  it("is 401 without a token", async () => {
    const dancer = await createUser(t.db);
    expect((await assign(dancer.id, { role: "admin" })).status).toBe(401);
  });

  it.each(["user", "community", "admin", "volunteer"])("refuses a caller whose role is %s (403)", async (role) => {
    const caller = await signedIn(t, { role });
    const dancer = await createUser(t.db);
    const res = await assign(dancer.id, { role: "basic" }, caller.token);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("insufficient_role");
    expect(await roleOf(dancer.id)).toBe("user");
  });

  it("refuses a Super Admin granting God (403), changing nothing", async () => {
    const dancer = await createUser(t.db);
    const res = await assign(dancer.id, { role: "god" }, superAdmin.token);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("role_above_yours");
    expect(await roleOf(dancer.id)).toBe("user");
    expect(await changesOf(dancer.id)).toEqual([]);
  });

  it("refuses a Super Admin changing God's role (403)", async () => {
    const otherGod = await createUser(t.db, { role: "god" });
    const res = await assign(otherGod.id, { role: "user" }, superAdmin.token);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("user_outranks_you");
    expect(await roleOf(otherGod.id)).toBe("god");
  });

  it("refuses any change of one's own role (403)", async () => {
    for (const role of ["user", "god", "super_admin"]) {
      const res = await assign(superAdmin.user.id, { role }, superAdmin.token);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe("cannot_change_own_role");
    }
    expect(await roleOf(superAdmin.user.id)).toBe("super_admin");
  });

  it("goes by the caller's role in the database, not the one in a still-valid token", async () => {
    const demoted = await createUser(t.db, { role: "super_admin" });
    const token = await tokenFor(t, demoted);
    await t.db.update(users).set({ role: "user" }).where(eq(users.id, demoted.id));
    const dancer = await createUser(t.db);
    const res = await assign(dancer.id, { role: "admin" }, token);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("insufficient_role");
    expect(await roleOf(dancer.id)).toBe("user");
  });

  it("refuses a suspended Super Admin (403)", async () => {
    const suspended = await signedIn(t, { role: "super_admin", suspended: true });
    const dancer = await createUser(t.db);
    expect((await assign(dancer.id, { role: "admin" }, suspended.token)).status).toBe(403);
  });
});

describe("GET /api/admin/users/{id}/role-changes", () => {
  let dancer: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    dancer = await createUser(t.db);
    const tie = new Date("2026-02-01T10:00:00.5Z");
    const history = [
      { oldRole: "user", newRole: "basic", createdAt: new Date("2026-01-01T10:00:00Z") },
      { oldRole: "basic", newRole: "premium", createdAt: tie },
      { oldRole: "premium", newRole: "community", createdAt: tie },
      { oldRole: "community", newRole: "admin", createdAt: new Date("2026-03-01T10:00:00Z") },
      { oldRole: "admin", newRole: "volunteer", createdAt: new Date("2026-04-01T10:00:00Z") },
    ];
    for (const change of history) {
      await t.db.insert(roleChanges).values({ userId: dancer.id, changedBy: god.user.id, reason: "history", ...change });
    }
  });

  it("lists the history newest first, page by page without gaps or repeats", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const res = await t.api.get(`/api/admin/users/${dancer.id}/role-changes?limit=2${query}`, { token: superAdmin.token });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((c: { newRole: string }) => c.newRole));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(["volunteer", "admin", "community", "premium", "basic"]);
  });

  it("shapes each change", async () => {
    const res = await t.api.get(`/api/admin/users/${dancer.id}/role-changes?limit=1`, { token: god.token });
    expect(res.body.items).toEqual([
      expect.objectContaining({ userId: dancer.id, oldRole: "admin", newRole: "volunteer", changedBy: god.user.id, reason: "history", createdAt: "2026-04-01T10:00:00.000Z" }),
    ]);
  });

  it("is an empty page for a user whose role never changed, and 404 for an unknown user", async () => {
    const fresh = await createUser(t.db);
    expect((await t.api.get(`/api/admin/users/${fresh.id}/role-changes`, { token: superAdmin.token })).body).toEqual({ items: [], nextCursor: null });
    expect((await t.api.get("/api/admin/users/2147483647/role-changes", { token: superAdmin.token })).status).toBe(404);
  });

  it.each([
    ["an invalid cursor", "cursor=bm9wZQ"],
    ["a forged cursor", `cursor=${encodeCursor(["garbage", 1])}`],
    ["a limit of 0", "limit=0"],
    ["a limit of 101", "limit=101"],
  ])("rejects %s with 400", async (_label, query) => {
    const res = await t.api.get(`/api/admin/users/${dancer.id}/role-changes?${query}`, { token: superAdmin.token });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toMatch(/^query\./);
  });

  it("is 401 anonymous and 403 below Super Admin", async () => {
    expect((await t.api.get(`/api/admin/users/${dancer.id}/role-changes`)).status).toBe(401);
    const admin = await signedIn(t, { role: "admin" });
    expect((await t.api.get(`/api/admin/users/${dancer.id}/role-changes`, { token: admin.token })).status).toBe(403);
    const self = await signedIn(t);
    expect((await t.api.get(`/api/admin/users/${self.user.id}/role-changes`, { token: self.token })).status).toBe(403);
  });
});

describe("OpenAPI", () => {
  it("documents the role routes", async () => {
    const { paths } = (await t.api.get("/openapi.json")).body;
    expect(paths["/api/roles"].get).toBeDefined();
    expect(paths["/api/admin/users/{id}/role"].put.security).toEqual([{ bearerAuth: [] }]);
    expect(paths["/api/admin/users/{id}/role-changes"].get).toBeDefined();
  });
});
