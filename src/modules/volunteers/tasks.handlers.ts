import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import * as matching from "./matching.service";
import type * as routes from "./tasks.routes";
import * as tasks from "./tasks.service";

export const create: Handler<typeof routes.create> = async (c) => c.json(await tasks.createTask(actorCtx(c), c.req.valid("json")), 201);

export const list: Handler<typeof routes.list> = async (c) => c.json(await tasks.listTasks(actorCtx(c), c.req.valid("query")), 200);

export const matchingTasks: Handler<typeof routes.matching> = async (c) =>
  c.json(await matching.matchingTasks(actorCtx(c), c.req.valid("query")), 200);

export const get: Handler<typeof routes.get> = async (c) => c.json(await tasks.getTask(actorCtx(c), { taskId: c.req.valid("param").id }), 200);

export const update: Handler<typeof routes.update> = async (c) =>
  c.json(await tasks.updateTask(actorCtx(c), { taskId: c.req.valid("param").id, ...c.req.valid("json") }), 200);

export const cancel: Handler<typeof routes.cancel> = async (c) =>
  c.json(await tasks.cancelTask(actorCtx(c), { taskId: c.req.valid("param").id }), 200);

export const matches: Handler<typeof routes.matches> = async (c) =>
  c.json(await matching.taskMatches(actorCtx(c), { taskId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
