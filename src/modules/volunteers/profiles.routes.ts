import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { moduleRoutes } from "../../lib/routes";
import { ExperienceBody, UpdateExperienceBody, ProfileBody } from "./volunteers.input";
import { ExperienceSchema, MyVolunteerSchema, VolunteerSchema } from "./volunteers.schemas";

const route = moduleRoutes("Volunteers");

export const putProfile = route.authed({
  method: "put",
  path: "/api/volunteer/profile",
  summary: "Create or replace your volunteer profile",
  description:
    "201 when created, 200 when replaced. Skills (one at least) from the list of volunteer skills, languages, place " +
    "(latitude and longitude together, 400 otherwise), `timezone` (an IANA zone: the weekly blocks are read in it), " +
    "`availability` (weekly blocks `{weekday 0-6 from Sunday, start HH:MM, end HH:MM}`, the end after the start the same " +
    "day, `24:00` for midnight) and `blockedDates`; both lists are replaced as a whole. One round trip.",
  request: { body: jsonBody(ProfileBody) },
  responses: {
    200: jsonContent(MyVolunteerSchema, "The profile as replaced"),
    201: jsonContent(MyVolunteerSchema, "The profile as created"),
    ...problems(400),
  },
});

export const getProfile = route.authed({
  method: "get",
  path: "/api/volunteer/profile",
  summary: "Your volunteer profile",
  description: "Everything, the coordinates and blocked dates included, with the resume newest first. 404 without one.",
  responses: { 200: jsonContent(MyVolunteerSchema, "Your profile"), ...problems(404) },
});

export const deleteProfile = route.authed({
  method: "delete",
  path: "/api/volunteer/profile",
  summary: "Delete your volunteer profile",
  description:
    "Its availability, resume and applications go with it; the seats its accepted applications held are given back. " +
    "404 without one. Past reliability is lost with it.",
  responses: { 204: { description: "Deleted" }, ...problems(404) },
});

export const getVolunteer = route.authed({
  method: "get",
  path: "/api/volunteers/{id}",
  object: "volunteer",
  summary: "A volunteer's profile",
  description:
    "As another dancer sees it: skills, languages, city, weekly availability, resume and reliability counters; never " +
    "the coordinates or blocked dates. 404 across a block either way, and for a suspended or closed account.",
  request: { params: IdParam },
  responses: { 200: jsonContent(VolunteerSchema, "The volunteer"), ...problems(400, 404) },
});

export const addExperience = route.authed({
  method: "post",
  path: "/api/volunteer/experiences",
  summary: "Add an entry to your resume",
  description:
    "A role at an event or an organization, with the skills used and the dates (`endedOn` not before `startedOn`, null " +
    "while it lasts). 409 `no_volunteer_profile` without a profile; at most 50 entries (409 `too_many_experiences`).",
  request: { body: jsonBody(ExperienceBody) },
  responses: { 201: jsonContent(ExperienceSchema, "The entry"), ...problems(400, 409) },
});

export const updateExperience = route.authed({
  method: "patch",
  path: "/api/volunteer/experiences/{id}",
  object: "volunteer_experience",
  summary: "Edit an entry of your resume",
  description:
    "Any subset of the fields; the dates are checked against the stored ones (400 `ended_before_started`). An entry " +
    "of someone else's resume is a 404.",
  request: { params: IdParam, body: jsonBody(UpdateExperienceBody) },
  responses: { 200: jsonContent(ExperienceSchema, "The entry as edited"), ...problems(400, 404) },
});

export const deleteExperience = route.authed({
  method: "delete",
  path: "/api/volunteer/experiences/{id}",
  object: "volunteer_experience",
  summary: "Remove an entry of your resume",
  description: "An entry of someone else's resume is a 404.",
  request: { params: IdParam },
  responses: { 204: { description: "Removed" }, ...problems(400, 404) },
});
