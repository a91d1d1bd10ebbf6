import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, notifications, posts } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { addGroupMember, befriend, createGroup, createPost, createUser, follow, tagPost, unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { expectKeyReused, expectReplay, keyHeaders } from "../../../test/idempotency";
import { allPages } from "../../../test/pages";

const t = await useTestDatabase();

/** A group with an admin, a moderator, two members, a pending asker and a stranger, all signed in. */
async function world(type: "interest" | "private" = "interest") {
  const [admin, moderator, member, other, asker, stranger] = await Promise.all(Array.from({ length: 6 }, () => signedIn(t)));
  const group = await createGroup(t.db, { createdBy: admin!.user.id, type });
  await addGroupMember(t.db, group.id, moderator!.user.id, { role: "moderator" });
  await addGroupMember(t.db, group.id, member!.user.id);
  await addGroupMember(t.db, group.id, other!.user.id);
  await addGroupMember(t.db, group.id, asker!.user.id, { status: "pending" });
  return { group, admin: admin!, moderator: moderator!, member: member!, other: other!, asker: asker!, stranger: stranger! };
}

async function postsIn(groupId: number) {
  return t.db.select().from(posts).where(eq(posts.groupId, groupId));
}

describe("POST /api/groups/{id}/posts", () => {
  it("lets a member post in the group: a post of visibility group, made as any post is", async () => {
    const { group, member } = await world();
    const res = await t.api.post(`/api/groups/${group.id}/posts`, { token: member.token, json: { content: "Práctica el #jueves" } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ author: { id: member.user.id }, groupId: group.id, visibility: "group", hashtags: ["jueves"] });
    expect(await postsIn(group.id)).toEqual([expect.objectContaining({ id: res.body.id, visibility: "group", userId: member.user.id })]);
  });

  it("refuses a pending asker and a stranger (403 not_group_member), a hidden group (404), anonymous callers (401)", async () => {
    const { group, asker, stranger, member, admin } = await world("private");
    for (const { token } of [asker, stranger]) {
      const res = await t.api.post(`/api/groups/${group.id}/posts`, { token, json: { content: "Hola" } });
      expect([res.status, res.body.code]).toEqual([403, "not_group_member"]);
    }
    expect((await t.api.post(`/api/groups/${group.id}/posts`, { json: { content: "Hola" } })).status).toBe(401);
    const hidden = await createGroup(t.db, { createdBy: admin.user.id, hiddenAt: new Date() });
    await addGroupMember(t.db, hidden.id, member.user.id);
    const res = await t.api.post(`/api/groups/${hidden.id}/posts`, { token: member.token, json: { content: "Hola" } });
    expect([res.status, res.body.code]).toEqual([404, "not_found"]);
    expect((await t.api.post("/api/groups/2147483647/posts", { token: member.token, json: { content: "Hola" } })).status).toBe(404);
    expect([...(await postsIn(group.id)), ...(await postsIn(hidden.id))]).toEqual([]);
  });

  it("tells only the members it mentions", async () => {
    const { group, member, other, stranger } = await world();
    const content = `Vamos @${other.user.username} y @${stranger.user.username}`;
    const res = await t.api.post(`/api/groups/${group.id}/posts`, { token: member.token, json: { content } });
    expect(res.body.mentions.sort()).toEqual([other.user.username, stranger.user.username].sort());
    const told = await t.db.select().from(notifications).where(and(eq(notifications.type, "mention"), eq(notifications.subjectId, res.body.id)));
    expect(told.map((n) => n.userId)).toEqual([other.user.id]);
  });

  it("replays a repeated Idempotency-Key, and refuses the key in another group (422)", async () => {
    const { group, member, admin } = await world();
    const second = await createGroup(t.db, { createdBy: admin.user.id });
    await addGroupMember(t.db, second.id, member.user.id);
    const headers = keyHeaders(unique("key"));
    const json = { content: "Una sola vez" };
    const first = await t.api.post(`/api/groups/${group.id}/posts`, { token: member.token, json, headers });
    expectReplay(first, await t.api.post(`/api/groups/${group.id}/posts`, { token: member.token, json, headers }));
    expectKeyReused(await t.api.post(`/api/groups/${second.id}/posts`, { token: member.token, json, headers }));
    expect(await postsIn(group.id)).toHaveLength(1);
  });

  it("answers a post racing its author's leave with 201 or 403, never a 5xx, writing exactly the posts it answered 201", async () => {
    const { group, admin } = await world();
    const dancers = await Promise.all(Array.from({ length: 6 }, () => signedIn(t)));
    for (const { user } of dancers) await addGroupMember(t.db, group.id, user.id);
    const results = await Promise.all(
      dancers.map(async ({ token }) => {
        const [posted, left] = await Promise.all([
          t.api.post(`/api/groups/${group.id}/posts`, { token, json: { content: "¿Llego?" } }),
          t.api.post(`/api/groups/${group.id}/leave`, { token }),
        ]);
        return [posted.status, left.status];
      }),
    );
    for (const [posted, left] of results) {
      expect([201, 403]).toContain(posted);
      expect(left).toBe(204);
    }
    const written = await postsIn(group.id);
    expect(written).toHaveLength(results.filter(([posted]) => posted === 201).length);
    expect(written.every((post) => post.userId !== admin.user.id)).toBe(true);
  });

  it("keeps a group post's visibility (400 group_post_visibility), while its content may change", async () => {
    const { group, member } = await world();
    const post = (await t.api.post(`/api/groups/${group.id}/posts`, { token: member.token, json: { content: "Hola" } })).body;
    const res = await t.api.patch(`/api/posts/${post.id}`, { token: member.token, json: { visibility: "public" } });
    expect([res.status, res.body.code]).toEqual([400, "group_post_visibility"]);
    const edited = await t.api.patch(`/api/posts/${post.id}`, { token: member.token, json: { content: "Hola a todos" } });
    expect(edited.body).toMatchObject({ content: "Hola a todos", visibility: "group", groupId: group.id });
  });

  it("lets the group's admins and moderators delete a member's post; other members get 403, strangers 404", async () => {
    const { group, admin, moderator, member, other, stranger } = await world();
    const [first, second] = [
      await createPost(t.db, { userId: member.user.id, visibility: "group", groupId: group.id }),
      await createPost(t.db, { userId: member.user.id, visibility: "group", groupId: group.id }),
    ];
    expect((await t.api.delete(`/api/posts/${first.id}`, { token: other.token })).status).toBe(403);
    expect((await t.api.delete(`/api/posts/${first.id}`, { token: stranger.token })).status).toBe(404);
    expect((await t.api.delete(`/api/posts/${first.id}`, { token: moderator.token })).status).toBe(204);
    expect((await t.api.delete(`/api/posts/${second.id}`, { token: admin.token })).status).toBe(204);
    expect(await postsIn(group.id)).toEqual([]);
  });
});

describe("who sees a group post", () => {
  it("shows it to active members (and its author after leaving), 404 to everyone else", async () => {
    const { group, admin, member, other, asker, stranger } = await world();
    const post = await createPost(t.db, { userId: member.user.id, visibility: "group", groupId: group.id });
    for (const { token } of [admin, member, other]) expect((await t.api.get(`/api/posts/${post.id}`, { token })).status).toBe(200);
    for (const token of [asker.token, stranger.token, undefined]) {
      expect((await t.api.get(`/api/posts/${post.id}`, { token })).status).toBe(404);
      expect((await t.api.get(`/api/posts/${post.id}/comments`, { token })).status).toBe(404);
    }
    await t.api.post(`/api/groups/${group.id}/leave`, { token: other.token });
    expect((await t.api.get(`/api/posts/${post.id}`, { token: other.token })).status).toBe(404);
    await t.api.post(`/api/groups/${group.id}/leave`, { token: member.token });
    expect((await t.api.get(`/api/posts/${post.id}`, { token: member.token })).status).toBe(200);
  });

  it("keeps group posts out of the feeds and timelines of members and followers alike", async () => {
    const { group, member, other, stranger } = await world();
    await follow(t.db, other.user.id, member.user.id);
    await follow(t.db, stranger.user.id, member.user.id);
    await befriend(t.db, stranger.user.id, member.user.id);
    const pub = await createPost(t.db, { userId: member.user.id, visibility: "public" });
    const inGroup = await createPost(t.db, { userId: member.user.id, visibility: "group", groupId: group.id });
    for (const { token } of [other, stranger]) {
      const feed = (await allPages<{ post: { id: number } }>(t.api, "/api/feed", token)).flatMap((p) => p.items.map((i) => i.post.id));
      expect(feed).toContain(pub.id);
      expect(feed).not.toContain(inGroup.id);
      const timeline = (await allPages<{ post: { id: number } }>(t.api, `/api/users/${member.user.id}/posts`, token)).flatMap((p) =>
        p.items.map((i) => i.post.id),
      );
      expect(timeline).toEqual([pub.id]);
    }
  });

  it("finds group posts in search and hashtag pages for members only", async () => {
    const { group, member, other, stranger } = await world();
    const word = unique("palabra");
    const post = await createPost(t.db, { userId: member.user.id, visibility: "group", groupId: group.id, content: `Hablamos de ${word}` });
    await tagPost(t.db, post, [word]);
    const ids = async (path: string, token: string) => (await t.api.get<{ items: { id: number }[] }>(path, { token })).body.items.map((p) => p.id);
    const found = (token: string) => ids(`/api/search?q=${word}`, token);
    const tagged = (token: string) => ids(`/api/hashtags/${word}/posts`, token);
    expect(await found(other.token)).toEqual([post.id]);
    expect(await tagged(other.token)).toEqual([post.id]);
    expect(await found(stranger.token)).toEqual([]);
    expect(await tagged(stranger.token)).toEqual([]);
  });
});

describe("GET /api/groups/{id}/posts", () => {
  it("lists the group's posts newest first for members, every one once across pages", async () => {
    const { group, member, other, admin } = await world("private");
    const base = Date.UTC(2026, 2, 1, 20, 0, 0);
    const made = [];
    for (let i = 0; i < 5; i++) {
      const author = [member, other, admin][i % 3]!;
      made.push(await createPost(t.db, { userId: author.user.id, visibility: "group", groupId: group.id, createdAt: new Date(base + i * 60_000) }));
    }
    await createPost(t.db, { userId: member.user.id, visibility: "public" });
    const pages = await allPages(t.api, `/api/groups/${group.id}/posts?limit=2`, other.token);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.items.map((i) => i.id))).toEqual(made.map((p) => p.id).reverse());
  });

  it("leaves out hidden posts and posts across a block, as every read path does", async () => {
    const { group, member, other } = await world();
    const shown = await createPost(t.db, { userId: member.user.id, visibility: "group", groupId: group.id });
    await createPost(t.db, { userId: member.user.id, visibility: "group", groupId: group.id, hiddenAt: new Date() });
    const blockedAuthor = await createUser(t.db);
    await addGroupMember(t.db, group.id, blockedAuthor.id);
    await createPost(t.db, { userId: blockedAuthor.id, visibility: "group", groupId: group.id });
    await t.db.insert(blockedUsers).values({ blockerId: other.user.id, blockedId: blockedAuthor.id });
    const ids = (await allPages(t.api, `/api/groups/${group.id}/posts`, other.token)).flatMap((p) => p.items.map((i) => i.id));
    expect(ids).toEqual([shown.id]);
  });

  it("refuses non-members of any group (403 not_group_member), a hidden group (404)", async () => {
    const { group, asker, stranger, admin, member } = await world();
    await createPost(t.db, { userId: member.user.id, visibility: "group", groupId: group.id });
    for (const token of [asker.token, stranger.token, undefined]) {
      const res = await t.api.get(`/api/groups/${group.id}/posts`, { token });
      expect([res.status, res.body.code]).toEqual([403, "not_group_member"]);
    }
    const hidden = await createGroup(t.db, { createdBy: admin.user.id, hiddenAt: new Date() });
    await addGroupMember(t.db, hidden.id, member.user.id);
    expect((await t.api.get(`/api/groups/${hidden.id}/posts`, { token: member.token })).status).toBe(404);
    expect((await t.api.get(`/api/groups/${hidden.id}/posts`, { token: admin.token })).status).toBe(200);
  });
});
