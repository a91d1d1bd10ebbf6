import { eq, sql } from "drizzle-orm";
import { userSettings, type SelectUserSettings } from "../../../drizzle/schema";
import type { ActorCtx, Ctx } from "../../lib/context";
import { badRequest } from "../../lib/errors";
import { isoUtc } from "../../lib/time";
import {
  MAX_NOTIFICATION_TYPES,
  type EmailPreferences,
  type NotificationPreferences,
  type SettingsView,
  type UpdateSettingsInput,
} from "./settings.schemas";

/** What a user without a user_settings row has. */
export const DEFAULT_SETTINGS: SettingsView = {
  profileVisibility: "public",
  messagePermission: "everyone",
  notificationPreferences: {},
  emailPreferences: {},
  updatedAt: null,
};

function toView(row: SelectUserSettings): SettingsView {
  return {
    profileVisibility: row.profileVisibility as SettingsView["profileVisibility"],
    messagePermission: row.messagePermission as SettingsView["messagePermission"],
    notificationPreferences: row.notificationPreferences as NotificationPreferences,
    emailPreferences: row.emailPreferences as EmailPreferences,
    updatedAt: isoUtc(row.updatedAt),
  };
}

/**
 * A user's effective settings: their row, or the defaults when they never changed any.
 *
 * @example
 * const { messagePermission } = await getSettings(ctx, { userId: recipientId });
 */
export async function getSettings({ db }: Ctx, input: { userId: number }): Promise<SettingsView> {
  const [row] = await db.select().from(userSettings).where(eq(userSettings.userId, input.userId));
  return row ? toView(row) : DEFAULT_SETTINGS;
}

/**
 * Each notification type given replaces only the channels it names (`{email: false}` keeps
 * `inApp`), so the merge goes one level into the jsonb; anything stored that is not an
 * object under a type is replaced.
 */
const mergedNotifications = sql`${userSettings.notificationPreferences} || coalesce((
  SELECT jsonb_object_agg(given.key,
    CASE WHEN jsonb_typeof(${userSettings.notificationPreferences} -> given.key) = 'object'
      THEN ${userSettings.notificationPreferences} -> given.key ELSE '{}'::jsonb END || given.value)
  FROM jsonb_each(excluded.notification_preferences) AS given), '{}'::jsonb)`;

/**
 * Changes the settings given and keeps the others, in one upsert. The cap on notification
 * types applies to the merged result, so it cannot be passed by adding types 50 at a time.
 */
export async function updateSettings({ db, actor }: ActorCtx, input: UpdateSettingsInput): Promise<SettingsView> {
  const [row] = await db
    .insert(userSettings)
    .values({
      userId: actor.id,
      profileVisibility: input.profileVisibility,
      messagePermission: input.messagePermission,
      notificationPreferences: input.notificationPreferences ?? {},
      emailPreferences: input.emailPreferences ?? {},
    })
    .onConflictDoUpdate({
      target: userSettings.userId,
      set: {
        ...(input.profileVisibility ? { profileVisibility: input.profileVisibility } : {}),
        ...(input.messagePermission ? { messagePermission: input.messagePermission } : {}),
        notificationPreferences: mergedNotifications,
        emailPreferences: sql`${userSettings.emailPreferences} || excluded.email_preferences`,
        updatedAt: sql`now()`,
      },
      setWhere: sql`(SELECT count(*) FROM jsonb_object_keys(${mergedNotifications})) <= ${MAX_NOTIFICATION_TYPES}`,
    })
    .returning();
  if (!row) {
    throw badRequest(
      "too_many_notification_types",
      `At most ${MAX_NOTIFICATION_TYPES} notification types can have preferences.`,
    );
  }
  return toView(row);
}
