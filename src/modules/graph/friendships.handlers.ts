import { IDEMPOTENT_REPLAYED, idempotencyClaim } from "../../lib/idempotency";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./friendships.routes";
import * as friendships from "./friendships.service";

export const listFriends: Handler<typeof routes.listFriends> = async (c) => {
  return c.json(await friendships.listFriends(actorCtx(c), c.req.valid("query")), 200);
};

export const listUserFriends: Handler<typeof routes.listUserFriends> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(await friendships.listUserFriends(c.var.ctx, { ...c.req.valid("query"), userId: id }), 200);
};

export const unfriend: Handler<typeof routes.unfriend> = async (c) => {
  await friendships.unfriend(actorCtx(c), c.req.valid("param"));
  return c.body(null, 204);
};

export const mutualFriends: Handler<typeof routes.mutualFriends> = async (c) => {
  return c.json(await friendships.mutualFriends(actorCtx(c), { ...c.req.valid("query"), ...c.req.valid("param") }), 200);
};

export const suggestions: Handler<typeof routes.suggestions> = async (c) => {
  return c.json(await friendships.suggestions(actorCtx(c), c.req.valid("query")), 200);
};

export const degree: Handler<typeof routes.degree> = async (c) => {
  return c.json(await friendships.degree(actorCtx(c), c.req.valid("param")), 200);
};

export const addMemory: Handler<typeof routes.addMemory> = async (c) => {
  const ctx = actorCtx(c);
  // The friend's id is hashed with the body: the same key for another friend is another request (422).
  const input = { ...c.req.valid("json"), ...c.req.valid("param") };
  const claim = await idempotencyClaim(ctx.actor.id, friendships.ADD_MEMORY_SCOPE, c.req.valid("header")["idempotency-key"], input);
  const { memory, replayed } = await friendships.addMemory(ctx, { ...input, claim });
  if (replayed) c.header(IDEMPOTENT_REPLAYED, "true");
  return c.json(memory, 201);
};

export const listMemories: Handler<typeof routes.listMemories> = async (c) => {
  return c.json(await friendships.listMemories(actorCtx(c), { ...c.req.valid("query"), ...c.req.valid("param") }), 200);
};

export const recordDance: Handler<typeof routes.recordDance> = async (c) => {
  const ctx = actorCtx(c);
  const input = { ...c.req.valid("json"), ...c.req.valid("param") };
  const claim = await idempotencyClaim(ctx.actor.id, friendships.RECORD_DANCE_SCOPE, c.req.valid("header")["idempotency-key"], input);
  const { activity, replayed } = await friendships.recordDance(ctx, { ...input, claim });
  if (replayed) c.header(IDEMPOTENT_REPLAYED, "true");
  return c.json(activity, 201);
};

export const listActivities: Handler<typeof routes.listActivities> = async (c) => {
  return c.json(await friendships.listActivities(actorCtx(c), { ...c.req.valid("query"), ...c.req.valid("param") }), 200);
};
