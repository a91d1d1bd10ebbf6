import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import { toUserRef } from "./profile.schemas";
import type * as routes from "./users.routes";
import { toPrivateUser } from "./users.schemas";
import * as profiles from "./users.service";

export const getProfile: Handler<typeof routes.getProfile> = async (c) => {
  const { idOrUsername } = c.req.valid("param");
  const ref = idOrUsername === "me" ? { id: actorCtx(c).actor.id } : toUserRef(idOrUsername);
  return c.json(await profiles.getProfile(c.var.ctx, { ref }), 200);
};

export const updateMe: Handler<typeof routes.updateMe> = async (c) => {
  const user = await profiles.updateProfile(actorCtx(c), c.req.valid("json"));
  return c.json(toPrivateUser(user), 200);
};
