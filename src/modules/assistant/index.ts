// The module's public surface: other modules import only from here (a lint rule says so).

import { createRouter } from "../../lib/openapi";

/** The assistants' conversations: Mr. Blue, and the Life CEO domains' (streamed replies, tools, quota). */
export const assistantRouter = createRouter();
