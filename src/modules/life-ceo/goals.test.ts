import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { lifeCeoGoals, lifeCeoMilestones, lifeCeoTasks } from "../../../drizzle/ai";
import { signedIn } from "../../../test/auth";
import { useTestDatabase } from "../../../test/harness";
import { createGoal, createMilestone, createTask } from "../../../test/life-ceo";
import { roundTrips } from "../../../test/roundtrips";
import { encodeCursor } from "../../lib/pagination";
import { LIFE_CEO_LIMITS } from "./life-ceo.input";

const t = await useTestDatabase();

/** Every page of a list, following nextCursor. */
async function allPages(path: string, token: string, limit: number) {
  const ids: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const res: { status: number; body: { items: { id: number }[]; nextCursor: string | null } } = await t.api.get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { token });
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    ids.push(...res.body.items.map((item: { id: number }) => item.id));
    cursor = res.body.nextCursor;
    pages += 1;
  } while (cursor);
  return { ids, pages };
}

describe("POST and GET /api/life-ceo/goals", () => {
  it("creates a goal with defaults and reads it back, manual progress", async () => {
    const { token } = await signedIn(t);
    const res = await t.api.post("/api/life-ceo/goals", { token, json: { title: "  Dance at a marathon  ", domainId: 5, targetDate: "2030-06-01", progress: 20 } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      title: "Dance at a marathon",
      description: null,
      domainId: 5,
      targetDate: "2030-06-01",
      priority: "medium",
      status: "active",
      progress: 20,
      progressSource: "manual",
      milestones: 0,
      tasks: 0,
      done: 0,
      completedAt: null,
      path: `/api/life-ceo/goals/${res.body.id}`,
    });
    const read = await t.api.get(`/api/life-ceo/goals/${res.body.id}`, { token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
  });

  it("sets completedAt on a goal created completed; a goal without a domain is fine", async () => {
    const { token } = await signedIn(t);
    const res = await t.api.post("/api/life-ceo/goals", { token, json: { title: "Already done", status: "completed" } });
    expect(res.status).toBe(201);
    expect(res.body.domainId).toBeNull();
    expect(res.body.completedAt).toEqual(expect.any(String));
  });

  it.each([
    ["an unknown domain", { title: "x", domainId: 999 }, "unknown_domain"],
    ["a bad date", { title: "x", targetDate: "2030-02-30" }, "validation_failed"],
    ["a date out of range", { title: "x", targetDate: "3030-01-01" }, "validation_failed"],
    ["progress over 100", { title: "x", progress: 101 }, "validation_failed"],
    ["progress under 0", { title: "x", progress: -1 }, "validation_failed"],
    ["a control character in the title", { title: "a\u0000b" }, "validation_failed"],
    ["a line break in the title", { title: "a\nb" }, "validation_failed"],
    ["an empty title", { title: "   " }, "validation_failed"],
    ["an unknown status", { title: "x", status: "done" }, "validation_failed"],
  ])("refuses %s with 400, writing nothing", async (_, json, code) => {
    const { user, token } = await signedIn(t);
    const res = await t.api.post("/api/life-ceo/goals", { token, json });
    expect([res.status, res.body.code]).toEqual([400, code]);
    expect(await t.db.select().from(lifeCeoGoals).where(eq(lifeCeoGoals.userId, user.id))).toEqual([]);
  });

  it("another dancer's goal is 404 to read, edit and delete, and is left as it was", async () => {
    const { user: owner } = await signedIn(t);
    const { token } = await signedIn(t);
    const goal = await createGoal(t.db, { userId: owner.id, title: "Mine" });
    expect((await t.api.get(`/api/life-ceo/goals/${goal.id}`, { token })).status).toBe(404);
    expect((await t.api.patch(`/api/life-ceo/goals/${goal.id}`, { token, json: { title: "Theirs" } })).status).toBe(404);
    expect((await t.api.delete(`/api/life-ceo/goals/${goal.id}`, { token })).status).toBe(404);
    expect((await t.api.get(`/api/life-ceo/goals/${goal.id}`)).status).toBe(401);
    const [row] = await t.db.select().from(lifeCeoGoals).where(eq(lifeCeoGoals.id, goal.id));
    expect(row!.title).toBe("Mine");
  });

  it("holds the limit of goals under racing creates: exactly the room left is taken", async () => {
    const { user, token } = await signedIn(t);
    await t.db.insert(lifeCeoGoals).values(Array.from({ length: LIFE_CEO_LIMITS.goals - 2 }, (_, i) => ({ userId: user.id, title: `Goal ${i}` })));
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => t.api.post("/api/life-ceo/goals", { token, json: { title: `Racing ${i}` } })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 409, 409, 409]);
    expect(results.find((r) => r.status === 409)!.body.code).toBe("goal_limit_reached");
    const [{ count }] = (await t.db.execute<{ count: number }>(sql`SELECT count(*)::int AS count FROM life_ceo_goals WHERE user_id = ${user.id}`)).rows as [{ count: number }];
    expect(count).toBe(LIFE_CEO_LIMITS.goals);
  });

  it("creates in one round trip", async () => {
    const { token } = await signedIn(t);
    expect(await roundTrips(() => t.api.post("/api/life-ceo/goals", { token, json: { title: "One trip" } }))).toEqual({ status: 201, trips: 1 });
  });
});

describe("GET /api/life-ceo/goals", () => {
  it("pages the caller's goals newest first without gaps or repeats, only theirs", async () => {
    const { user, token } = await signedIn(t);
    const other = await signedIn(t);
    const mine = [];
    for (let i = 0; i < 7; i++) mine.push(await createGoal(t.db, { userId: user.id, title: `G${i}` }));
    await createGoal(t.db, { userId: other.user.id });
    const { ids, pages } = await allPages("/api/life-ceo/goals", token, 3);
    expect(ids).toEqual(mine.map((g) => g.id).reverse());
    expect(pages).toBe(3);
  });

  it("filters by status and domain", async () => {
    const { user, token } = await signedIn(t);
    const a = await createGoal(t.db, { userId: user.id, domainId: 2 });
    const b = await createGoal(t.db, { userId: user.id, domainId: 3, status: "paused" });
    await createGoal(t.db, { userId: user.id, domainId: 2, status: "paused" });
    expect((await t.api.get("/api/life-ceo/goals?status=active", { token })).body.items.map((g: { id: number }) => g.id)).toEqual([a.id]);
    expect((await t.api.get("/api/life-ceo/goals?domainId=3", { token })).body.items.map((g: { id: number }) => g.id)).toEqual([b.id]);
    expect((await t.api.get("/api/life-ceo/goals?status=done", { token })).status).toBe(400);
  });

  it("refuses a forged cursor with 400", async () => {
    const { token } = await signedIn(t);
    for (const cursor of ["nope", encodeCursor(["x"]), encodeCursor([0])]) {
      const res = await t.api.get(`/api/life-ceo/goals?cursor=${encodeURIComponent(cursor)}`, { token });
      expect([res.status, res.body.code]).toEqual([400, "invalid_cursor"]);
    }
  });
});

describe("PATCH /api/life-ceo/goals/{id}: status moves", () => {
  async function move(token: string, id: number, status: string) {
    return t.api.patch(`/api/life-ceo/goals/${id}`, { token, json: { status } });
  }

  it("completes (completedAt set), reopens (cleared), pauses and abandons", async () => {
    const { user, token } = await signedIn(t);
    const goal = await createGoal(t.db, { userId: user.id });
    const done = await move(token, goal.id, "completed");
    expect([done.status, done.body.status]).toEqual([200, "completed"]);
    expect(done.body.completedAt).toEqual(expect.any(String));
    const again = await move(token, goal.id, "completed");
    expect(again.body.completedAt).toBe(done.body.completedAt);
    const reopened = await move(token, goal.id, "active");
    expect([reopened.status, reopened.body.completedAt]).toEqual([200, null]);
    expect((await move(token, goal.id, "paused")).body.status).toBe("paused");
    expect((await move(token, goal.id, "abandoned")).body.status).toBe("abandoned");
    expect((await move(token, goal.id, "active")).body.status).toBe("active");
  });

  it.each([
    ["completed", "paused"],
    ["completed", "abandoned"],
    ["abandoned", "completed"],
    ["abandoned", "paused"],
  ])("refuses %s -> %s with 409, changing nothing", async (from, to) => {
    const { user, token } = await signedIn(t);
    const goal = await createGoal(t.db, { userId: user.id, status: from, completedAt: from === "completed" ? new Date() : null });
    const res = await t.api.patch(`/api/life-ceo/goals/${goal.id}`, { token, json: { status: to, title: "Changed" } });
    expect([res.status, res.body.code]).toEqual([409, "illegal_status_move"]);
    const [row] = await t.db.select().from(lifeCeoGoals).where(eq(lifeCeoGoals.id, goal.id));
    expect([row!.status, row!.title]).toEqual([from, goal.title]);
  });

  it("lets exactly one of two racing moves win (completed and abandoned from active)", async () => {
    const { user, token } = await signedIn(t);
    for (let round = 0; round < 3; round++) {
      const goal = await createGoal(t.db, { userId: user.id });
      const [a, b] = await Promise.all([move(token, goal.id, "completed"), move(token, goal.id, "abandoned")]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const winner = a.status === 200 ? a : b;
      const [row] = await t.db.select().from(lifeCeoGoals).where(eq(lifeCeoGoals.id, goal.id));
      expect(row!.status).toBe(winner.body.status);
      expect(row!.completedAt !== null).toBe(row!.status === "completed");
    }
  });

  it("edits fields, clears optional ones with null, and refuses an unknown domain", async () => {
    const { user, token } = await signedIn(t);
    const goal = await createGoal(t.db, { userId: user.id, description: "Old", targetDate: new Date("2030-01-01T00:00:00Z") });
    const res = await t.api.patch(`/api/life-ceo/goals/${goal.id}`, { token, json: { description: null, targetDate: null, priority: "high", domainId: 7 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ description: null, targetDate: null, priority: "high", domainId: 7 });
    const bad = await t.api.patch(`/api/life-ceo/goals/${goal.id}`, { token, json: { domainId: 17 } });
    expect([bad.status, bad.body.code]).toEqual([400, "unknown_domain"]);
    expect((await t.api.patch(`/api/life-ceo/goals/${goal.id}`, { token, json: { progress: 101 } })).status).toBe(400);
    expect((await t.api.patch(`/api/life-ceo/goals/${goal.id}`, { token, json: {} })).status).toBe(200);
  });

  it("moves the goal's tasks to its new domain", async () => {
    const { user, token } = await signedIn(t);
    const goal = await createGoal(t.db, { userId: user.id, domainId: 2 });
    const task = await createTask(t.db, { userId: user.id, goalId: goal.id, domainId: 2 });
    expect((await t.api.patch(`/api/life-ceo/goals/${goal.id}`, { token, json: { domainId: 4 } })).status).toBe(200);
    const [row] = await t.db.select().from(lifeCeoTasks).where(eq(lifeCeoTasks.id, task.id));
    expect(row!.domainId).toBe(4);
  });
});

describe("goal progress", () => {
  it("comes from milestones and tasks when the goal has any, and a manual PATCH is then 409", async () => {
    const { user, token } = await signedIn(t);
    const goal = await createGoal(t.db, { userId: user.id, progress: 40 });
    const [m1, m2] = [await createMilestone(t.db, { goalId: goal.id, userId: user.id }), await createMilestone(t.db, { goalId: goal.id, userId: user.id })];
    await createTask(t.db, { userId: user.id, goalId: goal.id });
    let read = await t.api.get(`/api/life-ceo/goals/${goal.id}`, { token });
    expect(read.body).toMatchObject({ progress: 0, progressSource: "milestones", milestones: 2, tasks: 1, done: 0 });

    expect((await t.api.patch(`/api/life-ceo/milestones/${m1.id}`, { token, json: { done: true } })).status).toBe(200);
    read = await t.api.get(`/api/life-ceo/goals/${goal.id}`, { token });
    expect(read.body).toMatchObject({ progress: 33, done: 1 });
    await t.api.patch(`/api/life-ceo/milestones/${m2.id}`, { token, json: { done: true } });
    expect((await t.api.get(`/api/life-ceo/goals/${goal.id}`, { token })).body.progress).toBe(67);
    await t.api.patch(`/api/life-ceo/milestones/${m1.id}`, { token, json: { done: false } });
    expect((await t.api.get(`/api/life-ceo/goals/${goal.id}`, { token })).body.progress).toBe(33);

    const res = await t.api.patch(`/api/life-ceo/goals/${goal.id}`, { token, json: { progress: 90 } });
    expect([res.status, res.body.code]).toEqual([409, "progress_derived"]);

    await t.db.delete(lifeCeoMilestones).where(eq(lifeCeoMilestones.goalId, goal.id));
    await t.db.delete(lifeCeoTasks).where(eq(lifeCeoTasks.goalId, goal.id));
    read = await t.api.get(`/api/life-ceo/goals/${goal.id}`, { token });
    expect(read.body).toMatchObject({ progress: 40, progressSource: "manual" });
    expect((await t.api.patch(`/api/life-ceo/goals/${goal.id}`, { token, json: { progress: 90 } })).body.progress).toBe(90);
  });

  it("ends exact when different milestones of one goal are toggled at once", async () => {
    const { user, token } = await signedIn(t);
    const goal = await createGoal(t.db, { userId: user.id });
    const milestones = [];
    for (let i = 0; i < 8; i++) milestones.push(await createMilestone(t.db, { goalId: goal.id, userId: user.id, position: i }));
    const results = await Promise.all(milestones.slice(0, 6).map((m) => t.api.patch(`/api/life-ceo/milestones/${m.id}`, { token, json: { done: true } })));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
    const read = await t.api.get(`/api/life-ceo/goals/${goal.id}`, { token });
    expect(read.body).toMatchObject({ progress: 75, done: 6, milestones: 8 });
  });
});

describe("DELETE /api/life-ceo/goals/{id}", () => {
  it("deletes the goal with its milestones and tasks; again is 404", async () => {
    const { user, token } = await signedIn(t);
    const goal = await createGoal(t.db, { userId: user.id });
    await createMilestone(t.db, { goalId: goal.id, userId: user.id });
    await createTask(t.db, { userId: user.id, goalId: goal.id });
    expect((await t.api.delete(`/api/life-ceo/goals/${goal.id}`, { token })).status).toBe(204);
    expect(await t.db.select().from(lifeCeoMilestones).where(eq(lifeCeoMilestones.goalId, goal.id))).toEqual([]);
    expect(await t.db.select().from(lifeCeoTasks).where(eq(lifeCeoTasks.goalId, goal.id))).toEqual([]);
    expect((await t.api.delete(`/api/life-ceo/goals/${goal.id}`, { token })).status).toBe(404);
  });

  it("a milestone or task created while its goal is deleted is 404 or cascades, never a 500 or an orphan", async () => {
    const { user, token } = await signedIn(t);
    for (let round = 0; round < 4; round++) {
      const goal = await createGoal(t.db, { userId: user.id });
      const [milestone, task, removed] = await Promise.all([
        t.api.post(`/api/life-ceo/goals/${goal.id}/milestones`, { token, json: { title: "Racing" } }),
        t.api.post("/api/life-ceo/tasks", { token, json: { title: "Racing", goalId: goal.id } }),
        t.api.delete(`/api/life-ceo/goals/${goal.id}`, { token }),
      ]);
      expect(removed.status).toBe(204);
      expect([201, 404]).toContain(milestone.status);
      expect([201, 404]).toContain(task.status);
      expect(await t.db.select().from(lifeCeoMilestones).where(eq(lifeCeoMilestones.goalId, goal.id))).toEqual([]);
      expect(await t.db.select().from(lifeCeoTasks).where(eq(lifeCeoTasks.goalId, goal.id))).toEqual([]);
    }
  });
});
