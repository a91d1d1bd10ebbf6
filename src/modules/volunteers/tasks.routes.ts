import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { CreateTaskBody, TaskListQuery, UpdateTaskBody } from "./volunteers.input";
import { MatchSchema, TaskMatchSchema, TaskSchema } from "./volunteers.schemas";

const route = moduleRoutes("Volunteer tasks");

const notVisible =
  "A task the caller may not see (its creator suspended or blocked either way, its event one they may not see, its " +
  "group hidden or private and they not in it) is a 404.";

const organizers =
  "Its organizers are its creator, the organizers and co-organizers of its event and the active admins of its group; " +
  "others who may see it are 403 `not_task_organizer`.";

const times =
  "An end after the start (400 `ends_before_start`), at most 7 days (400 `task_too_long`), a start to come (400 " +
  "`starts_in_past`); latitude and longitude together.";

const ranking =
  "Ranked by score = 0.4 skills (the share of the needed skills the volunteer has) + 0.3 availability (1 when one of " +
  "the volunteer's weekly blocks covers the task's start to end, read in the VOLUNTEER's time zone, and that local day " +
  "is not blocked) + 0.2 distance (haversine, 1 at the place falling to 0 at 100 km; 0.25 when either has no " +
  "coordinates) + 0.1 reliability ((completed + 1) / (completed + no-shows + 2): 0.5 for a newcomer). Each item carries " +
  "its components. Best first, by cursor (`limit` per page); one statement.";

export const create = route.authed({
  method: "post",
  path: "/api/volunteer/tasks",
  summary: "Post a volunteer task",
  description:
    "For an event the caller organizes (`eventId`: 404 for one they may not see, 403 `not_event_organizer`), a group " +
    "they are an active admin of (`groupId`: city communities are groups; 403 `not_group_admin`), or, for a platform " +
    `admin (role level 5 and up), any of these or none (403 \`not_task_organizer\` otherwise). ${times}`,
  request: { body: jsonBody(CreateTaskBody) },
  responses: { 201: jsonContent(TaskSchema, "The task"), ...problems(400, 403, 404) },
});

export const list = route.authed({
  method: "get",
  path: "/api/volunteer/tasks",
  summary: "Open volunteer tasks to come, soonest first",
  description: "Filters: `city` (case ignored), `skill` needed, `eventId`. Only tasks the caller may see. By cursor.",
  request: { query: TaskListQuery },
  responses: { 200: jsonContent(pageSchema(TaskSchema), "A page of tasks"), ...problems(400) },
});

export const matching = route.authed({
  method: "get",
  path: "/api/volunteer/tasks/matching",
  summary: "The open tasks that fit you best",
  description:
    "Open tasks to come, with a free seat and at least one of the caller's skills, that they may see, do not organize " +
    `and have not applied to. 409 \`no_volunteer_profile\` without a profile. ${ranking}`,
  request: { query: PageQuery },
  responses: { 200: jsonContent(pageSchema(TaskMatchSchema), "A page of tasks with their scores"), ...problems(400, 409) },
});

export const get = route.authed({
  method: "get",
  path: "/api/volunteer/tasks/{id}",
  object: "volunteer_task",
  summary: "A volunteer task",
  description: `With whether the caller organizes it and their own application. ${notVisible}`,
  request: { params: IdParam },
  responses: { 200: jsonContent(TaskSchema, "The task"), ...problems(400, 404) },
});

export const update = route.authed({
  method: "patch",
  path: "/api/volunteer/tasks/{id}",
  object: "volunteer_task",
  summary: "Edit a volunteer task (its organizers)",
  description:
    `Any subset of the fields, checked together as the edit leaves the task: ${times} Seats not under the seats taken ` +
    `(409 \`seats_below_taken\`). Only an open task (409 \`task_not_open\`). ${organizers} ${notVisible}`,
  request: { params: IdParam, body: jsonBody(UpdateTaskBody) },
  responses: { 200: jsonContent(TaskSchema, "The task as edited"), ...problems(400, 403, 404, 409) },
});

export const cancel = route.authed({
  method: "post",
  path: "/api/volunteer/tasks/{id}/cancel",
  object: "volunteer_task",
  summary: "Cancel a volunteer task (its organizers)",
  description:
    "The task stays, `cancelled`, and takes no more applications; its accepted and checked-in volunteers are notified " +
    "(`volunteer_task_cancelled`). Cancelling again changes nothing and tells no one twice; a completed task is 409 " +
    `\`task_not_open\`. ${organizers} ${notVisible}`,
  request: { params: IdParam },
  responses: { 200: jsonContent(TaskSchema, "The cancelled task"), ...problems(400, 403, 404, 409) },
});

export const matches = route.authed({
  method: "get",
  path: "/api/volunteer/tasks/{id}/matches",
  object: "volunteer_task",
  summary: "The volunteers who fit a task best (its organizers)",
  description:
    "Volunteers with at least one of the needed skills, a usable account, no block with the caller or the task's " +
    "creator, who may see the task, do not organize it and have not applied (a withdrawn application aside). " +
    `${ranking} ${organizers} ${notVisible}`,
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(MatchSchema), "A page of volunteers with their scores"), ...problems(400, 403, 404) },
});
