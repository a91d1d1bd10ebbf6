import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { posts, trendingHashtags, users } from "../../../drizzle/schema";
import { postVisibilityWorld, signedIn } from "../../../test/auth";
import { commentOnPost, createPost, createUser, likePost, sharePost, tagPost, unique } from "../../../test/factories";
import { testCtx, useTestDatabase } from "../../../test/harness";
import { allPages as pagesOf } from "../../../test/pages";
import { encodeCursor } from "../../lib/pagination";
import { normaliseHashtag, refreshTrendingHashtags } from "./index";

const t = await useTestDatabase();

/** A tag no other test uses (lower-case letters and digits, as stored). */
const freshTag = () => unique("tango").toLowerCase();

/** Every page of a list, following nextCursor. */
const allPages = (path: string, token?: string) => pagesOf<{ id?: number; tag?: string }>(t.api, path, token);

describe("normaliseHashtag", () => {
  it.each([
    ["#Milonga", "milonga"],
    ["milonga", "milonga"],
    ["MILONGA", "milonga"],
    ["#Tango_2026", "tango_2026"],
    ["#Milong\u00e1", "milong\u00e1"],
    ["#Milonga\u0301".normalize("NFC"), "milonga\u0301".normalize("NFC")],
    ["#ТАНГО", "танго"],
    ["#2026", null],
    ["##milonga", null],
    ["#", null],
    ["milonga!", null],
    ["a".repeat(64), "a".repeat(64)],
    ["a".repeat(65), null],
  ])("%s -> %s", (input, expected) => {
    expect(normaliseHashtag(input)).toBe(expected);
  });

  it("composes a decomposed accent before checking (NFC), as posts store it", () => {
    expect(normaliseHashtag("#Milonga\u0301".replace("a\u0301", "\u00e1"))).toBe(normaliseHashtag("#milong\u00e1"));
    expect(normaliseHashtag("Milonga\u0301")).toBe("milong\u00e1");
  });
});

describe("GET /api/hashtags/{tag}/posts", () => {
  it("lists only what each viewer may see: author, friend, follower, stranger, blocked either way, anonymous", async () => {
    const tag = freshTag();
    const w = await postVisibilityWorld(t);
    for (const post of w.posts.all) await tagPost(t.db, post, [tag]);
    for (const viewer of w.viewers) {
      const res = await t.api.get(`/api/hashtags/${tag}/posts`, { token: viewer.token });
      expect(res.status, viewer.label).toBe(200);
      const ids = res.body.items.map((p: { id: number }) => p.id).sort((a: number, b: number) => a - b);
      expect(ids, viewer.label).toEqual(viewer.sees);
    }
  });

  it("hides a suspended author's posts from others", async () => {
    const tag = freshTag();
    const author = await createUser(t.db);
    const post = await createPost(t.db, { userId: author.id });
    await tagPost(t.db, post, [tag]);
    expect((await t.api.get(`/api/hashtags/${tag}/posts`)).body.items).toHaveLength(1);
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, author.id));
    expect((await t.api.get(`/api/hashtags/${tag}/posts`)).body.items).toEqual([]);
  });

  it("reads the tag with or without #, in any case, and answers post cards", async () => {
    const tag = freshTag();
    const { user, token } = await signedIn(t);
    const post = await createPost(t.db, { userId: user.id, content: `Tonight #${tag.toUpperCase()}`, hashtags: [tag] });
    await tagPost(t.db, post, [tag]);
    for (const spelling of [tag, tag.toUpperCase(), `%23${tag}`, encodeURIComponent(`#${tag[0]!.toUpperCase()}${tag.slice(1)}`)]) {
      const res = await t.api.get(`/api/hashtags/${spelling}/posts`, { token });
      expect(res.status, spelling).toBe(200);
      expect(res.body.items.map((p: { id: number }) => p.id), spelling).toEqual([post.id]);
    }
    const [card] = (await t.api.get(`/api/hashtags/${tag}/posts`, { token })).body.items;
    expect(card).toMatchObject({ id: post.id, author: { id: user.id }, hashtags: [tag], viewer: { liked: false } });
  });

  it.each(["2026", "%23%23tango", "tan-go", "a".repeat(65), "%20", "tan%00go"])("refuses the tag %s with 400", async (tag) => {
    const res = await t.api.get(`/api/hashtags/${tag}/posts`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "path.tag" })]);
  });

  it("pages newest first, every post once, ties in time ordered by id", async () => {
    const tag = freshTag();
    const author = await createUser(t.db);
    const tie = new Date("2026-05-01T21:00:00.123456Z");
    const times = [new Date("2026-04-01T21:00:00Z"), tie, tie, tie, new Date("2026-06-01T21:00:00Z"), tie];
    const made = [];
    for (const createdAt of times) {
      const post = await createPost(t.db, { userId: author.id, createdAt });
      await tagPost(t.db, post, [tag]);
      made.push(post);
    }
    const untagged = await createPost(t.db, { userId: author.id });
    const pages = await allPages(`/api/hashtags/${tag}/posts?limit=2`);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 2]);
    const ids = pages.flatMap((p) => p.items.map((i) => i.id));
    const [older, t1, t2, t3, newer, t4] = made.map((p) => p.id);
    expect(ids).toEqual([newer, t4, t3, t2, t1, older]);
    expect(ids).not.toContain(untagged.id);
  });

  it("walks post_hashtags_tag_created_idx from the cursor", async () => {
    const [, result] = await t.db.batch([
      // Sorting priced out too: the plan must then read the rows in order straight from the index.
      t.db.execute(sql`SELECT set_config('enable_seqscan', 'off', true), set_config('enable_sort', 'off', true)`),
      t.db.execute(sql`EXPLAIN (FORMAT TEXT)
        SELECT ph.post_id FROM post_hashtags ph
        WHERE ph.tag = 'tango' AND (ph.created_at, ph.post_id) < ('2026-05-01 21:00:00'::timestamp, 5)
        ORDER BY ph.created_at DESC, ph.post_id DESC LIMIT 21`),
    ]);
    const plan = (result.rows as { "QUERY PLAN": string }[]).map((r) => r["QUERY PLAN"]).join("\n");
    expect(plan).toContain("post_hashtags_tag_created_idx");
    expect(plan).not.toContain("Sort");
  });

  it.each([
    ["not ours", "nope"],
    ["a time that is not one", encodeCursor(["garbage", 1])],
    ["an id out of range", encodeCursor(["2026-01-01 00:00:00", 1e12])],
  ])("refuses a cursor %s with 400", async (_label, cursor) => {
    const res = await t.api.get(`/api/hashtags/tango/posts?cursor=${encodeURIComponent(cursor)}`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "query.cursor" })]);
  });
});

describe("GET /api/hashtags/trending", () => {
  const hoursAgo = (now: Date, hours: number) => new Date(now.getTime() - hours * 3_600_000);
  // Far from the other tests' posts (made at the real time), so only this test's posts are in the window.
  const future = (day: number) => new Date(Date.UTC(2031, 0, day, 12));

  it("ranks the public tags of the last 48 hours by engagement, decayed by age", async () => {
    await t.db.delete(trendingHashtags);
    const now = future(1);
    const [author, fan, other] = await Promise.all([createUser(t.db), createUser(t.db), createUser(t.db)]);
    const [hot, fresh, stale, secret, old] = [freshTag(), freshTag(), freshTag(), freshTag(), freshTag()];
    // hot: one post 12 h old, 2 likes, 1 comment, 1 share: (1 + 2 + 2 + 3) x 0.5 = 4.
    const hotPost = await createPost(t.db, { userId: author.id, createdAt: hoursAgo(now, 12) });
    await tagPost(t.db, hotPost, [hot, stale]);
    await likePost(t.db, hotPost.id, fan.id);
    await likePost(t.db, hotPost.id, other.id);
    await commentOnPost(t.db, hotPost.id, fan.id);
    await sharePost(t.db, hotPost.id, fan.id);
    // fresh: two bare posts just now: 1 + 1 = 2. stale: also on a bare post 24 h old: 4 + 0.25.
    for (const createdAt of [now, now]) await tagPost(t.db, await createPost(t.db, { userId: author.id, createdAt }), [fresh]);
    await tagPost(t.db, await createPost(t.db, { userId: author.id, createdAt: hoursAgo(now, 24) }), [stale]);
    // Friends-only, private, hidden and 49-hour-old posts never trend.
    await tagPost(t.db, await createPost(t.db, { userId: author.id, createdAt: now, visibility: "friends" }), [secret]);
    await tagPost(t.db, await createPost(t.db, { userId: author.id, createdAt: now, visibility: "private" }), [secret]);
    await tagPost(t.db, await createPost(t.db, { userId: author.id, createdAt: now, hiddenAt: now }), [secret]);
    await tagPost(t.db, await createPost(t.db, { userId: author.id, createdAt: hoursAgo(now, 49) }), [old]);

    expect(await refreshTrendingHashtags(testCtx(t, { now }))).toEqual({ tags: 3, dropped: 0 });
    const { items } = (await t.api.get("/api/hashtags/trending")).body;
    expect(items.map((i: { tag: string }) => i.tag)).toEqual([stale, hot, fresh]);
    expect(items[0]).toEqual({ tag: stale, posts: 2, engagement: 4, score: expect.closeTo(4.25, 9) });
    expect(items[1]).toEqual({ tag: hot, posts: 1, engagement: 4, score: expect.closeTo(4, 9) });
    expect(items[2]).toEqual({ tag: fresh, posts: 2, engagement: 0, score: expect.closeTo(2, 9) });

    // A day later every post has aged out: the list empties, in the same statement that would refill it.
    expect(await refreshTrendingHashtags(testCtx(t, { now: hoursAgo(now, -49) }))).toEqual({ tags: 0, dropped: 3 });
    expect((await t.api.get("/api/hashtags/trending")).body.items).toEqual([]);
  });

  it("pages by score, every tag once, equal scores by tag", async () => {
    await t.db.delete(trendingHashtags);
    const now = new Date();
    const tags = ["aa", "bb", "cc", "dd", "ee"].map((s) => `${freshTag()}${s}`);
    const scores = [3, 5, 5, 5, 1];
    await t.db.insert(trendingHashtags).values(tags.map((tag, i) => ({ tag, posts: 1, engagement: 0, score: scores[i]!, computedAt: now })));
    const pages = await allPages("/api/hashtags/trending?limit=2");
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.items.map((i) => i.tag))).toEqual([tags[3], tags[2], tags[1], tags[0], tags[4]]);
  });

  it.each([
    ["not ours", "nope"],
    ["a score that is not a number", encodeCursor(["high", "tango"])],
    ["a tag that is not text", encodeCursor([1, 2])],
  ])("refuses a cursor %s with 400", async (_label, cursor) => {
    const res = await t.api.get(`/api/hashtags/trending?cursor=${encodeURIComponent(cursor)}`);
    expect(res.status).toBe(400);
  });

  it("never shows a tag used only in posts a stranger may not see", async () => {
    await t.db.delete(trendingHashtags);
    const tag = freshTag();
    const author = await createUser(t.db);
    const post = await createPost(t.db, { userId: author.id, visibility: "public", createdAt: future(10) });
    await tagPost(t.db, post, [tag]);
    const now = new Date(post.createdAt!.getTime() + 60_000);
    await refreshTrendingHashtags(testCtx(t, { now }));
    expect((await t.api.get("/api/hashtags/trending")).body.items.map((i: { tag: string }) => i.tag)).toEqual([tag]);
    await t.db.update(users).set({ isActive: false }).where(eq(users.id, author.id));
    await refreshTrendingHashtags(testCtx(t, { now }));
    expect((await t.api.get("/api/hashtags/trending")).body.items).toEqual([]);
    await t.db.update(users).set({ isActive: true }).where(eq(users.id, author.id));
    await t.db.execute(sql`UPDATE ${posts} SET visibility = 'friends' WHERE id = ${post.id}`);
    await refreshTrendingHashtags(testCtx(t, { now }));
    expect((await t.api.get("/api/hashtags/trending")).body.items).toEqual([]);
  });
});
