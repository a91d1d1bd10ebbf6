import { IDEMPOTENT_REPLAYED, idempotencyClaim } from "../../lib/idempotency";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./groups.routes";
import * as groups from "./groups.service";

export const create: Handler<typeof routes.create> = async (c) => {
  const ctx = actorCtx(c);
  const body = c.req.valid("json");
  const claim = await idempotencyClaim(ctx.actor.id, groups.CREATE_GROUP_SCOPE, c.req.valid("header")["idempotency-key"], body);
  const { group, replayed } = await groups.createGroup(ctx, { group: body, claim });
  if (replayed) c.header(IDEMPOTENT_REPLAYED, "true");
  return c.json(group, 201);
};

export const list: Handler<typeof routes.list> = async (c) => {
  return c.json(await groups.listGroups(c.var.ctx, c.req.valid("query")), 200);
};

export const get: Handler<typeof routes.get> = async (c) => {
  return c.json(await groups.getGroup(c.var.ctx, { groupId: c.req.valid("param").id }), 200);
};

export const update: Handler<typeof routes.update> = async (c) => {
  const group = await groups.updateGroup(actorCtx(c), { groupId: c.req.valid("param").id, changes: c.req.valid("json") });
  return c.json(group, 200);
};

export const remove: Handler<typeof routes.remove> = async (c) => {
  await groups.deleteGroup(actorCtx(c), { groupId: c.req.valid("param").id });
  return c.body(null, 204);
};
