import { and, eq, or, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, friendRequestStories, friendRequests, friendshipMedia, friendships, notifications, users } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { befriend, createEvent, createUser, mediaUrl } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";

const t = await useTestDatabase();

type Dancer = Awaited<ReturnType<typeof signedIn>>;
const IMAGE = { url: mediaUrl(t.env, "jpg"), type: "image", caption: "Our first tanda" } as const;
const VIDEO = { url: mediaUrl(t.env, "mp4"), type: "video" } as const;

const send = (from: Dancer, receiverId: number, body: Record<string, unknown> = {}) =>
  t.api.post("/api/friends/requests", { token: from.token, json: { receiverId, ...body } });
const answer = (who: Dancer, id: number, action: "accept" | "reject" | "cancel", json?: Record<string, unknown>) =>
  t.api.post(`/api/friends/requests/${id}/${action}`, { token: who.token, json });

const pairRequests = (a: number, b: number) =>
  t.db
    .select()
    .from(friendRequests)
    .where(or(and(eq(friendRequests.senderId, a), eq(friendRequests.receiverId, b)), and(eq(friendRequests.senderId, b), eq(friendRequests.receiverId, a))));
const pairFriendships = (a: number, b: number) =>
  t.db
    .select()
    .from(friendships)
    .where(or(and(eq(friendships.userId, a), eq(friendships.friendId, b)), and(eq(friendships.userId, b), eq(friendships.friendId, a))));
const notificationsOf = (userId: number, type: string) =>
  t.db.select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.type, type)));

async function pair() {
  return [await signedIn(t), await signedIn(t)] as const;
}

async function pending(from: Dancer, to: Dancer, body: Record<string, unknown> = {}) {
  const res = await send(from, to.user.id, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: number };
}

describe("POST /api/friends/requests", () => {
  it("sends a request with its story and media (201) and notifies the receiver", async () => {
    const [ana, bruno] = await pair();
    const event = await createEvent(t.db, { userId: bruno.user.id });
    const res = await send(ana, bruno.user.id, {
      message: "  Gracias por la tanda!\nSee you at the milonga  ",
      didWeDance: true,
      danceLocation: "Salon Canning",
      danceEventId: event.id,
      danceStory: "A D'Arienzo tanda, then a vals.",
      media: [IMAGE, VIDEO],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      senderId: ana.user.id,
      receiverId: bruno.user.id,
      status: "pending",
      message: "Gracias por la tanda!\nSee you at the milonga",
      respondedAt: null,
      story: { didWeDance: true, danceLocation: "Salon Canning", danceEventId: event.id, danceStory: "A D'Arienzo tanda, then a vals." },
      friendship: null,
    });
    expect(res.body.media.map((m: { url: string; type: string; caption: string | null; phase: string }) => [m.url, m.type, m.caption, m.phase])).toEqual([
      [IMAGE.url, "image", "Our first tanda", "request"],
      [VIDEO.url, "video", null, "request"],
    ]);
    const media = await t.db.select().from(friendshipMedia).where(eq(friendshipMedia.friendRequestId, res.body.id));
    expect(media.map((m) => [m.phase, m.uploaderId, m.friendshipId])).toEqual([
      ["request", ana.user.id, null],
      ["request", ana.user.id, null],
    ]);
    const [note] = await notificationsOf(bruno.user.id, "friend_request");
    expect(note).toMatchObject({ actorId: ana.user.id, subjectType: "friend_request", subjectId: res.body.id });
  });

  it("refuses yourself (400)", async () => {
    const ana = await signedIn(t);
    const res = await send(ana, ana.user.id);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("cannot_befriend_self");
    expect(await pairRequests(ana.user.id, ana.user.id)).toEqual([]);
  });

  it("refuses an unknown dancer (404)", async () => {
    const ana = await signedIn(t);
    const res = await send(ana, 2_147_483_647);
    expect(res.status).toBe(404);
  });

  it.each([
    ["suspended", { suspended: true }],
    ["deactivated", { isActive: false }],
  ])("refuses a %s dancer (404)", async (_label, overrides) => {
    const ana = await signedIn(t);
    const gone = await createUser(t.db, overrides);
    expect((await send(ana, gone.id)).status).toBe(404);
    expect(await pairRequests(ana.user.id, gone.id)).toEqual([]);
  });

  it.each(["sender", "receiver"])("refuses across a block by the %s (404), writing nothing", async (blocker) => {
    const [ana, bruno] = await pair();
    const [from, to] = blocker === "sender" ? [ana, bruno] : [bruno, ana];
    await t.db.insert(blockedUsers).values({ blockerId: from.user.id, blockedId: to.user.id });
    const res = await send(ana, bruno.user.id);
    expect(res.status).toBe(404);
    expect(await pairRequests(ana.user.id, bruno.user.id)).toEqual([]);
    expect(await notificationsOf(bruno.user.id, "friend_request")).toEqual([]);
  });

  it("refuses dancers who are already friends (409 already_friends)", async () => {
    const [ana, bruno] = await pair();
    await befriend(t.db, ana.user.id, bruno.user.id);
    const res = await send(ana, bruno.user.id);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("already_friends");
    expect(await pairRequests(ana.user.id, bruno.user.id)).toEqual([]);
  });

  it("refuses a second request while one is pending (409 request_pending)", async () => {
    const [ana, bruno] = await pair();
    await pending(ana, bruno, { message: "first" });
    const res = await send(ana, bruno.user.id, { message: "second" });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("request_pending");
    const rows = await pairRequests(ana.user.id, bruno.user.id);
    expect(rows.map((r) => r.message)).toEqual(["first"]);
    expect((await notificationsOf(bruno.user.id, "friend_request"))[0]!.count).toBe(1);
  });

  it("refuses asking again within 30 days of a refusal (409 with the date one may ask again)", async () => {
    const [ana, bruno] = await pair();
    const { id } = await pending(ana, bruno);
    await t.db.update(friendRequests).set({ status: "rejected", respondedAt: new Date(Date.now() - 10 * 86_400_000) }).where(eq(friendRequests.id, id));
    const [row] = await t.db.select().from(friendRequests).where(eq(friendRequests.id, id));
    const res = await send(ana, bruno.user.id);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("request_rejected_recently");
    expect(res.body.retryAt).toBe(new Date(row!.respondedAt!.getTime() + 30 * 86_400_000).toISOString());
    expect(res.body.detail).toContain(res.body.retryAt);
    expect((await pairRequests(ana.user.id, bruno.user.id))[0]!.status).toBe("rejected");
  });

  it("lets the declined dancer's counterpart ask the other way at once", async () => {
    const [ana, bruno] = await pair();
    const { id } = await pending(ana, bruno);
    expect((await answer(bruno, id, "reject")).status).toBe(200);
    expect((await send(bruno, ana.user.id)).status).toBe(201);
  });

  it("reuses the pair's row after a refusal more than 30 days old, with the new story and media", async () => {
    const [ana, bruno] = await pair();
    const first = await pending(ana, bruno, { message: "old", didWeDance: true, danceStory: "old story", media: [IMAGE] });
    await t.db.update(friendRequests).set({ status: "rejected", respondedAt: new Date(Date.now() - 31 * 86_400_000) }).where(eq(friendRequests.id, first.id));
    const res = await send(ana, bruno.user.id, { message: "new", media: [VIDEO] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: first.id, status: "pending", message: "new", respondedAt: null, story: { didWeDance: false, danceStory: null } });
    const media = await t.db.select().from(friendshipMedia).where(eq(friendshipMedia.friendRequestId, first.id));
    expect(media.map((m) => m.mediaUrl)).toEqual([VIDEO.url]);
    expect(await pairRequests(ana.user.id, bruno.user.id)).toHaveLength(1);
  });

  it("reuses the pair's row after a cancel", async () => {
    const [ana, bruno] = await pair();
    const first = await pending(ana, bruno);
    expect((await answer(ana, first.id, "cancel")).body.status).toBe("cancelled");
    const again = await send(ana, bruno.user.id, { message: "again" });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ id: first.id, status: "pending", message: "again" });
    expect(await pairRequests(ana.user.id, bruno.user.id)).toHaveLength(1);
  });

  it("accepts the receiver's own pending request when they had asked first (crossed requests)", async () => {
    const [ana, bruno] = await pair();
    const theirs = await pending(bruno, ana, { danceLocation: "La Viruta" });
    const res = await send(ana, bruno.user.id, { didWeDance: true, danceStory: "Pugliese", media: [IMAGE] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: theirs.id,
      senderId: bruno.user.id,
      status: "accepted",
      story: { didWeDance: true, danceLocation: "La Viruta", danceStory: "Pugliese" },
      friendship: { closenessScore: 80 },
    });
    expect(res.body.media).toEqual([expect.objectContaining({ url: IMAGE.url, phase: "acceptance", uploaderId: ana.user.id })]);
    const rows = await pairRequests(ana.user.id, bruno.user.id);
    expect(rows.map((r) => [r.senderId, r.status])).toEqual([[bruno.user.id, "accepted"]]);
    expect((await pairFriendships(ana.user.id, bruno.user.id)).map((f) => f.closenessScore)).toEqual([80, 80]);
    expect(await notificationsOf(bruno.user.id, "friend_accepted")).toHaveLength(1);
    expect(await notificationsOf(bruno.user.id, "friend_request")).toEqual([]);
  });

  it.each([
    ["a URL that is not an upload of ours", { media: [{ url: "https://cdn.example.com/a.jpg", type: "image" }] }],
    ["an upload URL on another origin", { media: [{ url: IMAGE.url.replace("https://app.mundotango.test", "https://evil.example"), type: "image" }] }],
    ["a video called an image", { media: [{ url: VIDEO.url, type: "image" }] }],
    ["an unknown media type", { media: [{ url: IMAGE.url, type: "audio" }] }],
    ["too many media", { media: Array(7).fill(IMAGE) }],
    ["a line break in the location", { danceLocation: "Salon\nCanning" }],
    ["a story too long", { danceStory: "x".repeat(2001) }],
    ["a receiverId out of range", { receiverId: 2_147_483_648 }],
  ])("refuses %s (400)", async (_label, body) => {
    const [ana, bruno] = await pair();
    const res = await send(ana, bruno.user.id, body);
    expect(res.status).toBe(400);
    expect(await pairRequests(ana.user.id, bruno.user.id)).toEqual([]);
  });

  it("refuses media that are not this service's uploads, naming each (400 media_url_not_allowed), on send and on accept", async () => {
    const [ana, bruno] = await pair();
    const foreign = { url: IMAGE.url.replace("https://app.mundotango.test", "https://evil.example"), type: "image" };
    const sent = await send(ana, bruno.user.id, { media: [IMAGE, foreign, { ...VIDEO, type: "image" }] });
    expect(sent.status).toBe(400);
    expect(sent.body.code).toBe("media_url_not_allowed");
    expect(sent.body.errors.map((e: { path: string }) => e.path)).toEqual(["body.media.1.url", "body.media.2.url"]);
    expect(await pairRequests(ana.user.id, bruno.user.id)).toEqual([]);

    const { id } = await pending(ana, bruno);
    const accepted = await answer(bruno, id, "accept", { media: [foreign] });
    expect(accepted.status).toBe(400);
    expect(accepted.body.code).toBe("media_url_not_allowed");
    expect((await pairRequests(ana.user.id, bruno.user.id)).map((r) => r.status)).toEqual(["pending"]);
  });

  it("refuses an unknown dance event (400)", async () => {
    const [ana, bruno] = await pair();
    const res = await send(ana, bruno.user.id, { danceEventId: 2_147_483_647 });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("unknown_dance_event");
    expect(await pairRequests(ana.user.id, bruno.user.id)).toEqual([]);
  });
});

describe("accept, reject, cancel", () => {
  it("accepts: request, both friendship rows at 75, acceptance media and the sender's notification", async () => {
    const [ana, bruno] = await pair();
    const { id } = await pending(ana, bruno, { media: [IMAGE] });
    const res = await answer(bruno, id, "accept", { media: [VIDEO] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: "accepted", friendship: { closenessScore: 75 } });
    expect(res.body.respondedAt).not.toBeNull();
    expect(res.body.media.map((m: { phase: string; url: string }) => [m.phase, m.url])).toEqual([
      ["request", IMAGE.url],
      ["acceptance", VIDEO.url],
    ]);
    const rows = await pairFriendships(ana.user.id, bruno.user.id);
    expect(rows.map((f) => f.closenessScore)).toEqual([75, 75]);
    const brunosRow = rows.find((f) => f.userId === bruno.user.id)!;
    const [media] = await t.db.select().from(friendshipMedia).where(and(eq(friendshipMedia.phase, "acceptance"), eq(friendshipMedia.friendRequestId, id)));
    expect(media).toMatchObject({ friendshipId: brunosRow.id, uploaderId: bruno.user.id });
    const [note] = await notificationsOf(ana.user.id, "friend_accepted");
    expect(note).toMatchObject({ actorId: bruno.user.id, subjectId: id });
  });

  it("starts a friendship at 80 when they said they danced", async () => {
    const [ana, bruno] = await pair();
    const { id } = await pending(ana, bruno, { didWeDance: true });
    expect((await answer(bruno, id, "accept")).body.friendship.closenessScore).toBe(80);
    expect((await pairFriendships(ana.user.id, bruno.user.id)).map((f) => f.closenessScore)).toEqual([80, 80]);
  });

  it("rejects (the receiver) and cancels (the sender)", async () => {
    const [ana, bruno] = await pair();
    const { id } = await pending(ana, bruno);
    const rejected = await answer(bruno, id, "reject");
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ id, status: "rejected", friendship: null });
    const [carla, diego] = await pair();
    const second = await pending(carla, diego);
    expect((await answer(carla, second.id, "cancel")).body.status).toBe("cancelled");
    expect(await pairFriendships(ana.user.id, bruno.user.id)).toEqual([]);
  });

  it("refuses a third dancer accepting (404)", async () => {
    const [ana, bruno] = await pair();
    const carla = await signedIn(t);
    const { id } = await pending(ana, bruno);
    const res = await answer(carla, id, "accept");
    expect(res.status).toBe(404);
    expect((await pairRequests(ana.user.id, bruno.user.id))[0]!.status).toBe("pending");
  });

  it("refuses the sender accepting their own request (404)", async () => {
    const [ana, bruno] = await pair();
    const { id } = await pending(ana, bruno);
    expect((await answer(ana, id, "accept")).status).toBe(404);
    expect(await pairFriendships(ana.user.id, bruno.user.id)).toEqual([]);
  });

  it("refuses the sender rejecting their own request (404)", async () => {
    const [ana, bruno] = await pair();
    const { id } = await pending(ana, bruno);
    expect((await answer(ana, id, "reject")).status).toBe(404);
  });

  it("refuses cancelling someone else's request: the receiver's or a third dancer's (404)", async () => {
    const [ana, bruno] = await pair();
    const carla = await signedIn(t);
    const { id } = await pending(ana, bruno);
    expect((await answer(bruno, id, "cancel")).status).toBe(404);
    expect((await answer(carla, id, "cancel")).status).toBe(404);
    expect((await pairRequests(ana.user.id, bruno.user.id))[0]!.status).toBe("pending");
  });

  it("refuses answering a request that is no longer pending (409 request_not_pending)", async () => {
    const [ana, bruno] = await pair();
    const { id } = await pending(ana, bruno);
    expect((await answer(ana, id, "cancel")).status).toBe(200);
    for (const action of ["accept", "reject"] as const) {
      const res = await answer(bruno, id, action);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe("request_not_pending");
    }
    expect((await answer(ana, id, "cancel")).status).toBe(409);
    expect(await pairFriendships(ana.user.id, bruno.user.id)).toEqual([]);
  });

  it("refuses accepting across a block (404) and an unknown request (404)", async () => {
    const [ana, bruno] = await pair();
    const { id } = await pending(ana, bruno);
    await t.db.insert(blockedUsers).values({ blockerId: ana.user.id, blockedId: bruno.user.id });
    expect((await answer(bruno, id, "accept")).status).toBe(404);
    expect(await pairFriendships(ana.user.id, bruno.user.id)).toEqual([]);
    expect((await answer(bruno, 2_147_483_647, "accept")).status).toBe(404);
  });

  it("refuses accepting a request from a dancer since suspended (404)", async () => {
    const [ana, bruno] = await pair();
    const { id } = await pending(ana, bruno);
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, ana.user.id));
    expect((await answer(bruno, id, "accept")).status).toBe(404);
  });

  it("refuses an accept with a bad media list (400)", async () => {
    const [ana, bruno] = await pair();
    const { id } = await pending(ana, bruno);
    const res = await answer(bruno, id, "accept", { media: [{ url: "javascript:alert(1)", type: "image" }] });
    expect(res.status).toBe(400);
    expect((await pairRequests(ana.user.id, bruno.user.id))[0]!.status).toBe("pending");
  });
});

describe("GET /api/friends/requests", () => {
  async function allPages(who: Dancer, direction: string, limit: number) {
    const pages: { items: { id: number; dancer: { id: number }; story: unknown }[]; nextCursor: string | null }[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const res = await t.api.get(`/api/friends/requests?direction=${direction}&limit=${limit}${query}`, { token: who.token });
      expect(res.status).toBe(200);
      pages.push(res.body);
      cursor = res.body.nextCursor;
    } while (cursor);
    return pages;
  }

  it("pages through incoming and outgoing pending requests exactly once, newest first, with card and story", async () => {
    const me = await signedIn(t);
    const others = await Promise.all(Array.from({ length: 5 }, () => createUser(t.db)));
    const tie = new Date("2026-02-01T20:00:00.123456Z");
    const times = [new Date("2026-01-01T20:00:00Z"), tie, tie, new Date("2026-03-01T20:00:00Z"), new Date("2026-01-15T20:00:00Z")];
    const incoming: (typeof friendRequests.$inferSelect)[] = [];
    for (const [i, other] of others.entries()) {
      const [row] = await t.db.insert(friendRequests).values({ senderId: other.id, receiverId: me.user.id, createdAt: times[i] }).returning();
      incoming.push(row!);
    }
    await t.db.insert(friendRequestStories).values({ friendRequestId: incoming[3]!.id, didWeDance: true, danceLocation: "El Beso" });
    // Not listed: answered, blocked, suspended, and outgoing ones on the incoming list.
    const [answered, blocked, suspended] = await Promise.all([createUser(t.db), createUser(t.db), createUser(t.db, { suspended: true })]);
    await t.db.insert(friendRequests).values([
      { senderId: answered.id, receiverId: me.user.id, status: "rejected" },
      { senderId: blocked.id, receiverId: me.user.id },
      { senderId: suspended.id, receiverId: me.user.id },
      { senderId: me.user.id, receiverId: answered.id },
    ]);
    await t.db.insert(blockedUsers).values({ blockerId: blocked.id, blockedId: me.user.id });

    const pages = await allPages(me, "incoming", 2);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    const ids = pages.flatMap((p) => p.items.map((item) => item.id));
    expect(ids).toEqual([3, 2, 1, 4, 0].map((i) => incoming[i]!.id));
    expect(pages[0]!.items[0]).toMatchObject({
      dancer: { id: others[3]!.id, username: others[3]!.username, name: others[3]!.name, profileImage: null },
      story: { didWeDance: true, danceLocation: "El Beso" },
      createdAt: "2026-03-01T20:00:00.000Z",
      media: [],
    });
    expect(pages[0]!.items[1]!.story).toEqual({ didWeDance: false, danceLocation: null, danceEventId: null, danceStory: null });

    const outgoing = await allPages(me, "outgoing", 1);
    expect(outgoing.flatMap((p) => p.items.map((i) => i.dancer.id))).toEqual([answered.id]);
  });

  it("is incoming by default and refuses another direction (400)", async () => {
    const [ana, bruno] = await pair();
    await pending(ana, bruno);
    expect((await t.api.get("/api/friends/requests", { token: bruno.token })).body.items).toHaveLength(1);
    expect((await t.api.get("/api/friends/requests", { token: ana.token })).body.items).toHaveLength(0);
    expect((await t.api.get("/api/friends/requests?direction=sideways", { token: ana.token })).status).toBe(400);
  });
});

describe("the pending lists' indexes", () => {
  it.each([
    ["incoming", "receiver_id", "friend_requests_pending_in_idx"],
    ["outgoing", "sender_id", "friend_requests_pending_out_idx"],
  ])("serve the %s page, newest first, from its partial index", async (_direction, column, index) => {
    await t.db.execute(sql`ANALYZE friend_requests`);
    const [, result] = await t.db.batch([
      t.db.execute(sql`SET LOCAL enable_seqscan = off`),
      t.db.execute(sql`EXPLAIN (FORMAT TEXT)
        SELECT r.id FROM friend_requests r
        WHERE r.${sql.raw(column)} = 1 AND r.status = 'pending' AND (r.created_at, r.id) < (now()::timestamp, 2147483647)
        ORDER BY r.created_at DESC, r.id DESC LIMIT 21`),
    ]);
    const plan = (result.rows as { "QUERY PLAN": string }[]).map((r) => r["QUERY PLAN"]).join("\n");
    expect(plan).toContain(index);
    expect(plan).not.toContain("Sort");
  });
});

describe("concurrency", () => {
  it("lets exactly one of two simultaneous accepts win", async () => {
    for (let round = 0; round < 5; round++) {
      const [ana, bruno] = await pair();
      const { id } = await pending(ana, bruno);
      const results = await Promise.all([answer(bruno, id, "accept"), answer(bruno, id, "accept")]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(await pairFriendships(ana.user.id, bruno.user.id)).toHaveLength(2);
      expect(await notificationsOf(ana.user.id, "friend_accepted")).toHaveLength(1);
    }
  });

  it("makes one friendship of two requests crossed at the same moment", async () => {
    for (let round = 0; round < 10; round++) {
      const [ana, bruno] = await pair();
      const results = await Promise.all([send(ana, bruno.user.id), send(bruno, ana.user.id)]);
      expect(results.map((r) => r.status).sort(), `round ${round}`).toEqual([200, 201]);
      expect(await pairFriendships(ana.user.id, bruno.user.id), `round ${round}`).toHaveLength(2);
      const requests = await pairRequests(ana.user.id, bruno.user.id);
      expect(requests.map((r) => r.status)).toEqual(["accepted"]);
    }
  });
});
