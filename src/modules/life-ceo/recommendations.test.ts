import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { aiUsageDaily, eventRsvps, lifeCeoRecommendations, lifeCeoTasks } from "../../../drizzle/schema";
import { apiWithAi, FakeAiProvider } from "../../../test/ai";
import { clearOfRateLimitWindowEdge, signedIn } from "../../../test/auth";
import { createEvent, createPost, createUser } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import {
  createGoal,
  createGoalTask,
  createMilestone,
  createRecommendation,
  domainId,
  promptData,
  recommendEveryGoal,
} from "../../../test/recommendations";
import { AiProviderError } from "../../lib/ai";
import { AI_DAILY_TOKENS, quotaDay } from "../../lib/ai-quota";
import { encodeCursor } from "../../lib/pagination";
import { weekOf } from "./recommendations.service";

const t = await useTestDatabase();

const recommendationsOf = (userId: number) => t.db.select().from(lifeCeoRecommendations).where(eq(lifeCeoRecommendations.userId, userId));
const usageOf = async (userId: number) =>
  (await t.db.select().from(aiUsageDaily).where(and(eq(aiUsageDaily.userId, userId), eq(aiUsageDaily.day, quotaDay(new Date()).day))))[0];
const thisWeek = () => weekOf(new Date());

describe("POST /api/life-ceo/recommendations/generate", () => {
  it("recommends for each active goal from one model call, stores them with the model's metadata, and counts the tokens", async () => {
    const { user, token } = await signedIn(t);
    const fitness = await domainId(t.db, "Fitness & Exercise");
    const goal = await createGoal(t.db, { userId: user.id, title: "Balance in the embrace", description: "Stable axis in giros", domainId: fitness, progress: 40 });
    const other = await createGoal(t.db, { userId: user.id, title: "Learn to DJ a tanda", priority: "high" });
    await createGoal(t.db, { userId: user.id, title: "A paused goal", status: "paused" });
    await createMilestone(t.db, { goalId: goal.id, userId: user.id, title: "Single-leg balance 30 s" });
    await createMilestone(t.db, { goalId: goal.id, userId: user.id, title: "Done milestone", completedAt: new Date() });
    await createGoalTask(t.db, { userId: user.id, goalId: goal.id, title: "Stretch hips daily" });
    await createPost(t.db, { userId: user.id });
    const event = await createEvent(t.db, { userId: (await createUser(t.db)).id, title: "Milonga La Viruta", startDate: new Date(Date.now() + 3 * 86_400_000) });
    await t.db.insert(eventRsvps).values({ eventId: event.id, userId: user.id, status: "going" });

    const fake = new FakeAiProvider([recommendEveryGoal]);
    const res = await apiWithAi(t, fake).post("/api/life-ceo/recommendations/generate", { token });
    expect(res.status).toBe(201);
    // High priority first.
    expect(res.body.items.map((r: { goalId: number }) => r.goalId)).toEqual([other.id, goal.id]);
    expect(res.body.items[1]).toEqual({
      id: expect.any(Number),
      goalId: goal.id,
      goalTitle: "Balance in the embrace",
      domainId: fitness,
      domainName: "Fitness & Exercise",
      week: thisWeek(),
      title: "Next step: Balance in the embrace",
      body: expect.stringContaining("practise twice"),
      status: "pending",
      source: "on_demand",
      taskId: null,
      createdAt: expect.any(String),
      respondedAt: null,
    });

    expect(fake.requests).toHaveLength(1);
    const request = fake.requests[0]!;
    expect(request.json).toBe(true);
    const data = promptData(request);
    expect(data.week).toBe(thisWeek());
    const shown = data.goals.find((g) => g.goalId === goal.id)!;
    expect(shown).toMatchObject({
      title: "Balance in the embrace",
      description: "Stable axis in giros",
      domain: "Fitness & Exercise",
      persona: expect.stringContaining("fitness coach"),
      progress: 40,
      openMilestones: [{ title: "Single-leg balance 30 s", dueDate: null }],
      openTasks: [{ title: "Stretch hips daily", dueDate: null }],
    });
    expect(data.goals.map((g) => g.title)).not.toContain("A paused goal");
    expect(data.recentActivity).toMatchObject({ days: 14, posts: 1, rsvps: 1, tasksCompleted: 0, nextEvents: [{ title: "Milonga La Viruta" }] });

    const stored = await recommendationsOf(user.id);
    expect(stored).toHaveLength(2);
    expect(stored[0]!.metadata).toEqual({ provider: "fake", model: "fake-model-1", usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number) } });
    const { usage } = stored[0]!.metadata as { usage: { inputTokens: number; outputTokens: number } };
    expect((await usageOf(user.id))!.tokens).toBe(usage.inputTokens + usage.outputTokens);
  });

  it("shows the model nothing of another dancer's", async () => {
    const { user, token } = await signedIn(t);
    const stranger = await createUser(t.db);
    await createGoal(t.db, { userId: user.id, title: "My own goal" });
    const theirs = await createGoal(t.db, { userId: stranger.id, title: "Stranger's secret goal" });
    await createMilestone(t.db, { goalId: theirs.id, userId: stranger.id, title: "Stranger's milestone" });
    await createGoalTask(t.db, { userId: stranger.id, goalId: theirs.id, title: "Stranger's task" });
    await createPost(t.db, { userId: stranger.id });
    const event = await createEvent(t.db, { userId: stranger.id, title: "Stranger's practica", startDate: new Date(Date.now() + 86_400_000) });
    await t.db.insert(eventRsvps).values({ eventId: event.id, userId: stranger.id, status: "going" });

    const fake = new FakeAiProvider([recommendEveryGoal]);
    expect((await apiWithAi(t, fake).post("/api/life-ceo/recommendations/generate", { token })).status).toBe(201);
    const sent = JSON.stringify(fake.requests);
    expect(sent).toContain("My own goal");
    for (const secret of ["Stranger", stranger.username, stranger.email]) expect(sent).not.toContain(secret);
    expect(promptData(fake.requests[0]!).recentActivity).toMatchObject({ posts: 0, rsvps: 0, nextEvents: [] });
  });

  it("answers 200 with none, without a model call, when every goal has this week's", async () => {
    const { user, token } = await signedIn(t);
    const goal = await createGoal(t.db, { userId: user.id });
    await createRecommendation(t.db, { userId: user.id, goalId: goal.id, week: thisWeek() });
    const fake = new FakeAiProvider();
    const res = await apiWithAi(t, fake).post("/api/life-ceo/recommendations/generate", { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [] });
    expect(fake.requests).toHaveLength(0);
    // A second generation the same week adds nothing either.
    const { user: ana, token: anaToken } = await signedIn(t);
    await createGoal(t.db, { userId: ana.id });
    const api = apiWithAi(t, new FakeAiProvider([recommendEveryGoal]));
    expect((await api.post("/api/life-ceo/recommendations/generate", { token: anaToken })).status).toBe(201);
    expect((await api.post("/api/life-ceo/recommendations/generate", { token: anaToken })).body).toEqual({ items: [] });
    expect(await recommendationsOf(ana.id)).toHaveLength(1);
  });

  it("asks about at most five goals per call, and `goalIds` narrows them", async () => {
    const { user, token } = await signedIn(t);
    const goals = [];
    for (let i = 0; i < 7; i++) goals.push(await createGoal(t.db, { userId: user.id, priority: i === 6 ? "high" : "low" }));
    const fake = new FakeAiProvider([recommendEveryGoal, recommendEveryGoal]);
    const api = apiWithAi(t, fake);
    const narrowed = await api.post("/api/life-ceo/recommendations/generate", { token, json: { goalIds: [goals[3]!.id] } });
    expect(narrowed.body.items.map((r: { goalId: number }) => r.goalId)).toEqual([goals[3]!.id]);
    const res = await api.post("/api/life-ceo/recommendations/generate", { token });
    expect(res.body.items.map((r: { goalId: number }) => r.goalId)).toEqual([goals[6]!.id, goals[0]!.id, goals[1]!.id, goals[2]!.id, goals[4]!.id]);
    expect(promptData(fake.requests[1]!).goals).toHaveLength(5);
  });

  it("is 404 for goalIds naming another dancer's goal, before any model call", async () => {
    const { user, token } = await signedIn(t);
    const mine = await createGoal(t.db, { userId: user.id });
    const theirs = await createGoal(t.db, { userId: (await createUser(t.db)).id });
    const fake = new FakeAiProvider();
    const res = await apiWithAi(t, fake).post("/api/life-ceo/recommendations/generate", { token, json: { goalIds: [mine.id, theirs.id] } });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("not_found");
    expect(fake.requests).toHaveLength(0);
  });

  it("drops what the model made up: unknown goals, a second one for a goal, empty or overlong titles", async () => {
    const { user, token } = await signedIn(t);
    const [a, b, c] = [await createGoal(t.db, { userId: user.id }), await createGoal(t.db, { userId: user.id }), await createGoal(t.db, { userId: user.id })];
    const stranger = await createUser(t.db);
    const theirs = await createGoal(t.db, { userId: stranger.id });
    const reply = {
      recommendations: [
        { goalId: a.id, title: "Keep this", body: "Practise." },
        { goalId: a.id, title: "A second for the same goal", body: "Dropped." },
        { goalId: theirs.id, title: "Another dancer's goal", body: "Dropped." },
        { goalId: 999_999, title: "Unknown goal", body: "Dropped." },
        { goalId: b.id, title: "   ", body: "Empty title." },
        { goalId: c.id, title: "x".repeat(121), body: "Overlong title." },
        "not an object",
      ],
    };
    const fake = new FakeAiProvider([{ text: "```json\n" + JSON.stringify(reply) + "\n```" }]);
    const res = await apiWithAi(t, fake).post("/api/life-ceo/recommendations/generate", { token });
    expect(res.status).toBe(201);
    expect(res.body.items.map((r: { goalId: number; title: string }) => [r.goalId, r.title])).toEqual([[a.id, "Keep this"]]);
    expect((await recommendationsOf(user.id)).map((r) => r.goalId)).toEqual([a.id]);
    expect(await recommendationsOf(stranger.id)).toEqual([]);
  });

  it.each([
    ["a reply that is not JSON", "Sure! Here are my ideas: ..."],
    ["JSON of another shape", JSON.stringify({ ideas: ["dance more"] })],
    ["no usable entry", JSON.stringify({ recommendations: [{ goalId: 999_999, title: "x", body: "y" }] })],
  ])("answers %s with 502 ai_failed, stores nothing, and counts only the tokens used", async (_label, text) => {
    const { user, token } = await signedIn(t);
    await createGoal(t.db, { userId: user.id });
    const fake = new FakeAiProvider([{ text, usage: { inputTokens: 100, outputTokens: 7 } }]);
    const res = await apiWithAi(t, fake).post("/api/life-ceo/recommendations/generate", { token });
    expect(res.status).toBe(502);
    expect(res.body.code).toBe("ai_failed");
    expect(await recommendationsOf(user.id)).toEqual([]);
    expect((await usageOf(user.id))!.tokens).toBe(107);
  });

  it("answers a provider failure with its problem, storing nothing and giving the reservation back", async () => {
    const { user, token } = await signedIn(t);
    await createGoal(t.db, { userId: user.id });
    const fake = new FakeAiProvider([{ error: new AiProviderError("down", "unavailable", 503, 12) }]);
    const res = await apiWithAi(t, fake).post("/api/life-ceo/recommendations/generate", { token });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe("ai_busy");
    expect(res.headers.get("retry-after")).toBe("12");
    expect(await recommendationsOf(user.id)).toEqual([]);
    expect((await usageOf(user.id))!.tokens).toBe(0);
  });

  it("is 503 ai_unavailable without a model provider", async () => {
    const { user, token } = await signedIn(t);
    await createGoal(t.db, { userId: user.id });
    const res = await t.api.post("/api/life-ceo/recommendations/generate", { token });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe("ai_unavailable");
    expect(await recommendationsOf(user.id)).toEqual([]);
  });

  it("is 429 ai_quota_exceeded when the day's quota would be passed, before any model call", async () => {
    const { user, token } = await signedIn(t);
    await createGoal(t.db, { userId: user.id });
    await t.db.insert(aiUsageDaily).values({ userId: user.id, day: quotaDay(new Date()).day, tokens: AI_DAILY_TOKENS.free - 100, requests: 3 });
    const fake = new FakeAiProvider();
    const res = await apiWithAi(t, fake).post("/api/life-ceo/recommendations/generate", { token });
    expect(res.status).toBe(429);
    expect(res.body.code).toBe("ai_quota_exceeded");
    expect(res.body.resetsAt).toEqual(expect.any(String));
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(fake.requests).toHaveLength(0);
    expect(await recommendationsOf(user.id)).toEqual([]);
  });

  it("is rate limited per dancer (429 rate_limited)", async () => {
    await clearOfRateLimitWindowEdge();
    const { token } = await signedIn(t);
    const api = apiWithAi(t, new FakeAiProvider());
    const statuses = [];
    for (let i = 0; i < 11; i++) statuses.push((await api.post("/api/life-ceo/recommendations/generate", { token })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses[10]).toBe(429);
    // Another dancer is not limited by it.
    expect((await api.post("/api/life-ceo/recommendations/generate", { token: (await signedIn(t)).token })).status).toBe(200);
  });

  it("stores one per goal however many requests race", async () => {
    const { user, token } = await signedIn(t);
    await Promise.all([createGoal(t.db, { userId: user.id }), createGoal(t.db, { userId: user.id })]);
    const fake = new FakeAiProvider(Array(4).fill(recommendEveryGoal));
    const api = apiWithAi(t, fake);
    const results = await Promise.all(Array.from({ length: 4 }, () => api.post("/api/life-ceo/recommendations/generate", { token })));
    expect(results.every((r) => [200, 201].includes(r.status))).toBe(true);
    const returned = results.flatMap((r) => (r.body.items as Array<{ id: number }>).map((i) => i.id));
    const stored = await recommendationsOf(user.id);
    expect(stored).toHaveLength(2);
    expect(returned.sort()).toEqual(stored.map((r) => r.id).sort());
  });

  it("refuses bad goalIds with 400", async () => {
    const { token } = await signedIn(t);
    const api = apiWithAi(t, new FakeAiProvider());
    for (const goalIds of [[], [1, 2, 3, 4, 5, 6], ["1"], [0], [1.5]]) {
      const res = await api.post("/api/life-ceo/recommendations/generate", { token, json: { goalIds } });
      expect(res.status, JSON.stringify(goalIds)).toBe(400);
    }
  });
});

describe("GET /api/life-ceo/recommendations", () => {
  it("lists the caller's, newest first, page by page without gaps or repeats, filtered by status and goal", async () => {
    const { user, token } = await signedIn(t);
    const [g1, g2] = [await createGoal(t.db, { userId: user.id }), await createGoal(t.db, { userId: user.id })];
    const tie = new Date("2026-02-01T20:00:00.123456Z");
    const made = [];
    const weeks = ["2026-01-05", "2026-01-12", "2026-01-19"];
    for (const [i, at] of [new Date("2026-01-01T10:00:00Z"), tie, tie].entries()) {
      made.push(await createRecommendation(t.db, { userId: user.id, goalId: g1.id, week: weeks[i]!, createdAt: at }));
    }
    made.push(await createRecommendation(t.db, { userId: user.id, goalId: g2.id, week: weeks[0]!, createdAt: new Date("2026-03-01T10:00:00Z"), status: "dismissed" }));
    made.push(await createRecommendation(t.db, { userId: user.id, goalId: g2.id, week: weeks[1]!, createdAt: new Date("2026-01-15T10:00:00Z") }));
    await createRecommendation(t.db, { userId: (await createUser(t.db)).id, goalId: (await createGoal(t.db, { userId: (await createUser(t.db)).id })).id, week: weeks[0]! });

    const ids: number[] = [];
    let cursor: string | null = null;
    const sizes = [];
    do {
      const res: { status: number; body: any } = await t.api.get(`/api/life-ceo/recommendations?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { token });
      expect(res.status).toBe(200);
      ids.push(...res.body.items.map((r: { id: number }) => r.id));
      sizes.push(res.body.items.length);
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([2, 2, 1]);
    expect(ids).toEqual([made[3]!.id, made[2]!.id, made[1]!.id, made[4]!.id, made[0]!.id]);

    const pending = await t.api.get("/api/life-ceo/recommendations?status=pending", { token });
    expect(pending.body.items.map((r: { id: number }) => r.id)).toEqual([made[2]!.id, made[1]!.id, made[4]!.id, made[0]!.id]);
    const ofGoal = await t.api.get(`/api/life-ceo/recommendations?goalId=${g2.id}`, { token });
    expect(ofGoal.body.items.map((r: { id: number }) => r.id)).toEqual([made[3]!.id, made[4]!.id]);
  });

  it.each([
    ["a cursor that is not ours", "not-a-cursor"],
    ["a cursor with a time that is not one", encodeCursor(["garbage", 1])],
  ])("rejects %s with 400", async (_label, cursor) => {
    const { token } = await signedIn(t);
    const res = await t.api.get(`/api/life-ceo/recommendations?cursor=${encodeURIComponent(cursor)}`, { token });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "query.cursor" })]);
  });

  it("rejects an unknown status with 400", async () => {
    const { token } = await signedIn(t);
    expect((await t.api.get("/api/life-ceo/recommendations?status=maybe", { token })).status).toBe(400);
  });
});

describe("accept and dismiss", () => {
  async function pending() {
    const owner = await signedIn(t);
    const goal = await createGoal(t.db, { userId: owner.user.id, priority: "high" });
    await createGoalTask(t.db, { userId: owner.user.id, goalId: goal.id, position: 3 });
    const rec = await createRecommendation(t.db, { userId: owner.user.id, goalId: goal.id, domainId: goal.domainId, week: thisWeek(), title: "Book a private class", body: "Ask your teacher about giros." });
    return { ...owner, goal, rec };
  }
  const tasksFrom = (recId: number) => t.db.select().from(lifeCeoTasks).where(eq(lifeCeoTasks.recommendationId, recId));

  it("accept makes the task and marks the recommendation accepted", async () => {
    const { token, user, goal, rec } = await pending();
    const res = await t.api.post(`/api/life-ceo/recommendations/${rec.id}/accept`, { token });
    expect(res.status).toBe(200);
    expect(res.body.task).toEqual({
      id: expect.any(Number),
      goalId: goal.id,
      domainId: goal.domainId,
      title: "Book a private class",
      notes: "Ask your teacher about giros.",
      dueDate: null,
      priority: "high",
      position: 4,
      done: false,
      completedAt: null,
      recommendationId: rec.id,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    // The same shape as the tasks routes give it.
    const listed = await t.api.get(`/api/life-ceo/tasks?goalId=${goal.id}`, { token });
    expect(listed.body.items.find((item: { id: number }) => item.id === res.body.task.id)).toEqual(res.body.task);
    expect(res.body.recommendation).toMatchObject({ id: rec.id, status: "accepted", taskId: res.body.task.id, respondedAt: expect.any(String) });
    const [task] = await tasksFrom(rec.id);
    expect(task).toMatchObject({ id: res.body.task.id, userId: user.id });
    const again = await t.api.post(`/api/life-ceo/recommendations/${rec.id}/accept`, { token });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("recommendation_not_pending");
    expect((await t.api.post(`/api/life-ceo/recommendations/${rec.id}/dismiss`, { token })).status).toBe(409);
    expect(await tasksFrom(rec.id)).toHaveLength(1);
  });

  it("dismiss marks it dismissed; it cannot be accepted or dismissed after", async () => {
    const { token, rec } = await pending();
    const res = await t.api.post(`/api/life-ceo/recommendations/${rec.id}/dismiss`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: rec.id, status: "dismissed", taskId: null, respondedAt: expect.any(String) });
    for (const verb of ["accept", "dismiss"]) {
      const refused = await t.api.post(`/api/life-ceo/recommendations/${rec.id}/${verb}`, { token });
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe("recommendation_not_pending");
    }
    expect(await tasksFrom(rec.id)).toEqual([]);
  });

  it("racing accepts make one task; the others are 409", async () => {
    const { token, rec } = await pending();
    const results = await Promise.all(Array.from({ length: 6 }, () => t.api.post(`/api/life-ceo/recommendations/${rec.id}/accept`, { token })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    expect(await tasksFrom(rec.id)).toHaveLength(1);
  });

  it("an accept racing a dismiss: one wins, and a task exists only if the accept did", async () => {
    for (let round = 0; round < 15; round++) {
      const { token, rec } = await pending();
      const [accepted, dismissed] = await Promise.all([
        t.api.post(`/api/life-ceo/recommendations/${rec.id}/accept`, { token }),
        t.api.post(`/api/life-ceo/recommendations/${rec.id}/dismiss`, { token }),
      ]);
      expect([accepted.status, dismissed.status].sort()).toEqual([200, 409]);
      const [row] = await t.db.select().from(lifeCeoRecommendations).where(eq(lifeCeoRecommendations.id, rec.id));
      expect(row!.status).toBe(accepted.status === 200 ? "accepted" : "dismissed");
      expect(await tasksFrom(rec.id)).toHaveLength(accepted.status === 200 ? 1 : 0);
    }
  });

  it("another dancer's, or an unknown one, is 404; anonymous is 401", async () => {
    const { rec } = await pending();
    const intruder = await signedIn(t, { role: "god" });
    for (const verb of ["accept", "dismiss"]) {
      expect((await t.api.post(`/api/life-ceo/recommendations/${rec.id}/${verb}`, { token: intruder.token })).status).toBe(404);
      expect((await t.api.post(`/api/life-ceo/recommendations/2147483647/${verb}`, { token: intruder.token })).status).toBe(404);
      expect((await t.api.post(`/api/life-ceo/recommendations/${rec.id}/${verb}`)).status).toBe(401);
    }
    expect((await t.api.get("/api/life-ceo/recommendations", { token: intruder.token })).body.items).toEqual([]);
    expect((await t.api.get("/api/life-ceo/recommendations")).status).toBe(401);
    expect((await t.api.post("/api/life-ceo/recommendations/generate")).status).toBe(401);
    const [row] = await t.db.select().from(lifeCeoRecommendations).where(inArray(lifeCeoRecommendations.id, [rec.id]));
    expect(row!.status).toBe("pending");
  });
});
