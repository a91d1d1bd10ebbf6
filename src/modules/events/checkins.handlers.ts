import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./checkins.routes";
import * as checkins from "./checkins.service";

export const checkIn: Handler<typeof routes.checkIn> = async (c) => {
  const { id } = c.req.valid("param");
  const { checkIn, created } = await checkins.checkIn(actorCtx(c), { eventId: id, ...c.req.valid("json") });
  return created ? c.json(checkIn, 201) : c.json(checkIn, 200);
};

export const listCheckIns: Handler<typeof routes.listCheckIns> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(await checkins.listCheckIns(actorCtx(c), { eventId: id, ...c.req.valid("query") }), 200);
};
