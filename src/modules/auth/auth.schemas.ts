import { z } from "@hono/zod-openapi";
import { isPrintableAscii, singleLine } from "../../lib/text";
import { PrivateUserSchema } from "../users";

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 100;

export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email())
  .openapi({ example: "ana@example.com" });

export const Username = z
  .string()
  .trim()
  .min(3)
  .max(30)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.]*$/, "Letters, digits, '_' and '.', starting with a letter or digit")
  .openapi({ example: "ana_tanguera" });

export const Password = z
  .string()
  .min(PASSWORD_MIN, `At least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `At most ${PASSWORD_MAX} characters`)
  .openapi({ example: "milonga-2026" });

/** A 6-digit TOTP code, or one of the 10 backup codes (`abcde-fghij`). */
export const SecondFactorCode = z
  .string()
  .trim()
  .regex(/^(\d{6}|[A-Za-z0-9]{5}-?[A-Za-z0-9]{5})$/, "A 6-digit code or a backup code")
  .openapi({ example: "123456" });

/**
 * Where the refresh token goes: in the JSON body (bearer clients, the default) or in the
 * `mt_refresh` httpOnly cookie (the web app, which must then send a same-origin `Origin`).
 */
export const RefreshTransport = z
  .enum(["body", "cookie"])
  .optional()
  .openapi({
    description:
      'Where to deliver the refresh token. `"body"` (default): in `refreshToken`. `"cookie"`: in the `mt_refresh` cookie ' +
      "(HttpOnly; Secure; SameSite=Strict; Path=/api/auth) and left out of the body; the request must carry an `Origin` " +
      "header equal to the API's own origin, else 403 `cross_origin_cookie`.",
    example: "body",
  });

export const RegisterBody = z
  .object({
    email: Email,
    username: Username,
    password: Password,
    name: singleLine(100, 1).openapi({ example: "Ana Fernandez" }),
    refreshTransport: RefreshTransport,
  })
  .openapi("RegisterRequest");

export const LoginBody = z
  .object({
    login: singleLine(254, 1)
      .refine(isPrintableAscii, "An email or username: ASCII letters, digits and punctuation")
      .openapi({ description: "Email or username (ASCII; case-insensitive)", example: "ana_tanguera" }),
    password: z.string().min(1).max(PASSWORD_MAX),
    totp: SecondFactorCode.optional(),
    refreshTransport: RefreshTransport,
  })
  .openapi("LoginRequest");

/** A refresh token as given out: 32 random bytes, base64url (anything far off is refused unread). */
export const RefreshToken = z.string().min(16).max(200);

export const RefreshBody = z
  .object({
    refreshToken: RefreshToken.optional().openapi({
      description: "The refresh token. Left out: the `mt_refresh` cookie is the token, and the reply is in cookie mode.",
    }),
    refreshTransport: RefreshTransport,
  })
  .openapi("RefreshRequest");

export const LogoutBody = z
  .object({
    refreshToken: RefreshToken.optional().openapi({
      description: "The refresh token of the session to end. Left out: the `mt_refresh` cookie's session is ended and the cookie cleared.",
    }),
  })
  .openapi("LogoutRequest");

export const TokenPairSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string().optional().openapi({
      description: 'Always present for bearer clients; left out with `refreshTransport: "cookie"` (the token is in the `mt_refresh` cookie).',
    }),
    tokenType: z.literal("Bearer"),
    expiresIn: z.number().int().openapi({ description: "Access token lifetime in seconds" }),
  })
  .openapi("TokenPair");

export const AuthResultSchema = TokenPairSchema.extend({ user: PrivateUserSchema }).openapi("AuthResult");

export const TokenBody = z.object({ token: z.string().min(16).max(200) }).openapi("EmailTokenRequest");

export const ForgotPasswordBody = z.object({ email: Email }).openapi("ForgotPasswordRequest");

export const ResetPasswordBody = z.object({ token: z.string().min(16).max(200), password: Password }).openapi("ResetPasswordRequest");

/** Only usernames: whether an email has an account is never told (forgot-password answers the same either way). */
export const AvailabilityQuery = z.strictObject({ username: Username });

export const AvailabilitySchema = z.object({ available: z.boolean() }).openapi("Availability");

export const AcceptedSchema = z.object({ accepted: z.literal(true) }).openapi("Accepted");

export const TwoFactorSetupSchema = z
  .object({
    secret: z.string().openapi({ description: "Base32 secret, for manual entry" }),
    otpauthUrl: z.string().openapi({ description: "otpauth:// URL for authenticator apps (QR code)" }),
  })
  .openapi("TwoFactorSetup");

/** The current password: every 2FA change needs it, so a stolen access token alone cannot. */
const CurrentPassword = z.string().min(1).max(PASSWORD_MAX).openapi({ description: "The account's current password" });

export const TwoFactorSetupBody = z.object({ password: CurrentPassword }).openapi("TwoFactorSetupRequest");

export const TwoFactorEnableBody = z
  .object({ password: CurrentPassword, code: z.string().trim().regex(/^\d{6}$/, "A 6-digit code") })
  .openapi("TwoFactorEnableRequest");

export const TwoFactorEnabledSchema = z
  .object({ enabled: z.literal(true), backupCodes: z.array(z.string()).length(10) })
  .openapi("TwoFactorEnabled");

export const TwoFactorDisableBody = z.object({ password: CurrentPassword, code: SecondFactorCode }).openapi("TwoFactorDisableRequest");

export const SessionSchema = z
  .object({
    id: z.uuid(),
    createdAt: z.string(),
    lastUsedAt: z.string(),
    expiresAt: z.string(),
    userAgent: z.string().nullable(),
    current: z.boolean(),
  })
  .openapi("Session");

export const SessionIdParam = z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) });
