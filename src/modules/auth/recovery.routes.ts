import { jsonBody, jsonContent, problems } from "../../lib/openapi";
import { moduleRoutes } from "../../lib/routes";
import { AcceptedSchema, ForgotPasswordBody, ResetPasswordBody, TokenBody } from "./auth.schemas";

const route = moduleRoutes("Auth");

export const verifyEmail = route.public({
  method: "post",
  path: "/api/auth/verify-email",
  summary: "Confirm an email address with the token from the verification email",
  request: { body: jsonBody(TokenBody) },
  responses: { 204: { description: "Verified" }, ...problems(400, 429) },
});

export const resendVerification = route.authed({
  method: "post",
  path: "/api/auth/verify-email/resend",
  summary: "Send the verification email again",
  responses: { 202: jsonContent(AcceptedSchema, "Queued"), ...problems(409, 429) },
});

export const forgotPassword = route.public({
  method: "post",
  path: "/api/auth/forgot-password",
  summary: "Email a password reset link",
  description: "Answers 202 whether or not an account has this address.",
  request: { body: jsonBody(ForgotPasswordBody) },
  responses: { 202: jsonContent(AcceptedSchema, "Queued if the account exists"), ...problems(400, 429) },
});

export const resetPassword = route.public({
  method: "post",
  path: "/api/auth/reset-password",
  summary: "Set a new password with the token from the reset email",
  description: "Ends every session of the account.",
  request: { body: jsonBody(ResetPasswordBody) },
  responses: { 204: { description: "Password changed" }, ...problems(400, 429) },
});
