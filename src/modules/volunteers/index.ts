// The module's public surface: other modules import only from here (a lint rule says so).

import { createRouter } from "../../lib/openapi";

/** Volunteers: profiles, tasks, matching, applications, check-in and hours. */
export const volunteersRouter = createRouter();
