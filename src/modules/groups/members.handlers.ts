import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./members.routes";
import * as members from "./members.service";

export const join: Handler<typeof routes.join> = async (c) => {
  return c.json(await members.joinGroup(actorCtx(c), { groupId: c.req.valid("param").id }), 200);
};

export const leave: Handler<typeof routes.leave> = async (c) => {
  await members.leaveGroup(actorCtx(c), { groupId: c.req.valid("param").id });
  return c.body(null, 204);
};

export const list: Handler<typeof routes.members> = async (c) => {
  return c.json(await members.listMembers(c.var.ctx, { groupId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
};

export const requests: Handler<typeof routes.requests> = async (c) => {
  return c.json(await members.listJoinRequests(actorCtx(c), { groupId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
};

export const approve: Handler<typeof routes.approve> = async (c) => {
  const { id, userId } = c.req.valid("param");
  return c.json(await members.approveJoinRequest(actorCtx(c), { groupId: id, userId }), 200);
};

export const reject: Handler<typeof routes.reject> = async (c) => {
  const { id, userId } = c.req.valid("param");
  await members.rejectJoinRequest(actorCtx(c), { groupId: id, userId });
  return c.body(null, 204);
};

export const changeRole: Handler<typeof routes.changeRole> = async (c) => {
  const { id, userId } = c.req.valid("param");
  return c.json(await members.changeMemberRole(actorCtx(c), { groupId: id, userId, role: c.req.valid("json").role }), 200);
};
