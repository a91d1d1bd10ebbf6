import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, editHistory, notifications, postHashtags, posts, users } from "../../../drizzle/schema";
import { signedIn, tokenFor } from "../../../test/auth";
import { befriend, createEvent, createPost, createUser, follow, mediaUrl, unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";

const t = await useTestDatabase();

async function tagsOf(postId: number) {
  const rows = await t.db.select({ tag: postHashtags.tag, createdAt: postHashtags.createdAt }).from(postHashtags).where(eq(postHashtags.postId, postId));
  return rows.map((r) => r.tag).sort();
}

async function mentionNotices(postId: number) {
  return t.db
    .select({ userId: notifications.userId, actorId: notifications.actorId })
    .from(notifications)
    .where(and(eq(notifications.type, "mention"), eq(notifications.subjectId, postId)))
    .orderBy(notifications.userId);
}

describe("POST /api/posts: happy paths", () => {
  it("creates a post (201) answering the card, with every optional field normalised", async () => {
    const { user, token } = await signedIn(t);
    const event = await createEvent(t.db, { userId: user.id });
    const [imageUrl, videoUrl] = [mediaUrl(t.env, "jpg"), mediaUrl(t.env, "mp4")];
    const res = await t.api.post("/api/posts", {
      token,
      json: {
        content: "  Milonga tonight\nat #Canning #Tango  ",
        visibility: "friends",
        richContent: { type: "doc", content: [{ type: "paragraph" }] },
        imageUrl,
        videoUrl,
        mediaEmbeds: ["https://youtu.be/dQw4w9WgXcQ?t=42", "https://open.spotify.com/intl-es/track/4uLU6hMCjMI75M1A2tKUQC?si=x"],
        location: "Salon Canning",
        coordinates: { lat: -34.59, lng: -58.42 },
        eventId: event.id,
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      author: { id: user.id, username: user.username },
      content: "Milonga tonight\nat #Canning #Tango",
      visibility: "friends",
      richContent: { type: "doc", content: [{ type: "paragraph" }] },
      imageUrl,
      videoUrl,
      mediaEmbeds: [
        { provider: "youtube", url: "https://www.youtube.com/watch?v=dQw4w9WgXcQ" },
        { provider: "spotify", url: "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC" },
      ],
      hashtags: ["canning", "tango"],
      mentions: [],
      location: "Salon Canning",
      coordinates: { lat: -34.59, lng: -58.42 },
      eventId: event.id,
      likes: 0,
      edited: false,
      viewer: { liked: false, bookmarked: false, shared: false },
    });
    const [row] = await t.db.select().from(posts).where(eq(posts.id, res.body.id));
    expect(row!.plainText).toBe("Milonga tonight at #Canning #Tango");
    expect(await tagsOf(res.body.id)).toEqual(["canning", "tango"]);
    const [tag] = await t.db.select().from(postHashtags).where(eq(postHashtags.postId, res.body.id)).limit(1);
    expect(tag!.createdAt).toEqual(row!.createdAt);
    expect((await t.api.get(`/api/posts/${res.body.id}`, { token })).body).toEqual(res.body);
  });

  it("defaults to public and finds the post by its search vector", async () => {
    const { token } = await signedIn(t);
    const word = unique("zamba");
    const res = await t.api.post("/api/posts", { token, json: { content: `Una ${word} para bailar` } });
    expect(res.body.visibility).toBe("public");
    const { rows } = await t.db.execute<{ id: number }>(sql`SELECT id FROM posts WHERE search_vector @@ plainto_tsquery('simple', ${word})`);
    expect(rows.map((r) => Number(r.id))).toEqual([res.body.id]);
  });

  it("resolves mentions case-insensitively to usable, unblocked accounts and notifies them (never the author)", async () => {
    const { user: author, token } = await signedIn(t);
    const ana = await createUser(t.db, { username: unique("Ana") });
    const blocker = await createUser(t.db);
    const suspended = await createUser(t.db, { suspended: true });
    await t.db.insert(blockedUsers).values({ blockerId: blocker.id, blockedId: author.id });
    const content = `Gracias @${ana.username.toUpperCase()}, @${blocker.username}, @${suspended.username}, @nobody_${unique()} y @${author.username}. mail: x@${ana.username}.com`;
    const res = await t.api.post("/api/posts", { token, json: { content } });
    expect(res.status).toBe(201);
    expect(res.body.mentions).toEqual([ana.username, author.username]);
    expect(await mentionNotices(res.body.id)).toEqual([{ userId: ana.id, actorId: author.id }]);
  });

  it("notifies only the mentioned dancers who may see the post", async () => {
    const { user: author, token } = await signedIn(t);
    const [friend, stranger] = await Promise.all([createUser(t.db), createUser(t.db)]);
    await befriend(t.db, author.id, friend.id);
    const content = `@${friend.username} @${stranger.username}`;
    const friendsOnly = (await t.api.post("/api/posts", { token, json: { content, visibility: "friends" } })).body;
    expect(friendsOnly.mentions).toEqual([friend.username, stranger.username]);
    expect((await mentionNotices(friendsOnly.id)).map((n) => n.userId)).toEqual([friend.id]);
    const priv = (await t.api.post("/api/posts", { token, json: { content, visibility: "private" } })).body;
    expect(await mentionNotices(priv.id)).toEqual([]);
    // Made public later, the post is news to the stranger only when an edit mentions them anew.
    await t.api.patch(`/api/posts/${priv.id}`, { token, json: { visibility: "public" } });
    expect(await mentionNotices(priv.id)).toEqual([]);
  });
});

describe("POST /api/posts: validation", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["empty content", { content: "   " }, "body.content"],
    ["content over 5000 characters", { content: "a".repeat(5001) }, "body.content"],
    ["content with a control character", { content: "a\u0007b" }, "body.content"],
    ["an unknown visibility", { content: "x", visibility: "circle" }, "body.visibility"],
    ["an embed of another provider", { content: "x", mediaEmbeds: ["https://youtube.com/watch?v=dQw4w9WgXcQ", "https://example.com/v/1"] }, "body.mediaEmbeds.1"],
    ["more than 10 embeds", { content: "x", mediaEmbeds: Array(11).fill("https://vimeo.com/1") }, "body.mediaEmbeds"],
    ["an image URL elsewhere", { content: "x", imageUrl: "https://evil.example/media/a.jpg" }, "body.imageUrl"],
    ["a video URL outside /media", { content: "x", videoUrl: "https://app.mundotango.test/api/x.mp4" }, "body.videoUrl"],
    ["an image URL naming one of our videos", { content: "x", imageUrl: "https://app.mundotango.test/media/AAAAAAAAAAAAAAAAAAAAAA.mp4" }, "body.imageUrl"],
    ["a latitude out of range", { content: "x", coordinates: { lat: 91, lng: 0 } }, "body.coordinates.lat"],
    ["a longitude that is not a number", { content: "x", coordinates: { lat: 0, lng: "w" } }, "body.coordinates.lng"],
    ["a location on two lines", { content: "x", location: "a\nb" }, "body.location"],
    ["richContent that is not an object", { content: "x", richContent: [1] }, "body.richContent"],
    ["richContent over 64 KB", { content: "x", richContent: { text: "a".repeat(65 * 1024) } }, "body.richContent"],
    ["richContent nested too deep", { content: "x", richContent: JSON.parse(`${'{"a":'.repeat(40)}1${"}".repeat(40)}`) }, "body.richContent"],
    ["an eventId that is not an id", { content: "x", eventId: 0 }, "body.eventId"],
    ["more than 30 hashtags", { content: Array.from({ length: 31 }, (_, i) => `#tag${i}`).join(" ") }, "body.content"],
  ];
  it.each(cases)("refuses %s (400, the field named)", async (_label, json, path) => {
    const { token } = await signedIn(t);
    const res = await t.api.post("/api/posts", { token, json });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it("refuses an unknown eventId (400 unknown_event) and creates nothing", async () => {
    const { user, token } = await signedIn(t);
    const res = await t.api.post("/api/posts", { token, json: { content: "x #orphan", eventId: 2147483647 } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "unknown_event", errors: [{ path: "body.eventId" }] });
    expect(await t.db.select().from(posts).where(eq(posts.userId, user.id))).toEqual([]);
  });

  it("is 401 without a token", async () => {
    expect((await t.api.post("/api/posts", { json: { content: "x" } })).status).toBe(401);
  });
});

/** An author with a public, a friends-only and a private post, and a dancer of each relation. */
async function world() {
  const author = await signedIn(t);
  const [friend, follower, stranger, blocked, blockedByAuthor] = await Promise.all(Array.from({ length: 5 }, () => signedIn(t)));
  await befriend(t.db, author.user.id, friend!.user.id);
  await follow(t.db, follower!.user.id, author.user.id);
  await t.db.insert(blockedUsers).values([
    { blockerId: blocked!.user.id, blockedId: author.user.id },
    { blockerId: author.user.id, blockedId: blockedByAuthor!.user.id },
  ]);
  const pub = await createPost(t.db, { userId: author.user.id, visibility: "public" });
  const friendsOnly = await createPost(t.db, { userId: author.user.id, visibility: "friends" });
  const priv = await createPost(t.db, { userId: author.user.id, visibility: "private" });
  return { author, friend: friend!, follower: follower!, stranger: stranger!, blocked: blocked!, blockedByAuthor: blockedByAuthor!, pub, friendsOnly, priv };
}

async function statuses(token: string | undefined, ids: number[]) {
  return Promise.all(ids.map(async (id) => (await t.api.get(`/api/posts/${id}`, { token })).status));
}

describe("GET /api/posts/{id}: the visibility matrix", () => {
  it("shows each post exactly to those its visibility lets in", async () => {
    const w = await world();
    const ids = [w.pub.id, w.friendsOnly.id, w.priv.id];
    expect(await statuses(w.author.token, ids)).toEqual([200, 200, 200]);
    expect(await statuses(w.friend.token, ids)).toEqual([200, 200, 404]);
    expect(await statuses(w.follower.token, ids)).toEqual([200, 404, 404]);
    expect(await statuses(w.stranger.token, ids)).toEqual([200, 404, 404]);
    expect(await statuses(undefined, ids)).toEqual([200, 404, 404]);
    expect(await statuses(w.blocked.token, ids)).toEqual([404, 404, 404]);
    expect(await statuses(w.blockedByAuthor.token, ids)).toEqual([404, 404, 404]);
  });

  it("hides a suspended author's posts and a hidden post from all but the author", async () => {
    const w = await world();
    await t.db.update(posts).set({ hiddenAt: new Date() }).where(eq(posts.id, w.pub.id));
    expect(await statuses(w.friend.token, [w.pub.id, w.friendsOnly.id])).toEqual([404, 200]);
    const hidden = await t.api.get(`/api/posts/${w.pub.id}`, { token: w.author.token });
    expect(hidden.body.hidden).toBe(true);
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, w.author.user.id));
    expect(await statuses(w.friend.token, [w.friendsOnly.id])).toEqual([404]);
    expect(await statuses(undefined, [w.pub.id])).toEqual([404]);
  });

  it("is 404 for a post that does not exist, 400 for a bad id", async () => {
    expect((await t.api.get("/api/posts/2147483647")).status).toBe(404);
    expect((await t.api.get("/api/posts/0x10")).status).toBe(400);
  });
});

describe("PATCH /api/posts/{id}", () => {
  it("edits the owner's post, keeps every version in history (newest first), and marks it edited", async () => {
    const { user, token } = await signedIn(t);
    const created = (await t.api.post("/api/posts", { token, json: { content: "first", location: "Canning" } })).body;
    const a = await t.api.patch(`/api/posts/${created.id}`, { token, json: { content: "second", visibility: "friends" } });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ content: "second", visibility: "friends", location: "Canning", edited: true });
    const b = await t.api.patch(`/api/posts/${created.id}`, { token, json: { location: null } });
    expect(b.body).toMatchObject({ content: "second", location: null });
    const edits = await t.api.get(`/api/posts/${created.id}/edits`, { token });
    expect(edits.status).toBe(200);
    expect(edits.body.items).toEqual([
      expect.objectContaining({ previousContent: "second", previous: { location: "Canning" }, editor: expect.objectContaining({ id: user.id }) }),
      expect.objectContaining({ previousContent: "first", previous: { visibility: "public" } }),
    ]);
    expect((await t.api.get(`/api/posts/${created.id}`, { token })).body.edited).toBe(true);
  });

  it("keeps post_hashtags in step and notifies only newly mentioned dancers", async () => {
    const { user: author, token } = await signedIn(t);
    const [ana, bruno, carla] = await Promise.all([createUser(t.db), createUser(t.db), createUser(t.db)]);
    const created = (await t.api.post("/api/posts", { token, json: { content: `#Vals #milonga con @${ana.username} y @${bruno.username}` } })).body;
    expect(await tagsOf(created.id)).toEqual(["milonga", "vals"]);
    const edited = await t.api.patch(`/api/posts/${created.id}`, {
      token,
      json: { content: `#MILONGA #Canyengue con @${bruno.username.toUpperCase()} y @${carla.username}` },
    });
    expect(edited.body).toMatchObject({ hashtags: ["milonga", "canyengue"], mentions: [bruno.username, carla.username] });
    expect(await tagsOf(created.id)).toEqual(["canyengue", "milonga"]);
    expect((await mentionNotices(created.id)).map((n) => n.userId)).toEqual([ana.id, bruno.id, carla.id].sort((x, y) => x - y));
    const count = await t.db.select().from(notifications).where(and(eq(notifications.type, "mention"), eq(notifications.userId, bruno.id)));
    expect(count.map((n) => n.count)).toEqual([1]);
    // An edit that leaves the content alone keeps tags and mentions.
    await t.api.patch(`/api/posts/${created.id}`, { token, json: { visibility: "friends" } });
    expect(await tagsOf(created.id)).toEqual(["canyengue", "milonga"]);
    expect((await t.api.get(`/api/posts/${created.id}`, { token })).body.mentions).toEqual([bruno.username, carla.username]);
    expect(author.id).toBeGreaterThan(0);
  });

  it("records two racing edits both, each with the version it replaced", async () => {
    const { token } = await signedIn(t);
    const created = (await t.api.post("/api/posts", { token, json: { content: "v0" } })).body;
    const results = await Promise.all(["v1", "v2", "v3"].map((content) => t.api.patch(`/api/posts/${created.id}`, { token, json: { content } })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    const history = await t.db.select().from(editHistory).where(eq(editHistory.postId, created.id)).orderBy(editHistory.createdAt, editHistory.id);
    const [final] = await t.db.select({ content: posts.content }).from(posts).where(eq(posts.id, created.id));
    // A chain: each edit replaced the one before it, the first replaced v0, the last is the content now.
    expect(history.map((h) => h.previousContent)[0]).toBe("v0");
    const applied = [...history.map((h) => h.previousContent).slice(1), final!.content];
    expect(new Set(applied)).toEqual(new Set(["v1", "v2", "v3"]));
    expect(history).toHaveLength(3);
  });

  it("lets the author link an event, and refuses an unknown one", async () => {
    const { user, token } = await signedIn(t);
    const post = await createPost(t.db, { userId: user.id });
    const event = await createEvent(t.db, { userId: user.id });
    expect((await t.api.patch(`/api/posts/${post.id}`, { token, json: { eventId: event.id } })).body.eventId).toBe(event.id);
    const res = await t.api.patch(`/api/posts/${post.id}`, { token, json: { eventId: 2147483647 } });
    expect(res.body).toMatchObject({ code: "unknown_event", errors: [{ path: "body.eventId" }] });
    expect((await t.db.select().from(posts).where(eq(posts.id, post.id)))[0]!.eventId).toBe(event.id);
  });

  it("changes nothing for an empty edit (no history), and refuses bad fields with 400", async () => {
    const { user, token } = await signedIn(t);
    const post = await createPost(t.db, { userId: user.id });
    const empty = await t.api.patch(`/api/posts/${post.id}`, { token, json: {} });
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ id: post.id, content: post.content, edited: false });
    expect(await t.db.select().from(editHistory).where(eq(editHistory.postId, post.id))).toEqual([]);
    const res = await t.api.patch(`/api/posts/${post.id}`, { token, json: { content: "", imageUrl: "https://x.test/a.jpg" } });
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "body.content" })]);
    const media = await t.api.patch(`/api/posts/${post.id}`, { token, json: { imageUrl: "https://x.test/a.jpg" } });
    expect(media.body.errors).toEqual([expect.objectContaining({ path: "body.imageUrl" })]);
  });

  it("refuses another dancer's post: 403 when they see it, 404 when not, 401 anonymous; nothing changes", async () => {
    const w = await world();
    const edit = (token: string | undefined, id: number) => t.api.patch(`/api/posts/${id}`, { token, json: { content: "taken over" } });
    expect((await t.api.patch(`/api/posts/${w.friendsOnly.id}`, { token: w.friend.token, json: {} })).status).toBe(403);
    expect((await t.api.patch(`/api/posts/${w.priv.id}`, { token: w.friend.token, json: {} })).status).toBe(404);
    const friendEdit = await edit(w.friend.token, w.friendsOnly.id);
    expect(friendEdit.status).toBe(403);
    expect(friendEdit.body.code).toBe("not_post_owner");
    expect((await edit(w.stranger.token, w.friendsOnly.id)).status).toBe(404);
    expect((await edit(w.blocked.token, w.pub.id)).status).toBe(404);
    expect((await edit(undefined, w.pub.id)).status).toBe(401);
    const admin = await signedIn(t, { role: "admin" });
    expect((await edit(admin.token, w.pub.id)).status).toBe(403);
    const rows = await t.db.select().from(editHistory).where(eq(editHistory.postId, w.friendsOnly.id));
    expect(rows).toEqual([]);
  });
});

describe("GET /api/posts/{id}/edits", () => {
  it("pages the history newest first, each edit once", async () => {
    const { token } = await signedIn(t);
    const created = (await t.api.post("/api/posts", { token, json: { content: "e0" } })).body;
    for (let i = 1; i <= 5; i++) await t.api.patch(`/api/posts/${created.id}`, { token, json: { content: `e${i}` } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const res = await t.api.get(`/api/posts/${created.id}/edits?limit=2${query}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((item: { previousContent: string }) => item.previousContent));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["e4", "e3", "e2", "e1", "e0"]);
  });

  it("is 404 to whoever may not see the post", async () => {
    const w = await world();
    expect((await t.api.get(`/api/posts/${w.friendsOnly.id}/edits`, { token: w.stranger.token })).status).toBe(404);
    expect((await t.api.get(`/api/posts/${w.friendsOnly.id}/edits`, { token: w.friend.token })).status).toBe(200);
  });
});

describe("DELETE /api/posts/{id}", () => {
  it("lets the author delete (204), with its hashtags, then it is gone", async () => {
    const { token } = await signedIn(t);
    const created = (await t.api.post("/api/posts", { token, json: { content: "bye #adios" } })).body;
    expect((await t.api.delete(`/api/posts/${created.id}`, { token })).status).toBe(204);
    expect((await t.api.get(`/api/posts/${created.id}`, { token })).status).toBe(404);
    expect(await tagsOf(created.id)).toEqual([]);
    expect((await t.api.delete(`/api/posts/${created.id}`, { token })).status).toBe(404);
  });

  it("lets a moderator (level 5+) delete a post they see, and refuses others (403 seen, 404 unseen, 401 anonymous)", async () => {
    const w = await world();
    const community = await signedIn(t, { role: "community" });
    expect((await t.api.delete(`/api/posts/${w.pub.id}`)).status).toBe(401);
    const refused = await t.api.delete(`/api/posts/${w.pub.id}`, { token: community.token });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("not_post_owner");
    expect((await t.api.delete(`/api/posts/${w.friendsOnly.id}`, { token: w.friend.token })).status).toBe(403);
    expect((await t.api.delete(`/api/posts/${w.priv.id}`, { token: w.stranger.token })).status).toBe(404);
    const admin = await signedIn(t, { role: "admin" });
    expect((await t.api.delete(`/api/posts/${w.priv.id}`, { token: admin.token })).status).toBe(404);
    expect((await t.api.delete(`/api/posts/${w.pub.id}`, { token: admin.token })).status).toBe(204);
    expect(await t.db.select().from(posts).where(eq(posts.id, w.pub.id))).toEqual([]);
  });

  it("reads the moderator's level from the database: a demoted admin's old token deletes nothing", async () => {
    const w = await world();
    const admin = await createUser(t.db, { role: "admin" });
    const token = await tokenFor(t, admin);
    await t.db.update(users).set({ role: "user" }).where(eq(users.id, admin.id));
    expect((await t.api.delete(`/api/posts/${w.pub.id}`, { token })).status).toBe(403);
  });
});
