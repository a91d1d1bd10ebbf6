// The module's public surface: other modules import only from here (a lint rule says so).
// Verbs and fragments come first, so that modules importing each other find them evaluated
// before the router pulls in handlers.
/** What every domain calls to notify someone (see notify.service.ts for the rules). */
export {
  NOTIFICATION_TYPES,
  notification,
  notificationCounts,
  notificationCtes,
  notify,
  type Recipients,
  type NotificationType,
  type NotifyInput,
  type NotifyOptions,
  type NotifyResult,
} from "./notify.service";
/** Who was just notified, for the live channels (src/modules/live). */
export { NOTIFICATION_WRITE_MARK, notificationsChanged, watchNotifications, type NotificationWatch } from "./notify.watch";
/** A dancer's notifications changed since a point, and their unread count: what a live channel pushes. */
export {
  notificationChanges,
  notificationChangesStatement,
  toNotificationChanges,
  type NotificationChanges,
  type NotificationChangesInput,
} from "./notifications.service";
export type { NotificationView } from "./notifications.schemas";
/** What the email job renders a queued notification email with. */
export { NOTIFICATION_TEMPLATE, renderNotificationEmail, type NotificationEmailData } from "./notifications.emails";

import { createRouter } from "../../lib/openapi";
import * as handlers from "./notifications.handlers";
import * as routes from "./notifications.routes";

/** The caller's notifications: list, unread count, mark read. */
export const notificationsRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.unreadCount, handlers.unreadCount)
  .openapi(routes.markRead, handlers.markRead)
  .openapi(routes.markAllRead, handlers.markAllRead);
