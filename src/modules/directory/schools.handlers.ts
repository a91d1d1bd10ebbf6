import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./schools.routes";
import * as schools from "./schools.service";

export const create: Handler<typeof routes.create> = async (c) => {
  return c.json(await schools.createSchool(actorCtx(c), c.req.valid("json")), 201);
};

export const search: Handler<typeof routes.search> = async (c) => {
  return c.json(await schools.searchSchools(c.var.ctx, c.req.valid("query")), 200);
};

export const get: Handler<typeof routes.get> = async (c) => {
  return c.json(await schools.getSchool(c.var.ctx, { schoolId: c.req.valid("param").id }), 200);
};

export const update: Handler<typeof routes.update> = async (c) => {
  return c.json(await schools.updateSchool(actorCtx(c), { schoolId: c.req.valid("param").id, changes: c.req.valid("json") }), 200);
};

export const remove: Handler<typeof routes.remove> = async (c) => {
  await schools.deleteSchool(actorCtx(c), { schoolId: c.req.valid("param").id });
  return c.body(null, 204);
};

export const addTeacher: Handler<typeof routes.addTeacher> = async (c) => {
  const school = await schools.addSchoolTeacher(actorCtx(c), { schoolId: c.req.valid("param").id, ...c.req.valid("json") });
  return c.json(school, 200);
};

export const removeTeacher: Handler<typeof routes.removeTeacher> = async (c) => {
  const { id, teacherId } = c.req.valid("param");
  await schools.removeSchoolTeacher(actorCtx(c), { schoolId: id, teacherId });
  return c.body(null, 204);
};
