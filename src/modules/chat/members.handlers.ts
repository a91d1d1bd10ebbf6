import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./members.routes";
import * as members from "./members.service";

export const list: Handler<typeof routes.list> = async (c) => {
  return c.json(await members.listMembers(actorCtx(c), { roomId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
};

export const add: Handler<typeof routes.add> = async (c) => {
  const ctx = actorCtx(c);
  const roomId = c.req.valid("param").id;
  const { added, memberCount, at } = await members.addMembers(ctx, { roomId, userIds: c.req.valid("json").userIds });
  await members.tellRoomObject(c.env, ctx.logger, { kind: "added", roomId, userIds: added, at });
  return c.json({ added, memberCount }, 200);
};

export const remove: Handler<typeof routes.remove> = async (c) => {
  const ctx = actorCtx(c);
  const { id: roomId, userId } = c.req.valid("param");
  const { at } = await members.removeMember(ctx, { roomId, userId });
  await members.tellRoomObject(c.env, ctx.logger, { kind: "removed", roomId, userIds: [userId], at });
  return c.body(null, 204);
};

export const leave: Handler<typeof routes.leave> = async (c) => {
  const ctx = actorCtx(c);
  const roomId = c.req.valid("param").id;
  const { at } = await members.removeMember(ctx, { roomId, userId: ctx.actor.id });
  await members.tellRoomObject(c.env, ctx.logger, { kind: "removed", roomId, userIds: [ctx.actor.id], at });
  return c.body(null, 204);
};

export const changeRole: Handler<typeof routes.changeRole> = async (c) => {
  const { id: roomId, userId } = c.req.valid("param");
  return c.json(await members.changeMemberRole(actorCtx(c), { roomId, userId, role: c.req.valid("json").role }), 200);
};

export const join: Handler<typeof routes.join> = async (c) => {
  const ctx = actorCtx(c);
  const { room, joinedAt } = await members.joinRoom(ctx, { roomId: c.req.valid("param").id });
  if (joinedAt) await members.tellRoomObject(c.env, ctx.logger, { kind: "added", roomId: room.id, userIds: [ctx.actor.id], at: joinedAt });
  return c.json(room, 200);
};
