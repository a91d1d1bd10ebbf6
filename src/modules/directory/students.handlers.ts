import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./students.routes";
import * as students from "./students.service";

export const request: Handler<typeof routes.request> = async (c) => {
  const { link, created } = await students.requestStudent(actorCtx(c), { teacherId: c.req.valid("param").id, ...c.req.valid("json") });
  return created ? c.json(link, 201) : c.json(link, 200);
};

export const list: Handler<typeof routes.list> = async (c) => {
  return c.json(await students.listStudents(c.var.ctx, { teacherId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
};

export const approve: Handler<typeof routes.approve> = async (c) => {
  return c.json(await students.approveStudent(actorCtx(c), { linkId: c.req.valid("param").id }), 200);
};

export const reject: Handler<typeof routes.reject> = async (c) => {
  return c.json(await students.rejectStudent(actorCtx(c), { linkId: c.req.valid("param").id }), 200);
};

export const end: Handler<typeof routes.end> = async (c) => {
  await students.endStudent(actorCtx(c), { linkId: c.req.valid("param").id });
  return c.body(null, 204);
};

export const mine: Handler<typeof routes.mine> = async (c) => {
  return c.json(await students.listMyTeachers(actorCtx(c), c.req.valid("query")), 200);
};
