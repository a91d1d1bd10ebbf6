import { createRouter } from "../../lib/openapi";
import * as settingsHandlers from "./settings.handlers";
import * as settingsRoutes from "./settings.routes";
import * as handlers from "./users.handlers";
import * as routes from "./users.routes";

export { DEFAULT_SETTINGS, getSettings } from "./settings.service";
export type { SettingsView } from "./settings.schemas";

/** Profiles (as others see them, and edits by their owner) and each user's settings. */
export const usersRouter = createRouter()
  .openapi(settingsRoutes.getSettings, settingsHandlers.getSettings)
  .openapi(settingsRoutes.updateSettings, settingsHandlers.updateSettings)
  .openapi(routes.updateMe, handlers.updateMe)
  .openapi(routes.getProfile, handlers.getProfile);
