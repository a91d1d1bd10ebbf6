import { z } from "@hono/zod-openapi";
import { MESSAGE_PERMISSIONS, PROFILE_VISIBILITIES } from "../../../drizzle/identity";

export const MAX_NOTIFICATION_TYPES = 50;
export const EMAIL_DIGESTS = ["never", "daily", "weekly"] as const;

const NotificationChannels = z
  .strictObject({ inApp: z.boolean().optional(), email: z.boolean().optional() })
  .openapi("NotificationChannels");

const NotificationPreferences = z
  .record(z.string().regex(/^[a-z_]{1,64}$/, "A notification type: a-z and '_', at most 64"), NotificationChannels)
  .refine((prefs) => Object.keys(prefs).length <= MAX_NOTIFICATION_TYPES, `At most ${MAX_NOTIFICATION_TYPES} types`)
  .openapi({ description: "Per notification type, which channels deliver it", example: { post_like: { email: false } } });

const EmailPreferences = z
  .strictObject({
    digest: z.enum(EMAIL_DIGESTS).optional(),
    marketing: z.boolean().optional(),
    eventReminders: z.boolean().optional(),
  })
  .openapi("EmailPreferences");

export type NotificationPreferences = z.infer<typeof NotificationPreferences>;
export type EmailPreferences = z.infer<typeof EmailPreferences>;

export const SettingsSchema = z
  .object({
    profileVisibility: z.enum(PROFILE_VISIBILITIES),
    messagePermission: z.enum(MESSAGE_PERMISSIONS),
    notificationPreferences: NotificationPreferences,
    emailPreferences: EmailPreferences,
    updatedAt: z.string().nullable().openapi({ description: "null while every setting is the default" }),
  })
  .openapi("UserSettings");

export type SettingsView = z.infer<typeof SettingsSchema>;

export const UpdateSettingsBody = z
  .strictObject({
    profileVisibility: z.enum(PROFILE_VISIBILITIES).optional(),
    messagePermission: z.enum(MESSAGE_PERMISSIONS).optional(),
    notificationPreferences: NotificationPreferences.optional(),
    emailPreferences: EmailPreferences.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, "Give at least one setting to change")
  .openapi("UpdateSettingsRequest");

export type UpdateSettingsInput = z.infer<typeof UpdateSettingsBody>;
