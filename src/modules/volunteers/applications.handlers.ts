import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./applications.routes";
import * as applications from "./applications.service";

export const apply: Handler<typeof routes.apply> = async (c) =>
  c.json(await applications.apply(actorCtx(c), { taskId: c.req.valid("param").id, ...c.req.valid("json") }), 201);

export const withdraw: Handler<typeof routes.withdraw> = async (c) => {
  await applications.withdraw(actorCtx(c), { taskId: c.req.valid("param").id });
  return c.body(null, 204);
};

export const listForTask: Handler<typeof routes.listForTask> = async (c) =>
  c.json(await applications.listTaskApplications(actorCtx(c), { taskId: c.req.valid("param").id, ...c.req.valid("query") }), 200);

export const listMine: Handler<typeof routes.listMine> = async (c) =>
  c.json(await applications.listMyApplications(actorCtx(c), c.req.valid("query")), 200);

export const accept: Handler<typeof routes.accept> = async (c) =>
  c.json(await applications.accept(actorCtx(c), { applicationId: c.req.valid("param").id }), 200);

export const decline: Handler<typeof routes.decline> = async (c) =>
  c.json(await applications.decline(actorCtx(c), { applicationId: c.req.valid("param").id }), 200);

export const checkIn: Handler<typeof routes.checkIn> = async (c) =>
  c.json(await applications.checkIn(actorCtx(c), { applicationId: c.req.valid("param").id }), 200);

export const hours: Handler<typeof routes.hours> = async (c) =>
  c.json(await applications.logHours(actorCtx(c), { applicationId: c.req.valid("param").id, ...c.req.valid("json") }), 200);

export const noShow: Handler<typeof routes.noShow> = async (c) =>
  c.json(await applications.noShow(actorCtx(c), { applicationId: c.req.valid("param").id }), 200);
