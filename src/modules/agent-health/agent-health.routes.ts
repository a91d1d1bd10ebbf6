import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import {
  AcceptedReportSchema,
  AgentKeyHeaders,
  ApiKeySchema,
  DashboardSchema,
  HealthReportBody,
  HistoryEntrySchema,
  PercentilesSchema,
} from "./agent-health.schemas";

const route = moduleRoutes("Agent health");

/** Admins read from level 5, Super Admins write from level 7 (migrations/0002_identity.sql). */
export const ADMIN_READ_LEVEL = 5;
export const ADMIN_WRITE_LEVEL = 7;

export const rotateKey = route.authed({
  method: "post",
  path: "/api/admin/agents/{id}/api-key",
  minLevel: ADMIN_WRITE_LEVEL,
  object: "esa_agent",
  summary: "Make or rotate an agent's API key",
  description:
    "Answers the new key this once (only its SHA-256 is kept). The previous key stops working at " +
    "once. Recorded in the audit log (`agent.rotate_key`, without the hash). A suspended agent may " +
    "get a key: its reports are refused until the suspension is lifted.",
  request: { params: IdParam },
  responses: { 201: jsonContent(ApiKeySchema, "The new key, shown once"), ...problems(400, 404) },
});

export const revokeKey = route.authed({
  method: "delete",
  path: "/api/admin/agents/{id}/api-key",
  minLevel: ADMIN_WRITE_LEVEL,
  object: "esa_agent",
  summary: "Revoke an agent's API key",
  description: "Its reports are refused from then on. Audited (`agent.revoke_key`); 204 also when there was no key (nothing recorded).",
  request: { params: IdParam },
  responses: { 204: { description: "The agent has no key (any more)" }, ...problems(400, 404) },
});

export const report = route.public({
  method: "post",
  path: "/api/agents/health",
  summary: "An agent reports its health",
  description:
    "Authenticated by the agent's own key in `X-Agent-Key`, never by a user's token. A missing, " +
    "wrong, rotated or revoked key is a 401 `invalid_agent_key` (the same for all); a suspended " +
    "agent's key is a 403 `agent_suspended` and nothing is recorded. Rate-limited per key (30 a " +
    "minute: 429 with Retry-After). Updates the agent's latest health, keeps the report in its " +
    "history and moves its last activity, in one statement.",
  request: { headers: AgentKeyHeaders, body: jsonBody(HealthReportBody) },
  responses: { 201: jsonContent(AcceptedReportSchema, "Recorded"), ...problems(400, 401, 403, 415, 429) },
});

export const dashboard = route.authed({
  method: "get",
  path: "/api/admin/agent-health",
  minLevel: ADMIN_READ_LEVEL,
  summary: "The agents' latest health, failing and degraded first",
  description:
    "Every agent with its latest health (`unknown` when it never reported), ordered failing, " +
    "degraded, offline, unknown, healthy (then by agent id), with the counts by status over all agents.",
  request: { query: PageQuery },
  responses: { 200: jsonContent(DashboardSchema, "A page of the dashboard"), ...problems(400) },
});

export const percentiles = route.authed({
  method: "get",
  path: "/api/admin/agent-health/percentiles",
  minLevel: ADMIN_READ_LEVEL,
  summary: "Response-time percentiles per agent over the last 24 hours",
  description: "p50, p95 and p99 (continuous) and the maximum, by agent id; null for an agent with no report in the window.",
  request: { query: PageQuery },
  responses: { 200: jsonContent(pageSchema(PercentilesSchema), "A page of agents"), ...problems(400) },
});

export const history = route.authed({
  method: "get",
  path: "/api/admin/agents/{id}/health",
  minLevel: ADMIN_READ_LEVEL,
  object: "esa_agent",
  summary: "An agent's health history, newest first",
  description: "Its reports, then the daily summaries of reports older than 30 days (`kind: day`).",
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(HistoryEntrySchema), "A page of history"), ...problems(400, 404) },
});
