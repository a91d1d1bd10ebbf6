import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./messages.routes";
import * as messages from "./messages.service";

export const send: Handler<typeof routes.send> = async (c) => {
  return c.json(await messages.sendMessage(actorCtx(c), c.req.valid("param").id, c.req.valid("json")), 201);
};

export const list: Handler<typeof routes.list> = async (c) => {
  return c.json(await messages.listMessages(c.var.ctx, { agentId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
};

export const thread: Handler<typeof routes.thread> = async (c) => {
  return c.json(await messages.listThread(c.var.ctx, { messageId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
};

export const recordCheck: Handler<typeof routes.recordCheck> = async (c) => {
  return c.json(await messages.recordCheck(actorCtx(c), c.req.valid("param").id, c.req.valid("json")), 201);
};

export const listChecks: Handler<typeof routes.listChecks> = async (c) => {
  return c.json(await messages.listChecks(c.var.ctx, { agentId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
};
