import { jsonBody, jsonContent, problems } from "../../lib/openapi";
import { moduleRoutes } from "../../lib/routes";
import {
  TwoFactorDisableBody,
  TwoFactorEnableBody,
  TwoFactorEnabledSchema,
  TwoFactorSetupBody,
  TwoFactorSetupSchema,
} from "./auth.schemas";

const route = moduleRoutes("Two-factor authentication");

export const setup = route.authed({
  method: "post",
  path: "/api/auth/2fa/setup",
  summary: "Start TOTP set-up: a secret and an otpauth URL",
  description:
    "Needs the current password. Nothing changes for logins until /2fa/enable confirms a code. The owner is emailed.",
  request: { body: jsonBody(TwoFactorSetupBody) },
  responses: { 200: jsonContent(TwoFactorSetupSchema, "The new secret"), ...problems(400, 409, 429) },
});

export const enable = route.authed({
  method: "post",
  path: "/api/auth/2fa/enable",
  summary: "Turn TOTP on with the password and a valid code; returns 10 single-use backup codes",
  description: "The owner is emailed.",
  request: { body: jsonBody(TwoFactorEnableBody) },
  responses: { 200: jsonContent(TwoFactorEnabledSchema, "On, with backup codes (shown once)"), ...problems(400, 409, 429) },
});

export const disable = route.authed({
  method: "post",
  path: "/api/auth/2fa/disable",
  summary: "Turn TOTP off (password and a code or backup code)",
  description: "The owner is emailed.",
  request: { body: jsonBody(TwoFactorDisableBody) },
  responses: { 204: { description: "Off" }, ...problems(400, 409, 429) },
});
