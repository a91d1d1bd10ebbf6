import { describe, expect, it } from "vitest";
import { viralAnalytics } from "../../../drizzle/schema";
import { postVisibilityWorld } from "../../../test/auth";
import { createPost, createUser } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { allPages as pagesOf } from "../../../test/pages";
import { encodeCursor } from "../../lib/pagination";

const t = await useTestDatabase();

/** A viral_analytics row as the job writes it (only the score matters to the feed). */
async function scored(post: { id: number; createdAt: Date | null }, score: number) {
  await t.db.insert(viralAnalytics).values({
    postId: post.id, score, sharesPerHour: 0, commentsPerHour: 0, uniqueEngagers: 0, communitiesReached: 0,
    earlyEngagement: 0, isViral: score > 0.7, postCreatedAt: post.createdAt!,
  });
}

const allPages = (path: string, token?: string) =>
  pagesOf<{ id: number; viral: { score: number; isViral: boolean } }>(t.api, path, token);

describe("GET /api/feed/trending", () => {
  it("serves each viewer only the scored posts they may see: author, friend, follower, stranger, blocked either way, anonymous", async () => {
    const w = await postVisibilityWorld(t);
    for (const post of w.posts.all) await scored(post, 0.99);
    for (const viewer of w.viewers) {
      const pages = await allPages("/api/feed/trending?limit=100", viewer.token);
      const mine = pages.flatMap((p) => p.items.map((i) => i.id)).filter((id) => w.posts.all.some((p) => p.id === id));
      expect(mine.sort((a, b) => a - b), viewer.label).toEqual(viewer.sees);
    }
  });

  it("orders by score, every post once, equal scores newest id first, with the viral score on each card", async () => {
    const author = await createUser(t.db);
    const made: Awaited<ReturnType<typeof createPost>>[] = [];
    for (let i = 0; i < 6; i++) made.push(await createPost(t.db, { userId: author.id }));
    const values = [0.2, 0.95, 0.5, 0.5, 0.5, 0.1];
    for (const [i, post] of made.entries()) await scored(post, values[i]!);
    const pages = await allPages("/api/feed/trending?limit=2");
    const items = pages.flatMap((p) => p.items).filter((i) => made.some((p) => p.id === i.id));
    expect(items.map((i) => i.id)).toEqual([1, 4, 3, 2, 0, 5].map((i) => made[i]!.id));
    expect(items[0]).toMatchObject({ author: { id: author.id }, viral: { score: 0.95, isViral: true } });
    expect(items[1]!.viral).toEqual({ score: 0.5, isViral: false });
  });

  it("leaves out posts older than 48 hours still in the table", async () => {
    const author = await createUser(t.db);
    const old = await createPost(t.db, { userId: author.id, createdAt: new Date(Date.now() - 49 * 3_600_000) });
    await scored(old, 1);
    const ids = (await allPages("/api/feed/trending?limit=100")).flatMap((p) => p.items.map((i) => i.id));
    expect(ids).not.toContain(old.id);
  });

  it.each([
    ["not ours", "nope"],
    ["a score above 1", encodeCursor([2, 5])],
    ["a score that is text", encodeCursor(["0.5", 5])],
    ["an id out of range", encodeCursor([0.5, 1e12])],
  ])("refuses a cursor %s with 400", async (_label, cursor) => {
    const res = await t.api.get(`/api/feed/trending?cursor=${encodeURIComponent(cursor)}`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "query.cursor" })]);
  });
});
