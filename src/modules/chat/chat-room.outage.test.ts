import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { tokenFor } from "../../../test/auth";
import { createChatRoom, createUser } from "../../../test/factories";
import { useSharedDatabase } from "../../../test/harness";
import { connect, databaseFault, flushRoom, roomState, settleChat } from "../../../test/sockets";
import { RATE_BURST } from "./chat.protocol";

const t = useSharedDatabase();
afterEach(async () => {
  await databaseFault(t, "none");
  await settleChat(t);
});

describe("the database endpoint down while 100 messages are sent", () => {
  it("acknowledges all of them, delivers them live, and writes each to Postgres exactly once when it returns", async () => {
    const senders = await Promise.all(Array.from({ length: 5 }, () => createUser(t.db)));
    const reader = await createUser(t.db);
    const room = await createChatRoom(t.db, { members: [...senders, reader].map((u) => u.id) });
    // Two sockets per sender, each sending within its burst: 10 x 10 = 100 messages.
    const sockets = [];
    const tokens = [];
    for (const sender of senders) {
      const token = await tokenFor(t, sender);
      tokens.push(token);
      sockets.push((await connect(t, room.id, token)).socket, (await connect(t, room.id, token)).socket);
    }
    const watcher = (await connect(t, room.id, await tokenFor(t, reader))).socket;
    const perSocket = RATE_BURST;
    expect(sockets.length * perSocket).toBe(100);

    await databaseFault(t, "refuse");
    let acks;
    try {
      for (const [s, socket] of sockets.entries()) {
        for (let i = 0; i < perSocket; i++) socket.send({ type: "send", clientId: `out-${s}-${i}`, text: `mensaje ${s}.${i}` });
      }
      acks = await Promise.all(
        sockets.flatMap((socket, s) =>
          Array.from({ length: perSocket }, (_, i) => socket.next((f) => f.clientId === `out-${s}-${i}`, 10_000)),
        ),
      );
      const delivered = await Promise.all(Array.from({ length: 100 }, () => watcher.next("message", 10_000)));
      expect(new Set(delivered.map((f) => f.message.id as number)).size).toBe(100);
      // Postgres refuses every flush meanwhile; each retry waits longer.
      await flushRoom(t, room.id);
      await flushRoom(t, room.id);
      expect(await roomState(t, room.id)).toMatchObject({ unflushed: 100 });
      expect((await roomState(t, room.id)).retryMs).toBeGreaterThanOrEqual(2000);
    } finally {
      await databaseFault(t, "none");
    }
    expect(acks.every((f) => f.type === "ack" && f.duplicate === false)).toBe(true);
    const ids = acks.map((f) => f.id as number).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(await t.db.execute(sql`SELECT count(*)::int AS n FROM chat_messages WHERE chat_room_id = ${room.id}`)).toMatchObject({ rows: [{ n: 0 }] });

    // Back: the next flush writes them all, once; a retried send is still the same message.
    await flushRoom(t, room.id);
    const again = (await connect(t, room.id, tokens[0]!)).socket;
    again.send({ type: "send", clientId: "out-0-0", text: "mensaje 0.0" });
    expect(await again.next("ack")).toMatchObject({ clientId: "out-0-0", id: acks[0]!.id as number, duplicate: true });
    await flushRoom(t, room.id);
    const { rows } = await t.db.execute<{ n: number; clients: number; first: number; last: number; users: number }>(sql`
      SELECT count(*)::int AS n, count(DISTINCT (user_id, client_id))::int AS clients, min(room_seq) AS first, max(room_seq) AS last,
        count(DISTINCT user_id)::int AS users
      FROM chat_messages WHERE chat_room_id = ${room.id}`);
    expect(rows).toEqual([{ n: 100, clients: 100, first: 1, last: 100, users: 5 }]);
    const byClient = await t.db.execute<{ client_id: string; room_seq: number }>(
      sql`SELECT client_id, room_seq FROM chat_messages WHERE chat_room_id = ${room.id}`,
    );
    const acked = new Map(acks.map((f) => [f.clientId as string, f.id as number]));
    for (const row of byClient.rows) expect(row.room_seq, row.client_id).toBe(acked.get(row.client_id));
    expect(await roomState(t, room.id)).toMatchObject({ retryMs: 0, unflushed: 0, alarm: null });
    expect(await t.db.execute(sql`SELECT last_message_seq FROM chat_rooms WHERE id = ${room.id}`)).toMatchObject({ rows: [{ last_message_seq: 100 }] });
  });
});
