import { runInDurableObject } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { tokenFor } from "../../../test/auth";
import { befriend, createChatRoom, createDirectRoom, createUser } from "../../../test/factories";
import { testCtx, useSharedDatabase } from "../../../test/harness";
import { connect, databaseFault, eventually, flushRoom, roomState, roomStub, settleChat, type TestSocket } from "../../../test/sockets";
import { RESUME_PAGE } from "./chat.protocol";
import { FLUSH_TIMEOUT_MS, RETRY_MAX_MS, RETRY_MIN_MS } from "./chat-room.do";
import { flushOutbox } from "./chat-room.outbox";
import { MESSAGES_KEPT } from "./chat-room.storage";

const t = useSharedDatabase();
afterEach(async () => {
  await databaseFault(t, "none");
  await settleChat(t);
});

async function rows<T = Record<string, unknown>>(query: ReturnType<typeof sql>): Promise<T[]> {
  return (await t.db.execute(query)).rows as T[];
}

async function say(socket: TestSocket, clientId: string, text: string) {
  socket.send({ type: "send", clientId, text });
  return socket.next((f) => (f.type === "ack" || f.type === "error") && f.clientId === clientId);
}

/** Runs the flush with the database failing as `mode`; answers the room's state after it. */
async function failedFlush(roomId: number, mode: "refuse" | "fail_after_commit") {
  await databaseFault(t, mode);
  try {
    await flushRoom(t, roomId);
    return await roomState(t, roomId);
  } finally {
    await databaseFault(t, "none");
  }
}

describe("a flush whose reply was lost after it committed", () => {
  it("runs again without writing anything twice: messages, reactions, read_by, the notification", async () => {
    const users = await Promise.all([createUser(t.db), createUser(t.db), createUser(t.db)]);
    const [ana, bruno, carla] = users;
    const room = await createChatRoom(t.db, { members: users.map((u) => u.id) });
    const a = await connect(t, room.id, await tokenFor(t, ana));
    const b = await connect(t, room.id, await tokenFor(t, bruno));
    await databaseFault(t, "fail_after_commit");
    try {
      await say(a.socket, "l1", "uno");
      await say(a.socket, "l2", "dos");
      b.socket.send({ type: "react", messageId: 1, emoji: "🔥", on: true });
      b.socket.send({ type: "read", messageId: 2 });
      await a.socket.next("read");
      await flushRoom(t, room.id);
      const state = await roomState(t, room.id);
      // The object counts it as failed and keeps everything for the retry.
      expect(state.retryMs).toBeGreaterThanOrEqual(RETRY_MIN_MS);
      expect(state.unflushed).toBe(2);
      expect(state.unflushedReactions).toBe(1);
    } finally {
      await databaseFault(t, "none");
    }
    // ...though Postgres has it all.
    expect(await rows(sql`SELECT count(*)::int AS n FROM chat_messages WHERE chat_room_id = ${room.id}`)).toEqual([{ n: 2 }]);
    const [before] = await rows<{ count: number; updated_at: string }>(
      sql`SELECT count, updated_at::text FROM notifications WHERE user_id = ${carla.id} AND type = 'message' AND subject_id = ${room.id}`,
    );
    expect(before).toMatchObject({ count: 1 });

    await flushRoom(t, room.id);
    expect(await roomState(t, room.id)).toMatchObject({ retryMs: 0, unflushed: 0, unflushedReactions: 0, unflushedReceipts: 0, alarm: null });
    expect(await rows(sql`SELECT room_seq, read_by FROM chat_messages WHERE chat_room_id = ${room.id} ORDER BY room_seq`)).toEqual([
      { room_seq: 1, read_by: [String(bruno.id)] },
      { room_seq: 2, read_by: [String(bruno.id)] },
    ]);
    expect(
      await rows(sql`SELECT count(*)::int AS n FROM message_reactions r JOIN chat_messages m ON m.id = r.message_id WHERE m.chat_room_id = ${room.id}`),
    ).toEqual([{ n: 1 }]);
    expect(
      await rows(sql`SELECT count, updated_at::text FROM notifications WHERE user_id = ${carla.id} AND type = 'message' AND subject_id = ${room.id}`),
    ).toEqual([before]);
    expect(await rows(sql`SELECT count(*)::int AS n FROM email_queue WHERE user_id = ${carla.id}`)).toEqual([{ n: 0 }]);
  });

  it("records the friendship activity once", async () => {
    const [ana, bruno] = await Promise.all([createUser(t.db), createUser(t.db)]);
    const { forward } = await befriend(t.db, ana.id, bruno.id);
    const room = await createDirectRoom(t.db, ana.id, bruno.id);
    const a = await connect(t, room.id, await tokenFor(t, ana));
    await databaseFault(t, "fail_after_commit");
    try {
      await say(a.socket, "f1", "hola");
      await flushRoom(t, room.id);
    } finally {
      await databaseFault(t, "none");
    }
    await flushRoom(t, room.id);
    expect(
      await rows(sql`SELECT count(*)::int AS n FROM friendship_activities WHERE friendship_id = ${forward.id} AND activity_type = 'message_sent'`),
    ).toEqual([{ n: 1 }]);
  });
});

describe("when Postgres is out of reach", () => {
  it("retries with a backoff doubling from 1 s to 60 s, and new messages do not pull it earlier", async () => {
    const [ana, bruno] = await Promise.all([createUser(t.db), createUser(t.db)]);
    const room = await createChatRoom(t.db, { members: [ana.id, bruno.id] });
    const a = await connect(t, room.id, await tokenFor(t, ana));
    await databaseFault(t, "refuse");
    try {
      await say(a.socket, "b1", "hola");
      const waits: number[] = [];
      for (let i = 0; i < 3; i++) {
        await flushRoom(t, room.id);
        waits.push((await roomState(t, room.id)).retryMs);
      }
      expect(waits[1]).toBe(waits[0]! * 2);
      expect(waits[2]).toBe(waits[1]! * 2);
      const { alarm } = await roomState(t, room.id);
      expect(alarm! - Date.now()).toBeGreaterThan(waits[2]! - 1000);
      await say(a.socket, "b2", "¿hay alguien?");
      expect((await roomState(t, room.id)).alarm).toBe(alarm);
      await runInDurableObject(roomStub(t, room.id), (_i, state) => state.storage.sql.exec(`UPDATE room_meta SET value = '40000' WHERE key = 'retryMs'`));
      await runInDurableObject(roomStub(t, room.id), (instance) => {
        (instance as unknown as { meta: { retryMs: number } }).meta.retryMs = 40_000;
      });
      await flushRoom(t, room.id);
      expect((await roomState(t, room.id)).retryMs).toBe(RETRY_MAX_MS);
    } finally {
      await databaseFault(t, "none");
    }
    // The next try is a minute away: nothing reached Postgres meanwhile.
    expect(await rows(sql`SELECT count(*)::int AS n FROM chat_messages WHERE chat_room_id = ${room.id}`)).toEqual([{ n: 0 }]);
    await flushRoom(t, room.id);
    expect(await roomState(t, room.id)).toMatchObject({ retryMs: 0, unflushed: 0, alarm: null });
    expect(await rows(sql`SELECT room_seq FROM chat_messages WHERE chat_room_id = ${room.id} ORDER BY room_seq`)).toEqual([{ room_seq: 1 }, { room_seq: 2 }]);
  });

  it(
    "gives up on a request that hangs, and keeps what it was flushing",
    async () => {
      const [ana, bruno] = await Promise.all([createUser(t.db), createUser(t.db)]);
      const room = await createChatRoom(t.db, { members: [ana.id, bruno.id] });
      const a = await connect(t, room.id, await tokenFor(t, ana));
      await databaseFault(t, "hang");
      const started = Date.now();
      try {
        await say(a.socket, "h1", "¿me oyen?");
        await flushRoom(t, room.id);
        expect(Date.now() - started).toBeGreaterThanOrEqual(FLUSH_TIMEOUT_MS - 100);
        expect(await roomState(t, room.id)).toMatchObject({ unflushed: 1 });
        expect((await roomState(t, room.id)).retryMs).toBeGreaterThanOrEqual(RETRY_MIN_MS);
        // The socket kept working while the flush hung.
        expect(await say(a.socket, "h2", "sigo acá")).toMatchObject({ type: "ack", id: 2 });
      } finally {
        await databaseFault(t, "none");
      }
      await flushRoom(t, room.id);
      expect(await rows(sql`SELECT room_seq FROM chat_messages WHERE chat_room_id = ${room.id} ORDER BY room_seq`)).toEqual([{ room_seq: 1 }, { room_seq: 2 }]);
    },
    FLUSH_TIMEOUT_MS * 4,
  );
});

describe("trimming", () => {
  it(`keeps the last ${MESSAGES_KEPT} messages once Postgres has them, never before; resume and retries reach past it`, async () => {
    const [ana, bruno] = await Promise.all([createUser(t.db), createUser(t.db)]);
    const room = await createChatRoom(t.db, { members: [ana.id, bruno.id] });
    const [anaToken, brunoToken] = await Promise.all([tokenFor(t, ana), tokenFor(t, bruno)]);
    const a = await connect(t, room.id, anaToken);
    const total = MESSAGES_KEPT + 20;
    // Down before the first send, so no flush can succeed before the one below fails.
    await databaseFault(t, "refuse");
    // Stored as a socket's sends are (the rate limit aside), to fill the room quickly.
    await runInDurableObject(roomStub(t, room.id), (instance) => {
      const room = instance as unknown as { accept(userId: number, canSend: boolean, input: { clientId: string; text: string }): { ok: boolean } };
      for (let i = 1; i <= total; i++) expect(room.accept(ana.id, true, { clientId: `t${i}`, text: `m${i}` }).ok).toBe(true);
    });
    expect(await failedFlush(room.id, "refuse")).toMatchObject({ kept: total, unflushed: total, floor: 1 });

    await flushRoom(t, room.id);
    expect(await roomState(t, room.id)).toMatchObject({ kept: MESSAGES_KEPT, unflushed: 0, floor: total - MESSAGES_KEPT + 1, clientIds: total });
    expect(await rows(sql`SELECT count(*)::int AS n, max(room_seq) AS last FROM chat_messages WHERE chat_room_id = ${room.id}`)).toEqual([
      { n: total, last: total },
    ]);

    const b = await connect(t, room.id, brunoToken);
    b.socket.send({ type: "resume", afterId: 0 });
    const first = await Promise.all(Array.from({ length: RESUME_PAGE }, () => b.socket.next("message")));
    expect(first.map((f) => f.message.id as number)).toEqual(Array.from({ length: RESUME_PAGE }, (_, i) => i + 1));
    expect(await b.socket.next("resumed")).toEqual({ type: "resumed", afterId: 0, lastId: RESUME_PAGE, more: true });
    b.socket.send({ type: "resume", afterId: RESUME_PAGE });
    const rest = await Promise.all(Array.from({ length: total - RESUME_PAGE }, () => b.socket.next("message")));
    expect(rest.map((f) => f.message.id as number)).toEqual(Array.from({ length: total - RESUME_PAGE }, (_, i) => RESUME_PAGE + i + 1));
    expect(await b.socket.next("resumed")).toEqual({ type: "resumed", afterId: RESUME_PAGE, lastId: total, more: false });

    // A retry of a message no longer kept is still the same message: over the socket, and over REST.
    expect(await say(a.socket, "t1", "m1")).toEqual({ type: "ack", clientId: "t1", id: 1, duplicate: true });
    const retry = await t.api.post(`/api/chat/rooms/${room.id}/messages`, { token: anaToken, json: { clientId: "t2", text: "m2" } });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ duplicate: true, message: { id: 2, text: "m2", clientId: "t2" } });
    // The author may still delete it (read back from Postgres).
    a.socket.send({ type: "delete", messageId: 3 });
    expect(await b.socket.next("deleted")).toEqual({ type: "deleted", messageId: 3 });
    await flushRoom(t, room.id);
    expect(await rows(sql`SELECT message, deleted_at IS NOT NULL AS deleted FROM chat_messages WHERE chat_room_id = ${room.id} AND room_seq = 3`)).toEqual([
      { message: "", deleted: true },
    ]);
  });
});

describe("a room deleted in Postgres", () => {
  it("closes its sockets with 4003 at the next flush and forgets its outbox", async () => {
    const [ana, bruno] = await Promise.all([createUser(t.db), createUser(t.db)]);
    const room = await createChatRoom(t.db, { members: [ana.id, bruno.id] });
    const a = await connect(t, room.id, await tokenFor(t, ana));
    await say(a.socket, "d1", "adiós");
    await t.db.execute(sql`DELETE FROM chat_rooms WHERE id = ${room.id}`);
    await flushRoom(t, room.id);
    expect(await a.socket.closed).toEqual({ code: 4003, reason: "room_deleted" });
    expect(await roomState(t, room.id)).toMatchObject({ kept: 0, unflushed: 0, alarm: null });
  });
});

describe("flushOutbox", () => {
  it("answers the members on a live channel elsewhere, with the newest message and how many came, and notifies none of them", async () => {
    const users = await Promise.all([createUser(t.db), createUser(t.db), createUser(t.db), createUser(t.db)]);
    const [ana, live, inRoom, offline] = users;
    const room = await createChatRoom(t.db, { members: users.map((u) => u.id) });
    await t.db.execute(sql`INSERT INTO live_presence (user_id, connections, expires_at) VALUES (${live.id}, 1, now() + interval '1 minute')`);
    // An expired row is a hub that died: offline.
    await t.db.execute(sql`INSERT INTO live_presence (user_id, connections, expires_at) VALUES (${offline.id}, 1, now() - interval '1 minute')`);
    const message = (seq: number, text: string) => ({
      seq,
      userId: ana.id,
      clientId: `o${seq}`,
      text,
      mediaUrl: null,
      mediaType: null,
      replyTo: null,
      createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
      editedAt: null,
      deletedAt: null,
      version: 1,
      flushedVersion: 0,
    });
    const batch = { messages: [message(1, "uno"), message(2, "dos")], reactions: [], receipts: [], horizon: 2 };
    const result = await flushOutbox(testCtx(t), { roomId: room.id, batch, connected: [inRoom.id] });
    expect(result).toMatchObject({ roomExists: true, inserted: 2, written: 2, notified: 1, activities: 0 });
    expect(result.live).toEqual([
      { userId: live.id, count: 2, message: { id: 2, userId: ana.id, preview: "dos", createdAt: "2026-01-01T00:00:02.000Z" } },
    ]);
    expect(await rows(sql`SELECT user_id FROM notifications WHERE type = 'message' AND subject_id = ${room.id}`)).toEqual([{ user_id: offline.id }]);
    // Run again (a lost reply): nothing new, no one told twice.
    expect(await flushOutbox(testCtx(t), { roomId: room.id, batch, connected: [inRoom.id] })).toMatchObject({ inserted: 0, written: 0, notified: 0, live: [] });
    await eventually(async () => expect(await rows(sql`SELECT count(*)::int AS n FROM chat_messages WHERE chat_room_id = ${room.id}`)).toEqual([{ n: 2 }]));
  });
});
