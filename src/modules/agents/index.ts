// The module's public surface: other modules import only from here (a lint rule says so).

import { createRouter } from "../../lib/openapi";

/** The ESA agent registry (CRUD, hierarchy, life cycle), agent tasks, messages between agents and validation checks. */
export const agentsRouter = createRouter();
