import { describe, expect, it } from "vitest";
import { signedIn } from "../../../test/auth";
import { writeAuditRow } from "../../../test/analytics";
import { auditCount } from "../../../test/admin";
import { unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { roundTrips } from "../../../test/roundtrips";
import { encodeCursor } from "../../lib/pagination";

const t = await useTestDatabase();
const admin = await signedIn(t, { role: "admin" });

interface Entry {
  id: number;
  actorId: number | null;
  action: string;
  objectType: string;
  objectId: string | null;
  before: unknown;
  after: unknown;
  createdAt: string;
}

function list(query: string, token = admin.token) {
  return t.api.get(`/api/admin/audit${query}`, { token });
}

/** Every page of a filtered listing, following nextCursor. */
async function allPages(query: string, limit: number) {
  const pages: { items: Entry[]; nextCursor: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const after: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const res = await list(`?limit=${limit}&${query}${after}`);
    expect(res.status).toBe(200);
    pages.push(res.body);
    cursor = res.body.nextCursor;
  } while (cursor);
  return pages;
}

/** Audit rows about one object type of the test's own, at the given times. */
async function rowsAt(times: Date[], overrides: { actorId?: number; action?: string } = {}) {
  const objectType = unique("thing_").slice(0, 40);
  const ids: number[] = [];
  for (const [i, createdAt] of times.entries()) {
    ids.push(
      await writeAuditRow(t.db, {
        actorId: overrides.actorId ?? admin.user.id,
        action: overrides.action ?? "thing.update",
        objectType,
        objectId: String(i + 1),
        before: { n: i },
        after: { n: i + 1 },
        createdAt,
      }),
    );
  }
  return { objectType, ids };
}

describe("GET /api/admin/audit", () => {
  it("lists entries newest first, page by page without gaps or repeats (ties broken by id)", async () => {
    const tie = new Date("2030-05-01T12:00:00.123456Z");
    const { objectType, ids } = await rowsAt([
      new Date("2030-04-01T00:00:00Z"),
      tie,
      tie,
      new Date("2030-06-01T00:00:00Z"),
      new Date("2030-04-15T00:00:00Z"),
    ]);
    const pages = await allPages(`objectType=${objectType}`, 2);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.items.map((e) => e.id))).toEqual([ids[3], ids[2], ids[1], ids[4], ids[0]]);
    expect(pages[0]!.items[0]).toEqual({
      id: ids[3],
      actorId: admin.user.id,
      action: "thing.update",
      objectType,
      objectId: "4",
      before: { n: 3 },
      after: { n: 4 },
      createdAt: "2030-06-01T00:00:00.000Z",
    });
  });

  it("filters by actor, action, object and time, combined", async () => {
    const other = await signedIn(t, { role: "super_admin" });
    const action = unique("flag.toggle_").slice(0, 64);
    const mine = await rowsAt([new Date("2031-01-01T00:00:00Z"), new Date("2031-01-02T00:00:00Z")], { action });
    const theirs = await rowsAt([new Date("2031-01-03T00:00:00Z")], { actorId: other.user.id, action });
    const ids = async (query: string) => ((await list(`?limit=100&${query}`)).body.items as Entry[]).map((e) => e.id);
    expect(await ids(`action=${action}`)).toEqual([theirs.ids[0], mine.ids[1], mine.ids[0]]);
    expect(await ids(`action=${action}&actorId=${other.user.id}`)).toEqual([theirs.ids[0]]);
    expect(await ids(`objectType=${mine.objectType}&objectId=2`)).toEqual([mine.ids[1]]);
    expect(await ids(`action=${action}&from=2031-01-02&to=2031-01-03`)).toEqual([mine.ids[1]]);
    expect(await ids(`action=${action}&from=2031-01-01T12:00:00Z`)).toEqual([theirs.ids[0], mine.ids[1]]);
    expect(await ids(`action=${action}&to=2031-01-01T00:00:00.000001Z`)).toEqual([mine.ids[0]]);
    expect(await ids(`action=${action}&objectType=nothing`)).toEqual([]);
  });

  it("lists the audit row of a role assignment", async () => {
    const superAdmin = await signedIn(t, { role: "super_admin" });
    const dancer = await signedIn(t);
    expect((await t.api.put(`/api/admin/users/${dancer.user.id}/role`, { json: { role: "volunteer" }, token: superAdmin.token })).status).toBe(200);
    const res = await list(`?objectType=user&objectId=${dancer.user.id}`);
    expect(res.body.items).toEqual([
      expect.objectContaining({ actorId: superAdmin.user.id, action: "role.assign", before: { role: "user" }, after: { role: "volunteer" } }),
    ]);
  });

  it.each([
    ["a cursor that is not ours", "not-a-cursor"],
    ["a cursor with a time that is not one", encodeCursor(["garbage", 1])],
    ["a cursor with a negative id", encodeCursor(["2026-01-01 00:00:00", -1])],
  ])("rejects %s with 400", async (_label, cursor) => {
    const res = await list(`?cursor=${encodeURIComponent(cursor)}`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "query.cursor" })]);
  });

  it.each([
    ["actorId", "abc"],
    ["actorId", "0"],
    ["from", "2031-13-01"],
    ["to", "yesterday"],
    ["action", "a".repeat(65)],
    ["objectId", "x\u0000"],
    ["limit", "101"],
  ])("rejects %s=%s with 400 naming it", async (name, value) => {
    const res = await list(`?${name}=${encodeURIComponent(value)}`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: `query.${name}` })]);
  });
});

describe("GET /api/admin/audit: security", () => {
  it("refuses an anonymous caller (401) and a level-4 dancer (403), and reading writes nothing", async () => {
    const before = await auditCount(t.db);
    expect((await t.api.get("/api/admin/audit")).status).toBe(401);
    const community = await signedIn(t, { role: "community" });
    const res = await list("", community.token);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("insufficient_role");
    expect((await list("")).status).toBe(200);
    expect(await auditCount(t.db)).toBe(before);
  });
});

describe("database round trips", () => {
  it("answers a filtered page in one round trip", async () => {
    expect(await roundTrips(() => list(`?limit=5&actorId=${admin.user.id}&from=2030-01-01`))).toEqual({ status: 200, trips: 1 });
  });
});
