import { notFound } from "../../lib/errors";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import { selfReportError } from "./moderation.policy";
import type * as routes from "./moderation.routes";
import * as queue from "./queue.service";
import * as reports from "./reports.service";

export const reportPost: Handler<typeof routes.reportPost> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(await reports.fileReport(actorCtx(c), { target: "post", targetId: id, ...c.req.valid("json") }), 201);
};

export const reportComment: Handler<typeof routes.reportComment> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(await reports.fileReport(actorCtx(c), { target: "comment", targetId: id, ...c.req.valid("json") }), 201);
};

export const reportUser: Handler<typeof routes.reportUser> = async (c) => {
  const ctx = actorCtx(c);
  const { id } = c.req.valid("param");
  if (id === ctx.actor.id) throw selfReportError("user");
  return c.json(await reports.fileReport(ctx, { target: "user", targetId: id, ...c.req.valid("json") }), 201);
};

export const listQueue: Handler<typeof routes.listQueue> = async (c) => {
  return c.json(await queue.listQueue(actorCtx(c), c.req.valid("query")), 200);
};

export const getQueueItem: Handler<typeof routes.getQueueItem> = async (c) => {
  const item = await queue.getQueueItem(actorCtx(c), c.req.valid("param"));
  if (!item) throw notFound("queue item");
  return c.json(item, 200);
};

export const claim: Handler<typeof routes.claim> = async (c) => {
  return c.json(await queue.claimQueueItem(actorCtx(c), c.req.valid("param")), 200);
};

export const resolve: Handler<typeof routes.resolve> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(await queue.decideQueueItem(actorCtx(c), { id, ...c.req.valid("json") }), 200);
};

export const dismiss: Handler<typeof routes.dismiss> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(await queue.decideQueueItem(actorCtx(c), { id, action: "dismiss", ...c.req.valid("json") }), 200);
};
