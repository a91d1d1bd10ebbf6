import { createRoute } from "@hono/zod-openapi";
import { IdParam, jsonContent, problems } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { requireAuth } from "../../middleware/auth";
import { NotificationListQuery, NotificationSchema, ReadAllSchema, UnreadCountSchema } from "./notifications.schemas";

const tags = ["Notifications"];
const security = [{ bearerAuth: [] }];

export const list = createRoute({
  method: "get",
  path: "/api/notifications",
  tags,
  summary: "The caller's notifications, newest activity first",
  description:
    "Repeats of one event (same type, subject and actor) fold into one unread notification whose `count` grows " +
    "and which moves to the top. Notifications from a user blocked either way are not listed.",
  security,
  middleware: [requireAuth] as const,
  request: { query: NotificationListQuery },
  responses: { 200: jsonContent(pageSchema(NotificationSchema), "A page of notifications"), ...problems(400, 401) },
});

export const unreadCount = createRoute({
  method: "get",
  path: "/api/notifications/unread-count",
  tags,
  summary: "How many notifications are unread (the badge)",
  description: "Counts notifications, not events: a notification with `count: 3` counts once.",
  security,
  middleware: [requireAuth] as const,
  responses: { 200: jsonContent(UnreadCountSchema, "The unread count"), ...problems(401) },
});

export const markRead = createRoute({
  method: "post",
  path: "/api/notifications/{id}/read",
  tags,
  summary: "Mark one notification read",
  description:
    "Idempotent: an already read notification answers 204 too. Another user's notification is a 404. " +
    "A repeat of the event after this starts a new notification.",
  security,
  middleware: [requireAuth] as const,
  request: { params: IdParam },
  responses: { 204: { description: "Read" }, ...problems(400, 401, 404) },
});

export const markAllRead = createRoute({
  method: "post",
  path: "/api/notifications/read-all",
  tags,
  summary: "Mark every notification read",
  security,
  middleware: [requireAuth] as const,
  responses: { 200: jsonContent(ReadAllSchema, "How many were marked read"), ...problems(401) },
});
