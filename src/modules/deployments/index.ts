// The module's public surface: other modules import only from here (a lint rule says so).
// Verbs come first, so that modules importing each other find them evaluated before the
// router pulls in handlers.
export { purgeWebhookDeliveries, WEBHOOK_DELIVERY_RETENTION_MINUTES } from "./deliveries.service";

import { createRouter } from "../../lib/openapi";
import * as handlers from "./deployments.handlers";
import * as routes from "./deployments.routes";

/** Deployments reported by CI through a signed webhook, their list, and rollback records. */
export const deploymentsRouter = createRouter()
  .openapi(routes.webhook, handlers.webhook)
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get)
  .openapi(routes.rollback, handlers.rollback)
  .openapi(routes.cancel, handlers.cancel);
