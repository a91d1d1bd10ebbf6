import { createRoute } from "@hono/zod-openapi";
import { jsonBody, jsonContent, problems } from "../../lib/openapi";
import { requireAuth } from "../../middleware/auth";
import { AcceptedSchema, ForgotPasswordBody, ResetPasswordBody, TokenBody } from "./auth.schemas";

const tags = ["Auth"];

export const verifyEmail = createRoute({
  method: "post",
  path: "/api/auth/verify-email",
  tags,
  summary: "Confirm an email address with the token from the verification email",
  request: { body: jsonBody(TokenBody) },
  responses: { 204: { description: "Verified" }, ...problems(400, 429) },
});

export const resendVerification = createRoute({
  method: "post",
  path: "/api/auth/verify-email/resend",
  tags,
  summary: "Send the verification email again",
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth] as const,
  responses: { 202: jsonContent(AcceptedSchema, "Queued"), ...problems(401, 409, 429) },
});

export const forgotPassword = createRoute({
  method: "post",
  path: "/api/auth/forgot-password",
  tags,
  summary: "Email a password reset link",
  description: "Answers 202 whether or not an account has this address.",
  request: { body: jsonBody(ForgotPasswordBody) },
  responses: { 202: jsonContent(AcceptedSchema, "Queued if the account exists"), ...problems(400, 429) },
});

export const resetPassword = createRoute({
  method: "post",
  path: "/api/auth/reset-password",
  tags,
  summary: "Set a new password with the token from the reset email",
  description: "Ends every session of the account.",
  request: { body: jsonBody(ResetPasswordBody) },
  responses: { 204: { description: "Password changed" }, ...problems(400, 429) },
});
