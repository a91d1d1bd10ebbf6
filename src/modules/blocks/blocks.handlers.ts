import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { decodeCursor, TimeIdCursor } from "../../lib/pagination";
import { viewerOf } from "../../middleware/auth";
import { blockError } from "./blocks.policy";
import type * as routes from "./blocks.routes";
import * as blocks from "./blocks.service";

export const block: Handler<typeof routes.block> = async (c) => {
  const blockerId = viewerOf(c).id;
  const { id } = c.req.valid("param");
  const refused = blockError(blockerId, id);
  if (refused) throw refused;
  await blocks.blockUser(c.var.db, blockerId, id);
  return c.body(null, 204);
};

export const unblock: Handler<typeof routes.unblock> = async (c) => {
  await blocks.unblockUser(c.var.db, viewerOf(c).id, c.req.valid("param").id);
  return c.body(null, 204);
};

export const list: Handler<typeof routes.list> = async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const page = await blocks.listBlocked(c.var.db, viewerOf(c).id, { limit, after: decodeCursor(cursor, TimeIdCursor) });
  return c.json(page, 200);
};
