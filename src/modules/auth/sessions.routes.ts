import { createRoute } from "@hono/zod-openapi";
import { jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { requireAuth } from "../../middleware/auth";
import { SessionIdParam, SessionSchema } from "./auth.schemas";

const tags = ["Auth"];
const security = [{ bearerAuth: [] }];

export const list = createRoute({
  method: "get",
  path: "/api/auth/sessions",
  tags,
  summary: "The caller's active sessions (logins), newest first",
  security,
  middleware: [requireAuth] as const,
  request: { query: PageQuery },
  responses: { 200: jsonContent(pageSchema(SessionSchema), "A page of sessions"), ...problems(400, 401) },
});

export const revoke = createRoute({
  method: "delete",
  path: "/api/auth/sessions/{id}",
  tags,
  summary: "End one of the caller's sessions",
  security,
  middleware: [requireAuth] as const,
  request: { params: SessionIdParam },
  responses: { 204: { description: "Ended" }, ...problems(400, 401, 404) },
});
