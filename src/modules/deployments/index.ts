// The module's public surface: other modules import only from here (a lint rule says so).

import { createRouter } from "../../lib/openapi";

/** Deployments reported by CI through a signed webhook, their list, and rollback records. */
export const deploymentsRouter = createRouter();
