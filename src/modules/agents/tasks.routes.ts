import { IdParam, jsonBody, jsonContent, optionalJsonBody, problems } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { AGENTS_READ_LEVEL, AGENTS_WRITE_LEVEL } from "./agents.policy";
import { AgentTaskSchema, AssignTaskBody, CompleteTaskBody, FailTaskBody, TaskListQuery } from "./tasks.schemas";

const route = moduleRoutes("ESA agents");

export const assign = route.authed({
  method: "post",
  path: "/api/admin/agents/{id}/tasks",
  minLevel: AGENTS_WRITE_LEVEL,
  object: "esa_agent",
  summary: "Give an agent a task",
  description: "A suspended agent takes no tasks (409 `agent_suspended`). Audited.",
  request: { params: IdParam, body: jsonBody(AssignTaskBody) },
  responses: { 201: jsonContent(AgentTaskSchema, "The task, assigned"), ...problems(400, 404, 409, 415) },
});

export const list = route.authed({
  method: "get",
  path: "/api/admin/agents/{id}/tasks",
  minLevel: AGENTS_READ_LEVEL,
  object: "esa_agent",
  summary: "An agent's tasks, newest first",
  request: { params: IdParam, query: TaskListQuery },
  responses: { 200: jsonContent(pageSchema(AgentTaskSchema), "A page of tasks"), ...problems(400, 404) },
});

export const get = route.authed({
  method: "get",
  path: "/api/admin/agent-tasks/{id}",
  minLevel: AGENTS_READ_LEVEL,
  object: "agent_task",
  summary: "One agent task",
  request: { params: IdParam },
  responses: { 200: jsonContent(AgentTaskSchema, "The task"), ...problems(400, 404) },
});

export const start = route.authed({
  method: "post",
  path: "/api/admin/agent-tasks/{id}/start",
  minLevel: AGENTS_WRITE_LEVEL,
  object: "agent_task",
  summary: "Start a task (assigned → in_progress)",
  description: "Moves the agent's lastActiveAt. Any other status is 409 `illegal_transition`. Audited.",
  request: { params: IdParam },
  responses: { 200: jsonContent(AgentTaskSchema, "The task"), ...problems(400, 404, 409) },
});

export const complete = route.authed({
  method: "post",
  path: "/api/admin/agent-tasks/{id}/complete",
  minLevel: AGENTS_WRITE_LEVEL,
  object: "agent_task",
  summary: "Complete a task (from assigned or in_progress)",
  description:
    "In the same statement the agent's tasksCompleted, tasksSuccess, avgCompletionTime and lastActiveAt move. " +
    "A finished task is 409 `illegal_transition`. Audited.",
  request: { params: IdParam, body: optionalJsonBody(CompleteTaskBody) },
  responses: { 200: jsonContent(AgentTaskSchema, "The task"), ...problems(400, 404, 409, 415) },
});

export const fail = route.authed({
  method: "post",
  path: "/api/admin/agent-tasks/{id}/fail",
  minLevel: AGENTS_WRITE_LEVEL,
  object: "agent_task",
  summary: "Fail a task (from assigned or in_progress)",
  description:
    "In the same statement the agent's tasksCompleted, tasksFailed, avgCompletionTime and lastActiveAt move. " +
    "A finished task is 409 `illegal_transition`. Audited.",
  request: { params: IdParam, body: jsonBody(FailTaskBody) },
  responses: { 200: jsonContent(AgentTaskSchema, "The task"), ...problems(400, 404, 409, 415) },
});
