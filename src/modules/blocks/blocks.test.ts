import { type AnyColumn, and, eq, or } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, follows, friendRequests, friendships } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { befriend, createUser, follow } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { encodeCursor } from "../../lib/pagination";

const t = await useTestDatabase();

async function blocksOf(blockerId: number) {
  return t.db.select().from(blockedUsers).where(eq(blockedUsers.blockerId, blockerId));
}

/** Every page of the caller's block list, following nextCursor. */
async function allPages(token: string, limit: number) {
  const pages: { items: { id: number }[]; nextCursor: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const res = await t.api.get(`/api/users/me/blocks?limit=${limit}${query}`, { token });
    expect(res.status).toBe(200);
    pages.push(res.body);
    cursor = res.body.nextCursor;
  } while (cursor);
  return pages;
}

describe("POST and DELETE /api/users/{id}/block: happy paths", () => {
  it("blocks (204), and blocking again changes nothing", async () => {
    const { user, token } = await signedIn(t);
    const other = await createUser(t.db);
    expect((await t.api.post(`/api/users/${other.id}/block`, { token })).status).toBe(204);
    expect((await t.api.post(`/api/users/${other.id}/block`, { token })).status).toBe(204);
    expect(await blocksOf(user.id)).toEqual([expect.objectContaining({ blockedId: other.id })]);
  });

  it("cuts every tie between the two, and only theirs", async () => {
    const { user: ana, token } = await signedIn(t);
    const [bruno, carla] = await Promise.all([createUser(t.db), createUser(t.db)]);
    await Promise.all([follow(t.db, ana.id, bruno.id), follow(t.db, bruno.id, ana.id), follow(t.db, ana.id, carla.id)]);
    await befriend(t.db, ana.id, bruno.id);
    await befriend(t.db, ana.id, carla.id);
    await t.db.insert(friendRequests).values([
      { senderId: bruno.id, receiverId: ana.id },
      { senderId: ana.id, receiverId: bruno.id },
      { senderId: carla.id, receiverId: ana.id },
    ]);

    expect((await t.api.post(`/api/users/${bruno.id}/block`, { token })).status).toBe(204);

    const between = (a: AnyColumn, b: AnyColumn) =>
      or(and(eq(a, ana.id), eq(b, bruno.id)), and(eq(a, bruno.id), eq(b, ana.id)));
    expect(await t.db.select().from(follows).where(between(follows.followerId, follows.followingId))).toEqual([]);
    expect(await t.db.select().from(friendships).where(between(friendships.userId, friendships.friendId))).toEqual([]);
    const requests = await t.db.select().from(friendRequests).where(between(friendRequests.senderId, friendRequests.receiverId));
    expect(requests.map((r) => r.status)).toEqual(["cancelled", "cancelled"]);
    expect(requests.every((r) => r.respondedAt !== null)).toBe(true);

    expect(await t.db.select().from(follows).where(eq(follows.followingId, carla.id))).toHaveLength(1);
    expect(await t.db.select().from(friendships).where(or(eq(friendships.userId, carla.id), eq(friendships.friendId, carla.id)))).toHaveLength(2);
    const [carlas] = await t.db.select().from(friendRequests).where(eq(friendRequests.senderId, carla.id));
    expect(carlas!.status).toBe("pending");
  });

  it("stores one block however many times it is sent at once", async () => {
    const { user, token } = await signedIn(t);
    const other = await createUser(t.db);
    const results = await Promise.all(Array.from({ length: 6 }, () => t.api.post(`/api/users/${other.id}/block`, { token })));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(204));
    expect(await blocksOf(user.id)).toHaveLength(1);
  });

  it("lets two users block each other at the same moment", async () => {
    const ana = await signedIn(t);
    const bruno = await signedIn(t);
    await Promise.all([follow(t.db, ana.user.id, bruno.user.id), follow(t.db, bruno.user.id, ana.user.id)]);
    await befriend(t.db, ana.user.id, bruno.user.id);
    const results = await Promise.all([
      t.api.post(`/api/users/${bruno.user.id}/block`, { token: ana.token }),
      t.api.post(`/api/users/${ana.user.id}/block`, { token: bruno.token }),
    ]);
    expect(results.map((r) => r.status)).toEqual([204, 204]);
    expect([...(await blocksOf(ana.user.id)), ...(await blocksOf(bruno.user.id))]).toHaveLength(2);
    expect(await t.db.select().from(friendships).where(eq(friendships.userId, ana.user.id))).toEqual([]);
  });

  it("unblocks (204), idempotently, and the two see each other again", async () => {
    const ana = await signedIn(t);
    const bruno = await signedIn(t);
    await t.api.post(`/api/users/${bruno.user.id}/block`, { token: ana.token });
    expect((await t.api.get(`/api/users/${ana.user.id}`, { token: bruno.token })).status).toBe(404);
    expect((await t.api.delete(`/api/users/${bruno.user.id}/block`, { token: ana.token })).status).toBe(204);
    expect((await t.api.delete(`/api/users/${bruno.user.id}/block`, { token: ana.token })).status).toBe(204);
    expect(await blocksOf(ana.user.id)).toEqual([]);
    expect((await t.api.get(`/api/users/${ana.user.id}`, { token: bruno.token })).status).toBe(200);
  });
});

describe("GET /api/users/me/blocks", () => {
  it("lists blocked users as cards, newest first, page by page without gaps or repeats", async () => {
    const { user, token } = await signedIn(t);
    const others = await Promise.all(Array.from({ length: 5 }, () => createUser(t.db)));
    const tie = new Date("2026-02-01T20:00:00.123456Z");
    const times = [new Date("2026-01-01T20:00:00Z"), tie, tie, new Date("2026-03-01T20:00:00Z"), new Date("2026-01-15T20:00:00Z")];
    for (const [i, other] of others.entries()) {
      await t.db.insert(blockedUsers).values({ blockerId: user.id, blockedId: other.id, createdAt: times[i] });
    }
    const pages = await allPages(token, 2);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.at(-1)!.nextCursor).toBeNull();
    const ids = pages.flatMap((p) => p.items.map((item) => item.id));
    expect(ids).toEqual([others[3]!.id, others[2]!.id, others[1]!.id, others[4]!.id, others[0]!.id]);
    expect(pages[0]!.items[0]).toEqual({
      id: others[3]!.id,
      username: others[3]!.username,
      name: others[3]!.name,
      profileImage: null,
      blockedAt: "2026-03-01T20:00:00.000Z",
    });
    expect((await allPages(token, 100))[0]!.items).toHaveLength(5);
  });

  it.each([
    ["a cursor that is not ours", "not-a-cursor"],
    ["a cursor with a time that is not one", encodeCursor(["garbage", 1])],
    ["a cursor with an id out of range", encodeCursor(["2026-01-01 00:00:00", 1e12])],
  ])("rejects %s with 400", async (_label, cursor) => {
    const { token } = await signedIn(t);
    const res = await t.api.get(`/api/users/me/blocks?cursor=${encodeURIComponent(cursor)}`, { token });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "query.cursor" })]);
  });

  it.each(["0", "101", "ten"])("rejects limit=%s with 400", async (limit) => {
    const { token } = await signedIn(t);
    const res = await t.api.get(`/api/users/me/blocks?limit=${limit}`, { token });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "query.limit" })]);
  });
});

describe("blocks: errors", () => {
  it("refuses blocking yourself (400 cannot_block_self)", async () => {
    const { user, token } = await signedIn(t);
    const res = await t.api.post(`/api/users/${user.id}/block`, { token });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("cannot_block_self");
  });

  it("is 404 for an unknown user", async () => {
    const { token } = await signedIn(t);
    const res = await t.api.post("/api/users/2147483647/block", { token });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("not_found");
  });

  it.each(["abc", "99999999999", "-1", "1.5"])("rejects the id %s with 400", async (id) => {
    const { token } = await signedIn(t);
    for (const res of [
      await t.api.post(`/api/users/${id}/block`, { token }),
      await t.api.delete(`/api/users/${id}/block`, { token }),
    ]) {
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ path: "path.id" })]);
    }
  });
});

describe("blocks: security", () => {
  it("is 401 without a token on every route", async () => {
    const other = await createUser(t.db);
    expect((await t.api.post(`/api/users/${other.id}/block`)).status).toBe(401);
    expect((await t.api.delete(`/api/users/${other.id}/block`)).status).toBe(401);
    expect((await t.api.get("/api/users/me/blocks")).status).toBe(401);
  });

  it("shows each user only their own blocks, and lets no one lift another's block", async () => {
    const ana = await signedIn(t);
    const carla = await signedIn(t);
    const bruno = await createUser(t.db);
    await t.api.post(`/api/users/${bruno.id}/block`, { token: ana.token });
    expect((await t.api.get("/api/users/me/blocks", { token: carla.token })).body.items).toEqual([]);
    expect((await t.api.delete(`/api/users/${bruno.id}/block`, { token: carla.token })).status).toBe(204);
    expect(await blocksOf(ana.user.id)).toHaveLength(1);
    expect((await t.api.get("/api/users/me/blocks", { token: ana.token })).body.items.map((i: { id: number }) => i.id)).toEqual([bruno.id]);
  });
});

describe("OpenAPI", () => {
  it("documents the block routes", async () => {
    const { paths } = (await t.api.get("/openapi.json")).body;
    expect(Object.keys(paths["/api/users/{id}/block"]).sort()).toEqual(["delete", "post"]);
    expect(paths["/api/users/me/blocks"].get).toBeDefined();
  });
});
