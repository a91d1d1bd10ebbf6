import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import { evaluateFlags } from "./evaluation.service";
import { etagOf, ifMatchVersions } from "./flags.policy";
import type * as routes from "./flags.routes";
import * as flags from "./flags.service";

export const evaluate: Handler<typeof routes.evaluate> = async (c) => {
  // Each caller's own answer: no shared cache may keep it.
  c.header("Cache-Control", "private, no-store");
  return c.json({ flags: await evaluateFlags(c.var.ctx) }, 200);
};

export const list: Handler<typeof routes.list> = async (c) => {
  return c.json(await flags.listFlags(c.var.ctx, c.req.valid("query")), 200);
};

export const create: Handler<typeof routes.create> = async (c) => {
  const flag = await flags.createFlag(actorCtx(c), c.req.valid("json"));
  c.header("ETag", etagOf(flag));
  return c.json(flag, 201);
};

export const get: Handler<typeof routes.get> = async (c) => {
  const flag = await flags.getFlag(c.var.ctx, c.req.valid("param").id);
  c.header("ETag", etagOf(flag));
  return c.json(flag, 200);
};

export const update: Handler<typeof routes.update> = async (c) => {
  const versions = ifMatchVersions(c.req.valid("header")["if-match"]);
  const flag = await flags.updateFlag(actorCtx(c), c.req.valid("param").id, c.req.valid("json"), versions);
  c.header("ETag", etagOf(flag));
  return c.json(flag, 200);
};

export const remove: Handler<typeof routes.remove> = async (c) => {
  await flags.deleteFlag(actorCtx(c), c.req.valid("param").id);
  return c.body(null, 204);
};
