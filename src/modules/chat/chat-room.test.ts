import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { tokenFor } from "../../../test/auth";
import { createChatRoom, createUser } from "../../../test/factories";
import { useSharedDatabase } from "../../../test/harness";
import { connect, flushRoom, settleChat } from "../../../test/sockets";

const t = useSharedDatabase();
afterEach(() => settleChat(t));

async function groupRoom(size = 2) {
  const users = await Promise.all(Array.from({ length: size }, () => createUser(t.db)));
  const room = await createChatRoom(t.db, { members: users.map((u) => u.id) });
  const tokens = await Promise.all(users.map((u) => tokenFor(t, u)));
  return { room, users, tokens };
}

describe("smoke", () => {
  it("two members exchange messages with acks", async () => {
    const { room, users, tokens } = await groupRoom();
    const a = await connect(t, room.id, tokens[0]!);
    const b = await connect(t, room.id, tokens[1]!);
    expect(a.ready).toMatchObject({ type: "ready", roomId: room.id, userId: users[0]!.id, lastMessageId: 0 });
    a.socket.send({ type: "send", clientId: "c1", text: "hola" });
    const ack = await a.socket.next("ack");
    expect(ack).toEqual({ type: "ack", clientId: "c1", id: 1, duplicate: false });
    const got = await b.socket.next("message");
    expect(got.message).toMatchObject({ id: 1, text: "hola", userId: users[0]!.id });
    expect(await flushRoom(t, room.id)).toBe(true);
    const { rows } = await t.db.execute(sql`SELECT room_seq, message FROM chat_messages WHERE chat_room_id = ${room.id}`);
    expect(rows).toEqual([{ room_seq: 1, message: "hola" }]);
  });
});
