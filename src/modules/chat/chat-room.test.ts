import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { userSettings } from "../../../drizzle/schema";
import { tokenFor } from "../../../test/auth";
import { befriend, createChatRoom, createDirectRoom, createUser, mediaUrl, sendChatMessage } from "../../../test/factories";
import { useSharedDatabase } from "../../../test/harness";
import { connect, eventually, flushRoom, openSocket, roomStub, settleChat, type TestSocket } from "../../../test/sockets";
import { issueAccessToken } from "../../lib/access-tokens";
import { CLOSE, MAX_FRAME_BYTES, RATE_BURST, TYPING_THROTTLE_MS } from "./chat.protocol";
import { IDENTITY_HEADER, type RoomIdentity } from "./chat-room.rpc";

const t = useSharedDatabase();
afterEach(() => settleChat(t));

/** A group room of `size` new dancers, with a token each. */
async function groupRoom(size = 2) {
  const users = await Promise.all(Array.from({ length: size }, () => createUser(t.db)));
  const room = await createChatRoom(t.db, { members: users.map((u) => u.id) });
  const tokens = await Promise.all(users.map((u) => tokenFor(t, u)));
  return { room, users, tokens };
}

async function rows<T = Record<string, unknown>>(query: ReturnType<typeof sql>): Promise<T[]> {
  return (await t.db.execute(query)).rows as T[];
}

/** Postgres' clock, as the rooms routes stamp a membership change. */
async function pgNow(): Promise<string> {
  const [row] = await rows<{ at: string }>(sql`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at`);
  return row!.at;
}

/** Sends a message and waits for its ack. */
async function say(socket: TestSocket, clientId: string, text: string) {
  socket.send({ type: "send", clientId, text });
  return socket.next((f) => (f.type === "ack" || f.type === "error") && f.clientId === clientId);
}

describe("messages", () => {
  it("two members exchange messages with acks; ids increase; the other gets each once, the sender's other device too", async () => {
    const { room, users, tokens } = await groupRoom();
    const [ana, bruno] = users as [typeof users[0], typeof users[0]];
    const a = await connect(t, room.id, tokens[0]!);
    const aPhone = await connect(t, room.id, tokens[0]!);
    const b = await connect(t, room.id, tokens[1]!);
    expect(a.ready).toMatchObject({ type: "ready", roomId: room.id, userId: ana.id, lastMessageId: 0, typing: [] });
    expect(b.ready.online).toEqual([ana.id, bruno.id].sort((x, y) => x - y));

    expect(await say(a.socket, "a1", "¿Bailamos?")).toEqual({ type: "ack", clientId: "a1", id: 1, duplicate: false });
    expect(await say(b.socket, "b1", "¡Sí!")).toEqual({ type: "ack", clientId: "b1", id: 2, duplicate: false });
    expect(await say(a.socket, "a2", "  La próxima tanda  ")).toMatchObject({ id: 3 });

    const toBruno = [await b.socket.next("message"), await b.socket.next("message")].map((f) => f.message as unknown);
    expect(toBruno).toMatchObject([
      { id: 1, roomId: room.id, userId: ana.id, clientId: "a1", text: "¿Bailamos?", mediaUrl: null, replyToId: null, deletedAt: null, reactions: [] },
      { id: 3, text: "La próxima tanda" },
    ]);
    expect((await a.socket.next("message")).message).toMatchObject({ id: 2, userId: bruno.id, text: "¡Sí!" });
    expect((await aPhone.socket.next("message")).message.id).toBe(1);
    await a.socket.expectNone("message");
    await b.socket.expectNone("message");

    await flushRoom(t, room.id);
    expect(await rows(sql`SELECT room_seq, user_id, message, client_id FROM chat_messages WHERE chat_room_id = ${room.id} ORDER BY room_seq`)).toEqual([
      { room_seq: 1, user_id: ana.id, message: "¿Bailamos?", client_id: "a1" },
      { room_seq: 2, user_id: bruno.id, message: "¡Sí!", client_id: "b1" },
      { room_seq: 3, user_id: ana.id, message: "La próxima tanda", client_id: "a2" },
    ]);
    expect(await rows(sql`SELECT last_message_seq, last_message_preview, last_message_user_id FROM chat_rooms WHERE id = ${room.id}`)).toEqual([
      { last_message_seq: 3, last_message_preview: "La próxima tanda", last_message_user_id: ana.id },
    ]);
    // The sender's read receipt moved to their own message.
    expect(await rows(sql`SELECT user_id, last_read_seq FROM chat_room_users WHERE chat_room_id = ${room.id} ORDER BY user_id`)).toEqual(
      [
        { user_id: ana.id, last_read_seq: 3 },
        { user_id: bruno.id, last_read_seq: 2 },
      ].sort((x, y) => x.user_id - y.user_id),
    );
  });

  it("a repeated clientId is acked with the same id, stored and broadcast once; another text under it is refused", async () => {
    const { room, tokens } = await groupRoom();
    const a = await connect(t, room.id, tokens[0]!);
    const b = await connect(t, room.id, tokens[1]!);
    expect(await say(a.socket, "dup", "una vez")).toMatchObject({ id: 1, duplicate: false });
    expect(await say(a.socket, "dup", "una vez")).toEqual({ type: "ack", clientId: "dup", id: 1, duplicate: true });
    expect(await say(a.socket, "dup", "otra cosa")).toMatchObject({ type: "error", code: "client_id_reused", clientId: "dup" });
    // Another sender may use the same client id: ids are per sender.
    expect(await say(b.socket, "dup", "mío")).toMatchObject({ id: 2, duplicate: false });
    expect((await b.socket.next("message")).message.id).toBe(1);
    await b.socket.expectNone("message");
    await flushRoom(t, room.id);
    expect(await rows(sql`SELECT room_seq FROM chat_messages WHERE chat_room_id = ${room.id} ORDER BY room_seq`)).toEqual([{ room_seq: 1 }, { room_seq: 2 }]);
    // After a flush, and across a restart, it is still the same message.
    await evictDurableObject(roomStub(t, room.id));
    expect(await say(a.socket, "dup", "una vez")).toEqual({ type: "ack", clientId: "dup", id: 1, duplicate: true });
  });

  it("a message with media of this service, replying to one of the room's", async () => {
    const { room, tokens } = await groupRoom();
    const a = await connect(t, room.id, tokens[0]!);
    const b = await connect(t, room.id, tokens[1]!);
    await say(a.socket, "m1", "first");
    const video = mediaUrl(t.env, "mp4");
    a.socket.send({ type: "send", clientId: "m2", text: "look", mediaUrl: video, replyToId: 1 });
    expect(await a.socket.next("ack")).toMatchObject({ id: 2 });
    expect((await b.socket.next((f) => f.type === "message" && f.message.id === 2)).message).toMatchObject({
      mediaUrl: video,
      mediaType: "video",
      replyToId: 1,
    });
    for (const [clientId, extra, code] of [
      // Shaped as an upload's URL, on another origin (a URL of another shape fails validation).
      ["m3", { mediaUrl: mediaUrl(t.env, "jpg").replace(/^https?:\/\/[^/]+/, "https://evil.example") }, "media_url_not_allowed"],
      ["m4", { replyToId: 99 }, "reply_not_found"],
    ] as const) {
      a.socket.send({ type: "send", clientId, text: "x", ...extra });
      expect(await a.socket.next("error")).toMatchObject({ code, clientId });
    }
    await flushRoom(t, room.id);
    expect(await rows(sql`SELECT room_seq, media_url, media_type, reply_to_seq FROM chat_messages WHERE chat_room_id = ${room.id} ORDER BY room_seq`)).toEqual([
      { room_seq: 1, media_url: null, media_type: null, reply_to_seq: null },
      { room_seq: 2, media_url: video, media_type: "video", reply_to_seq: 1 },
    ]);
  });

  it("ids never go below what Postgres already has for the room", async () => {
    const { room, users, tokens } = await groupRoom();
    for (let i = 0; i < 4; i++) await sendChatMessage(t.db, room.id, users[1]!.id, `older ${i}`);
    const a = await connect(t, room.id, tokens[0]!);
    expect(a.ready.lastMessageId).toBe(4);
    expect(await say(a.socket, "n1", "new")).toMatchObject({ id: 5 });
  });
});

describe("upgrades", () => {
  it("takes the token from the header, ?token= or the bearer subprotocol (answered with `bearer`)", async () => {
    const { room, users, tokens } = await groupRoom();
    for (const via of ["header", "query", "protocol"] as const) {
      const opened = await openSocket(t, room.id, tokens[0], { via });
      expect(opened.status, via).toBe(101);
      expect(opened.headers.get("sec-websocket-protocol"), via).toBe(via === "protocol" ? "bearer" : null);
      expect(await opened.socket!.next("ready")).toMatchObject({ userId: users[0]!.id });
      opened.socket!.close();
    }
  });

  it("refuses outsiders before any socket opens: anonymous 401, a bad token 401, a non-member 404 however the token travels", async () => {
    const { room } = await groupRoom();
    const outsider = await createUser(t.db, { role: "god" });
    const token = await tokenFor(t, outsider);
    const anonymous = await openSocket(t, room.id, undefined);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("content-type")).toBe("application/problem+json");
    const forged = await issueAccessToken("another-secret-0123456789abcdef0123456789", { userId: outsider.id, role: "god", level: 8, sessionId: "x" });
    for (const via of ["header", "query", "protocol"] as const) {
      expect((await openSocket(t, room.id, forged, { via })).status, via).toBe(401);
      const refused = await openSocket(t, room.id, token, { via });
      expect(refused.status, via).toBe(404);
      expect(refused.body).toMatchObject({ code: "not_found" });
      expect(refused.socket).toBeUndefined();
    }
    // An unknown room is the same 404.
    expect((await openSocket(t, 2_000_000_000, token)).status).toBe(404);
    // No socket was ever accepted by the room's object.
    const sockets = await runInDurableObject(roomStub(t, room.id), (_instance, state) => state.getWebSockets().length);
    expect(sockets).toBe(0);
  });

  it("a member's request without Upgrade: websocket is 426; a forged identity header is ignored", async () => {
    const { room, users, tokens } = await groupRoom();
    const plain = await openSocket(t, room.id, tokens[0], { upgrade: false });
    expect(plain.status).toBe(426);
    expect(plain.body).toMatchObject({ code: "upgrade_required" });
    const forged: RoomIdentity = { roomId: room.id, roomType: "group", userId: users[1]!.id, checkedAt: "2999-01-01T00:00:00Z", pgLastSeq: 0, canSend: true };
    const { ready } = await connect(t, room.id, tokens[0]!, { headers: { [IDENTITY_HEADER]: JSON.stringify(forged) } });
    expect(ready.userId).toBe(users[0]!.id);
  });

  it("a direct room blocked either way is 403 `blocked`", async () => {
    const [ana, bruno] = await Promise.all([createUser(t.db), createUser(t.db)]);
    const room = await createDirectRoom(t.db, ana.id, bruno.id);
    const [anaToken, brunoToken] = await Promise.all([tokenFor(t, ana), tokenFor(t, bruno)]);
    expect((await t.api.post(`/api/users/${bruno.id}/block`, { token: anaToken })).status).toBe(204);
    for (const token of [anaToken, brunoToken]) {
      const refused = await openSocket(t, room.id, token);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: "blocked" });
    }
  });

  it("answers a ping frame with a pong (without waking the object)", async () => {
    const { room, tokens } = await groupRoom();
    const { socket } = await connect(t, room.id, tokens[0]!);
    socket.send({ type: "ping" });
    expect(await socket.next("pong")).toEqual({ type: "pong" });
  });

  it("presence: the others learn who connects and who leaves (with their last socket)", async () => {
    const { room, users, tokens } = await groupRoom();
    const a = await connect(t, room.id, tokens[0]!);
    const b1 = await connect(t, room.id, tokens[1]!);
    expect(await a.socket.next("presence")).toEqual({ type: "presence", userId: users[1]!.id, online: true });
    const b2 = await connect(t, room.id, tokens[1]!);
    expect(b2.ready.online).toContain(users[1]!.id);
    b1.socket.close();
    await a.socket.expectNone("presence");
    b2.socket.close();
    expect(await a.socket.next("presence")).toEqual({ type: "presence", userId: users[1]!.id, online: false });
  });
});

describe("membership changes", () => {
  it("a removed member's sockets close with 4001; an identity checked before the removal is refused; re-adding lifts it", async () => {
    const { room, users, tokens } = await groupRoom(3);
    const bruno = users[1]!;
    const a = await connect(t, room.id, tokens[0]!);
    const b = await connect(t, room.id, tokens[1]!);
    const stale: RoomIdentity = { roomId: room.id, roomType: "group", userId: bruno.id, checkedAt: await pgNow(), pgLastSeq: 0, canSend: true };

    await t.db.execute(sql`DELETE FROM chat_room_users WHERE chat_room_id = ${room.id} AND user_id = ${bruno.id}`);
    const removedAt = await pgNow();
    expect(await roomStub(t, room.id).memberRemoved(room.id, bruno.id, removedAt)).toBe(1);
    expect(await b.socket.closed).toEqual({ code: CLOSE.removed, reason: "removed" });
    expect(await a.socket.next((f) => f.type === "presence" && !f.online)).toMatchObject({ userId: bruno.id });

    // Through the Worker: no longer a member.
    expect((await openSocket(t, room.id, tokens[1])).status).toBe(404);
    expect((await t.api.post(`/api/chat/rooms/${room.id}/messages`, { token: tokens[1]!, json: { clientId: "late", text: "hola" } })).status).toBe(404);
    // What the Worker checked before the removal reached the object: refused there.
    const upgrade = await roomStub(t, room.id).fetch("https://chat-room.internal/ws", {
      headers: { upgrade: "websocket", [IDENTITY_HEADER]: JSON.stringify(stale) },
    });
    expect(upgrade.status).toBe(404);
    expect(await roomStub(t, room.id).send(stale, { clientId: "stale", text: "hola" })).toMatchObject({ ok: false, code: "not_a_member" });

    await t.db.execute(sql`INSERT INTO chat_room_users (chat_room_id, user_id) VALUES (${room.id}, ${bruno.id})`);
    await roomStub(t, room.id).memberAdded(room.id, bruno.id, await pgNow());
    const back = await connect(t, room.id, tokens[1]!);
    expect(await say(back.socket, "back", "volví")).toMatchObject({ type: "ack", id: 1 });
  });

  it("blocking closes a direct room's sockets with 4002 and refuses sends; unblocking lets them back", async () => {
    const [ana, bruno] = await Promise.all([createUser(t.db), createUser(t.db)]);
    const room = await createDirectRoom(t.db, ana.id, bruno.id);
    const [anaToken, brunoToken] = await Promise.all([tokenFor(t, ana), tokenFor(t, bruno)]);
    const a = await connect(t, room.id, anaToken);
    const b = await connect(t, room.id, brunoToken);
    expect(await say(a.socket, "before", "hola")).toMatchObject({ id: 1 });

    expect((await t.api.post(`/api/users/${ana.id}/block`, { token: brunoToken })).status).toBe(204);
    expect(await a.socket.closed).toEqual({ code: CLOSE.blocked, reason: "blocked" });
    expect(await b.socket.closed).toEqual({ code: CLOSE.blocked, reason: "blocked" });
    const send = await t.api.post(`/api/chat/rooms/${room.id}/messages`, { token: anaToken, json: { clientId: "during", text: "hola" } });
    expect(send.status).toBe(403);
    expect(send.body.code).toBe("blocked");

    expect((await t.api.delete(`/api/users/${ana.id}/block`, { token: brunoToken })).status).toBe(204);
    const again = await connect(t, room.id, anaToken);
    expect(await say(again.socket, "after", "perdón")).toMatchObject({ type: "ack", id: 2 });
  });

  it("when the other dancer takes messages from nobody, the room is read-only: sends and typing are refused", async () => {
    const [ana, bruno] = await Promise.all([createUser(t.db), createUser(t.db)]);
    const room = await createDirectRoom(t.db, ana.id, bruno.id);
    await t.db.insert(userSettings).values({ userId: bruno.id, messagePermission: "nobody" });
    const token = await tokenFor(t, ana);
    const a = await connect(t, room.id, token);
    expect(await say(a.socket, "no", "hola")).toMatchObject({ type: "error", code: "messages_not_allowed" });
    a.socket.send({ type: "typing", isTyping: true });
    expect(await a.socket.next("error")).toMatchObject({ code: "messages_not_allowed" });
    const rest = await t.api.post(`/api/chat/rooms/${room.id}/messages`, { token, json: { clientId: "no", text: "hola" } });
    expect(rest.status).toBe(403);
    expect(rest.body.code).toBe("messages_not_allowed");
  });

  it("a send racing a removal: each is either stored and acknowledged, or refused; nothing is stored after the removal", async () => {
    const { room, users, tokens } = await groupRoom(2);
    const bruno = users[1]!;
    const b = await connect(t, room.id, tokens[1]!);
    const sends = Array.from({ length: 8 }, (_, i) =>
      t.api.post(`/api/chat/rooms/${room.id}/messages`, { token: tokens[1]!, json: { clientId: `race-${i}`, text: `message ${i}` } }),
    );
    const removal = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await t.db.execute(sql`DELETE FROM chat_room_users WHERE chat_room_id = ${room.id} AND user_id = ${bruno.id}`);
      return roomStub(t, room.id).memberRemoved(room.id, bruno.id, await pgNow());
    })();
    const answers = await Promise.all(sends);
    await removal;
    for (const answer of answers) expect([201, 404]).toContain(answer.status);
    const acked = answers.filter((a) => a.status === 201).map((a) => a.body.message as { id: number; clientId: string });
    expect(await b.socket.closed).toMatchObject({ code: CLOSE.removed });
    const after = await t.api.post(`/api/chat/rooms/${room.id}/messages`, { token: tokens[1]!, json: { clientId: "after", text: "x" } });
    expect(after.status).toBe(404);
    await flushRoom(t, room.id);
    const stored = await rows<{ client_id: string; room_seq: number }>(
      sql`SELECT client_id, room_seq FROM chat_messages WHERE chat_room_id = ${room.id} ORDER BY room_seq`,
    );
    expect(stored).toEqual(acked.map((m) => ({ client_id: m.clientId, room_seq: m.id })).sort((x, y) => x.room_seq - y.room_seq));
    expect(stored.map((s) => s.room_seq)).toEqual(stored.map((_, i) => i + 1));
  });
});

describe("receipts, typing, reactions, edits", () => {
  it("typing is broadcast, throttled per member, and expires", async () => {
    const { room, users, tokens } = await groupRoom();
    const a = await connect(t, room.id, tokens[0]!);
    const b = await connect(t, room.id, tokens[1]!);
    a.socket.send({ type: "typing", isTyping: true });
    expect(await b.socket.next("typing")).toEqual({ type: "typing", userId: users[0]!.id, isTyping: true });
    a.socket.send({ type: "typing", isTyping: true });
    a.socket.send({ type: "typing", isTyping: true });
    await b.socket.expectNone("typing", 200);
    const late = await connect(t, room.id, tokens[1]!);
    expect(late.ready.typing).toEqual([users[0]!.id]);
    a.socket.send({ type: "typing", isTyping: false });
    expect(await b.socket.next("typing")).toEqual({ type: "typing", userId: users[0]!.id, isTyping: false });
    // After the throttle, typing again is broadcast again.
    await new Promise((resolve) => setTimeout(resolve, TYPING_THROTTLE_MS));
    a.socket.send({ type: "typing", isTyping: true });
    expect(await b.socket.next("typing")).toMatchObject({ isTyping: true });
    // Typing expires: a member connecting after it sees no one typing.
    await runInDurableObject(roomStub(t, room.id), (_i, state) => state.storage.sql.exec(`UPDATE typing SET expires_ms = 0`));
    expect((await connect(t, room.id, tokens[1]!)).ready.typing).toEqual([]);
  });

  it("read and delivery receipts: broadcast, only forward, flushed to chat_room_users and read_by", async () => {
    const { room, users, tokens } = await groupRoom();
    const [ana, bruno] = users as [typeof users[0], typeof users[0]];
    const a = await connect(t, room.id, tokens[0]!);
    const b = await connect(t, room.id, tokens[1]!);
    for (let i = 1; i <= 3; i++) await say(a.socket, `r${i}`, `m${i}`);
    b.socket.send({ type: "delivered", messageId: 3 });
    expect(await a.socket.next("delivered")).toEqual({ type: "delivered", userId: bruno.id, messageId: 3 });
    b.socket.send({ type: "read", messageId: 2 });
    expect(await a.socket.next("read")).toEqual({ type: "read", userId: bruno.id, messageId: 2 });
    b.socket.send({ type: "read", messageId: 1 });
    await a.socket.expectNone("read");
    b.socket.send({ type: "read", messageId: 9 });
    expect(await b.socket.next("error")).toMatchObject({ code: "message_not_found" });
    const ready = (await connect(t, room.id, tokens[0]!)).ready;
    expect(ready.reads).toEqual(
      expect.arrayContaining([
        { userId: ana.id, readId: 3, deliveredId: 3 },
        { userId: bruno.id, readId: 2, deliveredId: 3 },
      ]),
    );
    await flushRoom(t, room.id);
    const [member] = await rows<{ last_read_seq: number; last_delivered_seq: number; last_read_at: string | null }>(
      sql`SELECT last_read_seq, last_delivered_seq, last_read_at FROM chat_room_users WHERE chat_room_id = ${room.id} AND user_id = ${bruno.id}`,
    );
    expect(member).toMatchObject({ last_read_seq: 2, last_delivered_seq: 3 });
    expect(member!.last_read_at).not.toBeNull();
    expect(await rows(sql`SELECT room_seq, read_by FROM chat_messages WHERE chat_room_id = ${room.id} ORDER BY room_seq`)).toEqual([
      { room_seq: 1, read_by: [String(bruno.id)] },
      { room_seq: 2, read_by: [String(bruno.id)] },
      { room_seq: 3, read_by: null },
    ]);
    b.socket.send({ type: "read", messageId: 3 });
    await a.socket.next("read");
    await flushRoom(t, room.id);
    expect(await rows(sql`SELECT read_by FROM chat_messages WHERE chat_room_id = ${room.id} ORDER BY room_seq`)).toEqual([
      { read_by: [String(bruno.id)] },
      { read_by: [String(bruno.id)] },
      { read_by: [String(bruno.id)] },
    ]);
  });

  it("reactions: unique per message, user and emoji, broadcast, flushed to message_reactions", async () => {
    const { room, users, tokens } = await groupRoom();
    const [ana, bruno] = users as [typeof users[0], typeof users[0]];
    const a = await connect(t, room.id, tokens[0]!);
    const b = await connect(t, room.id, tokens[1]!);
    await say(a.socket, "x", "¡Qué milonga!");
    await b.socket.next("message");
    b.socket.send({ type: "react", messageId: 1, emoji: "🔥", on: true });
    expect(await a.socket.next("reaction")).toEqual({ type: "reaction", messageId: 1, userId: bruno.id, emoji: "🔥", on: true });
    b.socket.send({ type: "react", messageId: 1, emoji: "🔥", on: true });
    await a.socket.expectNone("reaction");
    a.socket.send({ type: "react", messageId: 1, emoji: "🔥", on: true });
    a.socket.send({ type: "react", messageId: 1, emoji: "💃", on: true });
    await b.socket.next((f) => f.type === "reaction" && f.emoji === "💃");
    b.socket.send({ type: "react", messageId: 7, emoji: "🔥", on: true });
    expect(await b.socket.next("error")).toMatchObject({ code: "message_not_found" });

    const reactions = async () =>
      rows(sql`SELECT r.user_id, r.emoji FROM message_reactions r JOIN chat_messages m ON m.id = r.message_id
        WHERE m.chat_room_id = ${room.id} AND m.room_seq = 1 ORDER BY r.user_id, r.emoji`);
    await flushRoom(t, room.id);
    expect(await reactions()).toEqual(
      [
        { user_id: ana.id, emoji: "💃" },
        { user_id: ana.id, emoji: "🔥" },
        { user_id: bruno.id, emoji: "🔥" },
      ].sort((x, y) => x.user_id - y.user_id || (x.emoji < y.emoji ? -1 : 1)),
    );
    b.socket.send({ type: "react", messageId: 1, emoji: "🔥", on: false });
    expect(await a.socket.next((f) => f.type === "reaction" && !f.on)).toMatchObject({ userId: bruno.id, emoji: "🔥" });
    await flushRoom(t, room.id);
    expect(await reactions()).toEqual(
      [
        { user_id: ana.id, emoji: "💃" },
        { user_id: ana.id, emoji: "🔥" },
      ].sort((x, y) => (x.emoji < y.emoji ? -1 : 1)),
    );
    b.socket.send({ type: "resume", afterId: 0 });
    const replayed = (await b.socket.next("message")).message;
    expect(replayed.reactions).toEqual(expect.arrayContaining([{ emoji: "🔥", count: 1, userIds: [ana.id] }, { emoji: "💃", count: 1, userIds: [ana.id] }]));
  });

  it("edit and delete by the author only, broadcast and flushed", async () => {
    const { room, tokens } = await groupRoom();
    const a = await connect(t, room.id, tokens[0]!);
    const b = await connect(t, room.id, tokens[1]!);
    await say(a.socket, "e1", "typo");
    await say(a.socket, "e2", "to delete");
    await flushRoom(t, room.id);
    b.socket.send({ type: "edit", messageId: 1, text: "mine now" });
    expect(await b.socket.next("error")).toMatchObject({ code: "not_message_owner" });
    b.socket.send({ type: "delete", messageId: 2 });
    expect(await b.socket.next("error")).toMatchObject({ code: "not_message_owner" });

    a.socket.send({ type: "edit", messageId: 1, text: "fixed" });
    const edited = (await b.socket.next("edited")).message;
    expect(edited).toMatchObject({ id: 1, text: "fixed" });
    expect(edited.editedAt).toEqual(expect.any(String));
    a.socket.send({ type: "delete", messageId: 2 });
    expect(await b.socket.next("deleted")).toEqual({ type: "deleted", messageId: 2 });
    a.socket.send({ type: "edit", messageId: 2, text: "revive" });
    expect(await a.socket.next("error")).toMatchObject({ code: "message_deleted" });

    await flushRoom(t, room.id);
    const stored = await rows<{ room_seq: number; message: string; edited_at: unknown; deleted_at: unknown }>(
      sql`SELECT room_seq, message, edited_at, deleted_at FROM chat_messages WHERE chat_room_id = ${room.id} ORDER BY room_seq`,
    );
    expect(stored.map((r) => [r.room_seq, r.message, r.edited_at !== null, r.deleted_at !== null])).toEqual([
      [1, "fixed", true, false],
      [2, "", false, true],
    ]);
    expect(await rows(sql`SELECT last_message_preview FROM chat_rooms WHERE id = ${room.id}`)).toEqual([{ last_message_preview: "" }]);
  });
});

describe("resume", () => {
  it("replays what a member missed while disconnected, in order, from the object", async () => {
    const { room, tokens } = await groupRoom();
    const a = await connect(t, room.id, tokens[0]!);
    let b = await connect(t, room.id, tokens[1]!);
    await say(a.socket, "s1", "one");
    expect((await b.socket.next("message")).message.id).toBe(1);
    b.socket.close();
    for (const n of [2, 3, 4]) await say(a.socket, `s${n}`, `n${n}`);
    b = await connect(t, room.id, tokens[1]!);
    expect(b.ready.lastMessageId).toBe(4);
    b.socket.send({ type: "resume", afterId: 1 });
    const replayed = [await b.socket.next("message"), await b.socket.next("message"), await b.socket.next("message")];
    expect(replayed.map((f) => [f.message.id, f.message.text] as unknown[])).toEqual([
      [2, "n2"],
      [3, "n3"],
      [4, "n4"],
    ]);
    expect(await b.socket.next("resumed")).toEqual({ type: "resumed", afterId: 1, lastId: 4, more: false });
    b.socket.send({ type: "resume", afterId: 4 });
    expect(await b.socket.next("resumed")).toEqual({ type: "resumed", afterId: 4, lastId: 4, more: false });
  });

  it("reads the part older than what the object keeps from Postgres, then the rest from the object", async () => {
    const { room, users, tokens } = await groupRoom();
    for (let i = 1; i <= 5; i++) await sendChatMessage(t.db, room.id, users[1]!.id, `from postgres ${i}`);
    const a = await connect(t, room.id, tokens[0]!);
    await say(a.socket, "new", "from the object");
    a.socket.send({ type: "resume", afterId: 2 });
    const replayed = await Promise.all([3, 4, 5, 6].map(() => a.socket.next("message")));
    expect(replayed.map((f) => [f.message.id, f.message.text] as unknown[])).toEqual([
      [3, "from postgres 3"],
      [4, "from postgres 4"],
      [5, "from postgres 5"],
      [6, "from the object"],
    ]);
    expect(await a.socket.next("resumed")).toEqual({ type: "resumed", afterId: 2, lastId: 6, more: false });
    // An old message can still be edited by its author and reacted to (read back from Postgres).
    const b = await connect(t, room.id, tokens[1]!);
    b.socket.send({ type: "edit", messageId: 4, text: "edited later" });
    expect((await a.socket.next("edited")).message).toMatchObject({ id: 4, text: "edited later" });
    a.socket.send({ type: "react", messageId: 3, emoji: "👏", on: true });
    expect(await b.socket.next("reaction")).toMatchObject({ messageId: 3 });
    await flushRoom(t, room.id);
    expect(await rows(sql`SELECT message FROM chat_messages WHERE chat_room_id = ${room.id} AND room_seq = 4`)).toEqual([{ message: "edited later" }]);
    expect(
      await rows(sql`SELECT count(*)::int AS n FROM message_reactions r JOIN chat_messages m ON m.id = r.message_id WHERE m.chat_room_id = ${room.id}`),
    ).toEqual([{ n: 1 }]);
  });
});

describe("restarts", () => {
  it("the object restarted keeps its messages, numbering, receipts and reactions, and its hibernated sockets", async () => {
    const { room, users, tokens } = await groupRoom();
    const bruno = users[1]!;
    const a = await connect(t, room.id, tokens[0]!);
    const b = await connect(t, room.id, tokens[1]!);
    await say(a.socket, "k1", "uno");
    await say(a.socket, "k2", "dos");
    b.socket.send({ type: "read", messageId: 2 });
    await a.socket.next("read");
    b.socket.send({ type: "react", messageId: 1, emoji: "🌹", on: true });
    await a.socket.next("reaction");

    // Evicted with its sockets hibernating: the next frame wakes a new instance, built from storage.
    await evictDurableObject(roomStub(t, room.id));
    expect(await say(a.socket, "k3", "tres")).toMatchObject({ id: 3 });
    expect((await b.socket.next((f) => f.type === "message" && f.message.id === 3)).message.text).toBe("tres");

    // Aborted: its sockets are gone, its storage is not.
    await runInDurableObject(roomStub(t, room.id), (_instance, state) => {
      try {
        state.abort("restart");
      } catch {
        // abort() throws in the caller by design.
      }
    }).catch(() => undefined);
    expect((await a.socket.closed).code).not.toBe(CLOSE.removed);
    const again = await connect(t, room.id, tokens[0]!);
    expect(again.ready.lastMessageId).toBe(3);
    expect(again.ready.reads).toEqual(expect.arrayContaining([{ userId: bruno.id, readId: 2, deliveredId: 2 }]));
    again.socket.send({ type: "resume", afterId: 0 });
    const first = (await again.socket.next("message")).message;
    expect(first.reactions).toEqual([{ emoji: "🌹", count: 1, userIds: [bruno.id] }]);
    expect(await say(again.socket, "k2", "dos")).toMatchObject({ id: 2, duplicate: true });
    await flushRoom(t, room.id);
    expect(await rows(sql`SELECT count(*)::int AS n FROM chat_messages WHERE chat_room_id = ${room.id}`)).toEqual([{ n: 3 }]);
    expect(await rows(sql`SELECT last_read_seq FROM chat_room_users WHERE chat_room_id = ${room.id} AND user_id = ${bruno.id}`)).toEqual([
      { last_read_seq: 2 },
    ]);
  });
});

describe("bad input and limits", () => {
  it("every malformed frame gets an error frame, and the socket survives", async () => {
    const { room, tokens } = await groupRoom();
    const { socket } = await connect(t, room.id, tokens[0]!);
    const cases: [unknown, string][] = [
      ["{not json", "invalid_json"],
      [{ type: "dance" }, "invalid_frame"],
      [{ type: "send", clientId: "c", text: "" }, "invalid_frame"],
      [{ type: "send", clientId: "c", text: "x".repeat(4001) }, "invalid_frame"],
      [{ type: "send", clientId: "c", text: "tan\u0000go" }, "invalid_frame"],
      [{ type: "send", clientId: "c", text: "\ud800" }, "invalid_frame"],
      [{ type: "send", clientId: "has space", text: "x" }, "invalid_frame"],
      [{ type: "send", clientId: "c", text: "x", extra: 1 }, "invalid_frame"],
      [{ type: "read", messageId: "1" }, "invalid_frame"],
      [{ type: "react", messageId: 1, emoji: "a b", on: true }, "invalid_frame"],
      [{ type: "resume", afterId: -1 }, "invalid_frame"],
      [[1, 2], "invalid_frame"],
      [null, "invalid_frame"],
    ];
    for (const [frame, code] of cases) {
      socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
      const error = await socket.next("error");
      expect(error.code, JSON.stringify(frame)).toBe(code);
      expect(error.message).toEqual(expect.any(String));
    }
    socket.send(new TextEncoder().encode("binary").buffer);
    expect(await socket.next("error")).toMatchObject({ code: "binary_not_supported" });
    socket.send(JSON.stringify({ type: "send", clientId: "big", text: "x".repeat(MAX_FRAME_BYTES) }));
    expect(await socket.next("error")).toMatchObject({ code: "frame_too_large" });
    expect(await say(socket, "fine", "still here")).toMatchObject({ type: "ack", id: 1 });
  });

  it("writes are rate limited per connection: a burst, then an error frame with retryAfterMs", async () => {
    const { room, tokens } = await groupRoom();
    const { socket } = await connect(t, room.id, tokens[0]!);
    const other = await connect(t, room.id, tokens[0]!);
    for (let i = 0; i < RATE_BURST; i++) socket.send({ type: "send", clientId: `burst-${i}`, text: `${i}` });
    socket.send({ type: "send", clientId: "over", text: "too many" });
    const acks = await Promise.all(Array.from({ length: RATE_BURST }, (_, i) => socket.next((f) => f.type === "ack" && f.clientId === `burst-${i}`)));
    expect(acks.map((a) => a.id as number)).toEqual(Array.from({ length: RATE_BURST }, (_, i) => i + 1));
    const limited = await socket.next("error");
    expect(limited).toMatchObject({ code: "rate_limited", clientId: "over" });
    expect(limited.retryAfterMs).toBeGreaterThan(0);
    // Another connection has its own budget; reading is not limited.
    expect(await say(other.socket, "other", "ok")).toMatchObject({ type: "ack" });
    socket.send({ type: "read", messageId: 1 });
    await socket.expectNone("error");
    await new Promise((resolve) => setTimeout(resolve, limited.retryAfterMs + 50));
    expect(await say(socket, "over", "too many")).toMatchObject({ type: "ack", duplicate: false });
  });
});

describe("REST send", () => {
  it("goes through the room: the sockets see it; a retry is 200 duplicate; bad media and replies are refused", async () => {
    const { room, users, tokens } = await groupRoom();
    const b = await connect(t, room.id, tokens[1]!);
    const path = `/api/chat/rooms/${room.id}/messages`;
    const sent = await t.api.post(path, { token: tokens[0]!, json: { clientId: "rest-1", text: "por REST" } });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ duplicate: false, message: { id: 1, roomId: room.id, userId: users[0]!.id, clientId: "rest-1", text: "por REST" } });
    expect((await b.socket.next("message")).message).toEqual(sent.body.message);
    const retry = await t.api.post(path, { token: tokens[0]!, json: { clientId: "rest-1", text: "por REST" } });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({ duplicate: true, message: sent.body.message });
    await b.socket.expectNone("message");
    const reused = await t.api.post(path, { token: tokens[0]!, json: { clientId: "rest-1", text: "otra" } });
    expect([reused.status, reused.body.code]).toEqual([409, "client_id_reused"]);
    const media = await t.api.post(path, { token: tokens[0]!, json: { clientId: "rest-2", text: "x", mediaUrl: mediaUrl(t.env, "jpg").replace(/^https?:\/\/[^/]+/, "https://example.com") } });
    expect([media.status, media.body.code]).toEqual([400, "media_url_not_allowed"]);
    const reply = await t.api.post(path, { token: tokens[0]!, json: { clientId: "rest-3", text: "x", replyToId: 50 } });
    expect([reply.status, reply.body.code]).toEqual([404, "reply_not_found"]);
    const invalid = await t.api.post(path, { token: tokens[0]!, json: { clientId: "rest-4", text: "   " } });
    expect([invalid.status, invalid.body.code]).toEqual([400, "validation_failed"]);
    const image = mediaUrl(t.env, "png");
    const withImage = await t.api.post(path, { token: tokens[0]!, json: { clientId: "rest-5", text: "foto", mediaUrl: image, replyToId: 1 } });
    expect(withImage.body.message).toMatchObject({ id: 2, mediaUrl: image, mediaType: "image", replyToId: 1 });
  });

  it("refuses outsiders and anonymous callers", async () => {
    const { room } = await groupRoom();
    const outsider = await createUser(t.db);
    const path = `/api/chat/rooms/${room.id}/messages`;
    expect((await t.api.post(path, { json: { clientId: "a", text: "x" } })).status).toBe(401);
    expect((await t.api.post(path, { token: await tokenFor(t, outsider), json: { clientId: "a", text: "x" } })).status).toBe(404);
  });

  it("is rate limited per dancer and room (429 with Retry-After)", async () => {
    const { room, tokens } = await groupRoom();
    const path = `/api/chat/rooms/${room.id}/messages`;
    const send = (token: string, i: number) => t.api.post(path, { token, json: { clientId: `r${i}`, text: "x" } });
    const answers = await Promise.all(Array.from({ length: RATE_BURST * 2 }, (_, i) => send(tokens[0]!, i)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(RATE_BURST);
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]!.body.code).toBe("rate_limited");
    expect(limited[0]!.headers.get("retry-after")).toBe("1");
    // Another member has a budget of their own.
    expect((await send(tokens[1]!, 100)).status).toBe(201);
  });
});

describe("what the flush does beyond messages", () => {
  it("one coalesced notification per room for members offline everywhere; none for the connected, the live or the muted", async () => {
    const { room, users, tokens } = await groupRoom(5);
    const [ana, bruno, carla, dario, elena] = users as [(typeof users)[0], (typeof users)[0], (typeof users)[0], (typeof users)[0], (typeof users)[0]];
    await t.db.execute(sql`UPDATE chat_room_users SET muted = true WHERE chat_room_id = ${room.id} AND user_id = ${dario.id}`);
    await t.db.execute(sql`INSERT INTO live_presence (user_id, connections, expires_at) VALUES (${elena.id}, 1, now() + interval '1 minute')`);
    const a = await connect(t, room.id, tokens[0]!);
    const b = await connect(t, room.id, tokens[1]!);
    await say(a.socket, "n1", "primera");
    await say(b.socket, "n2", "segunda");
    await say(a.socket, "n3", "tercera");
    await flushRoom(t, room.id);
    const notifications = () =>
      rows<{ user_id: number; count: number; actor_id: number; data: any }>(
        sql`SELECT user_id, count, actor_id, data FROM notifications WHERE type = 'message' AND subject_type = 'chat_room' AND subject_id = ${room.id} ORDER BY user_id`,
      );
    const first = await notifications();
    expect(first.map((n) => n.user_id)).toEqual([carla.id]);
    expect(first[0]).toMatchObject({ actor_id: ana.id, data: { roomId: room.id, preview: "tercera" } });
    await say(b.socket, "n4", "cuarta");
    await flushRoom(t, room.id);
    const second = await notifications();
    expect(second).toHaveLength(1);
    expect(second[0]).toMatchObject({ user_id: carla.id, actor_id: bruno.id, data: { preview: "cuarta" } });
  });

  it("messages between friends in a direct room are one message_sent activity per sender per flush", async () => {
    const [ana, bruno] = await Promise.all([createUser(t.db), createUser(t.db)]);
    const { forward, reverse } = await befriend(t.db, ana.id, bruno.id);
    const room = await createDirectRoom(t.db, ana.id, bruno.id);
    const a = await connect(t, room.id, await tokenFor(t, ana));
    const b = await connect(t, room.id, await tokenFor(t, bruno));
    for (let i = 0; i < 3; i++) await say(a.socket, `f${i}`, "hola");
    await say(b.socket, "g0", "hola");
    await flushRoom(t, room.id);
    const activities = () =>
      rows<{ friendship_id: number; n: number }>(
        sql`SELECT friendship_id, count(*)::int AS n FROM friendship_activities
          WHERE activity_type = 'message_sent' AND friendship_id IN (${forward.id}, ${reverse.id}) GROUP BY friendship_id ORDER BY friendship_id`,
      );
    expect(await activities()).toEqual([
      { friendship_id: forward.id, n: 1 },
      { friendship_id: reverse.id, n: 1 },
    ]);
    await say(a.socket, "f9", "otra vez");
    await flushRoom(t, room.id);
    await eventually(async () => expect((await activities()).find((r) => r.friendship_id === forward.id)?.n).toBe(2));
  });
});
