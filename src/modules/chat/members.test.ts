import { eq } from "drizzle-orm";
import { roundTrips } from "../../../test/roundtrips";
import { describe, expect, it } from "vitest";
import { blockedUsers, chatMessages, chatRoomUsers, chatRooms } from "../../../drizzle/schema";
import { signedIn, tokenFor } from "../../../test/auth";
import { createChatRoom, createDirectRoom, createEvent, createUser, rsvp, sendChatMessage } from "../../../test/factories";
import { type ApiResponse, useSharedDatabase } from "../../../test/harness";
import { encodeCursor } from "../../lib/pagination";

const t = useSharedDatabase();

type User = Awaited<ReturnType<typeof createUser>>;
type Added = { added: number[]; memberCount: number };

async function members(roomId: number) {
  const rows = await t.db.select().from(chatRoomUsers).where(eq(chatRoomUsers.chatRoomId, roomId)).orderBy(chatRoomUsers.userId);
  return rows.map((r) => [r.userId, r.role] as [number, string]);
}

async function memberCount(roomId: number) {
  const [row] = await t.db.select({ memberCount: chatRooms.memberCount }).from(chatRooms).where(eq(chatRooms.id, roomId));
  return row?.memberCount;
}

/** The stored count agrees with the rows (and the room exists, or neither does). */
async function expectExactCount(roomId: number) {
  const rows = await members(roomId);
  const count = await memberCount(roomId);
  expect(count ?? 0).toBe(rows.length);
  return rows.length;
}

/** A group room of `n` dancers (the first its admin unless `admins` says otherwise), with a token each. */
async function groupOf(n: number, options: { admins?: number } = {}) {
  const people = await Promise.all(Array.from({ length: n }, () => signedIn(t)));
  const ids = people.map((p) => p.user.id);
  const room = await createChatRoom(t.db, { members: ids, admins: ids.slice(0, options.admins ?? 1) });
  return { room, people };
}

async function allMemberPages(roomId: number, token: string, limit: number) {
  const pages: { items: { id: number; role: string; joinedAt: string }[]; nextCursor: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const res = await t.api.get(`/api/chat/rooms/${roomId}/members?limit=${limit}${query}`, { token });
    expect(res.status).toBe(200);
    pages.push(res.body);
    cursor = res.body.nextCursor;
  } while (cursor);
  return pages;
}

describe("GET /api/chat/rooms/{id}/members", () => {
  it("lists members in the order they joined, with role and joinedAt, page by page without gaps or repeats", async () => {
    const { room, people } = await groupOf(5, { admins: 2 });
    await t.db.update(chatRoomUsers).set({ joinedAt: new Date("2026-01-02T03:04:05.678Z") }).where(eq(chatRoomUsers.chatRoomId, room.id));
    const pages = await allMemberPages(room.id, people[3]!.token, 2);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    const items = pages.flatMap((p) => p.items);
    expect(items.map((i) => i.id)).toEqual(people.map((p) => p.user.id));
    expect(items[0]).toEqual({
      id: people[0]!.user.id,
      username: people[0]!.user.username,
      name: people[0]!.user.name,
      profileImage: null,
      role: "admin",
      joinedAt: "2026-01-02T03:04:05.678Z",
    });
    expect(items.map((i) => i.role)).toEqual(["admin", "admin", "member", "member", "member"]);
  });

  it("leaves out dancers blocked either way and unusable accounts (a direct room shows both dancers)", async () => {
    const ana = await signedIn(t);
    const [blocker, blocked, suspended, fine] = await Promise.all([
      createUser(t.db),
      createUser(t.db),
      createUser(t.db, { suspended: true }),
      createUser(t.db),
    ]);
    const room = await createChatRoom(t.db, { members: [ana.user.id, blocker.id, blocked.id, suspended.id, fine.id] });
    await t.db.insert(blockedUsers).values([
      { blockerId: blocker.id, blockedId: ana.user.id },
      { blockerId: ana.user.id, blockedId: blocked.id },
    ]);
    const ids = (await allMemberPages(room.id, ana.token, 100))[0]!.items.map((i) => i.id);
    expect(ids).toEqual([ana.user.id, fine.id]);
    const direct = await createDirectRoom(t.db, ana.user.id, blocked.id);
    expect((await allMemberPages(direct.id, ana.token, 100))[0]!.items.map((i) => i.id)).toEqual([ana.user.id, blocked.id]);
  });

  it("is 404 for a room the caller is not in, and 400 for a bad cursor or limit", async () => {
    const { room } = await groupOf(1);
    const outsider = await signedIn(t);
    expect((await t.api.get(`/api/chat/rooms/${room.id}/members`, { token: outsider.token })).status).toBe(404);
    const member = await tokenFor(t, { id: room.createdBy!, role: "user" });
    for (const query of [`cursor=${encodeCursor(["x"])}`, "cursor=garbage", `cursor=${encodeCursor([0])}`, "limit=0", "limit=101"]) {
      const res = await t.api.get(`/api/chat/rooms/${room.id}/members?${query}`, { token: member });
      expect(res.status, query).toBe(400);
    }
  });
});

describe("POST /api/chat/rooms/{id}/members", () => {
  it("lets an admin add dancers, idempotently, with an exact count and nothing unread for newcomers", async () => {
    const { room, people } = await groupOf(2);
    await sendChatMessage(t.db, room.id, people[1]!.user.id, "hola");
    await t.db.update(chatRooms).set({ lastMessageSeq: 1 }).where(eq(chatRooms.id, room.id));
    const [carla, diego] = await Promise.all([createUser(t.db), createUser(t.db)]);
    const res = await t.api.post(`/api/chat/rooms/${room.id}/members`, {
      token: people[0]!.token,
      json: { userIds: [diego.id, carla.id, people[1]!.user.id] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ added: [carla.id, diego.id].sort((a, b) => a - b), memberCount: 4 });
    const again = await t.api.post(`/api/chat/rooms/${room.id}/members`, { token: people[0]!.token, json: { userIds: [carla.id] } });
    expect(again.body).toEqual({ added: [], memberCount: 4 });
    expect(await expectExactCount(room.id)).toBe(4);
    const carlas = await t.api.get(`/api/chat/rooms/${room.id}`, { token: await tokenFor(t, carla) });
    expect(carlas.body).toMatchObject({ role: "member", unreadCount: 0 });
  });

  it("changes nothing when asked to add no one, but still only for the room's admins", async () => {
    const { room, people } = await groupOf(2);
    const res = await t.api.post(`/api/chat/rooms/${room.id}/members`, { token: people[0]!.token, json: { userIds: [] } });
    expect([res.status, res.body]).toEqual([200, { added: [], memberCount: 2 }]);
    const member = await t.api.post(`/api/chat/rooms/${room.id}/members`, { token: people[1]!.token, json: { userIds: [] } });
    expect(member.status).toBe(403);
  });

  it("names unknown, suspended and blocked dancers (400 unknown_user) and adds no one", async () => {
    const { room, people } = await groupOf(1);
    const [fine, suspended, blocker] = await Promise.all([createUser(t.db), createUser(t.db, { suspended: true }), createUser(t.db)]);
    await t.db.insert(blockedUsers).values({ blockerId: blocker.id, blockedId: people[0]!.user.id });
    const res = await t.api.post(`/api/chat/rooms/${room.id}/members`, {
      token: people[0]!.token,
      json: { userIds: [fine.id, suspended.id, blocker.id, 2_147_483_600] },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("unknown_user");
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(["body.userIds.1", "body.userIds.2", "body.userIds.3"]);
    expect(await expectExactCount(room.id)).toBe(1);
  });

  it("refuses members who are not admins (403), direct (400 direct_room) and event rooms (400 event_room), and outsiders (404)", async () => {
    const { room, people } = await groupOf(2);
    const newcomer = await createUser(t.db);
    const member = await t.api.post(`/api/chat/rooms/${room.id}/members`, { token: people[1]!.token, json: { userIds: [newcomer.id] } });
    expect(member.status).toBe(403);
    expect(member.body.code).toBe("not_room_admin");
    const direct = await createDirectRoom(t.db, people[0]!.user.id, people[1]!.user.id);
    const directRes = await t.api.post(`/api/chat/rooms/${direct.id}/members`, { token: people[0]!.token, json: { userIds: [newcomer.id] } });
    expect(directRes.body.code).toBe("direct_room");
    const event = await createEvent(t.db, { userId: people[0]!.user.id });
    const eventRoom = await createChatRoom(t.db, { type: "event", eventId: event.id, members: [people[0]!.user.id] });
    const eventRes = await t.api.post(`/api/chat/rooms/${eventRoom.id}/members`, { token: people[0]!.token, json: { userIds: [newcomer.id] } });
    expect([eventRes.status, eventRes.body.code]).toEqual([400, "event_room"]);
    const outsider = await signedIn(t);
    expect((await t.api.post(`/api/chat/rooms/${room.id}/members`, { token: outsider.token, json: { userIds: [newcomer.id] } })).status).toBe(404);
    expect(await expectExactCount(room.id)).toBe(2);
  });

  it("counts exactly when admins add at once: ten different dancers, and the same three five times", async () => {
    const { room, people } = await groupOf(2, { admins: 2 });
    const newcomers = await Promise.all(Array.from({ length: 10 }, () => createUser(t.db)));
    const results = await Promise.all(
      newcomers.map((n, i) => t.api.post<Added>(`/api/chat/rooms/${room.id}/members`, { token: people[i % 2]!.token, json: { userIds: [n.id] } })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(results.map((r) => r.body.added).flat().sort()).toEqual(newcomers.map((n) => n.id).sort());
    expect(await expectExactCount(room.id)).toBe(12);
    const same = newcomers.slice(0, 3).map((n) => n.id);
    const three = await Promise.all(Array.from({ length: 3 }, () => createUser(t.db)));
    const repeats = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        t.api.post<Added>(`/api/chat/rooms/${room.id}/members`, { token: people[i % 2]!.token, json: { userIds: [...same, ...three.map((x) => x.id)] } }),
      ),
    );
    expect(repeats.map((r) => r.body.added.length).sort()).toEqual([0, 0, 0, 0, 3]);
    expect(await expectExactCount(room.id)).toBe(15);
  });

  it("adds a dancer who blocks the admin at the same moment either before the block or not at all", async () => {
    for (let round = 0; round < 4; round++) {
      const { room, people } = await groupOf(1);
      const dancer = await signedIn(t);
      const [add, block] = await Promise.all([
        t.api.post(`/api/chat/rooms/${room.id}/members`, { token: people[0]!.token, json: { userIds: [dancer.user.id] } }),
        t.api.post(`/api/users/${people[0]!.user.id}/block`, { token: dancer.token }),
      ]);
      expect(block.status).toBe(204);
      expect([add.status, add.status === 400 ? add.body.code : "added"]).toEqual(add.status === 200 ? [200, "added"] : [400, "unknown_user"]);
      expect(await expectExactCount(room.id)).toBe(add.status === 200 ? 2 : 1);
    }
  });

  it.each([
    ["no list", {}],
    ["a dancer twice", { userIds: [3, 3] }],
    ["101 dancers", { userIds: Array.from({ length: 101 }, (_, i) => i + 1) }],
    ["ids that are text", { userIds: ["3"] }],
  ])("refuses %s with 400", async (_label, json) => {
    const { room, people } = await groupOf(1);
    const res = await t.api.post(`/api/chat/rooms/${room.id}/members`, { token: people[0]!.token, json });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toMatch(/^body\.userIds/);
  });
});

describe("DELETE /api/chat/rooms/{id}/members/{userId} and POST /api/chat/rooms/{id}/leave", () => {
  it("lets an admin remove a member, and anyone leave", async () => {
    const { room, people } = await groupOf(4);
    expect((await t.api.delete(`/api/chat/rooms/${room.id}/members/${people[1]!.user.id}`, { token: people[0]!.token })).status).toBe(204);
    expect((await t.api.post(`/api/chat/rooms/${room.id}/leave`, { token: people[2]!.token })).status).toBe(204);
    expect((await t.api.delete(`/api/chat/rooms/${room.id}/members/${people[3]!.user.id}`, { token: people[3]!.token })).status).toBe(204);
    expect(await members(room.id)).toEqual([[people[0]!.user.id, "admin"]]);
    expect(await expectExactCount(room.id)).toBe(1);
    expect((await t.api.get(`/api/chat/rooms/${room.id}`, { token: people[1]!.token })).status).toBe(404);
  });

  it("refuses a member removing another (403), no such member (404), and direct rooms (400)", async () => {
    const { room, people } = await groupOf(3);
    const other = await t.api.delete(`/api/chat/rooms/${room.id}/members/${people[2]!.user.id}`, { token: people[1]!.token });
    expect([other.status, other.body.code]).toEqual([403, "not_room_admin"]);
    const stranger = await createUser(t.db);
    const none = await t.api.delete(`/api/chat/rooms/${room.id}/members/${stranger.id}`, { token: people[0]!.token });
    expect(none.status).toBe(404);
    const direct = await createDirectRoom(t.db, people[0]!.user.id, people[1]!.user.id);
    for (const res of [
      await t.api.post(`/api/chat/rooms/${direct.id}/leave`, { token: people[0]!.token }),
      await t.api.delete(`/api/chat/rooms/${direct.id}/members/${people[1]!.user.id}`, { token: people[0]!.token }),
    ]) {
      expect([res.status, res.body.code]).toEqual([400, "direct_room"]);
    }
    const outsider = await signedIn(t);
    expect((await t.api.post(`/api/chat/rooms/${room.id}/leave`, { token: outsider.token })).status).toBe(404);
    expect(await expectExactCount(room.id)).toBe(3);
    expect(await expectExactCount(direct.id)).toBe(2);
  });

  it("keeps the last admin while others remain (409 last_admin); the last member leaving deletes the room and its messages", async () => {
    const { room, people } = await groupOf(2);
    await sendChatMessage(t.db, room.id, people[0]!.user.id, "adiós");
    const refused = await t.api.post(`/api/chat/rooms/${room.id}/leave`, { token: people[0]!.token });
    expect([refused.status, refused.body.code]).toEqual([409, "last_admin"]);
    expect((await t.api.post(`/api/chat/rooms/${room.id}/leave`, { token: people[1]!.token })).status).toBe(204);
    expect((await t.api.post(`/api/chat/rooms/${room.id}/leave`, { token: people[0]!.token })).status).toBe(204);
    expect(await t.db.select().from(chatRooms).where(eq(chatRooms.id, room.id))).toEqual([]);
    expect(await t.db.select().from(chatMessages).where(eq(chatMessages.chatRoomId, room.id))).toEqual([]);
  });

  it("an admin may remove another admin; the one left stays admin", async () => {
    const { room, people } = await groupOf(3, { admins: 2 });
    expect((await t.api.delete(`/api/chat/rooms/${room.id}/members/${people[1]!.user.id}`, { token: people[0]!.token })).status).toBe(204);
    expect(await members(room.id)).toEqual(
      [
        [people[0]!.user.id, "admin"],
        [people[2]!.user.id, "member"],
      ].sort((a, b) => Number(a[0]) - Number(b[0])),
    );
  });

  it("never leaves a room without an admin when its last two admins leave at once", async () => {
    for (let round = 0; round < 3; round++) {
      const { room, people } = await groupOf(3, { admins: 2 });
      const results = await Promise.all([
        t.api.post(`/api/chat/rooms/${room.id}/leave`, { token: people[0]!.token }),
        t.api.post(`/api/chat/rooms/${room.id}/leave`, { token: people[1]!.token }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([204, 409]);
      const left = await members(room.id);
      expect(left.filter(([, role]) => role === "admin")).toHaveLength(1);
      expect(await expectExactCount(room.id)).toBe(2);
    }
  });

  it("deletes the room once when all its members leave at once, and counts exactly meanwhile", async () => {
    const { room, people } = await groupOf(6, { admins: 6 });
    const results = await Promise.all(people.map((p) => t.api.post(`/api/chat/rooms/${room.id}/leave`, { token: p.token })));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(204));
    expect(await t.db.select().from(chatRooms).where(eq(chatRooms.id, room.id))).toEqual([]);
  });

  it("counts exactly when adds race removals", async () => {
    const { room, people } = await groupOf(6, { admins: 1 });
    const newcomers = await Promise.all(Array.from({ length: 5 }, () => createUser(t.db)));
    const admin = people[0]!.token;
    await Promise.all([
      ...newcomers.map((n) => t.api.post(`/api/chat/rooms/${room.id}/members`, { token: admin, json: { userIds: [n.id] } })),
      ...people.slice(1).map((p) => t.api.post(`/api/chat/rooms/${room.id}/leave`, { token: p.token })),
    ]);
    expect(await expectExactCount(room.id)).toBe(6);
  });

  it("refuses an add by an admin removed meanwhile, whichever comes first", async () => {
    const { room, people } = await groupOf(3, { admins: 2 });
    const newcomer = await createUser(t.db);
    const [removal, add] = await Promise.all([
      t.api.delete(`/api/chat/rooms/${room.id}/members/${people[1]!.user.id}`, { token: people[0]!.token }),
      t.api.post(`/api/chat/rooms/${room.id}/members`, { token: people[1]!.token, json: { userIds: [newcomer.id] } }),
    ]);
    expect(removal.status).toBe(204);
    expect([200, 404]).toContain(add.status);
    const count = await expectExactCount(room.id);
    expect(count).toBe(add.status === 200 ? 3 : 2);
  });
});

describe("PUT /api/chat/rooms/{id}/members/{userId}/role", () => {
  it("lets an admin promote a member and step down once another admin exists", async () => {
    const { room, people } = await groupOf(3);
    const promoted = await t.api.put(`/api/chat/rooms/${room.id}/members/${people[1]!.user.id}/role`, { token: people[0]!.token, json: { role: "admin" } });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ id: people[1]!.user.id, username: people[1]!.user.username, role: "admin", joinedAt: expect.any(String) });
    const down = await t.api.put(`/api/chat/rooms/${room.id}/members/${people[0]!.user.id}/role`, { token: people[0]!.token, json: { role: "member" } });
    expect(down.body.role).toBe("member");
    expect(await members(room.id)).toEqual(
      [
        [people[0]!.user.id, "member"],
        [people[1]!.user.id, "admin"],
        [people[2]!.user.id, "member"],
      ].sort((a, b) => Number(a[0]) - Number(b[0])),
    );
  });

  it("refuses the last admin stepping down (409), members (403), direct rooms (400), and no such member (404)", async () => {
    const { room, people } = await groupOf(2);
    const last = await t.api.put(`/api/chat/rooms/${room.id}/members/${people[0]!.user.id}/role`, { token: people[0]!.token, json: { role: "member" } });
    expect([last.status, last.body.code]).toEqual([409, "last_admin"]);
    const member = await t.api.put(`/api/chat/rooms/${room.id}/members/${people[1]!.user.id}/role`, { token: people[1]!.token, json: { role: "admin" } });
    expect([member.status, member.body.code]).toEqual([403, "not_room_admin"]);
    const direct = await createDirectRoom(t.db, people[0]!.user.id, people[1]!.user.id);
    const directRes = await t.api.put(`/api/chat/rooms/${direct.id}/members/${people[1]!.user.id}/role`, { token: people[0]!.token, json: { role: "admin" } });
    expect(directRes.body.code).toBe("direct_room");
    const stranger = await createUser(t.db);
    const none = await t.api.put(`/api/chat/rooms/${room.id}/members/${stranger.id}/role`, { token: people[0]!.token, json: { role: "admin" } });
    expect(none.status).toBe(404);
    const bad = await t.api.put(`/api/chat/rooms/${room.id}/members/${people[1]!.user.id}/role`, { token: people[0]!.token, json: { role: "owner" } });
    expect(bad.status).toBe(400);
    expect(await members(room.id)).toEqual(
      [
        [people[0]!.user.id, "admin"],
        [people[1]!.user.id, "member"],
      ].sort((a, b) => Number(a[0]) - Number(b[0])),
    );
  });

  it("never leaves a room without an admin when its last two admins step down, or one steps down as the other leaves, at once", async () => {
    for (let round = 0; round < 3; round++) {
      const { room, people } = await groupOf(3, { admins: 2 });
      const [a, b] = people;
      const results = await Promise.all([
        t.api.put(`/api/chat/rooms/${room.id}/members/${a!.user.id}/role`, { token: a!.token, json: { role: "member" } }),
        round === 0
          ? t.api.put(`/api/chat/rooms/${room.id}/members/${b!.user.id}/role`, { token: b!.token, json: { role: "member" } })
          : t.api.post(`/api/chat/rooms/${room.id}/leave`, { token: b!.token }),
      ]);
      expect(results.map((r) => r.status).filter((s) => s === 409)).toHaveLength(1);
      expect((await members(room.id)).filter(([, role]) => role === "admin")).toHaveLength(1);
      await expectExactCount(room.id);
    }
  });
});

describe("POST /api/chat/rooms/{id}/join", () => {
  async function eventRoom() {
    const organizer = await signedIn(t);
    const event = await createEvent(t.db, { userId: organizer.user.id });
    const opened = await t.api.post("/api/chat/rooms", { token: organizer.token, json: { type: "event", eventId: event.id } });
    expect(opened.status).toBe(201);
    return { organizer, event, roomId: opened.body.id as number };
  }

  it("seats a dancer who goes later, once however often they join, with an exact count", async () => {
    const { event, roomId } = await eventRoom();
    const dancer = await signedIn(t);
    await rsvp(t.db, event.id, dancer.user.id, "going");
    const results = await Promise.all(Array.from({ length: 4 }, () => t.api.post(`/api/chat/rooms/${roomId}/join`, { token: dancer.token })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(results[0]!.body).toMatchObject({ id: roomId, role: "member", memberCount: 2, unreadCount: 0, type: "event" });
    expect(await expectExactCount(roomId)).toBe(2);
  });

  it("refuses dancers not going, and rooms that are not event rooms, with 404", async () => {
    const { event, roomId } = await eventRoom();
    const [interested, stranger] = await Promise.all([signedIn(t), signedIn(t)]);
    await rsvp(t.db, event.id, interested.user.id, "interested");
    for (const caller of [interested, stranger]) {
      expect((await t.api.post(`/api/chat/rooms/${roomId}/join`, { token: caller.token })).status).toBe(404);
    }
    const { room } = await groupOf(1);
    expect((await t.api.post(`/api/chat/rooms/${room.id}/join`, { token: stranger.token })).status).toBe(404);
    expect(await expectExactCount(roomId)).toBe(1);
  });

  it("answers a member their room as it is, in any room", async () => {
    const { room, people } = await groupOf(2);
    const res = await t.api.post(`/api/chat/rooms/${room.id}/join`, { token: people[1]!.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: room.id, role: "member", memberCount: 2 });
  });

  it("refuses a dancer going whom the organizer blocked (the event is hidden from them)", async () => {
    const { organizer, event, roomId } = await eventRoom();
    const dancer = await signedIn(t);
    await rsvp(t.db, event.id, dancer.user.id, "going");
    await t.db.insert(blockedUsers).values({ blockerId: organizer.user.id, blockedId: dancer.user.id });
    expect((await t.api.post(`/api/chat/rooms/${roomId}/join`, { token: dancer.token })).status).toBe(404);
  });
});

describe("chat members: security", () => {
  it("is 401 without a token on every route", async () => {
    const { room, people } = await groupOf(2);
    const target = people[1]!.user.id;
    for (const res of await Promise.all([
      t.api.get(`/api/chat/rooms/${room.id}/members`),
      t.api.post(`/api/chat/rooms/${room.id}/members`, { json: { userIds: [1] } }),
      t.api.delete(`/api/chat/rooms/${room.id}/members/${target}`),
      t.api.put(`/api/chat/rooms/${room.id}/members/${target}/role`, { json: { role: "admin" } }),
      t.api.post(`/api/chat/rooms/${room.id}/leave`),
      t.api.post(`/api/chat/rooms/${room.id}/join`),
    ])) {
      expect(res.status).toBe(401);
    }
    expect(await expectExactCount(room.id)).toBe(2);
  });

  it("lets an outsider change nothing of a room (404 everywhere)", async () => {
    const { room, people } = await groupOf(2);
    const outsider = await signedIn(t);
    const target = people[1]!.user.id;
    for (const res of [
      await t.api.post(`/api/chat/rooms/${room.id}/members`, { token: outsider.token, json: { userIds: [outsider.user.id] } }),
      await t.api.delete(`/api/chat/rooms/${room.id}/members/${target}`, { token: outsider.token }),
      await t.api.put(`/api/chat/rooms/${room.id}/members/${outsider.user.id}/role`, { token: outsider.token, json: { role: "admin" } }),
      await t.api.put(`/api/chat/rooms/${room.id}/members/${target}/role`, { token: outsider.token, json: { role: "admin" } }),
    ]) {
      expect(res.status).toBe(404);
    }
    expect(await members(room.id)).toEqual(
      [
        [people[0]!.user.id, "admin"],
        [people[1]!.user.id, "member"],
      ].sort((a, b) => Number(a[0]) - Number(b[0])),
    );
  });
});

describe("database round trips per members request", () => {

  it("answers each members route in one round trip (a batch of two statements for changes)", async () => {
    const { room, people } = await groupOf(3);
    const newcomer: User = await createUser(t.db);
    const token = people[0]!.token;
    const organizer = await signedIn(t);
    const event = await createEvent(t.db, { userId: organizer.user.id });
    const eventRoom = (await t.api.post("/api/chat/rooms", { token: organizer.token, json: { type: "event", eventId: event.id } })).body.id;
    await rsvp(t.db, event.id, people[1]!.user.id, "going");
    const calls: [string, () => Promise<ApiResponse>, number][] = [
      ["members", () => t.api.get(`/api/chat/rooms/${room.id}/members`, { token }), 200],
      ["add", () => t.api.post(`/api/chat/rooms/${room.id}/members`, { token, json: { userIds: [newcomer.id] } }), 200],
      ["role", () => t.api.put(`/api/chat/rooms/${room.id}/members/${newcomer.id}/role`, { token, json: { role: "admin" } }), 200],
      ["remove", () => t.api.delete(`/api/chat/rooms/${room.id}/members/${people[2]!.user.id}`, { token }), 204],
      ["leave", () => t.api.post(`/api/chat/rooms/${room.id}/leave`, { token }), 204],
      ["join", () => t.api.post(`/api/chat/rooms/${eventRoom}/join`, { token: people[1]!.token }), 200],
    ];
    for (const [label, call, status] of calls) expect(await roundTrips(call), label).toEqual({ status, trips: 1 });
  });
});
