import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./tasks.routes";
import * as tasks from "./tasks.service";

export const assign: Handler<typeof routes.assign> = async (c) => {
  return c.json(await tasks.assignTask(actorCtx(c), c.req.valid("param").id, c.req.valid("json")), 201);
};

export const list: Handler<typeof routes.list> = async (c) => {
  return c.json(await tasks.listTasks(c.var.ctx, { agentId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
};

export const get: Handler<typeof routes.get> = async (c) => {
  return c.json(await tasks.getTask(c.var.ctx, c.req.valid("param").id), 200);
};

export const start: Handler<typeof routes.start> = async (c) => {
  return c.json(await tasks.startTask(actorCtx(c), c.req.valid("param").id), 200);
};

export const complete: Handler<typeof routes.complete> = async (c) => {
  const { result } = c.req.valid("json");
  return c.json(await tasks.finishTask(actorCtx(c), c.req.valid("param").id, { status: "completed", result }), 200);
};

export const fail: Handler<typeof routes.fail> = async (c) => {
  const { error } = c.req.valid("json");
  return c.json(await tasks.finishTask(actorCtx(c), c.req.valid("param").id, { status: "failed", error }), 200);
};
