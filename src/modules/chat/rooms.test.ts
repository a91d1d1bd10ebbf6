import { eq, sql } from "drizzle-orm";
import { roundTrips } from "../../../test/roundtrips";
import { describe, expect, it } from "vitest";
import { blockedUsers, chatRoomUsers, chatRooms, eventCoOrganizers, idempotencyKeys, userSettings, users } from "../../../drizzle/schema";
import { signedIn, tokenFor } from "../../../test/auth";
import {
  befriend,
  createChatRoom,
  createDirectRoom,
  createEvent,
  createUser,
  mediaUrl,
  rsvp,
  unique,
} from "../../../test/factories";
import { type ApiResponse, useSharedDatabase } from "../../../test/harness";
import { encodeCursor } from "../../lib/pagination";
import { ROOM_LIST_ORDER, roomListStatement } from "./rooms.service";

const t = useSharedDatabase();

type Room = {
  id: number;
  type: string;
  name: string | null;
  role: string;
  pinned: boolean;
  muted: boolean;
  memberCount: number;
  unreadCount: number;
  lastMessage: { id: number; userId: number | null; preview: string; createdAt: string } | null;
  members: { id: number }[];
  blocked: boolean;
};

async function roomRows(roomId: number) {
  return t.db.select().from(chatRoomUsers).where(eq(chatRoomUsers.chatRoomId, roomId)).orderBy(chatRoomUsers.userId);
}

async function roomRow(roomId: number) {
  const [row] = await t.db.select().from(chatRooms).where(eq(chatRooms.id, roomId));
  return row;
}

async function setPermission(userId: number, messagePermission: "everyone" | "friends" | "nobody") {
  await t.db
    .insert(userSettings)
    .values({ userId, messagePermission })
    .onConflictDoUpdate({ target: userSettings.userId, set: { messagePermission } });
}

/** Every page of the caller's room list, following nextCursor. */
async function allRoomPages(token: string, limit: number) {
  const pages: { items: Room[]; nextCursor: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const res = await t.api.get(`/api/chat/rooms?limit=${limit}${query}`, { token });
    expect(res.status).toBe(200);
    pages.push(res.body);
    cursor = res.body.nextCursor;
  } while (cursor);
  return pages;
}


const card = (u: { id: number; username: string; name: string; profileImage: string | null }) => ({
  id: u.id,
  username: u.username,
  name: u.name,
  profileImage: u.profileImage,
});

describe("POST /api/chat/rooms {type: direct}", () => {
  it("creates the pair's room (201), then answers the same room to either dancer (200)", async () => {
    const ana = await signedIn(t);
    const bruno = await signedIn(t);
    const first = await t.api.post("/api/chat/rooms", { token: ana.token, json: { type: "direct", userId: bruno.user.id } });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      id: expect.any(Number),
      type: "direct",
      name: null,
      avatar: null,
      eventId: null,
      role: "member",
      pinned: false,
      muted: false,
      memberCount: 2,
      lastMessage: null,
      unreadCount: 0,
      members: [card(bruno.user)],
      blocked: false,
      createdAt: expect.stringMatching(/Z$/),
    });
    const again = await t.api.post("/api/chat/rooms", { token: ana.token, json: { type: "direct", userId: bruno.user.id } });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const theirs = await t.api.post("/api/chat/rooms", { token: bruno.token, json: { type: "direct", userId: ana.user.id } });
    expect(theirs.status).toBe(200);
    expect(theirs.body).toMatchObject({ id: first.body.id, members: [card(ana.user)] });
    expect((await roomRows(first.body.id)).map((m) => [m.userId, m.role])).toEqual(
      [
        [ana.user.id, "member"],
        [bruno.user.id, "member"],
      ].sort((a, b) => Number(a[0]) - Number(b[0])),
    );
    expect(await roomRow(first.body.id)).toMatchObject({
      directKey: `${Math.min(ana.user.id, bruno.user.id)}:${Math.max(ana.user.id, bruno.user.id)}`,
      memberCount: 2,
      createdBy: ana.user.id,
    });
  });

  it("makes exactly one room when both dancers ask ten times at once", async () => {
    const ana = await signedIn(t);
    const bruno = await signedIn(t);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 2 === 0
          ? t.api.post<Room>("/api/chat/rooms", { token: ana.token, json: { type: "direct", userId: bruno.user.id } })
          : t.api.post<Room>("/api/chat/rooms", { token: bruno.token, json: { type: "direct", userId: ana.user.id } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const ids = new Set(results.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    const id = results[0]!.body.id;
    expect(await roomRows(id)).toHaveLength(2);
    const pairs = await t.db
      .select({ id: chatRooms.id })
      .from(chatRooms)
      .where(eq(chatRooms.directKey, `${Math.min(ana.user.id, bruno.user.id)}:${Math.max(ana.user.id, bruno.user.id)}`));
    expect(pairs).toEqual([{ id }]);
    expect((await roomRow(id))!.memberCount).toBe(2);
  });

  it("refuses yourself with 400 cannot_message_self", async () => {
    const ana = await signedIn(t);
    const res = await t.api.post("/api/chat/rooms", { token: ana.token, json: { type: "direct", userId: ana.user.id } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("cannot_message_self");
  });

  it("is 404 for an unknown, suspended or deactivated dancer, and across a block either way (an existing room too)", async () => {
    const ana = await signedIn(t);
    const [suspended, deactivated, blockedByAna, blockerOfAna] = await Promise.all([
      createUser(t.db, { suspended: true }),
      createUser(t.db, { isActive: false }),
      createUser(t.db),
      createUser(t.db),
    ]);
    await createDirectRoom(t.db, ana.user.id, blockedByAna.id);
    await t.db.insert(blockedUsers).values([
      { blockerId: ana.user.id, blockedId: blockedByAna.id },
      { blockerId: blockerOfAna.id, blockedId: ana.user.id },
    ]);
    for (const userId of [2_147_483_647, suspended.id, deactivated.id, blockedByAna.id, blockerOfAna.id]) {
      const res = await t.api.post("/api/chat/rooms", { token: ana.token, json: { type: "direct", userId } });
      expect(res.status, String(userId)).toBe(404);
      expect(res.body.code).toBe("not_found");
    }
    const [{ count }] = (await t.db.execute<{ count: number }>(sql`
      SELECT count(*)::int AS count FROM chat_rooms WHERE direct_key IN (${`${Math.min(ana.user.id, blockerOfAna.id)}:${Math.max(ana.user.id, blockerOfAna.id)}`},
        ${`${Math.min(ana.user.id, suspended.id)}:${Math.max(ana.user.id, suspended.id)}`})`)).rows as [{ count: number }];
    expect(count).toBe(0);
  });

  it("follows the other dancer's messagePermission for new rooms, and still answers an existing room", async () => {
    const ana = await signedIn(t);
    const [friendsOnly, friend, nobody, hadRoom] = await Promise.all([createUser(t.db), createUser(t.db), createUser(t.db), createUser(t.db)]);
    await Promise.all([
      setPermission(friendsOnly.id, "friends"),
      setPermission(friend.id, "friends"),
      setPermission(nobody.id, "nobody"),
      setPermission(hadRoom.id, "nobody"),
    ]);
    await befriend(t.db, ana.user.id, friend.id);
    const existing = await createDirectRoom(t.db, ana.user.id, hadRoom.id);

    const refusedFriends = await t.api.post("/api/chat/rooms", { token: ana.token, json: { type: "direct", userId: friendsOnly.id } });
    expect(refusedFriends.status).toBe(403);
    expect(refusedFriends.body.code).toBe("messages_not_allowed");
    const refusedNobody = await t.api.post("/api/chat/rooms", { token: ana.token, json: { type: "direct", userId: nobody.id } });
    expect(refusedNobody.status).toBe(403);
    expect(refusedNobody.body.code).toBe("messages_not_allowed");
    expect((await t.api.post("/api/chat/rooms", { token: ana.token, json: { type: "direct", userId: friend.id } })).status).toBe(201);
    const kept = await t.api.post("/api/chat/rooms", { token: ana.token, json: { type: "direct", userId: hadRoom.id } });
    expect(kept.status).toBe(200);
    expect(kept.body.id).toBe(existing.id);
    // The dancer who set "friends" may still open a room with the dancer who did not.
    const fromThem = await t.api.post("/api/chat/rooms", { token: await tokenFor(t, friendsOnly), json: { type: "direct", userId: ana.user.id } });
    expect(fromThem.status).toBe(201);
  });

  it.each([
    ["no type", { userId: 1 }, "body.type"],
    ["an unknown type", { type: "channel", userId: 1 }, "body.type"],
    ["a userId that is text", { type: "direct", userId: "7" }, "body.userId"],
    ["a userId of 0", { type: "direct", userId: 0 }, "body.userId"],
    ["a userId past int4", { type: "direct", userId: 2_147_483_648 }, "body.userId"],
  ])("refuses %s with 400", async (_label, json, path) => {
    const ana = await signedIn(t);
    const res = await t.api.post("/api/chat/rooms", { token: ana.token, json });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });
});

describe("POST /api/chat/rooms {type: group}", () => {
  it("creates the room with the creator as admin, exact count, and five cards lowest id first", async () => {
    const ana = await signedIn(t);
    const others = (await Promise.all(Array.from({ length: 6 }, () => createUser(t.db)))).sort((a, b) => a.id - b.id);
    const avatar = mediaUrl(t.env);
    const res = await t.api.post("/api/chat/rooms", {
      token: ana.token,
      json: { type: "group", name: "  Práctica de los martes ", avatar, memberIds: others.map((o) => o.id).reverse() },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ type: "group", name: "Práctica de los martes", avatar, role: "admin", memberCount: 7, blocked: false, unreadCount: 0 });
    expect(res.body.members).toEqual(others.slice(0, 5).map(card));
    const rows = await roomRows(res.body.id);
    expect(rows.map((r) => [r.userId, r.role])).toEqual([[ana.user.id, "admin"], ...others.map((o) => [o.id, "member"])]);
    expect(await roomRow(res.body.id)).toMatchObject({ memberCount: 7, createdBy: ana.user.id, directKey: null, eventId: null });
    expect((await t.api.get(`/api/chat/rooms/${res.body.id}`, { token: ana.token })).body).toEqual(res.body);
  });

  it("names each unknown, suspended or blocked dancer (400 unknown_user) and creates nothing", async () => {
    const ana = await signedIn(t);
    const name = unique("Grupo ");
    const [fine, suspended, blocker] = await Promise.all([createUser(t.db), createUser(t.db, { suspended: true }), createUser(t.db)]);
    await t.db.insert(blockedUsers).values({ blockerId: blocker.id, blockedId: ana.user.id });
    const res = await t.api.post("/api/chat/rooms", {
      token: ana.token,
      json: { type: "group", name, memberIds: [fine.id, 2_147_483_600, suspended.id, blocker.id] },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("unknown_user");
    expect(res.body.errors).toEqual([
      { path: "body.memberIds.1", message: "No such dancer" },
      { path: "body.memberIds.2", message: "No such dancer" },
      { path: "body.memberIds.3", message: "No such dancer" },
    ]);
    expect(await t.db.select().from(chatRooms).where(eq(chatRooms.name, name))).toEqual([]);
  });

  it("refuses the creator among the members, and avatars not uploaded here", async () => {
    const ana = await signedIn(t);
    const other = await createUser(t.db);
    const self = await t.api.post("/api/chat/rooms", { token: ana.token, json: { type: "group", name: "x", memberIds: [other.id, ana.user.id] } });
    expect(self.status).toBe(400);
    expect(self.body).toMatchObject({ code: "cannot_add_self", errors: [{ path: "body.memberIds.1" }] });
    for (const avatar of ["https://elsewhere.example/media/abc.jpg", mediaUrl(t.env, "mp4")]) {
      const res = await t.api.post("/api/chat/rooms", { token: ana.token, json: { type: "group", name: "x", avatar, memberIds: [other.id] } });
      expect(res.status, avatar).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ path: "body.avatar" })]);
    }
  });

  it.each([
    ["no members", { memberIds: [] }, "body.memberIds"],
    ["101 members", { memberIds: Array.from({ length: 101 }, (_, i) => i + 1) }, "body.memberIds"],
    ["a member twice", { memberIds: [5, 5] }, "body.memberIds"],
    ["no name", { name: undefined }, "body.name"],
    ["a blank name", { name: "   " }, "body.name"],
    ["a name of 81 characters", { name: "n".repeat(81) }, "body.name"],
    ["a name with a line break", { name: "a\nb" }, "body.name"],
    ["an avatar that is not a URL", { avatar: "javascript:alert(1)" }, "body.avatar"],
  ])("refuses %s with 400", async (_label, change, path) => {
    const ana = await signedIn(t);
    const res = await t.api.post("/api/chat/rooms", { token: ana.token, json: { type: "group", name: "Tanda", memberIds: [1], ...change } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it("replays an Idempotency-Key (one room, even sent five times at once), and 422s it with another body", async () => {
    const ana = await signedIn(t);
    const other = await createUser(t.db);
    const name = unique("Idem ");
    const headers = { "Idempotency-Key": unique("key") };
    const json = { type: "group", name, memberIds: [other.id] };
    const results = await Promise.all(Array.from({ length: 5 }, () => t.api.post<Room>("/api/chat/rooms", { token: ana.token, json, headers })));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results.filter((r) => r.headers.get("Idempotent-Replayed") === "true")).toHaveLength(4);
    expect(results[0]!.body).toEqual(results[1]!.body);
    expect(await t.db.select().from(chatRooms).where(eq(chatRooms.name, name))).toHaveLength(1);
    const reused = await t.api.post("/api/chat/rooms", { token: ana.token, json: { ...json, name: `${name}!` }, headers });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe("idempotency_key_reused");
    const stored = await t.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.userId, ana.user.id));
    expect(stored.map((k) => k.scope)).toEqual(["POST /api/chat/rooms"]);
  });
});

describe("POST /api/chat/rooms {type: event}", () => {
  async function eventWorld() {
    const organizer = await signedIn(t);
    const event = await createEvent(t.db, { userId: organizer.user.id, title: `Milonga ${unique()}` });
    const [co, going1, going2, interested, suspendedGoing] = await Promise.all([
      createUser(t.db),
      createUser(t.db),
      createUser(t.db),
      createUser(t.db),
      createUser(t.db, { suspended: true }),
    ]);
    await t.db.insert(eventCoOrganizers).values({ eventId: event.id, userId: co.id });
    await rsvp(t.db, event.id, going1.id, "going");
    await rsvp(t.db, event.id, going2.id, "going");
    await rsvp(t.db, event.id, interested.id, "interested");
    await rsvp(t.db, event.id, suspendedGoing.id, "going");
    return { organizer, event, co, going1, going2, interested };
  }

  it("opens the event's room: organizers as admins, the dancers going as members (201), then answers it (200)", async () => {
    const w = await eventWorld();
    const res = await t.api.post("/api/chat/rooms", { token: w.organizer.token, json: { type: "event", eventId: w.event.id } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ type: "event", eventId: w.event.id, name: w.event.title, role: "admin", memberCount: 4 });
    expect(res.body.members.map((m: { id: number }) => m.id)).toEqual([w.co.id, w.going1.id, w.going2.id].sort((a, b) => a - b));
    expect((await roomRows(res.body.id)).map((r) => [r.userId, r.role])).toEqual(
      [
        [w.organizer.user.id, "admin"],
        [w.co.id, "admin"],
        [w.going1.id, "member"],
        [w.going2.id, "member"],
      ].sort((a, b) => Number(a[0]) - Number(b[0])),
    );
    const again = await t.api.post("/api/chat/rooms", { token: await tokenFor(t, w.co), json: { type: "event", eventId: w.event.id } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: res.body.id, role: "admin", memberCount: 4 });
  });

  it("makes one room when organizers open it five times at once", async () => {
    const w = await eventWorld();
    const coToken = await tokenFor(t, w.co);
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        t.api.post<Room>("/api/chat/rooms", { token: i % 2 ? coToken : w.organizer.token, json: { type: "event", eventId: w.event.id } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const rooms = await t.db.select().from(chatRooms).where(eq(chatRooms.eventId, w.event.id));
    expect(rooms).toHaveLength(1);
    expect(rooms[0]!.memberCount).toBe(4);
    expect(await roomRows(rooms[0]!.id)).toHaveLength(4);
  });

  it("seats an organizer named after the room opened, when they open it", async () => {
    const w = await eventWorld();
    const opened = await t.api.post("/api/chat/rooms", { token: w.organizer.token, json: { type: "event", eventId: w.event.id } });
    const late = await signedIn(t);
    await t.db.insert(eventCoOrganizers).values({ eventId: w.event.id, userId: late.user.id });
    const res = await t.api.post("/api/chat/rooms", { token: late.token, json: { type: "event", eventId: w.event.id } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: opened.body.id, role: "admin", memberCount: 5 });
    expect((await roomRow(opened.body.id))!.memberCount).toBe(5);
    expect((await roomRows(opened.body.id)).find((r) => r.userId === late.user.id)?.role).toBe("admin");
  });

  it("refuses dancers who do not organize it (403), and events they may not see or that do not exist (404)", async () => {
    const w = await eventWorld();
    const notOrganizer = await t.api.post("/api/chat/rooms", { token: await tokenFor(t, w.going1), json: { type: "event", eventId: w.event.id } });
    expect(notOrganizer.status).toBe(403);
    expect(notOrganizer.body.code).toBe("not_event_organizer");
    const draft = await createEvent(t.db, { userId: w.organizer.user.id, status: "draft" });
    const stranger = await signedIn(t);
    for (const eventId of [draft.id, 2_147_483_647]) {
      const res = await t.api.post("/api/chat/rooms", { token: stranger.token, json: { type: "event", eventId } });
      expect(res.status, String(eventId)).toBe(404);
    }
    expect(await t.db.select().from(chatRooms).where(eq(chatRooms.eventId, w.event.id))).toEqual([]);
  });
});

describe("GET /api/chat/rooms", () => {
  it("lists pinned rooms first, then by last activity, page by page without gaps or repeats", async () => {
    const ana = await signedIn(t);
    const others = await Promise.all(Array.from({ length: 6 }, () => createUser(t.db)));
    const rooms = [];
    for (const other of others) rooms.push(await createDirectRoom(t.db, ana.user.id, other.id));
    const group = await createChatRoom(t.db, { members: [ana.user.id, others[0]!.id] });
    const at = (iso: string) => new Date(iso);
    // Activity: rooms[0] newest, then the group, then rooms[1..]; rooms[4] and rooms[5] tie on time.
    const tie = at("2026-02-01T10:00:00.123456Z");
    const activity = [at("2026-03-01T10:00:00Z"), at("2026-01-05T10:00:00Z"), at("2026-01-04T10:00:00Z"), at("2026-01-03T10:00:00Z"), tie, tie];
    for (const [i, room] of rooms.entries()) await t.db.update(chatRooms).set({ lastMessageAt: activity[i] }).where(eq(chatRooms.id, room.id));
    await t.db.update(chatRooms).set({ lastMessageAt: at("2026-02-15T10:00:00Z") }).where(eq(chatRooms.id, group.id));
    // Pinned: rooms[3] pinned last (first), rooms[2] before it.
    await t.db.update(chatRoomUsers).set({ pinnedAt: at("2026-01-10T00:00:00Z") }).where(sql`chat_room_id = ${rooms[2]!.id} AND user_id = ${ana.user.id}`);
    await t.db.update(chatRoomUsers).set({ pinnedAt: at("2026-01-11T00:00:00Z") }).where(sql`chat_room_id = ${rooms[3]!.id} AND user_id = ${ana.user.id}`);
    const expected = [rooms[3]!.id, rooms[2]!.id, rooms[0]!.id, group.id, rooms[5]!.id, rooms[4]!.id, rooms[1]!.id];

    const pages = await allRoomPages(ana.token, 2);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 2, 1]);
    expect(pages.flatMap((p) => p.items.map((r) => r.id))).toEqual(expected);
    expect(pages[0]!.items.map((r) => r.pinned)).toEqual([true, true]);
    expect((await allRoomPages(ana.token, 100))[0]!.items.map((r) => r.id)).toEqual(expected);
    // Another dancer's list is theirs: the group's other member sees two rooms, neither pinned.
    const theirs = await allRoomPages(await tokenFor(t, others[0]!), 10);
    expect(theirs[0]!.items.map((r) => [r.id, r.pinned])).toEqual([
      [rooms[0]!.id, false],
      [group.id, false],
    ]);
  });

  it("gives each room its last message, unread count, cards and blocked flag", async () => {
    const ana = await signedIn(t);
    const [bruno, carla, blocked, suspended] = await Promise.all([
      createUser(t.db),
      createUser(t.db),
      createUser(t.db),
      createUser(t.db, { suspended: true }),
    ]);
    const direct = await createDirectRoom(t.db, ana.user.id, bruno.id);
    const blockedDirect = await createDirectRoom(t.db, ana.user.id, blocked.id);
    const suspendedDirect = await createDirectRoom(t.db, ana.user.id, suspended.id);
    const group = await createChatRoom(t.db, { members: [ana.user.id, bruno.id, carla.id, blocked.id, suspended.id] });
    await t.db.insert(blockedUsers).values({ blockerId: blocked.id, blockedId: ana.user.id });
    await t.db
      .update(chatRooms)
      .set({ lastMessageSeq: 7, lastMessageUserId: bruno.id, lastMessagePreview: "¿Bailamos?", lastMessageAt: new Date("2026-04-01T21:00:00.5Z") })
      .where(eq(chatRooms.id, direct.id));
    await t.db.update(chatRoomUsers).set({ lastReadSeq: 4, muted: true }).where(sql`chat_room_id = ${direct.id} AND user_id = ${ana.user.id}`);
    await t.db.update(chatRooms).set({ lastMessageSeq: 3 }).where(eq(chatRooms.id, group.id));
    await t.db.update(chatRoomUsers).set({ lastReadSeq: 9 }).where(sql`chat_room_id = ${group.id} AND user_id = ${ana.user.id}`);

    const items = new Map((await allRoomPages(ana.token, 100))[0]!.items.map((r) => [r.id, r]));
    expect(items.get(direct.id)).toMatchObject({
      muted: true,
      unreadCount: 3,
      lastMessage: { id: 7, userId: bruno.id, preview: "¿Bailamos?", createdAt: "2026-04-01T21:00:00.500Z" },
      members: [card(bruno)],
      blocked: false,
    });
    expect(items.get(blockedDirect.id)).toMatchObject({ blocked: true, members: [card(blocked)], lastMessage: null });
    expect(items.get(suspendedDirect.id)).toMatchObject({ blocked: true, members: [card(suspended)] });
    // A group leaves out the blocked and the suspended; a read past the last message is not negative.
    expect(items.get(group.id)).toMatchObject({
      blocked: false,
      unreadCount: 0,
      memberCount: 5,
      members: [bruno, carla].sort((a, b) => a.id - b.id).map(card),
    });
  });

  it.each([
    ["a cursor that is not ours", "not-a-cursor"],
    ["a cursor with a time that is not one", encodeCursor(["garbage", "-infinity", 1])],
    ["a cursor of the wrong shape", encodeCursor(["2026-01-01 00:00:00", 1])],
    ["a cursor with an id out of range", encodeCursor(["-infinity", "2026-01-01 00:00:00", 1e12])],
  ])("rejects %s with 400", async (_label, cursor) => {
    const { token } = await signedIn(t);
    const res = await t.api.get(`/api/chat/rooms?cursor=${encodeURIComponent(cursor)}`, { token });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "query.cursor" })]);
  });

  it.each(["0", "101", "ten"])("rejects limit=%s with 400", async (limit) => {
    const { token } = await signedIn(t);
    const res = await t.api.get(`/api/chat/rooms?limit=${limit}`, { token });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "query.limit" })]);
  });

  it("reads the caller's memberships through chat_room_users_user_idx, each room by its key, cards after the sort", async () => {
    const keyset = {
      after: sql`true`,
      order: sql.join(
        ROOM_LIST_ORDER.map((column) => sql`${column} DESC`),
        sql`, `,
      ),
      limit: 21,
    };
    const [, { rows }] = await t.db.batch([
      t.db.execute(sql`SET LOCAL enable_seqscan = off`),
      t.db.execute(sql`EXPLAIN (FORMAT TEXT) ${roomListStatement(1, keyset)}`),
    ]);
    const plan = (rows as { "QUERY PLAN": string }[]).map((r) => r["QUERY PLAN"]).join("\n");
    expect(plan).toContain("chat_room_users_user_idx");
    expect(plan).toContain("chat_rooms_pkey");
    // The other members of each room on the page, by an index on the room: the planner takes either
    // (PostgreSQL 15 with statistics prefers the narrower chat_room_users_room_idx).
    expect(plan).toMatch(/unique_chat_participant|chat_room_users_room_idx/);
    // The cards' subqueries run in a Result above the sort (for the page's rows), not for every membership.
    expect(plan).toMatch(/Limit[^\n]*\n\s*->\s+Result[^\n]*\n[\s\S]*?->\s+Sort/);
  });
});

describe("GET /api/chat/rooms/{id}", () => {
  it("answers one room as the list shows it", async () => {
    const ana = await signedIn(t);
    const bruno = await createUser(t.db);
    const room = await createDirectRoom(t.db, ana.user.id, bruno.id);
    const one = await t.api.get(`/api/chat/rooms/${room.id}`, { token: ana.token });
    expect(one.status).toBe(200);
    expect((await allRoomPages(ana.token, 10))[0]!.items).toEqual([one.body]);
  });

  it("is 404 for a room the caller is not in, and for no room", async () => {
    const ana = await signedIn(t);
    const room = await createChatRoom(t.db, { members: [(await createUser(t.db)).id] });
    for (const id of [room.id, 2_147_483_647]) {
      const res = await t.api.get(`/api/chat/rooms/${id}`, { token: ana.token });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("not_found");
    }
  });
});

describe("PATCH /api/chat/rooms/{id}", () => {
  it("lets an admin rename the room and change or remove its avatar", async () => {
    const ana = await signedIn(t);
    const room = await createChatRoom(t.db, { members: [ana.user.id, (await createUser(t.db)).id] });
    const avatar = mediaUrl(t.env, "png");
    const res = await t.api.patch(`/api/chat/rooms/${room.id}`, { token: ana.token, json: { name: "Los de Canning", avatar } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: room.id, name: "Los de Canning", avatar, role: "admin", memberCount: 2 });
    const cleared = await t.api.patch(`/api/chat/rooms/${room.id}`, { token: ana.token, json: { avatar: null } });
    expect(cleared.body).toMatchObject({ name: "Los de Canning", avatar: null });
    expect(await roomRow(room.id)).toMatchObject({ name: "Los de Canning", avatar: null });
    const nothing = await t.api.patch(`/api/chat/rooms/${room.id}`, { token: ana.token, json: {} });
    expect(nothing.status).toBe(200);
    expect(nothing.body.name).toBe("Los de Canning");
  });

  it("refuses members who are not admins (403), direct rooms (400) and outsiders (404)", async () => {
    const ana = await signedIn(t);
    const bruno = await signedIn(t);
    const room = await createChatRoom(t.db, { members: [ana.user.id, bruno.user.id] });
    const member = await t.api.patch(`/api/chat/rooms/${room.id}`, { token: bruno.token, json: { name: "Mine now" } });
    expect(member.status).toBe(403);
    expect(member.body.code).toBe("not_room_admin");
    const direct = await createDirectRoom(t.db, ana.user.id, bruno.user.id);
    const directRes = await t.api.patch(`/api/chat/rooms/${direct.id}`, { token: ana.token, json: { name: "Us" } });
    expect(directRes.status).toBe(400);
    expect(directRes.body.code).toBe("direct_room");
    const outsider = await signedIn(t);
    expect((await t.api.patch(`/api/chat/rooms/${room.id}`, { token: outsider.token, json: { name: "x" } })).status).toBe(404);
    expect((await roomRow(room.id))!.name).toBe(room.name);
  });

  it.each([
    ["a blank name", { name: " " }, "body.name"],
    ["an avatar from elsewhere", { avatar: "https://elsewhere.example/media/a.jpg" }, "body.avatar"],
  ])("refuses %s with 400", async (_label, json, path) => {
    const ana = await signedIn(t);
    const room = await createChatRoom(t.db, { members: [ana.user.id] });
    const res = await t.api.patch(`/api/chat/rooms/${room.id}`, { token: ana.token, json });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path })]);
  });
});

describe("PUT /api/chat/rooms/{id}/settings", () => {
  it("pins and mutes the room for the caller only, and the pinned room leads their list", async () => {
    const ana = await signedIn(t);
    const bruno = await signedIn(t);
    const older = await createDirectRoom(t.db, ana.user.id, bruno.user.id);
    await t.db.update(chatRooms).set({ lastMessageAt: new Date("2020-01-01T00:00:00Z") }).where(eq(chatRooms.id, older.id));
    await createChatRoom(t.db, { members: [ana.user.id] });
    const res = await t.api.put(`/api/chat/rooms/${older.id}/settings`, { token: ana.token, json: { pinned: true, muted: true } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: older.id, pinned: true, muted: true });
    expect((await allRoomPages(ana.token, 10))[0]!.items[0]!.id).toBe(older.id);
    const brunos = await t.api.get(`/api/chat/rooms/${older.id}`, { token: bruno.token });
    expect(brunos.body).toMatchObject({ pinned: false, muted: false });

    const [before] = await t.db.select().from(chatRoomUsers).where(sql`chat_room_id = ${older.id} AND user_id = ${ana.user.id}`);
    const repinned = await t.api.put(`/api/chat/rooms/${older.id}/settings`, { token: ana.token, json: { pinned: true } });
    expect(repinned.body).toMatchObject({ pinned: true, muted: true });
    const [after] = await t.db.select().from(chatRoomUsers).where(sql`chat_room_id = ${older.id} AND user_id = ${ana.user.id}`);
    expect(after!.pinnedAt).toEqual(before!.pinnedAt);
    const unpinned = await t.api.put(`/api/chat/rooms/${older.id}/settings`, { token: ana.token, json: { pinned: false, muted: false } });
    expect(unpinned.body).toMatchObject({ pinned: false, muted: false });
  });

  it("is 404 for a room the caller is not in, and leaves its members' settings alone", async () => {
    const ana = await signedIn(t);
    const bruno = await createUser(t.db);
    const room = await createChatRoom(t.db, { members: [bruno.id] });
    const res = await t.api.put(`/api/chat/rooms/${room.id}/settings`, { token: ana.token, json: { pinned: true, muted: true } });
    expect(res.status).toBe(404);
    expect(await roomRows(room.id)).toEqual([expect.objectContaining({ userId: bruno.id, pinnedAt: null, muted: false })]);
  });

  it("refuses settings that are not booleans", async () => {
    const ana = await signedIn(t);
    const room = await createChatRoom(t.db, { members: [ana.user.id] });
    const res = await t.api.put(`/api/chat/rooms/${room.id}/settings`, { token: ana.token, json: { pinned: "yes" } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "body.pinned" })]);
  });
});

describe("chat rooms: security", () => {
  it("is 401 without a token on every route", async () => {
    const room = await createChatRoom(t.db, { members: [(await createUser(t.db)).id] });
    const calls = [
      t.api.post("/api/chat/rooms", { json: { type: "direct", userId: 1 } }),
      t.api.get("/api/chat/rooms"),
      t.api.get(`/api/chat/rooms/${room.id}`),
      t.api.patch(`/api/chat/rooms/${room.id}`, { json: { name: "x" } }),
      t.api.put(`/api/chat/rooms/${room.id}/settings`, { json: { muted: true } }),
    ];
    for (const res of await Promise.all(calls)) expect(res.status).toBe(401);
  });

  it.each(["abc", "0", "-1", "1.5", "99999999999", "0x10"])("refuses the room id %s with 400", async (id) => {
    const { token } = await signedIn(t);
    for (const res of [
      await t.api.get(`/api/chat/rooms/${id}`, { token }),
      await t.api.patch(`/api/chat/rooms/${id}`, { token, json: { name: "x" } }),
      await t.api.put(`/api/chat/rooms/${id}/settings`, { token, json: { muted: true } }),
    ]) {
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ path: "path.id" })]);
    }
  });

  it("opens no room across a block made at the same moment, or shows it blocked", async () => {
    for (let round = 0; round < 4; round++) {
      const ana = await signedIn(t);
      const bruno = await signedIn(t);
      const [opened, blocked] = await Promise.all([
        t.api.post<Room>("/api/chat/rooms", { token: ana.token, json: { type: "direct", userId: bruno.user.id } }),
        t.api.post(`/api/users/${ana.user.id}/block`, { token: bruno.token }),
      ]);
      expect(blocked.status).toBe(204);
      expect([201, 404]).toContain(opened.status);
      const list = (await allRoomPages(ana.token, 10))[0]!.items;
      if (opened.status === 201) expect(list).toEqual([expect.objectContaining({ id: opened.body.id, blocked: true })]);
      else expect(list).toEqual([]);
    }
  });

  it("answers nothing of a room to a suspended caller's new rooms", async () => {
    const ana = await signedIn(t);
    const bruno = await createUser(t.db);
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, ana.user.id));
    const res = await t.api.post("/api/chat/rooms", { token: ana.token, json: { type: "direct", userId: bruno.id } });
    expect([401, 404]).toContain(res.status);
    expect(await t.db.select().from(chatRooms).where(eq(chatRooms.createdBy, ana.user.id))).toEqual([]);
  });
});

describe("database round trips per rooms request", () => {
  it("answers each rooms route in one round trip (two only on an idempotent replay)", async () => {
    const ana = await signedIn(t);
    const bruno = await createUser(t.db);
    const event = await createEvent(t.db, { userId: ana.user.id });
    const token = ana.token;
    const headers = { "Idempotency-Key": unique("key") };
    const group = { type: "group", name: "Tanda", memberIds: [bruno.id] };
    const calls: [string, () => Promise<ApiResponse>, number, number][] = [
      ["open a direct room", () => t.api.post("/api/chat/rooms", { token, json: { type: "direct", userId: bruno.id } }), 201, 1],
      ["get it again", () => t.api.post("/api/chat/rooms", { token, json: { type: "direct", userId: bruno.id } }), 200, 1],
      ["create a group room", () => t.api.post("/api/chat/rooms", { token, json: group, headers }), 201, 1],
      ["replay it", () => t.api.post("/api/chat/rooms", { token, json: group, headers }), 201, 2],
      ["open an event room (a batch)", () => t.api.post("/api/chat/rooms", { token, json: { type: "event", eventId: event.id } }), 201, 1],
      ["list", () => t.api.get("/api/chat/rooms", { token }), 200, 1],
    ];
    for (const [label, call, status, trips] of calls) expect(await roundTrips(call), label).toEqual({ status, trips });
    const room = (await t.api.get("/api/chat/rooms", { token })).body.items[0].id as number;
    const more: [string, () => Promise<ApiResponse>, number][] = [
      ["one room", () => t.api.get(`/api/chat/rooms/${room}`, { token }), 200],
      ["edit", () => t.api.patch(`/api/chat/rooms/${room}`, { token, json: { name: "Nueva" } }), 200],
      ["settings", () => t.api.put(`/api/chat/rooms/${room}/settings`, { token, json: { pinned: true } }), 200],
    ];
    for (const [label, call, status] of more) expect(await roundTrips(call), label).toEqual({ status, trips: 1 });
  });
});
