import { IdParam, jsonContent, optionalJsonBody, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { StudentRequestBody } from "./directory.input";
import { MyTeacherSchema, StudentLinkSchema } from "./students.schemas";

const route = moduleRoutes("Teachers' students");

export const request = route.authed({
  method: "post",
  path: "/api/teachers/{id}/students",
  object: "teacher",
  summary: "Say you study with a teacher",
  description:
    "201 with a pending request, and the teacher is notified (`student_request`); asking again answers the same " +
    "request (200, whatever its status: a rejected one stays rejected until the teacher approves it). Never your own " +
    "profile (400 `cannot_study_with_self`). A teacher the caller may not see is a 404.",
  request: { params: IdParam, body: optionalJsonBody(StudentRequestBody) },
  responses: {
    200: jsonContent(StudentLinkSchema, "The request as it already was"),
    201: jsonContent(StudentLinkSchema, "The request"),
    ...problems(400, 404),
  },
});

export const list = route.viewer({
  method: "get",
  path: "/api/teachers/{id}/students",
  object: "teacher",
  summary: "A teacher's students",
  description:
    "By cursor, highest student id first. Approved students for everybody; the teacher sees the pending requests too. " +
    "A teacher the caller may not see is a 404.",
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(StudentLinkSchema), "A page of students"), ...problems(400, 404) },
});

const parties = "A request the caller is neither the student nor the teacher of is a 404.";

export const approve = route.authed({
  method: "post",
  path: "/api/teacher-students/{id}/approve",
  object: "teacher_student",
  summary: "Approve a student (the teacher)",
  description:
    "The request (pending or rejected) becomes approved, the teacher's `studentCount` goes up by one in the same " +
    "statement (approving twice, also at once, counts one) and the student is notified (`student_approved`). " +
    `The student is 403 \`not_the_teacher\`. ${parties}`,
  request: { params: IdParam },
  responses: { 200: jsonContent(StudentLinkSchema, "The approved student"), ...problems(400, 403, 404) },
});

export const reject = route.authed({
  method: "post",
  path: "/api/teacher-students/{id}/reject",
  object: "teacher_student",
  summary: "Reject a request (the teacher)",
  description:
    "A pending request becomes rejected (again: no change); an approved student is ended with DELETE instead (409 " +
    `\`student_not_pending\`). The student is 403 \`not_the_teacher\`. ${parties}`,
  request: { params: IdParam },
  responses: { 200: jsonContent(StudentLinkSchema, "The rejected request"), ...problems(400, 403, 404, 409) },
});

export const end = route.authed({
  method: "delete",
  path: "/api/teacher-students/{id}",
  object: "teacher_student",
  summary: "End it (the student or the teacher)",
  description: `The request or the approved link goes; an approved one leaves \`studentCount\` one lower, in the same statement. ${parties}`,
  request: { params: IdParam },
  responses: { 204: { description: "Ended" }, ...problems(400, 404) },
});

export const mine = route.authed({
  method: "get",
  path: "/api/users/me/teachers",
  summary: "The teachers you said you study with",
  description: "Every status (pending, approved, rejected), newest request first, by cursor; teachers the caller may not see are left out.",
  request: { query: PageQuery },
  responses: { 200: jsonContent(pageSchema(MyTeacherSchema), "A page of your teachers"), ...problems(400) },
});
