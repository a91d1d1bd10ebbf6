import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { decodeCursor, TimeIdCursor } from "../../lib/pagination";
import { viewerOf } from "../../middleware/auth";
import { selfRoleChangeError } from "./roles.policy";
import type * as routes from "./roles.routes";
import * as roles from "./roles.service";

export const list: Handler<typeof routes.list> = async (c) => {
  return c.json({ items: await roles.listRoles(c.var.db), nextCursor: null }, 200);
};

export const assign: Handler<typeof routes.assign> = async (c) => {
  const actorId = viewerOf(c).id;
  const { id } = c.req.valid("param");
  const refused = selfRoleChangeError(actorId, id);
  if (refused) throw refused;
  const change = { actorId, userId: id, ...c.req.valid("json") };
  return c.json(await roles.assignRole(c.var.db, change), 200);
};

export const history: Handler<typeof routes.history> = async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const page = await roles.listRoleChanges(c.var.db, c.req.valid("param").id, {
    limit,
    after: decodeCursor(cursor, TimeIdCursor),
  });
  return c.json(page, 200);
};
