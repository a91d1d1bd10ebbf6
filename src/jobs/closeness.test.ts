import { createScheduledController } from "cloudflare:test";
import { eq, inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { friendships } from "../../drizzle/schema";
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
import { recomputeCloseness } from "./closeness";

const t = await useTestDatabase();
const DAY = 86_400_000;
const now = new Date();
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);

/** Fires the nightly Cron Trigger the way the runtime does. */
async function fireCron(scheduledTime = now) {
  await worker.scheduled(createScheduledController({ cron: "0 3 * * *", scheduledTime }), t.env);
}

async function scoresOf(ids: number[]) {
  const rows = await t.db.select().from(friendships).where(inArray(friendships.id, ids));
  return Object.fromEntries(rows.map((row) => [row.id, row.closenessScore]));
}

describe("recompute closeness (cron 0 3 * * *)", () => {
  let close: Awaited<ReturnType<typeof befriend>>;
  let silent: Awaited<ReturnType<typeof befriend>>;
  let busy: Awaited<ReturnType<typeof befriend>>;
  let blocked: Awaited<ReturnType<typeof befriend>>;

  beforeAll(async () => {
    const [ana, bruno, carla, diego, elena] = await Promise.all(
      [1, 2, 3, 4, 5].map(() => createUser(t.db)),
    );

    // Ana and Bruno: danced twice (12), a like (1), four messages (2), a milonga together (5).
    close = await befriend(t.db, ana!.id, bruno!.id, { lastInteractionAt: daysAgo(30) });
    await addFriendshipActivity(t.db, close.forward.id, "dance_together", daysAgo(3));
    await addFriendshipActivity(t.db, close.reverse.id, "dance_together", daysAgo(10));
    await addFriendshipActivity(t.db, close.forward.id, "dance_together", daysAgo(120)); // too old to count
    const post = await createPost(t.db, { userId: ana!.id });
    await likePost(t.db, post.id, bruno!.id, daysAgo(2));
    const room = await createDirectRoom(t.db, ana!.id, bruno!.id);
    for (const day of [1, 2, 3, 4]) await sendChatMessage(t.db, room.id, day % 2 ? ana!.id : bruno!.id, "¿Bailamos?", daysAgo(day));
    const milonga = await createEvent(t.db, { userId: carla!.id, startDate: daysAgo(5) });
    await rsvp(t.db, milonga.id, ana!.id);
    await rsvp(t.db, milonga.id, bruno!.id);

    // Ana and Carla: nothing for 100 days: 10 weeks past the first month of silence.
    silent = await befriend(t.db, ana!.id, carla!.id, { createdAt: daysAgo(200), lastInteractionAt: daysAgo(100) });

    // Diego and Elena: far more than the +25 cap.
    busy = await befriend(t.db, diego!.id, elena!.id);
    for (let i = 0; i < 10; i++) await addFriendshipActivity(t.db, busy.forward.id, "dance_together", daysAgo(i + 1));

    // A blocked friendship is left alone.
    blocked = await befriend(t.db, bruno!.id, diego!.id, { status: "blocked", closenessScore: 40, lastInteractionAt: daysAgo(300) });
  });

  it("scores each pair from what they did together, the same in both directions", async () => {
    await fireCron();
    const scores = await scoresOf([close, silent, busy, blocked].flatMap((f) => [f.forward.id, f.reverse.id]));
    expect(scores[close.forward.id]).toBe(75 + 12 + 1 + 2 + 5);
    expect(scores[close.reverse.id]).toBe(scores[close.forward.id]);
    expect(scores[silent.forward.id]).toBe(75 - 10);
    expect(scores[silent.reverse.id]).toBe(65);
    expect(scores[busy.forward.id]).toBe(100);
    expect(scores[busy.reverse.id]).toBe(100);
    expect(scores[blocked.forward.id]).toBe(40);
  });

  it("moves last_interaction_at up to the latest interaction it found", async () => {
    const [row] = await t.db.select().from(friendships).where(eq(friendships.id, close.forward.id));
    expect(Math.abs(row!.lastInteractionAt!.getTime() - daysAgo(1).getTime())).toBeLessThan(1000);
  });

  it("is idempotent: a second run at the same time changes nothing", async () => {
    const before = await scoresOf([close.forward.id, silent.forward.id, busy.forward.id]);
    const counts = await recomputeCloseness.run(testCtx(t, { now }));
    expect(counts.updated).toBe(0);
    expect(counts.examined).toBeGreaterThanOrEqual(6);
    expect(await scoresOf([close.forward.id, silent.forward.id, busy.forward.id])).toEqual(before);
  });

  it("lets silence decay a score a point a week, down to zero at most", async () => {
    await fireCron(new Date(now.getTime() + 2 * 365 * DAY));
    const scores = await scoresOf([silent.forward.id]);
    expect(scores[silent.forward.id]).toBe(0);
  });
});
