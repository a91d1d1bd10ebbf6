// The module's public surface: other modules import only from here (a lint rule says so).

import { createRouter } from "../../lib/openapi";

/** Travel: published trips and the trip planner (`GET /api/travel`). */
export const travelRouter = createRouter();
