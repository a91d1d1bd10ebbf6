import { eq } from "drizzle-orm";
import { roundTrips } from "../../../test/roundtrips";
import { describe, expect, it } from "vitest";
import { blockedUsers, chatMessages, messageReactions } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createChatRoom, createUser, mediaUrl, sendChatMessage, unique } from "../../../test/factories";
import { type ApiResponse, testCtx, useSharedDatabase } from "../../../test/harness";
import { encodeCursor } from "../../lib/pagination";
import { messagesAfter } from "./index";

const t = useSharedDatabase();

type Page = { items: { id: number; text: string }[]; nextCursor: string | null };

/** A group room of the caller and another dancer, with `n` messages numbered 1..n ("m1".."mn"). */
async function roomWithMessages(n: number) {
  const me = await signedIn(t);
  const other = await createUser(t.db);
  const room = await createChatRoom(t.db, { members: [me.user.id, other.id] });
  for (let i = 1; i <= n; i++) await sendChatMessage(t.db, room.id, i % 2 ? me.user.id : other.id, `m${i}`);
  return { me, other, room };
}

/** Every page from `path`, following nextCursor (the path has a `?`). */
async function allPages(path: string, token: string): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | null = null;
  do {
    const res: ApiResponse<Page> = await t.api.get(`${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    pages.push(res.body);
    cursor = res.body.nextCursor;
  } while (cursor);
  return pages;
}

const ids = (pages: Page[]) => pages.map((p) => p.items.map((m) => m.id));

describe("GET /api/chat/rooms/{id}/messages", () => {
  it("pages the history newest first without gaps or repeats", async () => {
    const { me, room } = await roomWithMessages(7);
    const pages = await allPages(`/api/chat/rooms/${room.id}/messages?limit=3`, me.token);
    expect(ids(pages)).toEqual([[7, 6, 5], [4, 3, 2], [1]]);
    expect(pages[0]!.items.map((m) => m.text)).toEqual(["m7", "m6", "m5"]);
    expect(ids(await allPages(`/api/chat/rooms/${room.id}/messages?limit=100`, me.token))).toEqual([[7, 6, 5, 4, 3, 2, 1]]);
  });

  it("with afterId, pages the messages after it oldest first, and a cursor keeps its direction", async () => {
    const { me, room } = await roomWithMessages(7);
    expect(ids(await allPages(`/api/chat/rooms/${room.id}/messages?afterId=2&limit=2`, me.token))).toEqual([[3, 4], [5, 6], [7]]);
    expect(ids(await allPages(`/api/chat/rooms/${room.id}/messages?afterId=0&limit=100`, me.token))).toEqual([[1, 2, 3, 4, 5, 6, 7]]);
    expect(ids(await allPages(`/api/chat/rooms/${room.id}/messages?afterId=7`, me.token))).toEqual([[]]);
    const first = (await t.api.get(`/api/chat/rooms/${room.id}/messages?limit=2`, { token: me.token })).body as Page;
    const next = await t.api.get(`/api/chat/rooms/${room.id}/messages?limit=2&afterId=1&cursor=${encodeURIComponent(first.nextCursor!)}`, {
      token: me.token,
    });
    expect(next.body.items.map((m: { id: number }) => m.id)).toEqual([5, 4]);
  });

  it("shows each message in the protocol's shape: deleted ones emptied, media, replies, edits, reactions per emoji", async () => {
    const { me, other, room } = await roomWithMessages(0);
    const image = mediaUrl(t.env);
    const first = await sendChatMessage(t.db, room.id, me.user.id, "Hola, ¿bailamos?");
    await t.db
      .update(chatMessages)
      .set({ clientId: "web-1", mediaUrl: image, mediaType: "image", editedAt: new Date("2026-05-01T20:00:01.250Z"), createdAt: new Date("2026-05-01T20:00:00Z") })
      .where(eq(chatMessages.id, first.id));
    const reply = await sendChatMessage(t.db, room.id, other.id, "¡Claro!");
    await t.db.update(chatMessages).set({ replyToSeq: 1 }).where(eq(chatMessages.id, reply.id));
    const gone = await sendChatMessage(t.db, room.id, other.id, "Oops, wrong room");
    await t.db.update(chatMessages).set({ deletedAt: new Date("2026-05-01T21:00:00Z"), mediaUrl: image, mediaType: "image" }).where(eq(chatMessages.id, gone.id));
    const reactors = await Promise.all(Array.from({ length: 23 }, () => createUser(t.db)));
    const base = Date.parse("2026-05-01T20:10:00Z");
    await t.db.insert(messageReactions).values([
      { messageId: first.id, userId: me.user.id, emoji: "👏", createdAt: new Date(base) },
      ...reactors.map((r, i) => ({ messageId: first.id, userId: r.id, emoji: "❤️", createdAt: new Date(base + 1000 + i * 1000) })),
      { messageId: first.id, userId: other.id, emoji: "👏", createdAt: new Date(base + 100_000) },
      { messageId: gone.id, userId: me.user.id, emoji: "😮" },
    ]);

    const res = await t.api.get(`/api/chat/rooms/${room.id}/messages`, { token: me.token });
    expect(res.status).toBe(200);
    const [deleted, answered, original] = res.body.items;
    expect(original).toEqual({
      id: 1,
      roomId: room.id,
      userId: me.user.id,
      clientId: "web-1",
      text: "Hola, ¿bailamos?",
      mediaUrl: image,
      mediaType: "image",
      replyToId: null,
      createdAt: "2026-05-01T20:00:00.000Z",
      editedAt: "2026-05-01T20:00:01.250Z",
      deletedAt: null,
      reactions: [
        { emoji: "👏", count: 2, userIds: [me.user.id, other.id] },
        { emoji: "❤️", count: 23, userIds: reactors.slice(0, 20).map((r) => r.id) },
      ],
    });
    expect(answered).toMatchObject({ id: 2, userId: other.id, replyToId: 1, text: "¡Claro!", reactions: [] });
    expect(deleted).toMatchObject({ id: 3, text: "", mediaUrl: null, mediaType: null, reactions: [], deletedAt: "2026-05-01T21:00:00.000Z" });
  });

  it("shows messages by dancers blocked either way, with their id only", async () => {
    const { me, other, room } = await roomWithMessages(0);
    await sendChatMessage(t.db, room.id, other.id, "sigo aquí");
    await t.db.insert(blockedUsers).values({ blockerId: me.user.id, blockedId: other.id });
    const res = await t.api.get(`/api/chat/rooms/${room.id}/messages`, { token: me.token });
    expect(res.body.items).toEqual([expect.objectContaining({ userId: other.id, text: "sigo aquí" })]);
    expect(JSON.stringify(res.body)).not.toContain(other.username);
  });

  it("is 404 for a room the caller is not in, and for no room", async () => {
    const { room } = await roomWithMessages(2);
    const outsider = await signedIn(t);
    for (const id of [room.id, 2_147_483_647]) {
      const res = await t.api.get(`/api/chat/rooms/${id}/messages`, { token: outsider.token });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("not_found");
    }
  });

  it.each([
    ["a garbage cursor", "cursor=garbage", "query.cursor"],
    ["a cursor with no direction", `cursor=${encodeCursor([5])}`, "query.cursor"],
    ["a cursor going sideways", `cursor=${encodeCursor(["sideways", 5])}`, "query.cursor"],
    ["a cursor below zero", `cursor=${encodeCursor(["before", -1])}`, "query.cursor"],
    ["limit=0", "limit=0", "query.limit"],
    ["limit=101", "limit=101", "query.limit"],
    ["afterId=-1", "afterId=-1", "query.afterId"],
    ["afterId=abc", "afterId=abc", "query.afterId"],
    ["afterId=1e3", "afterId=1e3", "query.afterId"],
    ["afterId past int4", "afterId=2147483648", "query.afterId"],
  ])("rejects %s with 400", async (_label, query, path) => {
    const { me, room } = await roomWithMessages(1);
    const res = await t.api.get(`/api/chat/rooms/${room.id}/messages?${query}`, { token: me.token });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path })]);
  });
});

describe("messagesAfter (for the room's object)", () => {
  it("reads the messages after a number, oldest first, with no membership check", async () => {
    const { room } = await roomWithMessages(6);
    const ctx = testCtx(t);
    expect((await messagesAfter(ctx, room.id, 2, 3)).map((m) => [m.id, m.text, m.roomId])).toEqual([
      [3, "m3", room.id],
      [4, "m4", room.id],
      [5, "m5", room.id],
    ]);
    expect(await messagesAfter(ctx, room.id, 6, 10)).toEqual([]);
    expect(await messagesAfter(ctx, 2_147_483_647, 0, 10)).toEqual([]);
  });
});

describe("GET /api/chat/rooms/{id}/messages/search", () => {
  it("finds words accents and case ignored, newest first page by page, never deleted messages or other rooms'", async () => {
    const { me, other, room } = await roomWithMessages(0);
    const word = unique("tanda").toLowerCase();
    const texts = [`Milonga ${word} en Canning`, "nada que ver", `MILONGA ${word} otra vez`, `la práctica ${word}`, `milongá ${word} borrada`];
    const sent = [];
    for (const text of texts) sent.push(await sendChatMessage(t.db, room.id, me.user.id, text));
    await t.db.update(chatMessages).set({ deletedAt: new Date() }).where(eq(chatMessages.id, sent[4]!.id));
    const elsewhere = await createChatRoom(t.db, { members: [me.user.id, other.id] });
    await sendChatMessage(t.db, elsewhere.id, me.user.id, `milonga ${word}`);

    const pages = await allPages(`/api/chat/rooms/${room.id}/messages/search?q=${encodeURIComponent(`milongá ${word}`)}&limit=1`, me.token);
    expect(ids(pages)).toEqual([[3], [1]]);
    expect(pages[0]!.items[0]!.text).toBe(`MILONGA ${word} otra vez`);
    const practica = await allPages(`/api/chat/rooms/${room.id}/messages/search?q=practica`, me.token);
    expect(ids(practica)).toEqual([[4]]);
    const without = await allPages(`/api/chat/rooms/${room.id}/messages/search?q=${encodeURIComponent(`${word} -canning`)}`, me.token);
    expect(ids(without)).toEqual([[4, 3]]);
    expect(ids(await allPages(`/api/chat/rooms/${room.id}/messages/search?q=${encodeURIComponent("¿¡!?")}`, me.token))).toEqual([[]]);
  });

  it("is 404 for a room the caller is not in", async () => {
    const { room } = await roomWithMessages(1);
    const outsider = await signedIn(t);
    expect((await t.api.get(`/api/chat/rooms/${room.id}/messages/search?q=m1`, { token: outsider.token })).status).toBe(404);
  });

  it.each([
    ["no q", "", "query.q"],
    ["a blank q", "q=%20%20", "query.q"],
    ["a q of 201 characters", `q=${"a".repeat(201)}`, "query.q"],
    ["a q with a line break", "q=a%0Ab", "query.q"],
    ["a q with a NUL", "q=a%00b", "query.q"],
    ["a bad cursor", `q=a&cursor=${encodeCursor(["before", 1])}`, "query.cursor"],
    ["limit=101", "q=a&limit=101", "query.limit"],
  ])("rejects %s with 400", async (_label, query, path) => {
    const { me, room } = await roomWithMessages(1);
    const res = await t.api.get(`/api/chat/rooms/${room.id}/messages/search?${query}`, { token: me.token });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });
});

describe("chat history: security and round trips", () => {
  it("is 401 without a token", async () => {
    const { room } = await roomWithMessages(1);
    expect((await t.api.get(`/api/chat/rooms/${room.id}/messages`)).status).toBe(401);
    expect((await t.api.get(`/api/chat/rooms/${room.id}/messages/search?q=m1`)).status).toBe(401);
  });

  it("answers history, catch-up and search in one round trip each", async () => {
    const { me, room } = await roomWithMessages(3);
    for (const path of ["messages", "messages?afterId=1", "messages/search?q=m2"]) {
      expect(await roundTrips(() => t.api.get(`/api/chat/rooms/${room.id}/${path}`, { token: me.token })), path).toEqual({ status: 200, trips: 1 });
    }
  });
});
