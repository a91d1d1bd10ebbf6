// The module's public surface: other modules import only from here (a lint rule says so).

import { createRouter } from "../../lib/openapi";

/** Feature flags: admins manage them, every caller gets theirs evaluated. */
export const flagsRouter = createRouter();
