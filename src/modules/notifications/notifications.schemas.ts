import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../lib/pagination";

/** The actor as a notification shows them: a public card, nothing private. */
export const NotificationActorSchema = z
  .object({
    id: z.number().int(),
    username: z.string(),
    name: z.string(),
    profileImage: z.string().nullable(),
  })
  .openapi("NotificationActor");

export const NotificationSchema = z
  .object({
    id: z.number().int(),
    type: z.string().openapi({ example: "post_like" }),
    actor: NotificationActorSchema.nullable().openapi({ description: "Who did it; null for system notifications" }),
    subjectType: z.string().nullable().openapi({ example: "post" }),
    subjectId: z.number().int().nullable(),
    data: z.record(z.string(), z.unknown()),
    count: z.number().int().openapi({ description: "How many times this happened while unread" }),
    isRead: z.boolean(),
    readAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string().openapi({ description: "Latest activity; the list is ordered by it" }),
  })
  .openapi("Notification");

export type NotificationView = z.infer<typeof NotificationSchema>;

export const NotificationListQuery = PageQuery.extend({
  unreadOnly: z
    .enum(["true", "false"])
    .optional()
    .transform((value) => value === "true")
    .openapi({ description: "Only unread notifications", example: "true" }),
});

export const UnreadCountSchema = z
  .object({
    count: z.number().int().openapi({
      description: "Unread notifications (rows: repeats folded into one row count once), as the unreadOnly list shows them",
    }),
  })
  .openapi("UnreadCount");

export const ReadAllSchema = z
  .object({ updated: z.number().int().openapi({ description: "Notifications marked read by this call" }) })
  .openapi("NotificationsReadAll");
