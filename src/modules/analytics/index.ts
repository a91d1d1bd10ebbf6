// The module's public surface: other modules import only from here (a lint rule says so).
// Verbs come first, so that modules importing each other find them evaluated before the
// router pulls in handlers.
export { EVENT_RETENTION_DAYS, pruneEvents, rollUpDay } from "./analytics.service";
export { addDays, utcDay } from "./analytics.policy";

import { bodyLimit } from "hono/body-limit";
import { AppError } from "../../lib/errors";
import { createRouter } from "../../lib/openapi";
import * as handlers from "./analytics.handlers";
import * as routes from "./analytics.routes";
import { ANALYTICS_LIMITS } from "./analytics.schemas";

const router = createRouter();

// Each batch counts against the sender's limit first; a batch is small: its own cap, far under
// the app's 1 MiB, refused before the body is read.
router.use(
  routes.EVENTS_PATH,
  handlers.limitBatches,
  bodyLimit({
    maxSize: ANALYTICS_LIMITS.bodyBytes,
    onError: () => {
      throw new AppError(413, "batch_too_large", `A batch of events may be at most ${ANALYTICS_LIMITS.bodyBytes / 1024} KiB.`);
    },
  }),
);

/** Client analytics events in, daily platform figures out. */
export const analyticsRouter = router.openapi(routes.record, handlers.record).openapi(routes.stats, handlers.stats);
