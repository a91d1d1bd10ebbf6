// The module's public surface: other modules import only from here (a lint rule says so).

import { createRouter } from "../../lib/openapi";

/** Agents' own API keys, their health reports, and the health dashboard. */
export const agentHealthRouter = createRouter();
