// The module's public surface: other modules import only from here (a lint rule says so).
// Fragments come first, so that modules importing each other find them evaluated before the
// router pulls in handlers.
/** What every admin write folds into its statement: the audit row of that write. */
export { auditCte, auditRow, type AuditEntry } from "./audit.fragments";

import { createRouter } from "../../lib/openapi";
import * as handlers from "./audit.handlers";
import * as routes from "./audit.routes";

/** The audit log of admin writes: `GET /api/admin/audit`. */
export const auditRouter = createRouter().openapi(routes.list, handlers.list);
