import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import { dashboard as readDashboard } from "./dashboard.service";
import * as goals from "./goals.service";
import * as items from "./items.service";
import { todayIn } from "./life-ceo.input";
import type * as routes from "./life-ceo.routes";

export const domains: Handler<typeof routes.domains> = async (c) => {
  const items = await goals.listDomains(c.var.ctx);
  c.header("Cache-Control", "public, max-age=3600");
  return c.json({ items }, 200);
};

export const listGoals: Handler<typeof routes.listGoals> = async (c) => c.json(await goals.listGoals(actorCtx(c), c.req.valid("query")), 200);

export const createGoal: Handler<typeof routes.createGoal> = async (c) => c.json(await goals.createGoal(actorCtx(c), c.req.valid("json")), 201);

export const getGoal: Handler<typeof routes.getGoal> = async (c) => c.json(await goals.getGoal(actorCtx(c), c.req.valid("param").id), 200);

export const updateGoal: Handler<typeof routes.updateGoal> = async (c) =>
  c.json(await goals.updateGoal(actorCtx(c), c.req.valid("param").id, c.req.valid("json")), 200);

export const deleteGoal: Handler<typeof routes.deleteGoal> = async (c) => {
  await goals.deleteGoal(actorCtx(c), c.req.valid("param").id);
  return c.body(null, 204);
};

export const listMilestones: Handler<typeof routes.listMilestones> = async (c) =>
  c.json(await items.listMilestones(actorCtx(c), c.req.valid("param").id, c.req.valid("query")), 200);

export const createMilestone: Handler<typeof routes.createMilestone> = async (c) =>
  c.json(await items.createMilestone(actorCtx(c), c.req.valid("param").id, c.req.valid("json")), 201);

export const orderMilestones: Handler<typeof routes.orderMilestones> = async (c) =>
  c.json({ items: await items.orderMilestones(actorCtx(c), c.req.valid("param").id, c.req.valid("json").ids) }, 200);

export const updateMilestone: Handler<typeof routes.updateMilestone> = async (c) =>
  c.json(await items.updateMilestone(actorCtx(c), c.req.valid("param").id, c.req.valid("json")), 200);

export const deleteMilestone: Handler<typeof routes.deleteMilestone> = async (c) => {
  await items.deleteMilestone(actorCtx(c), c.req.valid("param").id);
  return c.body(null, 204);
};

export const listTasks: Handler<typeof routes.listTasks> = async (c) => c.json(await items.listTasks(actorCtx(c), c.req.valid("query")), 200);

export const createTask: Handler<typeof routes.createTask> = async (c) => c.json(await items.createTask(actorCtx(c), c.req.valid("json")), 201);

export const orderTasks: Handler<typeof routes.orderTasks> = async (c) => c.json({ items: await items.orderTasks(actorCtx(c), c.req.valid("json")) }, 200);

export const updateTask: Handler<typeof routes.updateTask> = async (c) =>
  c.json(await items.updateTask(actorCtx(c), c.req.valid("param").id, c.req.valid("json")), 200);

export const deleteTask: Handler<typeof routes.deleteTask> = async (c) => {
  await items.deleteTask(actorCtx(c), c.req.valid("param").id);
  return c.body(null, 204);
};

export const agenda: Handler<typeof routes.agenda> = async (c) => {
  const ctx = actorCtx(c);
  const query = c.req.valid("query");
  const date = query.date ?? todayIn(ctx.now, query.tz);
  const page = await items.agenda(ctx, { limit: query.limit, cursor: query.cursor, date });
  return c.json({ date, ...page }, 200);
};

export const dashboard: Handler<typeof routes.dashboard> = async (c) => {
  const ctx = actorCtx(c);
  return c.json(await readDashboard(ctx, todayIn(ctx.now, c.req.valid("query").tz)), 200);
};
