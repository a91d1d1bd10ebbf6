import { describe, expect, it } from "vitest";
import { ROLES } from "../drizzle/users";
import { auditCount } from "../test/admin";
import { signedIn } from "../test/auth";
import { useTestDatabase } from "../test/harness";
import { callRoute, type OpenApiDocument, operationsOf } from "../test/openapi";

/**
 * The platform admin's gate, over every `/api/admin/...` route in the OpenAPI document (so a
 * route added later is covered): reading needs role level 5 (Admin), writing level 7 (Super
 * Admin), and a level-4 community organizer is refused everywhere without a trace in the audit
 * log. The generated security suite (routes.security.test.ts) checks each route's own level
 * against the level just below it.
 */

const t = await useTestDatabase();
const doc = (await t.api.get<OpenApiDocument>("/openapi.json")).body;
const admin = operationsOf(doc).filter((op) => op.path.startsWith("/api/admin/"));

describe("the admin routes", () => {
  it("all need a role level: 5 or more to read, 7 or more to write", () => {
    expect(admin.length).toBeGreaterThan(0);
    const wrong = admin
      .filter((op) => {
        const level = op.operation["x-min-level"] as number | undefined;
        return level === undefined || level < (op.method === "GET" ? 5 : 7);
      })
      .map((op) => `${op.method} ${op.path}: ${String(op.operation["x-min-level"])}`);
    expect(wrong).toEqual([]);
  });

  it("refuse a level-4 dancer (community organizer) with 403, every one of them, and log nothing", async () => {
    const community = ROLES.find((r) => r.level === 4)!;
    const { user, token } = await signedIn(t, { role: community.name });
    const before = await auditCount(t.db);
    for (const op of admin) {
      const res = await callRoute(t.api, op, { token, pathValue: String(user.id) });
      expect(res.status, `${op.method} ${op.path}`).toBe(403);
      expect(res.body.code, `${op.method} ${op.path}`).toBe("insufficient_role");
    }
    expect(await auditCount(t.db)).toBe(before);
  });
});
