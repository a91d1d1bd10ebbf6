import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./profiles.routes";
import * as profiles from "./profiles.service";

export const putProfile: Handler<typeof routes.putProfile> = async (c) => {
  const { profile, created } = await profiles.putProfile(actorCtx(c), c.req.valid("json"));
  return created ? c.json(profile, 201) : c.json(profile, 200);
};

export const getProfile: Handler<typeof routes.getProfile> = async (c) => c.json(await profiles.getMyProfile(actorCtx(c)), 200);

export const deleteProfile: Handler<typeof routes.deleteProfile> = async (c) => {
  await profiles.deleteProfile(actorCtx(c));
  return c.body(null, 204);
};

export const getVolunteer: Handler<typeof routes.getVolunteer> = async (c) =>
  c.json(await profiles.getVolunteer(actorCtx(c), { volunteerId: c.req.valid("param").id }), 200);

export const addExperience: Handler<typeof routes.addExperience> = async (c) =>
  c.json(await profiles.addExperience(actorCtx(c), c.req.valid("json")), 201);

export const updateExperience: Handler<typeof routes.updateExperience> = async (c) =>
  c.json(await profiles.updateExperience(actorCtx(c), { experienceId: c.req.valid("param").id, ...c.req.valid("json") }), 200);

export const deleteExperience: Handler<typeof routes.deleteExperience> = async (c) => {
  await profiles.deleteExperience(actorCtx(c), { experienceId: c.req.valid("param").id });
  return c.body(null, 204);
};
