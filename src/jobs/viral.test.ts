import { createScheduledController } from "cloudflare:test";
import { asc, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { postComments, postLikes, postShares, trendingHashtags, viralAnalytics } from "../../drizzle/schema";
import { createPost, createUser, tagPost } from "../../test/factories";
import { testCtx, useTestDatabase } from "../../test/harness";
import worker from "../../workers/api";
import { createViralJob, viralAnalytics as viralJob } from "./viral";

const t = await useTestDatabase();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const CITIES = ["Buenos Aires", "Madrid", "Paris", "Tokyo", "Berlin"];

/** Each test at its own time, days apart, so no test's posts fall in another's 48-hour window. */
const at = (day: number) => new Date(Date.UTC(2031, 2, day * 3, 12));

/** `n` dancers, the i-th in CITIES[i % 5] (so any 5 or more of them reach 5 cities). */
async function dancers(n: number) {
  const made = [];
  for (let i = 0; i < n; i += 20) {
    made.push(...(await Promise.all(Array.from({ length: Math.min(20, n - i) }, (_, j) => createUser(t.db, { city: CITIES[(i + j) % 5] })))));
  }
  return made;
}

async function scores(postIds: number[]) {
  const rows = await t.db.select().from(viralAnalytics).where(inArray(viralAnalytics.postId, postIds)).orderBy(asc(viralAnalytics.postId));
  return new Map(rows.map((row) => [row.postId, row]));
}

describe("viral analytics (cron */10 * * * *)", () => {
  it("scores the last 48 hours' posts with the platform's formula", async () => {
    const now = at(1);
    const ago = (ms: number) => new Date(now.getTime() - ms);
    const [author, ...fans] = await dancers(101);
    const old = await createPost(t.db, { userId: author!.id, createdAt: ago(49 * HOUR) });
    const a = await createPost(t.db, { userId: author!.id, createdAt: ago(2 * HOUR) });
    const b = await createPost(t.db, { userId: author!.id, createdAt: ago(4 * HOUR) });
    const quiet = await createPost(t.db, { userId: author!.id, createdAt: ago(30 * MINUTE) });
    const young = await createPost(t.db, { userId: author!.id, createdAt: ago(10 * MINUTE) });
    const after = (post: { createdAt: Date | null }, ms: number) => new Date(post.createdAt!.getTime() + ms);

    // a: 2 hours old, 40 shares and 60 comments by 100 dancers in 5 cities, every other one in
    // its first hour: 0.4 x min(20/20, 1) + 0.2 x min(30/30, 1) + 0.2 x min(100/50, 1)
    // + 0.15 x min(5/5, 1) + 0.05 x 0.5 = 0.975. The author's own comment does not count.
    const early = (i: number) => after(a, i % 2 === 0 ? 30 * MINUTE : 90 * MINUTE);
    await t.db.insert(postShares).values(fans.slice(0, 40).map((fan, i) => ({ postId: a.id, userId: fan.id, createdAt: early(i) })));
    await t.db.insert(postComments).values([
      ...fans.slice(40, 100).map((fan, i) => ({ postId: a.id, userId: fan.id, content: "¡Qué milonga!", createdAt: early(i) })),
      { postId: a.id, userId: author!.id, content: "Gracias", createdAt: after(a, 10 * MINUTE) },
    ]);
    // b: 4 hours old; 4 shares in its first 10 minutes, 6 comments after 2 hours, 2 likes after
    // 3 hours, by 10 dancers in 5 cities: 0.4 x (4/4)/20 + 0.2 x (6/4)/30 + 0.2 x 10/50
    // + 0.15 x 5/5 + 0.05 x 4/12 = 0.02 + 0.01 + 0.04 + 0.15 + 0.01667 = 0.23667.
    await t.db.insert(postShares).values(fans.slice(0, 4).map((fan) => ({ postId: b.id, userId: fan.id, createdAt: after(b, 10 * MINUTE) })));
    await t.db.insert(postComments).values(fans.slice(4, 10).map((fan) => ({ postId: b.id, userId: fan.id, content: "Linda", createdAt: after(b, 2 * HOUR) })));
    await t.db.insert(postLikes).values(fans.slice(0, 2).map((fan) => ({ postId: b.id, userId: fan.id, createdAt: after(b, 3 * HOUR) })));
    // young: 10 minutes old, 3 shares from 3 cities, all early; its rates are per hour of at
    // least 1 hour (3/h, not 18/h): 0.4 x 3/20 + 0.2 x 3/50 + 0.15 x 3/5 + 0.05 x 1 = 0.212.
    await t.db.insert(postShares).values(fans.slice(0, 3).map((fan) => ({ postId: young.id, userId: fan.id, createdAt: after(young, 5 * MINUTE) })));
    // old: 49 hours old, engaged with and scored once: it leaves the table.
    await t.db.insert(postShares).values(fans.slice(0, 40).map((fan) => ({ postId: old.id, userId: fan.id, createdAt: after(old, MINUTE) })));
    await t.db.insert(viralAnalytics).values({
      postId: old.id, score: 0.9, sharesPerHour: 40, commentsPerHour: 0, uniqueEngagers: 40, communitiesReached: 5,
      earlyEngagement: 1, isViral: true, postCreatedAt: old.createdAt!,
    });

    const counts = await createViralJob({ chunk: 2, budgetMs: 60_000 }).run(testCtx(t, { now }));
    expect(counts).toEqual({ pruned: 1, tags: 0, droppedTags: 0, scored: 4, viral: 1, chunks: 2, queued: 0, unfinished: 0, stale: 0 });

    const rows = await scores([old.id, a.id, b.id, quiet.id, young.id]);
    expect(rows.has(old.id)).toBe(false);
    expect(rows.get(a.id)).toMatchObject({
      score: expect.closeTo(0.975, 9), sharesPerHour: 20, commentsPerHour: 30, uniqueEngagers: 100,
      communitiesReached: 5, earlyEngagement: 0.5, isViral: true, postCreatedAt: a.createdAt, computedAt: now,
    });
    expect(rows.get(b.id)).toMatchObject({
      score: expect.closeTo(0.02 + 0.01 + 0.04 + 0.15 + 0.05 / 3, 9), sharesPerHour: 1, commentsPerHour: 1.5,
      uniqueEngagers: 10, communitiesReached: 5, earlyEngagement: expect.closeTo(1 / 3, 9), isViral: false,
    });
    expect(rows.get(young.id)).toMatchObject({
      score: expect.closeTo(0.06 + 0.012 + 0.09 + 0.05, 9), sharesPerHour: 3, uniqueEngagers: 3, communitiesReached: 3,
      earlyEngagement: 1, isViral: false,
    });
    expect(rows.get(quiet.id)).toMatchObject({
      score: 0, sharesPerHour: 0, commentsPerHour: 0, uniqueEngagers: 0, communitiesReached: 0, earlyEngagement: 0, isViral: false,
    });
  });

  it("changes nothing when run twice at the same time, and counts nothing after that time", async () => {
    const now = at(2);
    const [author, fan] = await dancers(2);
    const post = await createPost(t.db, { userId: author!.id, createdAt: new Date(now.getTime() - 3 * HOUR) });
    await t.db.insert(postShares).values({ postId: post.id, userId: fan!.id, createdAt: new Date(now.getTime() + MINUTE) });
    await tagPost(t.db, post, ["rerun"]);
    const ctx = testCtx(t, { now });
    const first = await viralJob.run(ctx);
    const rows = await t.db.select().from(viralAnalytics).orderBy(asc(viralAnalytics.postId));
    const tags = await t.db.select().from(trendingHashtags).orderBy(asc(trendingHashtags.tag));
    expect(await viralJob.run(ctx)).toEqual({ ...first, pruned: 0 });
    expect(await t.db.select().from(viralAnalytics).orderBy(asc(viralAnalytics.postId))).toEqual(rows);
    expect(await t.db.select().from(trendingHashtags).orderBy(asc(trendingHashtags.tag))).toEqual(tags);
    expect((await scores([post.id])).get(post.id)).toMatchObject({ score: 0, uniqueEngagers: 0 });
    expect(tags).toEqual([expect.objectContaining({ tag: "rerun", posts: 1, score: expect.closeTo(0.5 ** 0.25, 9) })]);
  });

  it("scores the newest posts first and stops at its time budget, at least one chunk a run", async () => {
    const now = at(3);
    const [author] = await dancers(1);
    const older = await createPost(t.db, { userId: author!.id, createdAt: new Date(now.getTime() - 5 * HOUR) });
    const newer = await createPost(t.db, { userId: author!.id, createdAt: new Date(now.getTime() - HOUR) });
    const counts = await createViralJob({ chunk: 1, budgetMs: 0 }).run(testCtx(t, { now }));
    expect(counts).toMatchObject({ scored: 1, chunks: 1, unfinished: 1 });
    const rows = await scores([older.id, newer.id]);
    expect([...rows.keys()]).toEqual([newer.id]);
  });

  it("runs from its Cron Trigger", async () => {
    const now = at(4);
    const [author] = await dancers(1);
    const post = await createPost(t.db, { userId: author!.id, createdAt: new Date(now.getTime() - HOUR) });
    await worker.scheduled(createScheduledController({ cron: "*/10 * * * *", scheduledTime: now.getTime() }), t.env);
    expect((await scores([post.id])).get(post.id)).toMatchObject({ score: 0, computedAt: now });
  });
});
