import { jsonContent, problems } from "../../lib/openapi";
import { moduleRoutes } from "../../lib/routes";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { SessionIdParam, SessionSchema } from "./auth.schemas";

const route = moduleRoutes("Auth");

export const list = route.authed({
  method: "get",
  path: "/api/auth/sessions",
  summary: "The caller's active sessions (logins), newest first",
  request: { query: PageQuery },
  responses: { 200: jsonContent(pageSchema(SessionSchema), "A page of sessions"), ...problems(400) },
});

export const revoke = route.authed({
  method: "delete",
  path: "/api/auth/sessions/{id}",
  object: "session",
  summary: "End one of the caller's sessions",
  request: { params: SessionIdParam },
  responses: { 204: { description: "Ended" }, ...problems(400, 404) },
});
