import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { events, groupMembers, groups, posts } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { addGroupMember, createEvent, createGroup, createPost, createUser, groupCounts, mediaUrl, unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { BAD_IDEMPOTENCY_KEYS, expectBadKey, expectKeyReused, expectOneCreated, expectReplay, keyHeaders } from "../../../test/idempotency";
import { allPages } from "../../../test/pages";

const t = await useTestDatabase();

async function groupRow(id: number) {
  const [row] = await t.db.select().from(groups).where(eq(groups.id, id));
  return row;
}

describe("POST /api/groups", () => {
  it("creates a group whose creator is its admin, counted as its one member", async () => {
    const { user, token } = await signedIn(t);
    const imageUrl = mediaUrl(t.env);
    const json = { name: "  Milongueros del Norte ", type: "private", description: "Tango\nevery Friday", imageUrl, city: " Córdoba ", country: "Argentina" };
    const res = await t.api.post("/api/groups", { token, json });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      type: "private",
      name: "Milongueros del Norte",
      slug: `milongueros-del-norte-${res.body.id}`,
      description: "Tango\nevery Friday",
      imageUrl,
      city: "Córdoba",
      country: "Argentina",
      memberCount: 1,
      hidden: false,
      membership: { status: "active", role: "admin" },
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(await groupRow(res.body.id)).toMatchObject({ createdBy: user.id, cityKey: "cordoba" });
    expect(await t.db.select().from(groupMembers).where(eq(groupMembers.groupId, res.body.id))).toEqual([
      expect.objectContaining({ userId: user.id, role: "admin", status: "active" }),
    ]);
    expect(await groupCounts(t.db, res.body.id)).toEqual({ memberCount: 1, active: 1, pending: 0 });
  });

  it("makes a slug of any name, unique by the id", async () => {
    const { token } = await signedIn(t);
    const a = await t.api.post("/api/groups", { token, json: { name: "¡¡Tango!!", type: "interest" } });
    const b = await t.api.post("/api/groups", { token, json: { name: "¡¡Tango!!", type: "interest" } });
    const c = await t.api.post("/api/groups", { token, json: { name: "探戈 1", type: "interest" } });
    expect(a.body.slug).toBe(`tango-${a.body.id}`);
    expect(b.body.slug).toBe(`tango-${b.body.id}`);
    expect(c.body.slug).toBe(`1-${c.body.id}`);
  });

  it.each([
    ["a city community", { name: "Berlin", type: "city" }, "body.type"],
    ["an unknown type", { name: "x", type: "secret" }, "body.type"],
    ["no name", { type: "interest" }, "body.name"],
    ["a blank name", { name: "   ", type: "interest" }, "body.name"],
    ["a name of punctuation", { name: "!!!", type: "interest" }, "body.name"],
    ["a 121-character name", { name: "x".repeat(121), type: "interest" }, "body.name"],
    ["a name with a line break", { name: "a\nb", type: "interest" }, "body.name"],
    ["an unknown field", { name: "x", type: "interest", memberCount: 99 }, "body"],
    ["an image elsewhere", { name: "x", type: "interest", imageUrl: "https://example.com/a.jpg" }, "body.imageUrl"],
  ])("refuses %s with a 400 naming the field, and makes nothing", async (_label, json, path) => {
    const { user, token } = await signedIn(t);
    const res = await t.api.post("/api/groups", { token, json });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await t.db.select().from(groups).where(eq(groups.createdBy, user.id))).toEqual([]);
  });

  it("refuses a video as the image (400 media_url_not_allowed)", async () => {
    const { token } = await signedIn(t);
    const res = await t.api.post("/api/groups", { token, json: { name: "x", type: "interest", imageUrl: mediaUrl(t.env, "mp4") } });
    expect([res.status, res.body.code]).toEqual([400, "media_url_not_allowed"]);
  });

  it("is 401 without a token", async () => {
    expect((await t.api.post("/api/groups", { json: { name: "x", type: "interest" } })).status).toBe(401);
  });

  describe("Idempotency-Key", () => {
    const json = { name: "Práctica de los martes", type: "interest" };

    it("replays the first response to a repeat and creates one group", async () => {
      const { user, token } = await signedIn(t);
      const headers = keyHeaders(unique("key"));
      const first = await t.api.post("/api/groups", { token, json, headers });
      const again = await t.api.post("/api/groups", { token, json, headers });
      expectReplay(first, again);
      expect(await t.db.select().from(groups).where(eq(groups.createdBy, user.id))).toHaveLength(1);
    });

    it("creates one group for concurrent repeats", async () => {
      const { user, token } = await signedIn(t);
      const headers = keyHeaders(unique("key"));
      expectOneCreated(await Promise.all(Array.from({ length: 5 }, () => t.api.post("/api/groups", { token, json, headers }))));
      expect(await t.db.select().from(groups).where(eq(groups.createdBy, user.id))).toHaveLength(1);
    });

    it("refuses the key with another body (422) and bad keys (400)", async () => {
      const { token } = await signedIn(t);
      const headers = keyHeaders(unique("key"));
      await t.api.post("/api/groups", { token, json, headers });
      expectKeyReused(await t.api.post("/api/groups", { token, json: { ...json, name: "Otra" }, headers }));
      for (const [, key] of BAD_IDEMPOTENCY_KEYS) expectBadKey(await t.api.post("/api/groups", { token, json, headers: keyHeaders(key) }));
    });
  });
});

describe("GET /api/groups/{id}", () => {
  it("shows a group to anyone, with the caller's own membership", async () => {
    const admin = await signedIn(t);
    const member = await signedIn(t);
    const asker = await signedIn(t);
    const stranger = await signedIn(t);
    const group = await createGroup(t.db, { createdBy: admin.user.id, type: "private" });
    await addGroupMember(t.db, group.id, member.user.id);
    await addGroupMember(t.db, group.id, asker.user.id, { status: "pending" });
    const seen = async (token?: string) => (await t.api.get<Record<string, unknown>>(`/api/groups/${group.id}`, { token })).body;
    expect((await seen(admin.token)).membership).toEqual({ status: "active", role: "admin" });
    expect((await seen(member.token)).membership).toEqual({ status: "active", role: "member" });
    expect((await seen(asker.token)).membership).toEqual({ status: "pending", role: "member" });
    expect(await seen(stranger.token)).toMatchObject({ id: group.id, type: "private", memberCount: 2, membership: null });
    expect(await seen()).toMatchObject({ id: group.id, membership: null });
  });

  it("shows a hidden group only to its admins (404 for its members and everyone else)", async () => {
    const admin = await signedIn(t);
    const member = await signedIn(t);
    const group = await createGroup(t.db, { createdBy: admin.user.id, hiddenAt: new Date() });
    await addGroupMember(t.db, group.id, member.user.id);
    const res = await t.api.get(`/api/groups/${group.id}`, { token: admin.token });
    expect([res.status, res.body.hidden]).toEqual([200, true]);
    for (const token of [member.token, undefined]) {
      const refused = await t.api.get(`/api/groups/${group.id}`, { token });
      expect([refused.status, refused.body.code]).toEqual([404, "not_found"]);
    }
  });

  it("is 404 for a group that does not exist", async () => {
    expect((await t.api.get("/api/groups/2147483647")).status).toBe(404);
  });
});

describe("GET /api/groups", () => {
  it("lists the most members first, every group once across pages", async () => {
    const { token } = await signedIn(t);
    const name = unique("Pagers");
    const sizes = [3, 1, 5, 1, 0, 2];
    const made = [];
    for (const [i, size] of sizes.entries()) {
      made.push(await createGroup(t.db, { createdBy: null, type: i % 2 ? "interest" : "professional", name: `${name} ${i}`, memberCount: size }));
    }
    const pages = await allPages(t.api, `/api/groups?q=${encodeURIComponent(name)}&limit=2`, token);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 2]);
    const expected = [made[2]!, made[0]!, made[5]!, made[3]!, made[1]!, made[4]!].map((g) => g.id);
    expect(pages.flatMap((p) => p.items.map((g) => g.id))).toEqual(expected);
    const typed = await allPages(t.api, `/api/groups?q=${encodeURIComponent(name)}&type=interest&limit=1`, token);
    expect(typed.flatMap((p) => p.items.map((g) => g.id))).toEqual([made[5]!.id, made[3]!.id, made[1]!.id]);
  });

  it("filters by city (accents, case and spacing ignored) and leaves hidden groups out", async () => {
    const admin = await signedIn(t);
    const city = unique("Ciudad");
    const key = city.toLowerCase();
    const community = await createGroup(t.db, { createdBy: null, type: "city", name: city, city, cityKey: key });
    const local = await createGroup(t.db, { createdBy: admin.user.id, city, cityKey: key });
    const hidden = await createGroup(t.db, { createdBy: admin.user.id, cityKey: key, hiddenAt: new Date() });
    await createGroup(t.db, { createdBy: admin.user.id, city: "Elsewhere", cityKey: "elsewhere" });
    const spaced = encodeURIComponent(`  ${city.toUpperCase()} `);
    const ids = async (query: string, token?: string) =>
      (await allPages(t.api, `/api/groups?${query}`, token)).flatMap((p) => p.items.map((g) => g.id)).sort((a, b) => a - b);
    expect(await ids(`city=${spaced}`)).toEqual([community.id, local.id].sort((a, b) => a - b));
    expect(await ids(`city=${spaced}&type=city`)).toEqual([community.id]);
    expect(await ids(`city=${spaced}`, admin.token)).toEqual([community.id, local.id, hidden.id].sort((a, b) => a - b));
  });

  it("refuses a forged cursor and an unknown type (400)", async () => {
    expect((await t.api.get("/api/groups?cursor=abc")).status).toBe(400);
    expect((await t.api.get("/api/groups?type=secret")).status).toBe(400);
  });
});

describe("PATCH /api/groups/{id}", () => {
  it("lets an admin edit the group, the city key following the city", async () => {
    const admin = await signedIn(t);
    const group = await createGroup(t.db, { createdBy: admin.user.id });
    const res = await t.api.patch(`/api/groups/${group.id}`, {
      token: admin.token,
      json: { name: "Tango Queer", description: null, city: "Zürich" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ name: "Tango Queer", description: null, city: "Zürich", membership: { role: "admin" } });
    expect(await groupRow(group.id)).toMatchObject({ cityKey: "zurich", slug: group.slug });
  });

  it("refuses members, moderators and strangers (403 not_group_admin), anonymous callers (401), a hidden group (404)", async () => {
    const admin = await signedIn(t);
    const [member, moderator, stranger] = await Promise.all([signedIn(t), signedIn(t), signedIn(t)]);
    const group = await createGroup(t.db, { createdBy: admin.user.id });
    await addGroupMember(t.db, group.id, member.user.id);
    await addGroupMember(t.db, group.id, moderator.user.id, { role: "moderator" });
    for (const { token } of [member, moderator, stranger]) {
      const res = await t.api.patch(`/api/groups/${group.id}`, { token, json: { name: "Mine now" } });
      expect([res.status, res.body.code]).toEqual([403, "not_group_admin"]);
    }
    expect((await t.api.patch(`/api/groups/${group.id}`, { json: { name: "Mine now" } })).status).toBe(401);
    const hidden = await createGroup(t.db, { createdBy: admin.user.id, hiddenAt: new Date() });
    await addGroupMember(t.db, hidden.id, member.user.id, { role: "admin" });
    await t.db.update(groupMembers).set({ role: "member" }).where(eq(groupMembers.userId, member.user.id));
    expect((await t.api.patch(`/api/groups/${hidden.id}`, { token: member.token, json: { name: "x" } })).status).toBe(404);
    expect((await groupRow(group.id))!.name).toBe(group.name);
  });

  it("keeps a city community's city key whatever its city is edited to", async () => {
    const admin = await signedIn(t);
    const key = unique("ciudad");
    const community = await createGroup(t.db, { createdBy: null, type: "city", name: key, cityKey: key });
    await addGroupMember(t.db, community.id, admin.user.id, { role: "admin" });
    const res = await t.api.patch(`/api/groups/${community.id}`, { token: admin.token, json: { city: "Elsewhere", description: "Our city" } });
    expect(res.status).toBe(200);
    expect(await groupRow(community.id)).toMatchObject({ cityKey: key, description: "Our city" });
  });

  it("refuses unknown fields (400); an empty body changes nothing", async () => {
    const admin = await signedIn(t);
    const member = await signedIn(t);
    const group = await createGroup(t.db, { createdBy: admin.user.id });
    await addGroupMember(t.db, group.id, member.user.id);
    for (const json of [{ type: "private" }, { memberCount: 0 }]) {
      expect((await t.api.patch(`/api/groups/${group.id}`, { token: admin.token, json })).status).toBe(400);
    }
    const same = await t.api.patch(`/api/groups/${group.id}`, { token: admin.token, json: {} });
    expect([same.status, same.body.name, same.body.updatedAt]).toEqual([200, group.name, group.updatedAt.toISOString()]);
    expect((await t.api.patch(`/api/groups/${group.id}`, { token: member.token, json: {} })).status).toBe(403);
  });
});

describe("DELETE /api/groups/{id}", () => {
  it("lets the creator delete the group: memberships and posts go, hosted events stay", async () => {
    const creator = await signedIn(t);
    const member = await createUser(t.db);
    const group = await createGroup(t.db, { createdBy: creator.user.id });
    await addGroupMember(t.db, group.id, member.id);
    const post = await createPost(t.db, { userId: member.id, visibility: "group", groupId: group.id });
    const event = await createEvent(t.db, { userId: creator.user.id, groupId: group.id });
    expect((await t.api.delete(`/api/groups/${group.id}`, { token: creator.token })).status).toBe(204);
    expect(await groupRow(group.id)).toBeUndefined();
    expect(await t.db.select().from(groupMembers).where(eq(groupMembers.groupId, group.id))).toEqual([]);
    expect(await t.db.select().from(posts).where(eq(posts.id, post.id))).toEqual([]);
    expect((await t.db.select().from(events).where(eq(events.id, event.id)))[0]!.groupId).toBeNull();
  });

  it("lets another admin delete it, and a creator who is no longer an admin", async () => {
    const creator = await signedIn(t);
    const admin = await signedIn(t);
    const first = await createGroup(t.db, { createdBy: creator.user.id });
    await addGroupMember(t.db, first.id, admin.user.id, { role: "admin" });
    expect((await t.api.delete(`/api/groups/${first.id}`, { token: admin.token })).status).toBe(204);
    const second = await createGroup(t.db, { createdBy: creator.user.id });
    await t.db.update(groupMembers).set({ role: "member" }).where(eq(groupMembers.groupId, second.id));
    expect((await t.api.delete(`/api/groups/${second.id}`, { token: creator.token })).status).toBe(204);
  });

  it("refuses members and moderators (403 not_group_owner), a city community (403 city_community), anonymous callers (401)", async () => {
    const admin = await signedIn(t);
    const moderator = await signedIn(t);
    const group = await createGroup(t.db, { createdBy: admin.user.id });
    await addGroupMember(t.db, group.id, moderator.user.id, { role: "moderator" });
    const res = await t.api.delete(`/api/groups/${group.id}`, { token: moderator.token });
    expect([res.status, res.body.code]).toEqual([403, "not_group_owner"]);
    expect((await t.api.delete(`/api/groups/${group.id}`)).status).toBe(401);
    const key = unique("ciudad");
    const community = await createGroup(t.db, { createdBy: null, type: "city", name: key, cityKey: key });
    await addGroupMember(t.db, community.id, admin.user.id, { role: "admin" });
    const city = await t.api.delete(`/api/groups/${community.id}`, { token: admin.token });
    expect([city.status, city.body.code]).toEqual([403, "city_community"]);
    expect(await groupRow(group.id)).toBeDefined();
    expect(await groupRow(community.id)).toBeDefined();
  });
});
