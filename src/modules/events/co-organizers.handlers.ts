import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./co-organizers.routes";
import * as coOrganizers from "./co-organizers.service";

export const list: Handler<typeof routes.list> = async (c) => {
  return c.json(await coOrganizers.listCoOrganizers(c.var.ctx, { eventId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
};

export const add: Handler<typeof routes.add> = async (c) => {
  const { coOrganizer, created } = await coOrganizers.addCoOrganizer(actorCtx(c), {
    eventId: c.req.valid("param").id,
    userId: c.req.valid("json").userId,
  });
  return created ? c.json(coOrganizer, 201) : c.json(coOrganizer, 200);
};

export const remove: Handler<typeof routes.remove> = async (c) => {
  const { id, userId } = c.req.valid("param");
  await coOrganizers.removeCoOrganizer(actorCtx(c), { eventId: id, userId });
  return c.body(null, 204);
};
