import { and, eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, posts, users } from "../../../drizzle/schema";
import { befriend, createPost, createUser } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { visibleTo } from "./index";

const t = await useTestDatabase();

/** An author with a public, a friends-only and a private post, a friend, a stranger and a blocked dancer. */
async function world() {
  const [author, friend, stranger, blocked] = await Promise.all([
    createUser(t.db),
    createUser(t.db),
    createUser(t.db),
    createUser(t.db),
  ]);
  await befriend(t.db, author.id, friend.id);
  await t.db.insert(blockedUsers).values({ blockerId: blocked.id, blockedId: author.id });
  // One after the other: ids ascend in this order, as seen() sorts them.
  const pub = await createPost(t.db, { userId: author.id, visibility: "public" });
  const friendsOnly = await createPost(t.db, { userId: author.id, visibility: "friends" });
  const priv = await createPost(t.db, { userId: author.id, visibility: "private" });
  return { author, friend, stranger, blocked, ids: { pub: pub.id, friendsOnly: friendsOnly.id, priv: priv.id } };
}

/** Which of `ids` the viewer sees, through the table form, the raw-alias form and the joined-author form (they must agree). */
async function seen(viewerId: number | null, ids: number[]) {
  const table = await t.db
    .select({ id: posts.id })
    .from(posts)
    .where(and(inArray(posts.id, ids), visibleTo(viewerId)));
  const { rows } = await t.db.execute<{ id: number }>(
    sql`SELECT p.id FROM posts p WHERE p.id IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)}) AND ${visibleTo(viewerId, sql`p`)}`,
  );
  const joined = await t.db.execute<{ id: number }>(
    sql`SELECT p.id FROM posts p JOIN users a ON a.id = p.user_id
        WHERE p.id IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)}) AND ${visibleTo(viewerId, sql`p`, sql`a`)}`,
  );
  const fromTable = table.map((r) => r.id).sort((a, b) => a - b);
  expect(rows.map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual(fromTable);
  expect(joined.rows.map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual(fromTable);
  return fromTable;
}

describe("visibleTo(viewer, post)", () => {
  it("shows the author everything, a friend public and friends posts, a stranger and anonymous the public one", async () => {
    const w = await world();
    const all = [w.ids.pub, w.ids.friendsOnly, w.ids.priv];
    expect(await seen(w.author.id, all)).toEqual(all);
    expect(await seen(w.friend.id, all)).toEqual([w.ids.pub, w.ids.friendsOnly]);
    expect(await seen(w.stranger.id, all)).toEqual([w.ids.pub]);
    expect(await seen(null, all)).toEqual([w.ids.pub]);
  });

  it("hides every post across a block, either way", async () => {
    const w = await world();
    const all = [w.ids.pub, w.ids.friendsOnly, w.ids.priv];
    expect(await seen(w.blocked.id, all)).toEqual([]);
    await t.db.insert(blockedUsers).values({ blockerId: w.author.id, blockedId: w.friend.id });
    expect(await seen(w.friend.id, all)).toEqual([]);
  });

  it("hides a suspended or deactivated author's posts from others, not from the author", async () => {
    const w = await world();
    const all = [w.ids.pub, w.ids.friendsOnly, w.ids.priv];
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, w.author.id));
    expect(await seen(w.friend.id, all)).toEqual([]);
    expect(await seen(null, all)).toEqual([]);
    expect(await seen(w.author.id, all)).toEqual(all);
    await t.db.update(users).set({ suspended: false, isActive: false }).where(eq(users.id, w.author.id));
    expect(await seen(w.stranger.id, all)).toEqual([]);
  });

  it("treats a missing visibility as public and an unknown one as private", async () => {
    const [author, stranger] = await Promise.all([createUser(t.db), createUser(t.db)]);
    const unset = await createPost(t.db, { userId: author.id, visibility: null });
    const odd = await createPost(t.db, { userId: author.id, visibility: "circle" });
    expect(await seen(stranger.id, [unset.id, odd.id])).toEqual([unset.id]);
  });

  it("hides a post under moderation from everyone but its author", async () => {
    const w = await world();
    const all = [w.ids.pub, w.ids.friendsOnly, w.ids.priv];
    await t.db.update(posts).set({ hiddenAt: new Date() }).where(eq(posts.id, w.ids.pub));
    expect(await seen(w.friend.id, all)).toEqual([w.ids.friendsOnly]);
    expect(await seen(null, all)).toEqual([]);
    expect(await seen(w.author.id, all)).toEqual(all);
  });
});
