import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, notifications } from "../../../drizzle/schema";
import { signedIn, tokenFor } from "../../../test/auth";
import { createNotification, createUser } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { notify } from "./index";

const t = await useTestDatabase();
const MINUTE = 60_000;

/** A recipient with `n` notifications from one actor, oldest first, one minute apart. */
async function inbox(n: number) {
  const me = await signedIn(t);
  const actor = await createUser(t.db, { profileImage: "https://img.test/a.jpg" });
  const base = Date.now() - n * MINUTE;
  const rows = [];
  for (let i = 0; i < n; i++) {
    const at = new Date(base + i * MINUTE);
    rows.push(await createNotification(t.db, { userId: me.user.id, actorId: actor.id, subjectType: "post", subjectId: i, createdAt: at, updatedAt: at }));
  }
  return { ...me, actor, rows };
}

describe("notifications (happy path)", () => {
  it("lists the caller's notifications, newest activity first, with the actor as a card", async () => {
    const { token, actor, rows } = await inbox(2);
    const res = await t.api.get("/api/notifications", { token });
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items.map((n: { id: number }) => n.id)).toEqual([rows[1]!.id, rows[0]!.id]);
    expect(res.body.items[0]).toEqual({
      id: rows[1]!.id,
      type: "post_like",
      actor: { id: actor.id, username: actor.username, name: actor.name, profileImage: "https://img.test/a.jpg" },
      subjectType: "post",
      subjectId: 1,
      data: {},
      count: 1,
      isRead: false,
      readAt: null,
      createdAt: rows[1]!.createdAt.toISOString(),
      updatedAt: rows[1]!.updatedAt.toISOString(),
    });
  });

  it("pages with limit and nextCursor, without duplicates or gaps, also across equal timestamps", async () => {
    const { token, rows } = await inbox(5);
    const sameTime = rows[4]!.updatedAt;
    await t.db.update(notifications).set({ updatedAt: sameTime }).where(eq(notifications.id, rows[3]!.id));
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const res = await t.api.get(`/api/notifications?limit=2${query}`, { token });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((n: { id: number }) => n.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([rows[4]!.id, rows[3]!.id, rows[2]!.id, rows[1]!.id, rows[0]!.id]);
  });

  it("filters unread ones and counts them; marking one read is idempotent", async () => {
    const { token, rows } = await inbox(3);
    expect((await t.api.get("/api/notifications/unread-count", { token })).body).toEqual({ count: 3 });
    const first = await t.api.post(`/api/notifications/${rows[1]!.id}/read`, { token });
    const again = await t.api.post(`/api/notifications/${rows[1]!.id}/read`, { token });
    expect([first.status, again.status]).toEqual([204, 204]);
    const unread = await t.api.get("/api/notifications?unreadOnly=true", { token });
    expect(unread.body.items.map((n: { id: number }) => n.id)).toEqual([rows[2]!.id, rows[0]!.id]);
    expect((await t.api.get("/api/notifications/unread-count", { token })).body).toEqual({ count: 2 });
    const all = await t.api.get("/api/notifications?unreadOnly=false", { token });
    const read = all.body.items.find((n: { id: number }) => n.id === rows[1]!.id);
    expect(read).toMatchObject({ isRead: true, readAt: expect.stringMatching(/Z$/) });
  });

  it("marks everything read and says how many changed", async () => {
    const { token } = await inbox(3);
    expect((await t.api.post("/api/notifications/read-all", { token })).body).toEqual({ updated: 3 });
    expect((await t.api.post("/api/notifications/read-all", { token })).body).toEqual({ updated: 0 });
    expect((await t.api.get("/api/notifications/unread-count", { token })).body).toEqual({ count: 0 });
  });

  it("shows a repeat while unread as one notification, and a repeat after reading as a new one", async () => {
    const { user, token } = await signedIn(t);
    const fan = await createUser(t.db);
    const like = () => notify(t.db, { to: [user.id], type: "post_like", actorId: fan.id, subjectType: "post", subjectId: 9 });
    await like();
    await like();
    const folded = await t.api.get("/api/notifications", { token });
    expect(folded.body.items.map((n: { count: number }) => n.count)).toEqual([2]);
    await t.api.post(`/api/notifications/${folded.body.items[0].id}/read`, { token });
    await like();
    const after = await t.api.get("/api/notifications", { token });
    expect(after.body.items.map((n: { count: number; isRead: boolean }) => [n.count, n.isRead])).toEqual([[1, false], [2, true]]);
  });
  it("documents its routes in the OpenAPI document", async () => {
    const doc = (await t.api.get("/openapi.json")).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/notifications", "/api/notifications/unread-count", "/api/notifications/{id}/read", "/api/notifications/read-all"]),
    );
    expect(doc.paths["/api/notifications"].get.parameters.map((p: { name: string }) => p.name)).toContain("unreadOnly");
    expect(doc.components.schemas.Notification).toBeDefined();
  });
});

describe("notifications (errors)", () => {
  it("refuses a cursor that is not one of ours", async () => {
    const { token } = await signedIn(t);
    const res = await t.api.get("/api/notifications?cursor=not-a-cursor", { token });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "invalid_cursor" });
  });

  it.each(["limit=0", "limit=101", "limit=abc", "unreadOnly=maybe"])("refuses ?%s", async (query) => {
    const { token } = await signedIn(t);
    const res = await t.api.get(`/api/notifications?${query}`, { token });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "validation_failed" });
  });

  it.each(["abc", "0", "-1", "1.5", "99999999999"])("refuses the id %j", async (id) => {
    const { token } = await signedIn(t);
    const res = await t.api.post(`/api/notifications/${id}/read`, { token });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe("path.id");
  });

  it("answers 404 for an unknown id", async () => {
    const { token } = await signedIn(t);
    const res = await t.api.post("/api/notifications/2000000000/read", { token });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: "not_found" });
  });
});

describe("notifications (security)", () => {
  it.each([
    ["GET", "/api/notifications"],
    ["GET", "/api/notifications/unread-count"],
    ["POST", "/api/notifications/1/read"],
    ["POST", "/api/notifications/read-all"],
  ])("%s %s is 401 for anonymous callers", async (method, path) => {
    const res = await t.api.request(method, path);
    expect(res.status).toBe(401);
  });

  it("keeps each user's notifications their own: list, count, read and read-all", async () => {
    const mine = await inbox(2);
    const other = await signedIn(t);
    expect((await t.api.get("/api/notifications", { token: other.token })).body.items).toEqual([]);
    expect((await t.api.get("/api/notifications/unread-count", { token: other.token })).body).toEqual({ count: 0 });
    const res = await t.api.post(`/api/notifications/${mine.rows[0]!.id}/read`, { token: other.token });
    expect(res.status).toBe(404);
    expect((await t.api.post("/api/notifications/read-all", { token: other.token })).body).toEqual({ updated: 0 });
    expect((await t.api.get("/api/notifications/unread-count", { token: mine.token })).body).toEqual({ count: 2 });
  });

  it.each(["the recipient", "the actor"])("hides notifications across a block made by %s", async (blocker) => {
    const { user, token, actor, rows } = await inbox(1);
    const system = await createNotification(t.db, { userId: user.id, type: "role_changed" });
    const [blockerId, blockedId] = blocker === "the recipient" ? [user.id, actor.id] : [actor.id, user.id];
    await t.db.insert(blockedUsers).values({ blockerId, blockedId });
    expect((await t.api.get("/api/notifications", { token })).body.items.map((n: { id: number }) => n.id)).toEqual([system.id]);
    expect((await t.api.get("/api/notifications/unread-count", { token })).body).toEqual({ count: 1 });
    expect((await t.api.post(`/api/notifications/${rows[0]!.id}/read`, { token })).status).toBe(404);
    expect((await t.api.post("/api/notifications/read-all", { token })).body).toEqual({ updated: 1 });
  });

  it("does not accept a token of a user for another user's id in the path", async () => {
    const { rows } = await inbox(1);
    const intruder = await createUser(t.db, { role: "admin" });
    const res = await t.api.post(`/api/notifications/${rows[0]!.id}/read`, { token: await tokenFor(t, intruder) });
    expect(res.status).toBe(404);
    const [row] = await t.db.select().from(notifications).where(eq(notifications.id, rows[0]!.id));
    expect(row!.isRead).toBe(false);
  });
});
