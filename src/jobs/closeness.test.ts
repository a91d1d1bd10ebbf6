import { createScheduledController } from "cloudflare:test";
import { eq, inArray, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { friendRequests, friendRequestStories, friendships, jobCursors } from "../../drizzle/schema";
import { closenessStatement, CLOSENESS_CURSOR } from "../modules/graph/closeness.statement";
import {
  addFriendshipActivity,
  befriend,
  createDirectRoom,
  createEvent,
  createPost,
  createUser,
  likePost,
  rsvp,
  sendChatMessage,
} from "../../test/factories";
import { testCtx, useTestDatabase } from "../../test/harness";
import worker from "../../workers/api";
import { createClosenessJob, recomputeCloseness } from "./closeness";

const t = await useTestDatabase();
const DAY = 86_400_000;
const now = new Date();
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);
const daysAhead = (days: number) => daysAgo(-days);

type Pair = Awaited<ReturnType<typeof befriend>>;

/** Fires the nightly Cron Trigger the way the runtime does. */
async function fireCron(scheduledTime = now) {
  await worker.scheduled(createScheduledController({ cron: "0 3 * * *", scheduledTime }), t.env);
}

async function rowsOf(pairs: Pair[]) {
  const ids = pairs.flatMap((p) => [p.forward.id, p.reverse.id]);
  const rows = await t.db.select().from(friendships).where(inArray(friendships.id, ids));
  return new Map(rows.map((row) => [row.id, row]));
}

/** Each pair's two scores, [forward, reverse]. */
async function scoresOf(pairs: Pair[]) {
  const rows = await rowsOf(pairs);
  return pairs.map((p) => [rows.get(p.forward.id)!.closenessScore, rows.get(p.reverse.id)!.closenessScore]);
}

async function cursor() {
  const [row] = await t.db.select().from(jobCursors).where(eq(jobCursors.job, CLOSENESS_CURSOR));
  return row?.position ?? 0;
}

/** Two dancers, the first created first (so the pair's forward row is its first row). */
async function dancers() {
  const a = await createUser(t.db);
  const b = await createUser(t.db);
  return [a.id, b.id] as const;
}

async function messages(a: number, b: number, days: number[]) {
  const room = await createDirectRoom(t.db, a, b);
  for (const [i, day] of days.entries()) await sendChatMessage(t.db, room.id, i % 2 ? a : b, "¿Bailamos?", daysAgo(day));
}

async function likes(liker: number, author: number, days: number[]) {
  for (const day of days) await likePost(t.db, (await createPost(t.db, { userId: author })).id, liker, daysAgo(day));
}

describe("recompute closeness (cron 0 3 * * *)", () => {
  const p = {} as Record<"close" | "rounded" | "capped" | "silent" | "silentDanced" | "busy" | "future" | "fair" | "halfBlocked" | "split", Pair>;

  beforeAll(async () => {
    const organiser = await createUser(t.db);

    // close: they danced (start 80). In the 90 days: a dance 6, two likes (one each way) 2,
    // four messages 4 × 0.5 = 2, a milonga both went to 5 → +15 = 95. Not counted: the old
    // dance (120 days: only makes them dancers), a milonga only one went to, one still to come.
    {
      const [ana, bruno] = await dancers();
      p.close = await befriend(t.db, ana, bruno, { lastInteractionAt: daysAgo(30) });
      await addFriendshipActivity(t.db, p.close.forward.id, "dance_together", daysAgo(3));
      await addFriendshipActivity(t.db, p.close.reverse.id, "dance_together", daysAgo(120));
      await likes(bruno, ana, [2]);
      await likes(ana, bruno, [4]);
      await messages(ana, bruno, [1, 2, 3, 4]);
      const milonga = await createEvent(t.db, { userId: organiser.id, startDate: daysAgo(5) });
      const alone = await createEvent(t.db, { userId: organiser.id, startDate: daysAgo(6) });
      const next = await createEvent(t.db, { userId: organiser.id, startDate: daysAhead(6) });
      for (const event of [milonga, next]) for (const id of [ana, bruno]) await rsvp(t.db, event.id, id);
      await rsvp(t.db, alone.id, ana);
      await rsvp(t.db, alone.id, bruno, "interested");
    }

    // rounded: a shared memory 4 + three messages 1.5 = 5.5, rounded to 6 → 75 + 6 = 81.
    {
      const [a, b] = await dancers();
      p.rounded = await befriend(t.db, a, b);
      await addFriendshipActivity(t.db, p.rounded.reverse.id, "memory_shared", daysAgo(20));
      await messages(a, b, [10, 11, 12]);
    }

    // capped: 30 messages 15 → 10, 12 likes → 10, a group joined together 3 → +23 = 98.
    {
      const [a, b] = await dancers();
      p.capped = await befriend(t.db, a, b);
      await messages(a, b, Array.from({ length: 30 }, (_, i) => 1 + (i % 80)));
      await likes(a, b, Array.from({ length: 12 }, (_, i) => 1 + i));
      await addFriendshipActivity(t.db, p.capped.forward.id, "group_joined_together", daysAgo(7));
    }

    // silent: nothing for 100 days: (100 - 30) / 7 = 10 weeks of silence → 75 - 10 = 65.
    {
      const [a, b] = await dancers();
      p.silent = await befriend(t.db, a, b, { createdAt: daysAgo(200), lastInteractionAt: daysAgo(100) });
    }

    // silentDanced: danced 150 days ago (start 80, no points), silent 100 days → 80 - 10 = 70.
    {
      const [a, b] = await dancers();
      p.silentDanced = await befriend(t.db, a, b, { createdAt: daysAgo(200), lastInteractionAt: daysAgo(100) });
      await addFriendshipActivity(t.db, p.silentDanced.forward.id, "dance_together", daysAgo(150));
    }

    // busy: ten dances, 80 + 60 capped at +25 → 100 at most.
    {
      const [a, b] = await dancers();
      p.busy = await befriend(t.db, a, b);
      for (let i = 0; i < 10; i++) await addFriendshipActivity(t.db, p.busy.forward.id, "dance_together", daysAgo(i + 1));
    }

    // future: everything after the job's time is ignored (the dance does not make them dancers
    // either): silent 60 days, (60 - 30) / 7 → 4 weeks → 75 - 4 = 71.
    {
      const [a, b] = await dancers();
      p.future = await befriend(t.db, a, b, { createdAt: daysAgo(200), lastInteractionAt: daysAgo(60) });
      await addFriendshipActivity(t.db, p.future.forward.id, "dance_together", daysAhead(1));
      await addFriendshipActivity(t.db, p.future.reverse.id, "memory_shared", daysAhead(2));
      await messages(a, b, [-1, -2]);
      await likes(b, a, [-1]);
    }

    // fair: the reproduced case, rows 100 and 300 days old: both take the latest, 65 (before: 65 and 37).
    {
      const [a, b] = await dancers();
      const rows = await t.db
        .insert(friendships)
        .values([
          { userId: a, friendId: b, createdAt: daysAgo(400), lastInteractionAt: daysAgo(100) },
          { userId: b, friendId: a, createdAt: daysAgo(400), lastInteractionAt: daysAgo(300) },
        ])
        .returning();
      p.fair = { forward: rows[0]!, reverse: rows[1]! };
    }

    // halfBlocked: one row blocked, so the pair is not active: both rows keep their 40.
    {
      const [a, b] = await dancers();
      p.halfBlocked = await befriend(t.db, a, b, { closenessScore: 40, lastInteractionAt: daysAgo(300) });
      await t.db.update(friendships).set({ status: "blocked" }).where(eq(friendships.id, p.halfBlocked.reverse.id));
      await addFriendshipActivity(t.db, p.halfBlocked.forward.id, "dance_together", daysAgo(1));
    }

    // split: rows that disagree (10 and 90) with nothing to count, 10 days old → both 75.
    {
      const [a, b] = await dancers();
      p.split = await befriend(t.db, a, b, { lastInteractionAt: daysAgo(10) });
      await t.db.update(friendships).set({ closenessScore: 10 }).where(eq(friendships.id, p.split.forward.id));
      await t.db.update(friendships).set({ closenessScore: 90 }).where(eq(friendships.id, p.split.reverse.id));
    }
  });

  it("gives the hand-computed scores, the same to both rows of each pair", async () => {
    await fireCron();
    const pairs = [p.close, p.rounded, p.capped, p.silent, p.silentDanced, p.busy, p.future, p.fair, p.split];
    expect(await scoresOf(pairs)).toEqual([
      [95, 95],
      [81, 81],
      [98, 98],
      [65, 65],
      [70, 70],
      [100, 100],
      [71, 71],
      [65, 65],
      [75, 75],
    ]);
  });

  it("leaves a pair alone unless both its rows are active", async () => {
    expect(await scoresOf([p.halfBlocked])).toEqual([[40, 40]]);
    const rows = await rowsOf([p.halfBlocked]);
    expect(rows.get(p.halfBlocked.forward.id)!.lastInteractionAt!.getTime()).toBe(daysAgo(300).getTime());
  });

  it("moves both rows' last_interaction_at to the pair's latest interaction, never into the future", async () => {
    const rows = await rowsOf([p.close, p.fair, p.future]);
    const last = (pair: Pair) => [rows.get(pair.forward.id)!.lastInteractionAt!.getTime(), rows.get(pair.reverse.id)!.lastInteractionAt!.getTime()];
    // Milliseconds: timestamp columns keep microseconds, the driver reads milliseconds.
    expect(last(p.close)).toEqual([daysAgo(1).getTime(), daysAgo(1).getTime()]);
    expect(last(p.fair)).toEqual([daysAgo(100).getTime(), daysAgo(100).getTime()]);
    expect(last(p.future)).toEqual([daysAgo(60).getTime(), daysAgo(60).getTime()]);
  });

  it("is idempotent: a second run at the same time changes nothing", async () => {
    const pairs = Object.values(p);
    const before = await rowsOf(pairs);
    const counts = await recomputeCloseness.run(testCtx(t, { now }));
    expect(counts).toMatchObject({ updated: 0, pairs: 9, unfinished: 0 });
    expect(await rowsOf(pairs)).toEqual(before);
  });

  it("uses the covering likes index for both directions and the going-RSVP index", async () => {
    const [, plan] = await t.db.batch([
      t.db.execute(sql`SET LOCAL enable_seqscan = off`),
      t.db.execute<{ "QUERY PLAN": string }>(sql`EXPLAIN ${closenessStatement(now, { lo: 1, hi: 5000 }, 0)}`),
    ]);
    const text = plan.rows.map((row) => row["QUERY PLAN"]).join("\n");
    expect(text.match(/post_likes_user_created_idx/g)).toHaveLength(2);
    expect(text.match(/event_rsvps_going_idx/g)).toHaveLength(2);
    expect(text).not.toMatch(/Seq Scan on (post_likes|event_rsvps|friendships|friendship_activities)/);
  });

  it("lets silence decay a score a point a week, down to zero at most, dancers too", async () => {
    await fireCron(new Date(now.getTime() + 2 * 365 * DAY));
    expect(await scoresOf([p.silent, p.silentDanced, p.close])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
  });
});

describe("recompute closeness within a time budget", () => {
  const pairs: Pair[] = [];
  const later = daysAhead(1);

  beforeAll(async () => {
    // Pairs 1 ids apart forward to reverse, the forward first: ids f, f+1, f+2, ... f+5.
    for (let i = 0; i < 3; i++) {
      const [a, b] = await dancers();
      pairs.push(await befriend(t.db, a, b, { closenessScore: 50, lastInteractionAt: daysAgo(10) }));
    }
  });

  it("stops after a chunk when its budget is spent, and the next run resumes after it", async () => {
    const first = pairs[0]!.forward.id;
    expect(pairs.map((pair) => [pair.forward.id, pair.reverse.id]).flat()).toEqual([0, 1, 2, 3, 4, 5].map((i) => first + i));
    // As if an earlier pass had stopped just before these pairs.
    await t.db
      .insert(jobCursors)
      .values({ job: CLOSENESS_CURSOR, position: first - 1 })
      .onConflictDoUpdate({ target: jobCursors.job, set: { position: first - 1 } });
    const job = createClosenessJob({ chunk: 2, budgetMs: 0 });

    expect(await job.run(testCtx(t, { now: later }))).toEqual({ pairs: 1, updated: 2, chunks: 1, queued: 0, unfinished: 1, stale: 0 });
    expect(await scoresOf(pairs)).toEqual([[75, 75], [50, 50], [50, 50]]);
    expect(await cursor()).toBe(first + 1);

    expect(await job.run(testCtx(t, { now: later }))).toEqual({ pairs: 1, updated: 2, chunks: 1, queued: 0, unfinished: 1, stale: 0 });
    expect(await scoresOf(pairs)).toEqual([[75, 75], [75, 75], [50, 50]]);
    expect(await cursor()).toBe(first + 3);

    // The last chunk completes the pass: the cursor goes back to the start.
    expect(await job.run(testCtx(t, { now: later }))).toMatchObject({ pairs: 1, updated: 2, chunks: 1, unfinished: 1 });
    expect(await scoresOf(pairs)).toEqual([[75, 75], [75, 75], [75, 75]]);
    expect(await cursor()).toBe(0);
  });

  it("makes one full pass from the saved position round to it when the budget allows", async () => {
    const first = pairs[0]!.forward.id;
    await t.db.update(friendships).set({ closenessScore: 50 }).where(inArray(friendships.id, [first, first + 5]));
    await t.db.update(jobCursors).set({ position: first + 1 }).where(eq(jobCursors.job, CLOSENESS_CURSOR));
    const counts = await createClosenessJob({ chunk: 2, budgetMs: 60_000 }).run(testCtx(t, { now: later }));
    // Every active pair of the table scored exactly once (9 above, 3 here), including both
    // out-of-step pairs: the last one before wrapping round, the first after it.
    expect(counts).toMatchObject({ pairs: 12, unfinished: 0 });
    expect(await scoresOf(pairs)).toEqual([[75, 75], [75, 75], [75, 75]]);
    // It ended where it began.
    expect(await cursor()).toBe(first + 1);
  });
});

describe("recompute closeness: the friend request's story", () => {
  it("starts a pair at 80 when their accepted request said they danced, at 75 when it did not", async () => {
    const pairs: Pair[] = [];
    for (const didWeDance of [true, false]) {
      const [a, b] = [await createUser(t.db), await createUser(t.db)];
      pairs.push(await befriend(t.db, a.id, b.id, { createdAt: daysAgo(10) }));
      const [request] = await t.db
        .insert(friendRequests)
        .values({ senderId: a.id, receiverId: b.id, status: "accepted", respondedAt: daysAgo(10) })
        .returning();
      await t.db.insert(friendRequestStories).values({ friendRequestId: request!.id, didWeDance });
    }
    await fireCron();
    // Ten days old, no signals: the start alone, no decay before a month of silence.
    expect(await scoresOf(pairs)).toEqual([
      [80, 80],
      [75, 75],
    ]);
  });
});
