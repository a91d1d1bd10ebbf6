// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions, schemas and verbs come first, so that modules importing each other find them
// evaluated before the router pulls in handlers.
export { accountUsable } from "./users.conditions";
export { suspendAccounts } from "./users.moderation";
export { profileAccess, type ProfileVisibility } from "./users.policy";
export { PrivateUserSchema, toPrivateUser, toUserCard, UserCardSchema, type UserCard } from "./users.schemas";
export { DEFAULT_SETTINGS, getSettings } from "./settings.service";
export type { SettingsView } from "./settings.schemas";

import { createRouter } from "../../lib/openapi";
import * as settingsHandlers from "./settings.handlers";
import * as settingsRoutes from "./settings.routes";
import * as handlers from "./users.handlers";
import * as routes from "./users.routes";

/** Profiles (as others see them, and edits by their owner) and each user's settings. */
export const usersRouter = createRouter()
  .openapi(settingsRoutes.getSettings, settingsHandlers.getSettings)
  .openapi(settingsRoutes.updateSettings, settingsHandlers.updateSettings)
  .openapi(routes.updateMe, handlers.updateMe)
  .openapi(routes.getProfile, handlers.getProfile);
