import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { lifeCeoMilestones, lifeCeoRecommendations } from "../../../drizzle/ai";
import { signedIn } from "../../../test/auth";
import { useTestDatabase } from "../../../test/harness";
import { createGoal, createMilestone, createTask } from "../../../test/life-ceo";
import { roundTrips } from "../../../test/roundtrips";
import { encodeCursor } from "../../lib/pagination";

const t = await useTestDatabase();

type Item = { id: number };
const ids = (items: Item[]) => items.map((item) => item.id);

async function allPages(path: string, token: string, limit: number) {
  const seen: number[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const res: { status: number; body: { items: Item[]; nextCursor: string | null } } = await t.api.get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { token });
    expect(res.status).toBe(200);
    seen.push(...ids(res.body.items));
    cursor = res.body.nextCursor;
  } while (cursor);
  return seen;
}

describe("milestones", () => {
  it("are added at the end, listed in order, edited, done and undone, deleted", async () => {
    const { user, token } = await signedIn(t);
    const goal = await createGoal(t.db, { userId: user.id });
    const created: { id: number; position: number }[] = [];
    for (const title of ["One", "Two", "Three"]) {
      const res = await t.api.post(`/api/life-ceo/goals/${goal.id}/milestones`, { token, json: { title, dueDate: "2030-01-02" } });
      expect(res.status).toBe(201);
      created.push(res.body);
    }
    expect(created.map((m) => m.position)).toEqual([0, 1, 2]);
    expect(created[0]).toMatchObject({ goalId: goal.id, title: "One", dueDate: "2030-01-02", done: false, completedAt: null });
    expect(await allPages(`/api/life-ceo/goals/${goal.id}/milestones`, token, 2)).toEqual(ids(created));

    const done = await t.api.patch(`/api/life-ceo/milestones/${created[1]!.id}`, { token, json: { done: true, title: "Deux", dueDate: null } });
    expect(done.body).toMatchObject({ done: true, title: "Deux", dueDate: null, completedAt: expect.any(String) });
    const undone = await t.api.patch(`/api/life-ceo/milestones/${created[1]!.id}`, { token, json: { done: false } });
    expect([undone.body.done, undone.body.completedAt]).toEqual([false, null]);
    expect((await t.api.delete(`/api/life-ceo/milestones/${created[1]!.id}`, { token })).status).toBe(204);
    expect((await t.api.delete(`/api/life-ceo/milestones/${created[1]!.id}`, { token })).status).toBe(404);
  });

  it("another dancer's goal and milestones are 404, and nothing is written", async () => {
    const { user: owner } = await signedIn(t);
    const { token } = await signedIn(t);
    const goal = await createGoal(t.db, { userId: owner.id });
    const milestone = await createMilestone(t.db, { goalId: goal.id, userId: owner.id });
    expect((await t.api.post(`/api/life-ceo/goals/${goal.id}/milestones`, { token, json: { title: "Intruder" } })).status).toBe(404);
    expect((await t.api.get(`/api/life-ceo/goals/${goal.id}/milestones`, { token })).status).toBe(404);
    expect((await t.api.patch(`/api/life-ceo/milestones/${milestone.id}`, { token, json: { done: true } })).status).toBe(404);
    expect((await t.api.post(`/api/life-ceo/goals/${goal.id}/milestones/order`, { token, json: { ids: [milestone.id] } })).status).toBe(404);
    const rows = await t.db.select().from(lifeCeoMilestones).where(eq(lifeCeoMilestones.goalId, goal.id));
    expect(rows.map((m) => [m.id, m.completedAt])).toEqual([[milestone.id, null]]);
  });

  it.each([
    ["a bad date", { title: "x", dueDate: "2030-13-01" }],
    ["a control character", { title: "x\u0007" }],
    ["no title", {}],
  ])("refuses %s with 400", async (_, json) => {
    const { user, token } = await signedIn(t);
    const goal = await createGoal(t.db, { userId: user.id });
    expect((await t.api.post(`/api/life-ceo/goals/${goal.id}/milestones`, { token, json })).status).toBe(400);
  });

  it("reorders in one statement, refusing ids that are not exactly the goal's milestones", async () => {
    const { user, token } = await signedIn(t);
    const goal = await createGoal(t.db, { userId: user.id });
    const other = await createGoal(t.db, { userId: user.id });
    const a = await createMilestone(t.db, { goalId: goal.id, userId: user.id, position: 0 });
    const b = await createMilestone(t.db, { goalId: goal.id, userId: user.id, position: 1 });
    const c = await createMilestone(t.db, { goalId: goal.id, userId: user.id, position: 2 });
    const foreign = await createMilestone(t.db, { goalId: other.id, userId: user.id });
    const path = `/api/life-ceo/goals/${goal.id}/milestones/order`;
    for (const bad of [[a.id, b.id], [a.id, b.id, c.id, foreign.id], [a.id, b.id, foreign.id], [a.id, a.id, b.id]]) {
      const res = await t.api.post(path, { token, json: { ids: bad } });
      expect([res.status, res.body.code]).toEqual([409, "order_mismatch"]);
    }
    const empty = await t.api.post(`/api/life-ceo/goals/${other.id}/milestones/order`, { token, json: { ids: [] } });
    expect([empty.status, empty.body.code]).toEqual([409, "order_mismatch"]);
    const res = await roundTrips(() => t.api.post(path, { token, json: { ids: [c.id, a.id, b.id] } }));
    expect(res).toEqual({ status: 200, trips: 1 });
    const list = await t.api.get(`/api/life-ceo/goals/${goal.id}/milestones`, { token });
    expect(ids(list.body.items)).toEqual([c.id, a.id, b.id]);
    expect(list.body.items.map((m: { position: number }) => m.position)).toEqual([0, 1, 2]);
  });

  it("refuses a forged cursor with 400", async () => {
    const { user, token } = await signedIn(t);
    const goal = await createGoal(t.db, { userId: user.id });
    const res = await t.api.get(`/api/life-ceo/goals/${goal.id}/milestones?cursor=${encodeCursor(["a", 1])}`, { token });
    expect([res.status, res.body.code]).toEqual([400, "invalid_cursor"]);
  });

  it("racing creates on one goal get distinct positions", async () => {
    const { user, token } = await signedIn(t);
    const goal = await createGoal(t.db, { userId: user.id });
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => t.api.post(`/api/life-ceo/goals/${goal.id}/milestones`, { token, json: { title: `M${i}` } })));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill(201));
    expect(results.map((r) => r.body.position as number).sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

describe("tasks", () => {
  it("a goal's task takes the goal's domain; a domain task stands alone", async () => {
    const { user, token } = await signedIn(t);
    const goal = await createGoal(t.db, { userId: user.id, domainId: 9 });
    const underGoal = await t.api.post("/api/life-ceo/tasks", { token, json: { title: "Breathe", goalId: goal.id, dueDate: "2030-01-01", priority: "high" } });
    expect(underGoal.status).toBe(201);
    expect(underGoal.body).toMatchObject({ goalId: goal.id, domainId: 9, priority: "high", done: false, position: 0, recommendationId: null });
    const inDomain = await t.api.post("/api/life-ceo/tasks", { token, json: { title: "Budget", domainId: 2, notes: "line one\nline two" } });
    expect(inDomain.body).toMatchObject({ goalId: null, domainId: 2, notes: "line one\nline two", priority: "medium" });
  });

  it.each([
    ["neither a domain nor a goal", { title: "x" }, 400, "validation_failed"],
    ["both a domain and a goal", { title: "x", domainId: 1, goalId: 1 }, 400, "validation_failed"],
    ["an unknown domain", { title: "x", domainId: 99 }, 400, "unknown_domain"],
    ["a bad due date", { title: "x", domainId: 1, dueDate: "tomorrow" }, 400, "validation_failed"],
    ["a control character in the notes", { title: "x", domainId: 1, notes: "a\u0000" }, 400, "validation_failed"],
  ])("refuses %s", async (_, json, status, code) => {
    const { token } = await signedIn(t);
    const res = await t.api.post("/api/life-ceo/tasks", { token, json });
    expect([res.status, res.body.code]).toEqual([status, code]);
  });

  it("a task under another dancer's goal is 404; their tasks are 404 to edit and delete", async () => {
    const { user: owner } = await signedIn(t);
    const { token } = await signedIn(t);
    const goal = await createGoal(t.db, { userId: owner.id });
    const task = await createTask(t.db, { userId: owner.id });
    expect((await t.api.post("/api/life-ceo/tasks", { token, json: { title: "x", goalId: goal.id } })).status).toBe(404);
    expect((await t.api.patch(`/api/life-ceo/tasks/${task.id}`, { token, json: { done: true } })).status).toBe(404);
    expect((await t.api.delete(`/api/life-ceo/tasks/${task.id}`, { token })).status).toBe(404);
    expect((await t.api.post("/api/life-ceo/tasks/order", { token, json: { goalId: goal.id, ids: [task.id] } })).status).toBe(404);
    expect((await t.api.get("/api/life-ceo/tasks", { token })).body.items).toEqual([]);
  });

  it("done sets completedAt and undone clears it; filters and pages without gaps or repeats", async () => {
    const { user, token } = await signedIn(t);
    const goal = await createGoal(t.db, { userId: user.id, domainId: 3 });
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await createTask(t.db, { userId: user.id, domainId: 1, position: i }));
    const goalTask = await createTask(t.db, { userId: user.id, goalId: goal.id, domainId: 3 });
    const done = await t.api.patch(`/api/life-ceo/tasks/${made[2]!.id}`, { token, json: { done: true, notes: null } });
    expect(done.body).toMatchObject({ done: true, completedAt: expect.any(String), notes: null });
    expect(await allPages("/api/life-ceo/tasks?domainId=1", token, 2)).toEqual(ids(made));
    expect(ids((await t.api.get("/api/life-ceo/tasks?done=true", { token })).body.items)).toEqual([made[2]!.id]);
    expect(ids((await t.api.get(`/api/life-ceo/tasks?goalId=${goal.id}`, { token })).body.items)).toEqual([goalTask.id]);
    const undone = await t.api.patch(`/api/life-ceo/tasks/${made[2]!.id}`, { token, json: { done: false } });
    expect(undone.body.completedAt).toBeNull();
    expect((await t.api.get("/api/life-ceo/tasks?done=maybe", { token })).status).toBe(400);
    expect((await t.api.get(`/api/life-ceo/tasks?cursor=${encodeCursor([-1, 1])}`, { token })).status).toBe(400);
  });

  it("reorders a domain's tasks outside goals, and a goal's tasks", async () => {
    const { user, token } = await signedIn(t);
    const goal = await createGoal(t.db, { userId: user.id, domainId: 4 });
    const [a, b] = [await createTask(t.db, { userId: user.id, domainId: 4 }), await createTask(t.db, { userId: user.id, domainId: 4 })];
    const [g1, g2] = [await createTask(t.db, { userId: user.id, goalId: goal.id, domainId: 4 }), await createTask(t.db, { userId: user.id, goalId: goal.id, domainId: 4 })];
    const wrong = await t.api.post("/api/life-ceo/tasks/order", { token, json: { domainId: 4, ids: [b.id, a.id, g1.id] } });
    expect([wrong.status, wrong.body.code]).toEqual([409, "order_mismatch"]);
    const byDomain = await t.api.post("/api/life-ceo/tasks/order", { token, json: { domainId: 4, ids: [b.id, a.id] } });
    expect([byDomain.status, ids(byDomain.body.items)]).toEqual([200, [b.id, a.id]]);
    const byGoal = await t.api.post("/api/life-ceo/tasks/order", { token, json: { goalId: goal.id, ids: [g2.id, g1.id] } });
    expect([byGoal.status, ids(byGoal.body.items)]).toEqual([200, [g2.id, g1.id]]);
    expect((await t.api.post("/api/life-ceo/tasks/order", { token, json: { ids: [a.id] } })).status).toBe(400);
    expect((await t.api.post("/api/life-ceo/tasks/order", { token, json: { domainId: 77, ids: [a.id] } })).status).toBe(404);
  });
});

describe("GET /api/life-ceo/agenda", () => {
  it("lists what is due that day and the overdue open items, oldest first, paged", async () => {
    const { user, token } = await signedIn(t);
    const goal = await createGoal(t.db, { userId: user.id, domainId: 6 });
    const overdueMilestone = await createMilestone(t.db, { goalId: goal.id, userId: user.id, dueDate: "2030-03-01" });
    await createMilestone(t.db, { goalId: goal.id, userId: user.id, dueDate: "2030-03-02", completedAt: new Date() });
    const overdueTask = await createTask(t.db, { userId: user.id, dueDate: "2030-03-02" });
    const todayDone = await createTask(t.db, { userId: user.id, dueDate: "2030-03-05", completedAt: new Date() });
    const todayMilestone = await createMilestone(t.db, { goalId: goal.id, userId: user.id, dueDate: "2030-03-05" });
    const todayTask = await createTask(t.db, { userId: user.id, dueDate: "2030-03-05" });
    await createTask(t.db, { userId: user.id, dueDate: "2030-03-06" });
    await createTask(t.db, { userId: (await signedIn(t)).user.id, dueDate: "2030-03-05" });

    const res = await t.api.get("/api/life-ceo/agenda?date=2030-03-05", { token });
    expect(res.status).toBe(200);
    expect(res.body.date).toBe("2030-03-05");
    expect(res.body.items.map((i: { kind: string; id: number }) => [i.kind, i.id])).toEqual([
      ["milestone", overdueMilestone.id],
      ["task", overdueTask.id],
      ["milestone", todayMilestone.id],
      ["task", todayDone.id],
      ["task", todayTask.id],
    ]);
    expect(res.body.items[0]).toMatchObject({ overdue: true, done: false, goalId: goal.id, domainId: 6, dueDate: "2030-03-01" });
    expect(res.body.items[3]).toMatchObject({ overdue: false, done: true });
    expect(await allPages("/api/life-ceo/agenda?date=2030-03-05", token, 2)).toEqual(ids(res.body.items));
  });

  it("defaults to today in the time zone, and refuses a bad date, zone or cursor", async () => {
    const { user, token } = await signedIn(t);
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Pacific/Kiritimati" }).format(new Date());
    const task = await createTask(t.db, { userId: user.id, dueDate: today });
    const res = await t.api.get("/api/life-ceo/agenda?tz=Pacific/Kiritimati", { token });
    expect([res.status, res.body.date, ids(res.body.items)]).toEqual([200, today, [task.id]]);
    expect((await t.api.get("/api/life-ceo/agenda", { token })).body.date).toBe(new Date().toISOString().slice(0, 10));
    for (const query of ["date=2030-02-31", "tz=Mars/Olympus", "tz=%2B03:00", `cursor=${encodeCursor(["x", 0, 1])}`]) {
      expect((await t.api.get(`/api/life-ceo/agenda?${query}`, { token })).status).toBe(400);
    }
  });
});

describe("GET /api/life-ceo/dashboard", () => {
  it("groups goals with progress, task counts, due today and overdue per domain, and the latest 5 recommendations, in one round trip", async () => {
    const { user, token } = await signedIn(t);
    const other = await signedIn(t);
    const today = new Date().toISOString().slice(0, 10);
    const health = await createGoal(t.db, { userId: user.id, domainId: 1, title: "Health" });
    const loose = await createGoal(t.db, { userId: user.id, domainId: null, title: "Loose", progress: 30 });
    await createMilestone(t.db, { goalId: health.id, userId: user.id, completedAt: new Date() });
    await createMilestone(t.db, { goalId: health.id, userId: user.id, dueDate: "2000-01-01" });
    await createTask(t.db, { userId: user.id, goalId: health.id, domainId: 1, dueDate: today });
    await createTask(t.db, { userId: user.id, domainId: 5, completedAt: new Date() });
    await createTask(t.db, { userId: user.id, domainId: 5 });
    await createGoal(t.db, { userId: other.user.id, domainId: 2 });
    for (let i = 0; i < 7; i++) {
      const week = new Date(Date.UTC(2030, 0, 7 + 7 * i)).toISOString().slice(0, 10);
      await t.db.insert(lifeCeoRecommendations).values({ userId: user.id, goalId: health.id, week, title: `R${i}`, body: "b", source: "weekly" });
    }

    const { status, trips } = await roundTrips(() => t.api.get("/api/life-ceo/dashboard", { token }));
    expect({ status, trips }).toEqual({ status: 200, trips: 1 });
    const res = await t.api.get("/api/life-ceo/dashboard", { token });
    expect(res.body.date).toBe(today);
    expect(res.body.domains.map((d: { domain: { id: number } | null }) => d.domain?.id ?? null)).toEqual([1, 5, null]);
    const [d1, d5, none] = res.body.domains;
    expect(d1).toMatchObject({
      domain: { id: 1, name: "Health & Wellness", agentId: "P66" },
      openTasks: 1,
      doneTasks: 0,
      dueToday: 1,
      overdue: 1,
    });
    expect(d1.goals).toEqual([
      { id: health.id, path: `/api/life-ceo/goals/${health.id}`, title: "Health", status: "active", priority: "medium", targetDate: null, progress: 33, progressSource: "milestones" },
    ]);
    expect(d5).toMatchObject({ goals: [], openTasks: 1, doneTasks: 1, dueToday: 0, overdue: 0 });
    expect(none).toMatchObject({ domain: null, openTasks: 0, goals: [expect.objectContaining({ id: loose.id, progress: 30, progressSource: "manual" })] });
    expect(res.body.recommendations.map((r: { title: string }) => r.title)).toEqual(["R6", "R5", "R4", "R3", "R2"]);
    expect(res.body.recommendations[0]).toMatchObject({ status: "pending", goalId: health.id, createdAt: expect.any(String) });
  });

  it("is empty for a dancer with nothing yet", async () => {
    const { token } = await signedIn(t);
    const res = await t.api.get("/api/life-ceo/dashboard?tz=Europe/Madrid", { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ domains: [], recommendations: [] });
    expect((await t.api.get("/api/life-ceo/dashboard?tz=CET", { token })).status).toBe(400);
  });
});

