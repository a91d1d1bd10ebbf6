import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./agents.routes";
import * as agents from "./agents.service";

export const list: Handler<typeof routes.list> = async (c) => {
  return c.json(await agents.listAgents(c.var.ctx, c.req.valid("query")), 200);
};

export const create: Handler<typeof routes.create> = async (c) => {
  return c.json(await agents.createAgent(actorCtx(c), c.req.valid("json")), 201);
};

export const tree: Handler<typeof routes.tree> = async (c) => {
  return c.json(await agents.agentTree(c.var.ctx, c.req.valid("query")), 200);
};

export const get: Handler<typeof routes.get> = async (c) => {
  return c.json(await agents.getAgent(c.var.ctx, c.req.valid("param").id), 200);
};

export const update: Handler<typeof routes.update> = async (c) => {
  return c.json(await agents.updateAgent(actorCtx(c), c.req.valid("param").id, c.req.valid("json")), 200);
};

export const remove: Handler<typeof routes.remove> = async (c) => {
  await agents.deleteAgent(actorCtx(c), c.req.valid("param").id);
  return c.body(null, 204);
};

export const status: Handler<typeof routes.status> = async (c) => {
  return c.json(await agents.moveStatus(actorCtx(c), c.req.valid("param").id, c.req.valid("json")), 200);
};
