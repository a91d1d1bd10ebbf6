import type { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { IDEMPOTENT_REPLAYED, idempotencyClaim } from "../../lib/idempotency";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import { selfReportError } from "./moderation.policy";
import type * as routes from "./moderation.routes";
import type { ModerationTarget, ReportBody } from "./moderation.schemas";
import * as queue from "./queue.service";
import * as reports from "./reports.service";

/** Files a report; the target id is hashed with the body, so one key on two targets is a 422. */
async function report(
  c: Context<AppEnv>,
  target: ModerationTarget,
  request: { targetId: number; key: string | undefined; body: z.infer<typeof ReportBody> },
) {
  const ctx = actorCtx(c);
  const { targetId, key, body } = request;
  const claim = await idempotencyClaim(ctx.actor.id, reports.REPORT_SCOPES[target], key, { targetId, ...body });
  const { report, replayed } = await reports.fileReport(ctx, { target, targetId, ...body, claim });
  if (replayed) c.header(IDEMPOTENT_REPLAYED, "true");
  return report;
}

export const reportPost: Handler<typeof routes.reportPost> = async (c) => {
  const request = { targetId: c.req.valid("param").id, key: c.req.valid("header")["idempotency-key"], body: c.req.valid("json") };
  return c.json(await report(c, "post", request), 201);
};

export const reportComment: Handler<typeof routes.reportComment> = async (c) => {
  const request = { targetId: c.req.valid("param").id, key: c.req.valid("header")["idempotency-key"], body: c.req.valid("json") };
  return c.json(await report(c, "comment", request), 201);
};

export const reportUser: Handler<typeof routes.reportUser> = async (c) => {
  const request = { targetId: c.req.valid("param").id, key: c.req.valid("header")["idempotency-key"], body: c.req.valid("json") };
  if (request.targetId === actorCtx(c).actor.id) throw selfReportError("user");
  return c.json(await report(c, "user", request), 201);
};

export const reportGroup: Handler<typeof routes.reportGroup> = async (c) => {
  const request = { targetId: c.req.valid("param").id, key: c.req.valid("header")["idempotency-key"], body: c.req.valid("json") };
  return c.json(await report(c, "group", request), 201);
};

export const reportEvent: Handler<typeof routes.reportEvent> = async (c) => {
  const request = { targetId: c.req.valid("param").id, key: c.req.valid("header")["idempotency-key"], body: c.req.valid("json") };
  return c.json(await report(c, "event", request), 201);
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
