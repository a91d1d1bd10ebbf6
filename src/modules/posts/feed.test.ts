import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, userSettings, users } from "../../../drizzle/schema";
import { actorOf, signedIn } from "../../../test/auth";
import { befriend, createPost, createUser, follow, likePost, sharePost } from "../../../test/factories";
import { testCtx, useTestDatabase } from "../../../test/harness";
import { encodeCursor } from "../../lib/pagination";
import type { FeedItem } from "./feed.schemas";
import { listFeed } from "./feed.service";
import { FANOUT_MAX_SOURCES, feedStatement, type FeedPlan } from "./feed.statement";

const t = await useTestDatabase();

/** A fixed clock for row times: `at(n)` is n minutes after it, so the expected order is known. */
const base = Date.UTC(2026, 2, 1, 20, 0, 0);
const at = (minutes: number) => new Date(base + minutes * 60_000);

interface PageBody {
  items: FeedItem[];
  nextCursor: string | null;
}

/** Every page of a list through the API, following nextCursor. */
async function allPages(path: string, limit: number, token?: string): Promise<FeedItem[]> {
  const items: FeedItem[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const res = await t.api.get<PageBody>(`${path}?limit=${limit}${query}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

const ids = (items: FeedItem[]) => items.map((item) => item.id);

/** Every page of the viewer's feed through the verb, with a forced plan. */
async function feedWithPlan(viewer: { id: number; role: string }, plan: FeedPlan, limit: number): Promise<FeedItem[]> {
  const ctx = { ...testCtx(t), actor: actorOf(viewer) };
  const items: FeedItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await listFeed(ctx, { limit, cursor, plan });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

/**
 * A viewer and the dancers around them, each with a public, a friends-only and a private post:
 * `friend` (a friend, not followed), `followee` (followed), `both` (followed and a friend),
 * `stranger`, `blocker` (followed, then blocked the viewer), `blocked` (followed, then blocked
 * by the viewer), `suspended` (followed, then suspended).
 */
async function world() {
  const viewer = await signedIn(t);
  const [friend, followee, both, stranger, blocker, blocked, suspended] = await Promise.all([
    createUser(t.db),
    createUser(t.db),
    createUser(t.db),
    createUser(t.db),
    createUser(t.db),
    createUser(t.db),
    createUser(t.db),
  ]);
  await befriend(t.db, viewer.user.id, friend.id);
  await befriend(t.db, viewer.user.id, both.id);
  for (const other of [followee, both, blocker, blocked, suspended]) await follow(t.db, viewer.user.id, other.id);
  // Rows written directly: the block route would also cut the follows, and the feed must not rely on that.
  await t.db.insert(blockedUsers).values([
    { blockerId: blocker.id, blockedId: viewer.user.id },
    { blockerId: viewer.user.id, blockedId: blocked.id },
  ]);
  await t.db.update(users).set({ suspended: true }).where(eq(users.id, suspended.id));
  const authors = { own: viewer.user, friend, followee, both, stranger, blocker, blocked, suspended };
  const postsOf: Record<string, Record<"public" | "friends" | "private", number>> = {};
  let minute = 0;
  for (const [name, author] of Object.entries(authors)) {
    postsOf[name] = { public: 0, friends: 0, private: 0 };
    for (const visibility of ["public", "friends", "private"] as const) {
      minute += 1;
      const post = await createPost(t.db, { userId: author.id, visibility, createdAt: at(minute) });
      postsOf[name][visibility] = post.id;
    }
  }
  return { viewer, postsOf };
}

describe("GET /api/feed", () => {
  it("shows own posts, followed dancers' public posts and friends' public and friends-only posts; nothing across a block or from a suspended account", async () => {
    const w = await world();
    const p = w.postsOf;
    const expected = [
      `post:${p.own!.public}`,
      `post:${p.own!.friends}`,
      `post:${p.own!.private}`,
      `post:${p.friend!.public}`,
      `post:${p.friend!.friends}`,
      `post:${p.followee!.public}`,
      `post:${p.both!.public}`,
      `post:${p.both!.friends}`,
    ].reverse();
    expect(ids(await allPages("/api/feed", 3, w.viewer.token))).toEqual(expected);
  });

  it("gives each item the post card (author, counters, the viewer's own state) and its time", async () => {
    const { user, token } = await signedIn(t);
    const author = await createUser(t.db);
    await follow(t.db, user.id, author.id);
    const post = await createPost(t.db, { userId: author.id, content: "Cortina at midnight", createdAt: at(1) });
    await likePost(t.db, post.id, user.id);
    const res = await t.api.get<PageBody>("/api/feed", { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [
        {
          type: "post",
          id: `post:${post.id}`,
          at: at(1).toISOString(),
          share: null,
          post: expect.objectContaining({
            id: post.id,
            content: "Cortina at midnight",
            author: { id: author.id, username: author.username, name: author.name, profileImage: null },
            likes: 1,
            viewer: { liked: true, bookmarked: false, shared: false },
          }),
        },
      ],
      nextCursor: null,
    });
  });

  it("leaves out a hidden post of someone else, and keeps the viewer's own hidden post", async () => {
    const { user, token } = await signedIn(t);
    const author = await createUser(t.db);
    await follow(t.db, user.id, author.id);
    const theirs = await createPost(t.db, { userId: author.id, createdAt: at(1), hiddenAt: at(2) });
    const mine = await createPost(t.db, { userId: user.id, createdAt: at(3), hiddenAt: at(4) });
    const feed = await allPages("/api/feed", 20, token);
    expect(ids(feed)).toEqual([`post:${mine.id}`]);
    expect(feed[0]!.post.hidden).toBe(true);
    expect(ids(feed)).not.toContain(`post:${theirs.id}`);
  });

  it("shows shares by followed dancers, friends and the viewer with the sharer's card, comment and time; a post posted and shared appears once for each", async () => {
    const { user, token } = await signedIn(t);
    const [followee, friend, stranger, author] = await Promise.all([createUser(t.db), createUser(t.db), createUser(t.db), createUser(t.db)]);
    await follow(t.db, user.id, followee.id);
    await befriend(t.db, user.id, friend.id);
    const post = await createPost(t.db, { userId: followee.id, createdAt: at(1) });
    const other = await createPost(t.db, { userId: author.id, createdAt: at(2) });
    const byFollowee = await sharePost(t.db, other.id, followee.id, { comment: "Look at this vals", createdAt: at(3) });
    const byFriend = await sharePost(t.db, post.id, friend.id, { createdAt: at(4) });
    const mine = await sharePost(t.db, other.id, user.id, { createdAt: at(5) });
    await sharePost(t.db, post.id, stranger.id, { createdAt: at(6) });

    const feed = await allPages("/api/feed", 2, token);
    expect(ids(feed)).toEqual([`share:${mine.id}`, `share:${byFriend.id}`, `share:${byFollowee.id}`, `post:${post.id}`]);
    const shared = feed[2]!;
    expect(shared).toMatchObject({
      type: "share",
      at: at(3).toISOString(),
      post: { id: other.id, author: { id: author.id }, viewer: { shared: true } },
      share: {
        id: byFollowee.id,
        user: { id: followee.id, username: followee.username, name: followee.name, profileImage: null },
        comment: "Look at this vals",
        createdAt: at(3).toISOString(),
      },
    });
    expect(feed[1]!.post.id).toBe(post.id);
  });

  it("leaves out a share of a post the viewer may not see, and shares by a sharer blocked either way or suspended", async () => {
    const { user, token } = await signedIn(t);
    const [sharer, blockedSharer, blockingSharer, suspendedSharer, author, blockedAuthor] = await Promise.all([
      createUser(t.db),
      createUser(t.db),
      createUser(t.db),
      createUser(t.db),
      createUser(t.db),
      createUser(t.db),
    ]);
    for (const s of [sharer, blockedSharer, blockingSharer, suspendedSharer]) await follow(t.db, user.id, s.id);
    await befriend(t.db, sharer.id, author.id);
    const friendsOnly = await createPost(t.db, { userId: author.id, visibility: "friends", createdAt: at(1) });
    const pub = await createPost(t.db, { userId: author.id, createdAt: at(2) });
    const byBlocked = await createPost(t.db, { userId: blockedAuthor.id, createdAt: at(3) });
    await t.db.insert(blockedUsers).values([
      { blockerId: user.id, blockedId: blockedSharer.id },
      { blockerId: blockingSharer.id, blockedId: user.id },
      { blockerId: blockedAuthor.id, blockedId: user.id },
    ]);
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, suspendedSharer.id));
    await sharePost(t.db, friendsOnly.id, sharer.id, { createdAt: at(4) });
    await sharePost(t.db, byBlocked.id, sharer.id, { createdAt: at(5) });
    const visible = await sharePost(t.db, pub.id, sharer.id, { createdAt: at(6) });
    for (const s of [blockedSharer, blockingSharer, suspendedSharer]) await sharePost(t.db, pub.id, s.id, { createdAt: at(7) });

    expect(ids(await allPages("/api/feed", 20, token))).toEqual([`share:${visible.id}`]);
  });

  it("pages through items with equal times once each, in order (time, then shares before posts, then id)", async () => {
    const { user, token } = await signedIn(t);
    const [a, b] = await Promise.all([createUser(t.db), createUser(t.db)]);
    await follow(t.db, user.id, a.id);
    await befriend(t.db, user.id, b.id);
    const expected: { at: number; type: string; id: number }[] = [];
    // Created one after the other, so ids ascend; three times only, so most items tie.
    for (let i = 0; i < 12; i++) {
      const post = await createPost(t.db, { userId: [a, b, user][i % 3]!.id, createdAt: at(i % 3) });
      expected.push({ at: i % 3, type: "post", id: post.id });
    }
    for (let i = 0; i < 6; i++) {
      const post = await createPost(t.db, { userId: user.id, createdAt: at(-10 - i) });
      expected.push({ at: -10 - i, type: "post", id: post.id });
      const share = await sharePost(t.db, post.id, [a, b][i % 2]!.id, { createdAt: at(i % 3) });
      expected.push({ at: i % 3, type: "share", id: share.id });
    }
    expected.sort((x, y) => y.at - x.at || (x.type === y.type ? y.id - x.id : x.type === "share" ? -1 : 1));
    const want = expected.map((e) => `${e.type}:${e.id}`);
    for (const limit of [1, 4, 7, 100]) expect(ids(await allPages("/api/feed", limit, token))).toEqual(want);
  });

  it("answers a forged or foreign cursor with 400 and an anonymous caller with 401", async () => {
    const { token } = await signedIn(t);
    for (const cursor of ["garbage", encodeCursor(["2026-03-01 20:00:00", 12]), encodeCursor(["2026-03-01 20:00:00", "like", 1]), encodeCursor(["yesterday", "post", 1])]) {
      const res = await t.api.get(`/api/feed?cursor=${encodeURIComponent(cursor)}`, { token });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe("invalid_cursor");
    }
    expect((await t.api.get("/api/feed")).status).toBe(401);
  });

  it("changes at once on unfollow, unfriend and block", async () => {
    const { user, token } = await signedIn(t);
    const [followee, friend, other] = await Promise.all([createUser(t.db), createUser(t.db), createUser(t.db)]);
    await follow(t.db, user.id, followee.id);
    await follow(t.db, user.id, other.id);
    await befriend(t.db, user.id, friend.id);
    const f1 = await createPost(t.db, { userId: followee.id, createdAt: at(1) });
    const f2 = await createPost(t.db, { userId: friend.id, visibility: "friends", createdAt: at(2) });
    const f3 = await createPost(t.db, { userId: other.id, createdAt: at(3) });
    const share = await sharePost(t.db, f1.id, other.id, { createdAt: at(4) });
    expect(ids(await allPages("/api/feed", 20, token))).toEqual([`share:${share.id}`, `post:${f3.id}`, `post:${f2.id}`, `post:${f1.id}`]);

    expect((await t.api.delete(`/api/users/${followee.id}/follow`, { token })).status).toBe(200);
    expect(ids(await allPages("/api/feed", 20, token))).toEqual([`share:${share.id}`, `post:${f3.id}`, `post:${f2.id}`]);
    expect((await t.api.delete(`/api/friends/${friend.id}`, { token })).status).toBeLessThan(300);
    expect(ids(await allPages("/api/feed", 20, token))).toEqual([`share:${share.id}`, `post:${f3.id}`]);
    expect((await t.api.post(`/api/users/${other.id}/block`, { token })).status).toBe(204);
    expect(await allPages("/api/feed", 20, token)).toEqual([]);
  });

  it("gives the same pages with either plan, whatever the visibility, blocks, suspensions and hidden posts", async () => {
    const { user } = await signedIn(t);
    const authors = await Promise.all(Array.from({ length: 8 }, () => createUser(t.db)));
    for (const [i, author] of authors.entries()) {
      if (i % 2 === 0) await follow(t.db, user.id, author.id);
      if (i % 3 === 0) await befriend(t.db, user.id, author.id);
    }
    const [blocker, suspended] = [authors[2]!, authors[4]!];
    await t.db.insert(blockedUsers).values({ blockerId: blocker.id, blockedId: user.id });
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, suspended.id));
    for (let i = 0; i < 40; i++) {
      const author = authors[i % 8]!;
      const post = await createPost(t.db, {
        userId: i % 5 === 0 ? user.id : author.id,
        visibility: (["public", "friends", "private"] as const)[i % 3],
        createdAt: at(i % 7),
        hiddenAt: i % 11 === 0 ? at(20) : null,
      });
      if (i % 4 === 0) await sharePost(t.db, post.id, authors[(i + 1) % 8]!.id, { createdAt: at(i % 5) });
    }
    const fanout = await feedWithPlan(user, "fanout", 3);
    expect(fanout.length).toBeGreaterThan(10);
    expect(await feedWithPlan(user, "scan", 3)).toEqual(fanout);
    expect(await feedWithPlan(user, "auto", 3)).toEqual(fanout);
    expect(await feedWithPlan(user, "scan", 50)).toEqual(fanout);
  });

  it("runs the fanout plan up to FANOUT_MAX_SOURCES sources and the scan plan above", async () => {
    /** Which plan ran: every row says (feed_items' `ran`). */
    async function branch(viewerId: number) {
      const { rows } = await t.db.execute<{ feed_plan: string }>(
        sql`SELECT DISTINCT f.feed_plan FROM (${feedStatement({ viewerId, scope: { feedOf: viewerId }, limit: 21 })}) f`,
      );
      expect(rows).toHaveLength(1);
      return rows[0]!.feed_plan;
    }
    const { user: small } = await signedIn(t);
    const { user: big } = await signedIn(t);
    const { rows } = await t.db.execute<{ id: number }>(sql`
      INSERT INTO users (email, username, password, name)
      SELECT 'many' || i || ${big.id}::text || '@feed.test', 'many' || i || 'x' || ${big.id}::text, 'x', 'Many ' || i
      FROM generate_series(1, ${FANOUT_MAX_SOURCES}) i RETURNING id`);
    await t.db.execute(sql`INSERT INTO follows (follower_id, following_id)
      SELECT ${big.id}, id FROM users WHERE id = ANY(${`{${rows.map((r) => r.id).join(",")}}`}::int[])`);
    await follow(t.db, small.id, rows[0]!.id);
    await createPost(t.db, { userId: small.id, createdAt: at(2) });
    const post = await createPost(t.db, { userId: rows[5]!.id, createdAt: at(1) });
    expect(await branch(small.id)).toBe("fanout");
    // Its own id makes FANOUT_MAX_SOURCES + 1 sources.
    expect(await branch(big.id)).toBe("scan");
    expect(ids(await feedWithPlan(big, "auto", 20))).toEqual([`post:${post.id}`]);
  });
});

describe("GET /api/users/{id}/posts", () => {
  async function owner(visibility?: "public" | "friends" | "private") {
    const o = await signedIn(t);
    if (visibility) await t.db.insert(userSettings).values({ userId: o.user.id, profileVisibility: visibility });
    const [friend, follower, stranger] = await Promise.all([signedIn(t), signedIn(t), signedIn(t)]);
    await befriend(t.db, o.user.id, friend.user.id);
    await follow(t.db, follower.user.id, o.user.id);
    const pub = await createPost(t.db, { userId: o.user.id, visibility: "public", createdAt: at(1) });
    const fr = await createPost(t.db, { userId: o.user.id, visibility: "friends", createdAt: at(2) });
    const priv = await createPost(t.db, { userId: o.user.id, visibility: "private", createdAt: at(3) });
    return { o, friend, follower, stranger, pub: `post:${pub.id}`, fr: `post:${fr.id}`, priv: `post:${priv.id}` };
  }

  it("shows the owner everything, a friend public and friends-only posts, a follower, a stranger and anonymous the public ones", async () => {
    const w = await owner();
    const path = `/api/users/${w.o.user.id}/posts`;
    expect(ids(await allPages(path, 2, w.o.token))).toEqual([w.priv, w.fr, w.pub]);
    expect(ids(await allPages(path, 2, w.friend.token))).toEqual([w.fr, w.pub]);
    expect(ids(await allPages(path, 2, w.follower.token))).toEqual([w.pub]);
    expect(ids(await allPages(path, 2, w.stranger.token))).toEqual([w.pub]);
    expect(ids(await allPages(path, 2))).toEqual([w.pub]);
  });

  it("includes the dancer's shares of posts the viewer may see, with their card, and not the shares of others", async () => {
    const w = await owner();
    const [author, other] = await Promise.all([createUser(t.db), createUser(t.db)]);
    const pub = await createPost(t.db, { userId: author.id, createdAt: at(0) });
    const friendsOnly = await createPost(t.db, { userId: author.id, visibility: "friends", createdAt: at(0) });
    await befriend(t.db, author.id, w.o.user.id);
    const shared = await sharePost(t.db, pub.id, w.o.user.id, { comment: "Gran tanda", createdAt: at(5) });
    const sharedFriendsOnly = await sharePost(t.db, friendsOnly.id, w.o.user.id, { createdAt: at(6) });
    await sharePost(t.db, pub.id, other.id, { createdAt: at(7) });
    const path = `/api/users/${w.o.user.id}/posts`;
    const anonymous = await allPages(path, 20);
    expect(ids(anonymous)).toEqual([`share:${shared.id}`, w.pub]);
    expect(anonymous[0]!.share).toMatchObject({ user: { id: w.o.user.id }, comment: "Gran tanda" });
    expect(ids(await allPages(path, 20, w.o.token))).toEqual([`share:${sharedFriendsOnly.id}`, `share:${shared.id}`, w.priv, w.fr, w.pub]);
  });

  it("applies the profile visibility: 403 profile_restricted for those who may see only a card", async () => {
    const friendsOnly = await owner("friends");
    const path = `/api/users/${friendsOnly.o.user.id}/posts`;
    expect(ids(await allPages(path, 20, friendsOnly.friend.token))).toEqual([friendsOnly.fr, friendsOnly.pub]);
    for (const token of [friendsOnly.stranger.token, friendsOnly.follower.token, undefined]) {
      const res = await t.api.get(path, { token });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe("profile_restricted");
    }
    const closed = await owner("private");
    expect((await t.api.get(`/api/users/${closed.o.user.id}/posts`, { token: closed.friend.token })).status).toBe(403);
    expect(ids(await allPages(`/api/users/${closed.o.user.id}/posts`, 20, closed.o.token))).toHaveLength(3);
  });

  it("is 404 for an unknown, suspended or deactivated dancer and across a block either way", async () => {
    const w = await owner();
    const viewer = await signedIn(t);
    expect((await t.api.get("/api/users/2147483647/posts", { token: viewer.token })).status).toBe(404);
    await t.db.insert(blockedUsers).values({ blockerId: w.o.user.id, blockedId: viewer.user.id });
    expect((await t.api.get(`/api/users/${w.o.user.id}/posts`, { token: viewer.token })).status).toBe(404);
    await t.db.insert(blockedUsers).values({ blockerId: w.stranger.user.id, blockedId: w.o.user.id });
    expect((await t.api.get(`/api/users/${w.o.user.id}/posts`, { token: w.stranger.token })).status).toBe(404);
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, w.o.user.id));
    expect((await t.api.get(`/api/users/${w.o.user.id}/posts`)).status).toBe(404);
    await t.db.update(users).set({ suspended: false, isActive: false }).where(eq(users.id, w.o.user.id));
    expect((await t.api.get(`/api/users/${w.o.user.id}/posts`, { token: w.friend.token })).status).toBe(404);
  });

  it("hides a hidden post from everyone but its author", async () => {
    const w = await owner();
    const hidden = await createPost(t.db, { userId: w.o.user.id, createdAt: at(9), hiddenAt: at(10) });
    const path = `/api/users/${w.o.user.id}/posts`;
    expect(ids(await allPages(path, 20, w.friend.token))).toEqual([w.fr, w.pub]);
    expect(ids(await allPages(path, 20, w.o.token))[0]).toBe(`post:${hidden.id}`);
  });

  it("pages through equal times once each, in order", async () => {
    const { user, token } = await signedIn(t);
    const want: string[] = [];
    for (let i = 0; i < 9; i++) want.push(`post:${(await createPost(t.db, { userId: user.id, createdAt: at(0) })).id}`);
    const other = await createPost(t.db, { userId: (await createUser(t.db)).id, createdAt: at(-1) });
    const share = await sharePost(t.db, other.id, user.id, { createdAt: at(0) });
    want.reverse().unshift(`share:${share.id}`);
    for (const limit of [1, 2, 5]) expect(ids(await allPages(`/api/users/${user.id}/posts`, limit, token))).toEqual(want);
    expect(ids(await allPages(`/api/users/${user.id}/posts`, 3))).toEqual(want);
  });
});
