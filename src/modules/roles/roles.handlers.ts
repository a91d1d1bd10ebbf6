import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import { selfRoleChangeError } from "./roles.policy";
import type * as routes from "./roles.routes";
import * as roles from "./roles.service";

export const list: Handler<typeof routes.list> = async (c) => {
  return c.json({ items: await roles.listRoles(c.var.ctx), nextCursor: null }, 200);
};

export const assign: Handler<typeof routes.assign> = async (c) => {
  const ctx = actorCtx(c);
  const { id } = c.req.valid("param");
  const refused = selfRoleChangeError(ctx.actor.id, id);
  if (refused) throw refused;
  return c.json(await roles.assignRole(ctx, { userId: id, ...c.req.valid("json") }), 200);
};

export const history: Handler<typeof routes.history> = async (c) => {
  return c.json(await roles.listRoleChanges(c.var.ctx, { userId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
};
