import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { viewerOf } from "../../middleware/auth";
import { toUserRef } from "./profile.schemas";
import type * as routes from "./users.routes";
import { toPrivateUser } from "./users.schemas";
import * as profiles from "./users.service";

export const getProfile: Handler<typeof routes.getProfile> = async (c) => {
  const { idOrUsername } = c.req.valid("param");
  const ref = idOrUsername === "me" ? { id: viewerOf(c).id } : toUserRef(idOrUsername);
  return c.json(await profiles.getProfile(c.var.db, c.var.viewer?.id ?? null, ref), 200);
};

export const updateMe: Handler<typeof routes.updateMe> = async (c) => {
  const user = await profiles.updateProfile(c.var.db, viewerOf(c).id, c.req.valid("json"));
  return c.json(toPrivateUser(user), 200);
};
