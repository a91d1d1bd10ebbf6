// The module's public surface: other modules import only from here (a lint rule says so).

import { createRouter } from "../../lib/openapi";

/** Life CEO: the 16 domains, goals, milestones, tasks, recommendations and the dashboard. */
export const lifeCeoRouter = createRouter();
