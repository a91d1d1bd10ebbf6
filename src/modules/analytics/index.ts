// The module's public surface: other modules import only from here (a lint rule says so).

import { createRouter } from "../../lib/openapi";

/** Client analytics events in, daily platform figures out. */
export const analyticsRouter = createRouter();
