import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { aiUsageDaily, eventRsvps, lifeCeoRecommendations } from "../../drizzle/schema";
import { FakeAiProvider } from "../../test/ai";
import { createEvent, createPost, createUser } from "../../test/factories";
import { type TestContext, testCtx, useTestDatabase } from "../../test/harness";
import { createGoal, createGoalTask, promptData, recommendEveryGoal } from "../../test/recommendations";
import { AiProviderError } from "../lib/ai";
import { AI_DAILY_TOKENS } from "../lib/ai-quota";
import type { Logger } from "../lib/logger";
import { generateRecommendations } from "../modules/life-ceo";
import { runScheduled, SCHEDULES } from "./index";
import { createRecommendationsJob, weeklyRecommendations } from "./weekly-recommendations";

const t = await useTestDatabase();

// Each test runs in a week of its own, more than 30 days from the others', so that only its own
// dancers are active (factories' rows are made "now", years before these weeks).
const days = (now: Date, n: number) => new Date(now.getTime() + n * 86_400_000);

/** A dancer who logged in the day before `now`, with one active goal (or `goals`). */
async function activeDancer(t: TestContext, now: Date, goals = 1, overrides: Parameters<typeof createUser>[1] = {}) {
  const user = await createUser(t.db, { lastLoginAt: days(now, -1), ...overrides });
  const made = [];
  for (let i = 0; i < goals; i++) made.push(await createGoal(t.db, { userId: user.id }));
  return { user, goals: made };
}

const jobCtx = (now: Date, ai: FakeAiProvider | null) => ({ ...testCtx(t, { now }), ai });
const recommendationsOf = (userIds: number[]) => t.db.select().from(lifeCeoRecommendations).where(inArray(lifeCeoRecommendations.userId, userIds));
/** The goals the model was asked about, over all its calls. */
const askedGoals = (fake: FakeAiProvider) => fake.requests.flatMap((r) => promptData(r).goals.map((g) => g.goalId)).sort((a, b) => a - b);

describe("weekly recommendations (cron 30 5-8 * * 1)", () => {
  it("recommends once per active goal and week: a rerun adds nothing, next week's run adds new ones", async () => {
    const now = new Date("2030-06-03T05:30:00Z");
    const ana = await activeDancer(t, now, 2);
    const bruno = await activeDancer(t, now);
    const fake = new FakeAiProvider(Array(8).fill(recommendEveryGoal));

    expect(await weeklyRecommendations.run(jobCtx(now, fake))).toMatchObject({ dancers: 2, created: 3, modelCalls: 2, overQuota: 0, failed: 0, unfinished: 0 });
    const first = await recommendationsOf([ana.user.id, bruno.user.id]);
    expect(first.map((r) => [r.goalId, r.week, r.source, r.status]).sort()).toEqual(
      [...ana.goals, ...bruno.goals].map((g) => [g.id, "2030-06-03", "weekly", "pending"]).sort(),
    );
    expect(first.every((r) => (r.metadata as { provider: string }).provider === "fake")).toBe(true);

    // The same trigger again, and a later run the same week: nothing more, no model call.
    expect(await weeklyRecommendations.run(jobCtx(now, fake))).toMatchObject({ dancers: 0, created: 0, modelCalls: 0 });
    expect(await weeklyRecommendations.run(jobCtx(days(now, 3), fake))).toMatchObject({ dancers: 0, created: 0, modelCalls: 0 });
    expect(fake.requests).toHaveLength(2);

    const next = days(now, 7);
    expect(await weeklyRecommendations.run(jobCtx(next, fake))).toMatchObject({ dancers: 2, created: 3 });
    const all = await recommendationsOf([ana.user.id, bruno.user.id]);
    expect(all).toHaveLength(6);
    expect(all.filter((r) => r.week === "2030-06-10")).toHaveLength(3);
  });

  it("skips dancers without an active goal, inactive for 30 days or suspended; any recent activity counts", async () => {
    const now = new Date("2030-09-02T05:30:00Z");
    const byLogin = await activeDancer(t, now);
    const noActiveGoal = await createUser(t.db, { lastLoginAt: days(now, -1) });
    await createGoal(t.db, { userId: noActiveGoal.id, status: "paused" });
    await createGoal(t.db, { userId: noActiveGoal.id, status: "completed", completedAt: days(now, -2) });
    const inactive = await activeDancer(t, now, 1, { lastLoginAt: days(now, -40) });
    const suspended = await activeDancer(t, now, 1, { suspended: true });
    const deactivated = await activeDancer(t, now, 1, { isActive: false });
    const byPost = await activeDancer(t, now, 1, { lastLoginAt: null });
    await createPost(t.db, { userId: byPost.user.id, createdAt: days(now, -3) });
    const byRsvp = await activeDancer(t, now, 1, { lastLoginAt: null });
    const event = await createEvent(t.db, { userId: (await createUser(t.db)).id });
    await t.db.insert(eventRsvps).values({ eventId: event.id, userId: byRsvp.user.id, status: "going", createdAt: days(now, -10), updatedAt: days(now, -10) });
    const byTask = await activeDancer(t, now, 1, { lastLoginAt: null });
    await createGoalTask(t.db, { userId: byTask.user.id, goalId: byTask.goals[0]!.id, completedAt: days(now, -5) });

    const fake = new FakeAiProvider(Array(8).fill(recommendEveryGoal));
    expect(await weeklyRecommendations.run(jobCtx(now, fake))).toMatchObject({ dancers: 4, created: 4 });
    const expected = [byLogin, byPost, byRsvp, byTask].map((d) => d.goals[0]!.id).sort((a, b) => a - b);
    expect(askedGoals(fake)).toEqual(expected);
    expect(await recommendationsOf([noActiveGoal.id, inactive.user.id, suspended.user.id, deactivated.user.id])).toEqual([]);
  });

  it("skips a dancer over the day's quota, and goes on past a failed model call (retried by the next run)", async () => {
    const now = new Date("2030-11-04T05:30:00Z");
    const overQuota = await activeDancer(t, now);
    await t.db.insert(aiUsageDaily).values({ userId: overQuota.user.id, day: "2030-11-04", tokens: AI_DAILY_TOKENS.free - 10, requests: 5 });
    const failing = await activeDancer(t, now);
    const fine = await activeDancer(t, now);
    const fake = new FakeAiProvider([{ error: new AiProviderError("down", "unavailable", 503) }, recommendEveryGoal]);

    expect(await weeklyRecommendations.run(jobCtx(now, fake))).toMatchObject({ dancers: 3, created: 1, modelCalls: 2, overQuota: 1, failed: 1 });
    expect(askedGoals(fake)).toEqual([failing.goals[0]!.id, fine.goals[0]!.id]);
    expect((await recommendationsOf([overQuota.user.id, failing.user.id, fine.user.id])).map((r) => r.userId)).toEqual([fine.user.id]);
    // The failed call gave its reservation back.
    const [usage] = await t.db.select().from(aiUsageDaily).where(eq(aiUsageDaily.userId, failing.user.id));
    expect(usage!.tokens).toBe(0);

    // The next trigger of the morning retries the failed dancer; the one over quota is still skipped.
    const retry = new FakeAiProvider([recommendEveryGoal]);
    expect(await weeklyRecommendations.run(jobCtx(days(now, 1 / 24), retry))).toMatchObject({ dancers: 2, created: 1, overQuota: 1, failed: 0 });
    expect((await recommendationsOf([overQuota.user.id, failing.user.id])).map((r) => r.userId)).toEqual([failing.user.id]);
  });

  it("works in chunks of dancers, bounded by model calls per run; the next run goes on", async () => {
    const now = new Date("2031-01-06T05:30:00Z");
    const dancers = [];
    for (let i = 0; i < 5; i++) dancers.push(await activeDancer(t, now));
    const job = createRecommendationsJob({ chunk: 2, maxModelCalls: 3, budgetMs: 60_000 });
    const fake = new FakeAiProvider(Array(5).fill(recommendEveryGoal));

    expect(await job.run(jobCtx(now, fake))).toMatchObject({ dancers: 3, created: 3, modelCalls: 3, chunks: 2, unfinished: 1 });
    expect(await job.run(jobCtx(now, fake))).toMatchObject({ dancers: 2, created: 2, modelCalls: 2, unfinished: 0 });
    const stored = await recommendationsOf(dancers.map((d) => d.user.id));
    expect(stored.map((r) => r.goalId).sort()).toEqual(dancers.map((d) => d.goals[0]!.id).sort());
  });

  it("ends with one per goal when runs and an on-demand request race", async () => {
    const now = new Date("2031-03-03T05:30:00Z");
    const dancer = await activeDancer(t, now, 3);
    const actor = { id: dancer.user.id, role: dancer.user.role, level: 1, sessionId: crypto.randomUUID() };
    await Promise.all([
      weeklyRecommendations.run(jobCtx(now, new FakeAiProvider([recommendEveryGoal]))),
      weeklyRecommendations.run(jobCtx(now, new FakeAiProvider([recommendEveryGoal]))),
      generateRecommendations({ ...testCtx(t, { now, actor }), ai: new FakeAiProvider([recommendEveryGoal]) }, dancer.user.id, { source: "on_demand" }),
    ]);
    const stored = await recommendationsOf([dancer.user.id]);
    expect(stored.map((r) => r.goalId).sort()).toEqual(dancer.goals.map((g) => g.id).sort());
  });

  it("does nothing without a model provider, and says why", async () => {
    const now = new Date("2031-05-05T05:30:00Z");
    const dancer = await activeDancer(t, now);
    const warnings: Array<[string, unknown]> = [];
    const logger: Logger = { debug() {}, info() {}, error() {}, warn: (msg, fields) => warnings.push([msg, fields]), child: () => logger };
    expect(await weeklyRecommendations.run({ ...jobCtx(now, null), logger })).toMatchObject({ dancers: 0, created: 0, modelCalls: 0 });
    expect(warnings).toEqual([[expect.any(String), { code: "ai_unavailable" }]]);
    expect(await recommendationsOf([dancer.user.id])).toEqual([]);
  });

  it("runs on the 30 5-8 * * 1 trigger with the configured provider", async () => {
    expect(SCHEDULES["30 5-8 * * 1"]!.map((job) => job.name)).toEqual(["weekly-recommendations"]);
    const now = new Date("2031-07-07T06:30:00Z");
    const dancer = await activeDancer(t, now);
    const fake = new FakeAiProvider([recommendEveryGoal]);
    await runScheduled("30 5-8 * * 1", t.env, now, { aiProvider: () => fake });
    expect((await recommendationsOf([dancer.user.id])).map((r) => [r.goalId, r.week])).toEqual([[dancer.goals[0]!.id, "2031-07-07"]]);
  });
});
