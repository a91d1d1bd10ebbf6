import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import * as locations from "./locations.service";
import type * as routes from "./teachers.routes";
import * as teachers from "./teachers.service";

export const create: Handler<typeof routes.create> = async (c) => {
  return c.json(await teachers.createTeacher(actorCtx(c), c.req.valid("json")), 201);
};

export const search: Handler<typeof routes.search> = async (c) => {
  return c.json(await teachers.searchTeachers(c.var.ctx, c.req.valid("query")), 200);
};

export const get: Handler<typeof routes.get> = async (c) => {
  return c.json(await teachers.getTeacher(c.var.ctx, { teacherId: c.req.valid("param").id }), 200);
};

export const ofUser: Handler<typeof routes.ofUser> = async (c) => {
  return c.json(await teachers.getTeacher(c.var.ctx, { userId: c.req.valid("param").id }), 200);
};

export const update: Handler<typeof routes.update> = async (c) => {
  const teacher = await teachers.updateTeacher(actorCtx(c), { teacherId: c.req.valid("param").id, changes: c.req.valid("json") });
  return c.json(teacher, 200);
};

export const remove: Handler<typeof routes.remove> = async (c) => {
  await teachers.deleteTeacher(actorCtx(c), { teacherId: c.req.valid("param").id });
  return c.body(null, 204);
};

export const listLocations: Handler<typeof routes.listLocations> = async (c) => {
  return c.json(await locations.listLocations(c.var.ctx, { teacherId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
};

export const addLocation: Handler<typeof routes.addLocation> = async (c) => {
  return c.json(await locations.addLocation(actorCtx(c), { teacherId: c.req.valid("param").id, ...c.req.valid("json") }), 201);
};

export const updateLocation: Handler<typeof routes.updateLocation> = async (c) => {
  const { id, locationId } = c.req.valid("param");
  return c.json(await locations.updateLocation(actorCtx(c), { teacherId: id, locationId, changes: c.req.valid("json") }), 200);
};

export const removeLocation: Handler<typeof routes.removeLocation> = async (c) => {
  const { id, locationId } = c.req.valid("param");
  await locations.deleteLocation(actorCtx(c), { teacherId: id, locationId });
  return c.body(null, 204);
};
