import { jsonContent, problems } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { AuditEntrySchema, AuditQuery } from "./audit.schemas";

const admin = moduleRoutes("Admin");

export const list = admin.authed({
  method: "get",
  path: "/api/admin/audit",
  minLevel: 5,
  summary: "The audit log of admin writes, newest first",
  description:
    "Every admin write (agents, tasks, deployments, flags, role assignments...) with who wrote, what, the object " +
    "before and after (secrets left out) and when, recorded in the write's own statement. Filters combine: " +
    "`actorId`, `action`, `objectType`, `objectId`, and `from` (inclusive) / `to` (exclusive) as ISO date-times or dates.",
  request: { query: AuditQuery },
  responses: { 200: jsonContent(pageSchema(AuditEntrySchema), "A page of audit entries"), ...problems(400) },
});
