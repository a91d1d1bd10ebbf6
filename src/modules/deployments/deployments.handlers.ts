import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./deployments.routes";
import * as deployments from "./deployments.service";
import { deliveryKey } from "./deployments.signature";

export const webhook: Handler<typeof routes.webhook> = async (c) => {
  const headers = c.req.valid("header");
  const { deployment, created } = await deployments.recordReport(c.var.ctx, {
    report: c.req.valid("json"),
    deliveryKey: await deliveryKey(headers["x-mundo-signature"]),
  });
  return created ? c.json(deployment, 201) : c.json(deployment, 200);
};

export const list: Handler<typeof routes.list> = async (c) => {
  return c.json(await deployments.listDeployments(c.var.ctx, c.req.valid("query")), 200);
};

export const get: Handler<typeof routes.get> = async (c) => {
  return c.json(await deployments.getDeployment(c.var.ctx, c.req.valid("param")), 200);
};

export const rollback: Handler<typeof routes.rollback> = async (c) => {
  const { reason } = c.req.valid("json");
  return c.json(await deployments.recordRollback(actorCtx(c), { id: c.req.valid("param").id, reason }), 201);
};

export const cancel: Handler<typeof routes.cancel> = async (c) => {
  return c.json(await deployments.cancelDeployment(actorCtx(c), c.req.valid("param")), 200);
};
