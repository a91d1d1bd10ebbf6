import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./rsvps.routes";
import * as rsvps from "./rsvps.service";

export const answer: Handler<typeof routes.answer> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(await rsvps.answerRsvp(actorCtx(c), { eventId: id, ...c.req.valid("json") }), 200);
};

export const withdraw: Handler<typeof routes.withdraw> = async (c) => {
  await rsvps.withdrawRsvp(actorCtx(c), { eventId: c.req.valid("param").id });
  return c.body(null, 204);
};
