import { sha256Hex } from "../../lib/crypto";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { throttle } from "../../lib/rate-limit";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./agent-health.routes";
import * as dashboards from "./dashboard.service";
import { AGENT_KEY_PREFIX, revokeKey as revoke, rotateKey as rotate } from "./keys.service";
import { invalidAgentKey, recordReport } from "./reports.service";

export const rotateKey: Handler<typeof routes.rotateKey> = async (c) => {
  return c.json(await rotate(actorCtx(c), c.req.valid("param").id), 201);
};

export const revokeKey: Handler<typeof routes.revokeKey> = async (c) => {
  await revoke(actorCtx(c), c.req.valid("param").id);
  return c.body(null, 204);
};

/** Longer than any key this module makes: anything longer is not one (and is not hashed). */
const AGENT_KEY_MAX_LENGTH = 100;

export const report: Handler<typeof routes.report> = async (c) => {
  const ctx = c.var.ctx;
  // The key alone authenticates: a user's bearer token (valid or not, checked by the app's
  // middleware) is never read here.
  const key = c.req.valid("header")["x-agent-key"];
  if (!key || !key.startsWith(AGENT_KEY_PREFIX) || key.length > AGENT_KEY_MAX_LENGTH) throw invalidAgentKey();
  const hash = await sha256Hex(key);
  // Per agent, by its key's hash, before the database: one key is one agent, and keying on
  // something public (the prefix, the agent id) would let anyone spend an agent's allowance.
  await throttle(c.env.AGENT_HEALTH_LIMITER, `agent-health:${hash.slice(0, 32)}`);
  const accepted = await recordReport(ctx, hash, c.req.valid("json"));
  ctx.logger.info("agent health report", { agentId: accepted.agentId, status: accepted.status });
  return c.json(accepted, 201);
};

export const dashboard: Handler<typeof routes.dashboard> = async (c) => {
  return c.json(await dashboards.dashboard(actorCtx(c), c.req.valid("query")), 200);
};

export const percentiles: Handler<typeof routes.percentiles> = async (c) => {
  return c.json(await dashboards.percentiles(actorCtx(c), c.req.valid("query")), 200);
};

export const history: Handler<typeof routes.history> = async (c) => {
  return c.json(await dashboards.history(actorCtx(c), { agentId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
};
