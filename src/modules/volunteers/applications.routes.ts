import { IdParam, jsonBody, jsonContent, optionalJsonBody, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { CHECK_IN_OPENS_MINUTES } from "./volunteers.policy";
import { ApplyBody, HoursBody } from "./volunteers.input";
import { ApplicationSchema } from "./volunteers.schemas";

const route = moduleRoutes("Volunteer applications");

const seen =
  "An application is seen by its volunteer and the task's organizers only (404 for anyone else); the volunteer " +
  "trying an organizer's action is 403 `not_task_organizer`. A state that does not allow it is 409 `application_status`.";

export const apply = route.authed({
  method: "post",
  path: "/api/volunteer/tasks/{id}/apply",
  object: "volunteer_task",
  summary: "Offer to help with a task",
  description:
    "201 with the application (`applied`), with an optional message to the organizers. Needs a volunteer profile (409 " +
    "`no_volunteer_profile`); once per task (409 `already_applied`, also when two arrive at once; a withdrawn one may " +
    "apply again); not by its organizers (403 `organizer_cannot_apply`); only an open task before its start (409 " +
    "`task_not_open`, `task_started`). The task's creator is notified (`volunteer_application`). A task the caller " +
    "may not see is a 404.",
  request: { params: IdParam, body: optionalJsonBody(ApplyBody) },
  responses: { 201: jsonContent(ApplicationSchema, "The application"), ...problems(400, 403, 404, 409) },
});

export const withdraw = route.authed({
  method: "delete",
  path: "/api/volunteer/tasks/{id}/apply",
  object: "volunteer_task",
  summary: "Withdraw your application",
  description:
    "A pending or accepted application (an accepted one gives its seat back). 404 without one; 409 " +
    "`application_status` once checked in, completed, declined or already withdrawn.",
  request: { params: IdParam },
  responses: { 204: { description: "Withdrawn" }, ...problems(400, 404, 409) },
});

export const listForTask = route.authed({
  method: "get",
  path: "/api/volunteer/tasks/{id}/applications",
  object: "volunteer_task",
  summary: "A task's applications, newest first (its organizers)",
  description: "By cursor. A task the caller may not see is a 404; others who see it are 403 `not_task_organizer`.",
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(ApplicationSchema), "A page of applications"), ...problems(400, 403, 404) },
});

export const listMine = route.authed({
  method: "get",
  path: "/api/volunteer/applications",
  summary: "Your applications, newest first",
  description: "By cursor; an empty list without a volunteer profile.",
  request: { query: PageQuery },
  responses: { 200: jsonContent(pageSchema(ApplicationSchema), "A page of applications"), ...problems(400) },
});

const action = (path: string, summary: string, description: string) =>
  ({
    method: "post",
    path: `/api/volunteer/applications/{id}/${path}`,
    object: "volunteer_application",
    summary,
    description: `${description} ${seen}`,
    request: { params: IdParam },
    responses: { 200: jsonContent(ApplicationSchema, "The application now"), ...problems(400, 403, 404, 409) },
  }) as const;

export const accept = route.authed(
  action(
    "accept",
    "Accept an application (the task's organizers)",
    "A pending application of an open task not over (409 `task_not_open`, `task_ended`) takes a seat in the same " +
      "guarded write: when every seat is taken, 409 `task_full`, however many accepts arrive at once. The volunteer is " +
      "notified (`volunteer_accepted`).",
  ),
);

export const decline = route.authed(
  action(
    "decline",
    "Decline an application (the task's organizers)",
    "A pending or accepted one (an accepted one gives its seat back), of an open task. The volunteer is notified " +
      "(`volunteer_declined`).",
  ),
);

export const checkIn = route.authed(
  action(
    "check-in",
    "Check a volunteer in",
    `An accepted volunteer of an open task: by themselves from ${CHECK_IN_OPENS_MINUTES} minutes before the start to ` +
      "the end, or by an organizer from the same time on (409 `check_in_not_open` outside that).",
  ),
);

export const hours = route.authed({
  ...action(
    "hours",
    "Log a volunteer's minutes (the task's organizers)",
    "After check-in: the application is completed with its minutes (1-1440), and the volunteer's completed tasks and " +
      "minutes logged move in the same statement; once (409 `application_status` after).",
  ),
  request: { params: IdParam, body: jsonBody(HoursBody) },
});

export const noShow = route.authed(
  action(
    "no-show",
    "Mark a volunteer who did not come (the task's organizers)",
    "An accepted volunteer who never checked in, once the task has started (409 `task_not_started` before): the seat is " +
      "given back and the volunteer's no-shows counted, in the same statement.",
  ),
);
