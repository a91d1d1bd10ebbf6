import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { AGENTS_READ_LEVEL, AGENTS_WRITE_LEVEL } from "./agents.policy";
import {
  AgentDetailSchema,
  AgentListQuery,
  AgentSchema,
  CreateAgentBody,
  StatusBody,
  TreeNodeSchema,
  TreeQuery,
  UpdateAgentBody,
} from "./agents.schemas";

const route = moduleRoutes("ESA agents");

export const list = route.authed({
  method: "get",
  path: "/api/admin/agents",
  minLevel: AGENTS_READ_LEVEL,
  summary: "The agent registry, by agent code",
  description: "Filters: `type`, `status`, `layer`, `tier`, `parentId`, and `q` (part of the code or the name).",
  request: { query: AgentListQuery },
  responses: { 200: jsonContent(pageSchema(AgentSchema), "A page of agents"), ...problems(400) },
});

export const create = route.authed({
  method: "post",
  path: "/api/admin/agents",
  minLevel: AGENTS_WRITE_LEVEL,
  summary: "Register an agent",
  description:
    "The agent starts `inactive`. The agent code is unique (409 `agent_code_taken`); a parent or division chief " +
    "that is not an agent is 400 `unknown_agent`. Audited.",
  request: { body: jsonBody(CreateAgentBody) },
  responses: { 201: jsonContent(AgentSchema, "The agent"), ...problems(400, 409, 415) },
});

export const tree = route.authed({
  method: "get",
  path: "/api/admin/agents/tree",
  minLevel: AGENTS_READ_LEVEL,
  summary: "The hierarchy, depth first",
  description:
    "Flat, depth first: each node has its `depth` and `path` of ids from the root, and comes right after its " +
    "parent (siblings by id). Under `rootId`, or under every agent without a parent. One recursive statement.",
  request: { query: TreeQuery },
  responses: { 200: jsonContent(pageSchema(TreeNodeSchema), "A page of the tree"), ...problems(400, 404) },
});

export const get = route.authed({
  method: "get",
  path: "/api/admin/agents/{id}",
  minLevel: AGENTS_READ_LEVEL,
  object: "esa_agent",
  summary: "One agent, with the latest result of each validation check",
  request: { params: IdParam },
  responses: { 200: jsonContent(AgentDetailSchema, "The agent"), ...problems(400, 404) },
});

export const update = route.authed({
  method: "patch",
  path: "/api/admin/agents/{id}",
  minLevel: AGENTS_WRITE_LEVEL,
  object: "esa_agent",
  summary: "Change an agent",
  description:
    "Any field but the status (that is `POST /api/admin/agents/{id}/status`). A parent that is the agent itself or " +
    "one under it is 409 `hierarchy_cycle`. Audited with the row before and after.",
  request: { params: IdParam, body: jsonBody(UpdateAgentBody) },
  responses: { 200: jsonContent(AgentSchema, "The agent"), ...problems(400, 404, 409, 415) },
});

export const remove = route.authed({
  method: "delete",
  path: "/api/admin/agents/{id}",
  minLevel: AGENTS_WRITE_LEVEL,
  object: "esa_agent",
  summary: "Remove an agent",
  description:
    "Its tasks, messages and checks go with it. Refused (409 `agent_has_children`) while another agent names it as " +
    "parent or division chief. Audited.",
  request: { params: IdParam },
  responses: { 204: { description: "Removed" }, ...problems(400, 404, 409) },
});

export const status = route.authed({
  method: "post",
  path: "/api/admin/agents/{id}/status",
  minLevel: AGENTS_WRITE_LEVEL,
  object: "esa_agent",
  summary: "Move an agent along its life cycle",
  description:
    "inactive → training → certified → active, one step at a time; `suspended` from any other status, and from " +
    "suspended only back to the status it interrupted. Anything else is 409 `illegal_transition`. Reaching " +
    "`certified` from training sets certifiedAt and trainingCompletedAt. Audited (with the reason).",
  request: { params: IdParam, body: jsonBody(StatusBody) },
  responses: { 200: jsonContent(AgentSchema, "The agent"), ...problems(400, 404, 409, 415) },
});
