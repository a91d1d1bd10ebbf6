import { IDEMPOTENT_REPLAYED, idempotencyClaim } from "../../lib/idempotency";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import { sendRequestError } from "./requests.policy";
import type * as routes from "./requests.routes";
import * as requests from "./requests.service";

export const send: Handler<typeof routes.send> = async (c) => {
  const ctx = actorCtx(c);
  const input = c.req.valid("json");
  const refused = sendRequestError(ctx.actor.id, input.receiverId);
  if (refused) throw refused;
  const claim = await idempotencyClaim(ctx.actor.id, requests.SEND_REQUEST_SCOPE, c.req.valid("header")["idempotency-key"], input);
  const { outcome, request, replayed } = await requests.sendRequest(ctx, { ...input, claim });
  if (replayed) c.header(IDEMPOTENT_REPLAYED, "true");
  return outcome === "sent" ? c.json(request, 201) : c.json(request, 200);
};

export const list: Handler<typeof routes.list> = async (c) => {
  return c.json(await requests.listRequests(actorCtx(c), c.req.valid("query")), 200);
};

export const accept: Handler<typeof routes.accept> = async (c) => {
  const { id } = c.req.valid("param");
  const { media } = c.req.valid("json");
  return c.json(await requests.respondToRequest(actorCtx(c), { id, response: "accept", media }), 200);
};

export const reject: Handler<typeof routes.reject> = async (c) => {
  return c.json(await requests.respondToRequest(actorCtx(c), { id: c.req.valid("param").id, response: "reject" }), 200);
};

export const cancel: Handler<typeof routes.cancel> = async (c) => {
  return c.json(await requests.respondToRequest(actorCtx(c), { id: c.req.valid("param").id, response: "cancel" }), 200);
};
