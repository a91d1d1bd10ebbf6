import { z } from "@hono/zod-openapi";
import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import {
  AgendaQuery,
  CreateGoalBody,
  CreateMilestoneBody,
  CreateTaskBody,
  DashboardQuery,
  GoalListQuery,
  LIFE_CEO_LIMITS,
  MilestoneOrderBody,
  PageQueryOnly,
  TaskListQuery,
  TaskOrderBody,
  UpdateGoalBody,
  UpdateMilestoneBody,
  UpdateTaskBody,
} from "./life-ceo.input";
import { AgendaSchema, DashboardSchema, DomainSchema, GoalSchema, MilestoneSchema, TaskSchema } from "./life-ceo.schemas";

const route = moduleRoutes("Life CEO");

const ownerOnly = "Owner only: another dancer's goal, milestone or task is a 404, as if it did not exist.";
const progress =
  "`progress` is done / total of the goal's milestones and tasks (rounded) when it has any (`progressSource: milestones`), " +
  "else the value set by hand (`manual`).";
const moves =
  "Status moves: active <-> paused; active or paused -> completed or abandoned; completed or abandoned -> active (a reopen); " +
  "any other is 409 `illegal_status_move`. `completedAt` is set by the move to completed and cleared by a reopen.";

export const domains = route.public({
  method: "get",
  path: "/api/life-ceo/domains",
  summary: "The 16 Life CEO domains",
  description: "Reference data (created by a migration), in id order; cacheable for an hour.",
  responses: { 200: jsonContent(z.object({ items: z.array(DomainSchema) }), "The domains") },
});

export const listGoals = route.authed({
  method: "get",
  path: "/api/life-ceo/goals",
  summary: "The caller's goals",
  description: `Newest first, by keyset; filters \`status\` and \`domainId\`. ${progress}`,
  request: { query: GoalListQuery },
  responses: { 200: jsonContent(pageSchema(GoalSchema), "A page of goals"), ...problems(400) },
});

export const createGoal = route.authed({
  method: "post",
  path: "/api/life-ceo/goals",
  summary: "Create a goal",
  description:
    `An unknown \`domainId\` is 400 \`unknown_domain\`; a dancer holds at most ${LIFE_CEO_LIMITS.goals} goals (409 ` +
    "`goal_limit_reached`, exact under racing creates). A goal created completed has `completedAt` set.",
  request: { body: jsonBody(CreateGoalBody) },
  responses: { 201: jsonContent(GoalSchema, "The goal"), ...problems(400, 409) },
});

export const getGoal = route.authed({
  method: "get",
  path: "/api/life-ceo/goals/{id}",
  object: "life_ceo_goal",
  summary: "A goal",
  description: `${progress} ${ownerOnly}`,
  request: { params: IdParam },
  responses: { 200: jsonContent(GoalSchema, "The goal"), ...problems(400, 404) },
});

export const updateGoal = route.authed({
  method: "patch",
  path: "/api/life-ceo/goals/{id}",
  object: "life_ceo_goal",
  summary: "Edit a goal",
  description:
    `Any subset of the create fields; \`null\` clears an optional one. ${moves} Setting \`progress\` on a goal with ` +
    "milestones or tasks is 409 `progress_derived`. A new `domainId` moves the goal's tasks with it. Two edits at once " +
    `take turns on the goal's row: the second is checked against what the first left. ${ownerOnly}`,
  request: { params: IdParam, body: jsonBody(UpdateGoalBody) },
  responses: { 200: jsonContent(GoalSchema, "The goal as edited"), ...problems(400, 404, 409) },
});

export const deleteGoal = route.authed({
  method: "delete",
  path: "/api/life-ceo/goals/{id}",
  object: "life_ceo_goal",
  summary: "Delete a goal",
  description: `With its milestones, tasks and recommendations. ${ownerOnly}`,
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...problems(400, 404) },
});

export const listMilestones = route.authed({
  method: "get",
  path: "/api/life-ceo/goals/{id}/milestones",
  object: "life_ceo_goal",
  summary: "A goal's milestones",
  description: `In their order (position, then id), by keyset. ${ownerOnly}`,
  request: { params: IdParam, query: PageQueryOnly },
  responses: { 200: jsonContent(pageSchema(MilestoneSchema), "A page of milestones"), ...problems(400, 404) },
});

export const createMilestone = route.authed({
  method: "post",
  path: "/api/life-ceo/goals/{id}/milestones",
  object: "life_ceo_goal",
  summary: "Add a milestone to a goal",
  description:
    `At the end of the goal's list. At most ${LIFE_CEO_LIMITS.milestones} per goal (409 \`milestone_limit_reached\`). ` +
    `A goal deleted meanwhile is 404, never an orphan. ${ownerOnly}`,
  request: { params: IdParam, body: jsonBody(CreateMilestoneBody) },
  responses: { 201: jsonContent(MilestoneSchema, "The milestone"), ...problems(400, 404, 409) },
});

export const orderMilestones = route.authed({
  method: "post",
  path: "/api/life-ceo/goals/{id}/milestones/order",
  object: "life_ceo_goal",
  summary: "Reorder a goal's milestones",
  description:
    "`ids`: every milestone of the goal, each once, in the new order (positions 0, 1, ...), in one statement. Ids that " +
    `are not exactly the goal's milestones are 409 \`order_mismatch\` and change nothing. ${ownerOnly}`,
  request: { params: IdParam, body: jsonBody(MilestoneOrderBody) },
  responses: { 200: jsonContent(z.object({ items: z.array(MilestoneSchema) }), "The milestones in their new order"), ...problems(400, 404, 409) },
});

export const updateMilestone = route.authed({
  method: "patch",
  path: "/api/life-ceo/milestones/{id}",
  object: "life_ceo_milestone",
  summary: "Edit a milestone",
  description: `\`done\` sets \`completedAt\` (kept when already done) or clears it; the goal's progress follows. ${ownerOnly}`,
  request: { params: IdParam, body: jsonBody(UpdateMilestoneBody) },
  responses: { 200: jsonContent(MilestoneSchema, "The milestone as edited"), ...problems(400, 404) },
});

export const deleteMilestone = route.authed({
  method: "delete",
  path: "/api/life-ceo/milestones/{id}",
  object: "life_ceo_milestone",
  summary: "Delete a milestone",
  description: ownerOnly,
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...problems(400, 404) },
});

export const listTasks = route.authed({
  method: "get",
  path: "/api/life-ceo/tasks",
  summary: "The caller's tasks",
  description: "In list order (position, then id), by keyset; filters `goalId`, `domainId` and `done`.",
  request: { query: TaskListQuery },
  responses: { 200: jsonContent(pageSchema(TaskSchema), "A page of tasks"), ...problems(400) },
});

export const createTask = route.authed({
  method: "post",
  path: "/api/life-ceo/tasks",
  summary: "Create a task",
  description:
    "In a domain (`domainId`) or under a goal (`goalId`, the task takes the goal's domain): exactly one of the two, else " +
    "400. An unknown domain is 400 `unknown_domain`; a goal not the caller's (or deleted meanwhile) is 404. At the end of " +
    "its list (the goal's, or the domain's tasks outside goals).",
  request: { body: jsonBody(CreateTaskBody) },
  responses: { 201: jsonContent(TaskSchema, "The task"), ...problems(400, 404) },
});

export const orderTasks = route.authed({
  method: "post",
  path: "/api/life-ceo/tasks/order",
  summary: "Reorder a goal's tasks, or a domain's tasks outside goals",
  description:
    "`goalId` or `domainId`, and `ids`: every task of that list, each once, in the new order, in one statement. Other " +
    "ids are 409 `order_mismatch` and change nothing; a goal not the caller's or an unknown domain is 404.",
  request: { body: jsonBody(TaskOrderBody) },
  responses: { 200: jsonContent(z.object({ items: z.array(TaskSchema) }), "The tasks in their new order"), ...problems(400, 404, 409) },
});

export const updateTask = route.authed({
  method: "patch",
  path: "/api/life-ceo/tasks/{id}",
  object: "life_ceo_task",
  summary: "Edit a task",
  description: `\`done\` sets \`completedAt\` (kept when already done) or clears it; a goal's progress follows. ${ownerOnly}`,
  request: { params: IdParam, body: jsonBody(UpdateTaskBody) },
  responses: { 200: jsonContent(TaskSchema, "The task as edited"), ...problems(400, 404) },
});

export const deleteTask = route.authed({
  method: "delete",
  path: "/api/life-ceo/tasks/{id}",
  object: "life_ceo_task",
  summary: "Delete a task",
  description: ownerOnly,
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...problems(400, 404) },
});

export const agenda = route.authed({
  method: "get",
  path: "/api/life-ceo/agenda",
  summary: "The caller's day: due and overdue",
  description:
    "Milestones and tasks due on `date` (done or not) and the overdue ones (due before it, not done), oldest first " +
    "(due date, milestones before tasks, id), by keyset. `date` defaults to today in `tz` (default UTC).",
  request: { query: AgendaQuery },
  responses: { 200: jsonContent(AgendaSchema, "A page of the agenda"), ...problems(400) },
});

export const dashboard = route.authed({
  method: "get",
  path: "/api/life-ceo/dashboard",
  summary: "The caller's Life CEO dashboard",
  description:
    "In one statement: per domain the caller has goals or tasks in (and a `domain: null` group for goals without a " +
    "domain), the goals with their progress, open and done tasks, open tasks and milestones due today (in `tz`, default " +
    "UTC) and overdue, and the 5 latest recommendations.",
  request: { query: DashboardQuery },
  responses: { 200: jsonContent(DashboardSchema, "The dashboard"), ...problems(400) },
});
