import { createRoute } from "@hono/zod-openapi";
import { jsonBody, jsonContent, problems } from "../../lib/openapi";
import { requireAuth } from "../../middleware/auth";
import {
  TwoFactorDisableBody,
  TwoFactorEnableBody,
  TwoFactorEnabledSchema,
  TwoFactorSetupBody,
  TwoFactorSetupSchema,
} from "./auth.schemas";

const tags = ["Two-factor authentication"];
const security = [{ bearerAuth: [] }];

export const setup = createRoute({
  method: "post",
  path: "/api/auth/2fa/setup",
  tags,
  summary: "Start TOTP set-up: a secret and an otpauth URL",
  description:
    "Needs the current password. Nothing changes for logins until /2fa/enable confirms a code. The owner is emailed.",
  security,
  middleware: [requireAuth] as const,
  request: { body: jsonBody(TwoFactorSetupBody) },
  responses: { 200: jsonContent(TwoFactorSetupSchema, "The new secret"), ...problems(400, 401, 409, 429) },
});

export const enable = createRoute({
  method: "post",
  path: "/api/auth/2fa/enable",
  tags,
  summary: "Turn TOTP on with the password and a valid code; returns 10 single-use backup codes",
  description: "The owner is emailed.",
  security,
  middleware: [requireAuth] as const,
  request: { body: jsonBody(TwoFactorEnableBody) },
  responses: { 200: jsonContent(TwoFactorEnabledSchema, "On, with backup codes (shown once)"), ...problems(400, 401, 409, 429) },
});

export const disable = createRoute({
  method: "post",
  path: "/api/auth/2fa/disable",
  tags,
  summary: "Turn TOTP off (password and a code or backup code)",
  description: "The owner is emailed.",
  security,
  middleware: [requireAuth] as const,
  request: { body: jsonBody(TwoFactorDisableBody) },
  responses: { 204: { description: "Off" }, ...problems(400, 401, 409, 429) },
});
