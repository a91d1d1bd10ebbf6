import { IdParam, jsonContent, problems } from "../../lib/openapi";
import { moduleRoutes } from "../../lib/routes";
import { pageSchema } from "../../lib/pagination";
import { NotificationListQuery, NotificationSchema, ReadAllSchema, UnreadCountSchema } from "./notifications.schemas";

const route = moduleRoutes("Notifications");

export const list = route.authed({
  method: "get",
  path: "/api/notifications",
  summary: "The caller's notifications, newest activity first",
  description:
    "Repeats of one event (same type, subject and actor) fold into one unread notification whose `count` grows " +
    "and which moves to the top. Notifications from a user blocked either way are not listed.",
  request: { query: NotificationListQuery },
  responses: { 200: jsonContent(pageSchema(NotificationSchema), "A page of notifications"), ...problems(400) },
});

export const unreadCount = route.authed({
  method: "get",
  path: "/api/notifications/unread-count",
  summary: "How many notifications are unread (the badge)",
  description: "Counts notifications, not events: a notification with `count: 3` counts once.",
  responses: { 200: jsonContent(UnreadCountSchema, "The unread count") },
});

export const markRead = route.authed({
  method: "post",
  path: "/api/notifications/{id}/read",
  object: "notification",
  summary: "Mark one notification read",
  description:
    "Idempotent: an already read notification answers 204 too. Another user's notification is a 404. " +
    "A repeat of the event after this starts a new notification.",
  request: { params: IdParam },
  responses: { 204: { description: "Read" }, ...problems(400, 404) },
});

export const markAllRead = route.authed({
  method: "post",
  path: "/api/notifications/read-all",
  summary: "Mark every notification read",
  responses: { 200: jsonContent(ReadAllSchema, "How many were marked read") },
});
