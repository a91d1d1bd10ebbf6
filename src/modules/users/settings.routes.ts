import { jsonBody, jsonContent, problems } from "../../lib/openapi";
import { moduleRoutes } from "../../lib/routes";
import { SettingsSchema, UpdateSettingsBody } from "./settings.schemas";

const route = moduleRoutes("Users");

export const getSettings = route.authed({
  method: "get",
  path: "/api/users/me/settings",
  summary: "The caller's settings (the defaults until one is changed)",
  responses: { 200: jsonContent(SettingsSchema, "The caller's settings") },
});

export const updateSettings = route.authed({
  method: "patch",
  path: "/api/users/me/settings",
  summary: "Change some of the caller's settings",
  description:
    "Settings not given are kept. `notificationPreferences` and `emailPreferences` are merged into " +
    "the stored ones (per notification type, per channel). At most 50 notification types in all.",
  request: { body: jsonBody(UpdateSettingsBody) },
  responses: { 200: jsonContent(SettingsSchema, "The settings, as changed"), ...problems(400, 415) },
});
