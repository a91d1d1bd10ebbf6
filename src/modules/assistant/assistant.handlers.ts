import { aiUsageToday } from "../../lib/ai-quota";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import { converse } from "./assistant.engine";
import { domainAssistant, mrBlue } from "./assistant.personas";
import type * as routes from "./assistant.routes";
import * as conversations from "./conversations.service";

type R = typeof routes.mrBlue;

/** The conversation handlers of one assistant (Mr. Blue's, or the Life CEO domains'). */
function handlersFor(assistant: typeof mrBlue) {
  const { store } = assistant;
  const create: Handler<R["create"]> = async (c) => {
    const body = (c.req.valid("json") ?? {}) as { title?: string; domainId?: number };
    return c.json(await conversations.createConversation(actorCtx(c), store, body), 201);
  };
  const list: Handler<R["list"]> = async (c) => c.json(await conversations.listConversations(actorCtx(c), store, c.req.valid("query")), 200);
  const get: Handler<R["get"]> = async (c) => c.json(await conversations.getConversation(actorCtx(c), store, c.req.valid("param").id), 200);
  const rename: Handler<R["rename"]> = async (c) =>
    c.json(await conversations.renameConversation(actorCtx(c), store, c.req.valid("param").id, c.req.valid("json").title), 200);
  const remove: Handler<R["remove"]> = async (c) => {
    await conversations.deleteConversation(actorCtx(c), store, c.req.valid("param").id);
    return c.body(null, 204);
  };
  const messages: Handler<R["messages"]> = async (c) =>
    c.json(await conversations.listMessages(actorCtx(c), store, c.req.valid("param").id, c.req.valid("query")), 200);
  const send: Handler<R["send"]> = async (c) =>
    (await converse(c, assistant, c.req.valid("param").id, c.req.valid("json").content));
  return { create, list, get, rename, remove, messages, send };
}

export const mrBlueHandlers = handlersFor(mrBlue);
export const lifeCeoHandlers = handlersFor(domainAssistant);

export const usage: Handler<typeof routes.usage> = async (c) => {
  const ctx = actorCtx(c);
  return c.json(await aiUsageToday(ctx, ctx.actor.id), 200);
};
