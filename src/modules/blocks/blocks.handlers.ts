import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import { syncDirectRoomBlock } from "../chat";
import { blockError } from "./blocks.policy";
import type * as routes from "./blocks.routes";
import * as blocks from "./blocks.service";

export const block: Handler<typeof routes.block> = async (c) => {
  const ctx = actorCtx(c);
  const { id } = c.req.valid("param");
  const refused = blockError(ctx.actor.id, id);
  if (refused) throw refused;
  await blocks.blockUser(ctx, { userId: id });
  await syncDirectRoomBlock(ctx, c.env, ctx.actor.id, id);
  return c.body(null, 204);
};

export const unblock: Handler<typeof routes.unblock> = async (c) => {
  const ctx = actorCtx(c);
  const { id } = c.req.valid("param");
  await blocks.unblockUser(ctx, { userId: id });
  await syncDirectRoomBlock(ctx, c.env, ctx.actor.id, id);
  return c.body(null, 204);
};

export const list: Handler<typeof routes.list> = async (c) => {
  return c.json(await blocks.listBlocked(actorCtx(c), c.req.valid("query")), 200);
};
