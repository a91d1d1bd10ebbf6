import { createRoute } from "@hono/zod-openapi";
import { jsonBody, jsonContent, problems } from "../../lib/openapi";
import { requireAuth } from "../../middleware/auth";
import { SettingsSchema, UpdateSettingsBody } from "./settings.schemas";

const tags = ["Users"];
const security = [{ bearerAuth: [] }];

export const getSettings = createRoute({
  method: "get",
  path: "/api/users/me/settings",
  tags,
  summary: "The caller's settings (the defaults until one is changed)",
  security,
  middleware: [requireAuth] as const,
  responses: { 200: jsonContent(SettingsSchema, "The caller's settings"), ...problems(401) },
});

export const updateSettings = createRoute({
  method: "patch",
  path: "/api/users/me/settings",
  tags,
  summary: "Change some of the caller's settings",
  description:
    "Settings not given are kept. `notificationPreferences` and `emailPreferences` are merged into " +
    "the stored ones (per notification type, per channel). At most 50 notification types in all.",
  security,
  middleware: [requireAuth] as const,
  request: { body: jsonBody(UpdateSettingsBody) },
  responses: { 200: jsonContent(SettingsSchema, "The settings, as changed"), ...problems(400, 401, 415) },
});
