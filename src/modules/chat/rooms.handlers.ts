import { IDEMPOTENT_REPLAYED, idempotencyClaim } from "../../lib/idempotency";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import { tellRoomObject } from "./members.service";
import type * as routes from "./rooms.routes";
import * as rooms from "./rooms.service";

export const create: Handler<typeof routes.create> = async (c) => {
  const ctx = actorCtx(c);
  const body = c.req.valid("json");
  switch (body.type) {
    case "direct": {
      const { room, created } = await rooms.openDirectRoom(ctx, { userId: body.userId });
      return created ? c.json(room, 201) : c.json(room, 200);
    }
    case "group": {
      const claim = await idempotencyClaim(ctx.actor.id, rooms.CREATE_ROOM_SCOPE, c.req.valid("header")["idempotency-key"], body);
      const { room, replayed } = await rooms.createGroupRoom(ctx, { room: body, claim });
      if (replayed) c.header(IDEMPOTENT_REPLAYED, "true");
      return c.json(room, 201);
    }
    case "event": {
      const { room, created, joinedAt } = await rooms.openEventRoom(ctx, { eventId: body.eventId });
      if (joinedAt) await tellRoomObject(c.env, ctx.logger, { kind: "added", roomId: room.id, userIds: [ctx.actor.id], at: joinedAt });
      return created ? c.json(room, 201) : c.json(room, 200);
    }
  }
};

export const list: Handler<typeof routes.list> = async (c) => {
  return c.json(await rooms.listRooms(actorCtx(c), c.req.valid("query")), 200);
};

export const get: Handler<typeof routes.get> = async (c) => {
  return c.json(await rooms.getRoom(actorCtx(c), { roomId: c.req.valid("param").id }), 200);
};

export const update: Handler<typeof routes.update> = async (c) => {
  return c.json(await rooms.updateRoom(actorCtx(c), { roomId: c.req.valid("param").id, changes: c.req.valid("json") }), 200);
};

export const settings: Handler<typeof routes.settings> = async (c) => {
  return c.json(await rooms.updateRoomSettings(actorCtx(c), { roomId: c.req.valid("param").id, settings: c.req.valid("json") }), 200);
};
