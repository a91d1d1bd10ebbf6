import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { AGENTS_READ_LEVEL, AGENTS_WRITE_LEVEL } from "./agents.policy";
import {
  AgentMessageSchema,
  CheckListQuery,
  MessageListQuery,
  RecordCheckBody,
  SendMessageBody,
  ValidationCheckSchema,
} from "./messages.schemas";

const route = moduleRoutes("ESA agents");

export const send = route.authed({
  method: "post",
  path: "/api/admin/agents/{id}/messages",
  minLevel: AGENTS_WRITE_LEVEL,
  object: "esa_agent",
  summary: "Send a message from this agent",
  description:
    "To one agent (`toAgentId`) or to all. A reply names its thread's first message (`threadId`); anything else is " +
    "400 `unknown_thread`, an unknown recipient 400 `unknown_agent`. Audited.",
  request: { params: IdParam, body: jsonBody(SendMessageBody) },
  responses: { 201: jsonContent(AgentMessageSchema, "The message"), ...problems(400, 404, 415) },
});

export const list = route.authed({
  method: "get",
  path: "/api/admin/agents/{id}/messages",
  minLevel: AGENTS_READ_LEVEL,
  object: "esa_agent",
  summary: "The messages an agent sent or received, newest first",
  request: { params: IdParam, query: MessageListQuery },
  responses: { 200: jsonContent(pageSchema(AgentMessageSchema), "A page of messages"), ...problems(400, 404) },
});

export const thread = route.authed({
  method: "get",
  path: "/api/admin/agent-messages/{id}/thread",
  minLevel: AGENTS_READ_LEVEL,
  object: "agent_message",
  summary: "A message's thread: its first message, then the replies in order",
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(AgentMessageSchema), "A page of the thread"), ...problems(400, 404) },
});

export const recordCheck = route.authed({
  method: "post",
  path: "/api/admin/agents/{id}/validation-checks",
  minLevel: AGENTS_WRITE_LEVEL,
  object: "esa_agent",
  summary: "Record a validation check's result for an agent",
  description: "The agent's detail shows the latest result of each check name. Audited.",
  request: { params: IdParam, body: jsonBody(RecordCheckBody) },
  responses: { 201: jsonContent(ValidationCheckSchema, "The check"), ...problems(400, 404, 415) },
});

export const listChecks = route.authed({
  method: "get",
  path: "/api/admin/agents/{id}/validation-checks",
  minLevel: AGENTS_READ_LEVEL,
  object: "esa_agent",
  summary: "An agent's validation checks, newest first",
  description: "Filters: `result`, `checkName`.",
  request: { params: IdParam, query: CheckListQuery },
  responses: { 200: jsonContent(pageSchema(ValidationCheckSchema), "A page of checks"), ...problems(400, 404) },
});
