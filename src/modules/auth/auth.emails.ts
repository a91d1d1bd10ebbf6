import { sql, type SQL } from "drizzle-orm";
import { decryptSecret, encryptSecret } from "../../lib/crypto";

/** The emails the auth flows send. Tokens appear only here, never in an API response. */
export interface EmailContent {
  template: string;
  subject: string;
  text: string;
  html: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function layout(title: string, paragraphs: string[], link: { href: string; label: string }): string {
  return [
    `<!doctype html><html><body style="font-family:sans-serif;max-width:560px;margin:auto">`,
    `<h1 style="font-size:20px">${escapeHtml(title)}</h1>`,
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>`,
    `</body></html>`,
  ].join("");
}

export const VERIFY_EMAIL_TTL_HOURS = 24;
export const RESET_PASSWORD_TTL_HOURS = 1;
const VERIFY_SUBJECT = "Confirm your email for Mundo Tango";
const RESET_SUBJECT = "Reset your Mundo Tango password";

export function verificationEmail(appUrl: string, token: string): EmailContent {
  const href = `${appUrl}/verify-email?token=${encodeURIComponent(token)}`;
  const lines = [
    "Welcome to Mundo Tango!",
    `Confirm your email address to finish setting up your account. The link works for ${VERIFY_EMAIL_TTL_HOURS} hours.`,
  ];
  return {
    template: "verify_email",
    subject: VERIFY_SUBJECT,
    text: `${lines.join("\n\n")}\n\n${href}\n`,
    html: layout("Confirm your email", lines, { href, label: "Confirm my email" }),
  };
}

export function passwordResetEmail(appUrl: string, token: string): EmailContent {
  const href = `${appUrl}/reset-password?token=${encodeURIComponent(token)}`;
  const lines = [
    "Someone (hopefully you) asked to reset your Mundo Tango password.",
    `The link works for ${RESET_PASSWORD_TTL_HOURS} hour and only once. If it was not you, ignore this email: your password stays as it is.`,
  ];
  return {
    template: "reset_password",
    subject: RESET_SUBJECT,
    text: `${lines.join("\n\n")}\n\n${href}\n`,
    html: layout("Reset your password", lines, { href, label: "Choose a new password" }),
  };
}

/** The account emails the queue renders at send time, by `email_queue.template`. */
export const ACCOUNT_EMAILS = {
  verify_email: { subject: VERIFY_SUBJECT, ttlHours: VERIFY_EMAIL_TTL_HOURS, render: verificationEmail },
  reset_password: { subject: RESET_SUBJECT, ttlHours: RESET_PASSWORD_TTL_HOURS, render: passwordResetEmail },
} as const;

export type AccountEmailTemplate = keyof typeof ACCOUNT_EMAILS;

/** The encryption purpose of the tokens queued account emails carry (see lib/crypto.ts). */
const LINK_PURPOSE = "email-link";

/**
 * An `email_queue` insert for an account email, one row per row of `source` (a CTE with
 * `id, email`, already filtered). The row holds no link: only the token encrypted with
 * ENCRYPTION_KEY, which the email job decrypts to render the email when it sends it, and
 * the token's expiry, after which the email is dropped rather than sent.
 */
export async function queueAccountEmail(
  template: AccountEmailTemplate,
  token: string,
  encryptionKey: string,
  source: SQL,
): Promise<SQL> {
  const { subject, ttlHours } = ACCOUNT_EMAILS[template];
  const data = { token: await encryptSecret(encryptionKey, LINK_PURPOSE, token) };
  return sql`
    INSERT INTO email_queue (user_id, to_email, template, subject, body_text, data, expires_at)
    SELECT id, email, ${template}, ${subject}, '', ${JSON.stringify(data)}::jsonb,
           now() + ${sql.raw(`interval '${ttlHours} hours'`)}
    FROM ${source}`;
}

/**
 * The email a queued account row stands for, rendered with the app's address and the
 * decrypted token; undefined when the row is not an account email with a token (a row
 * queued before links were encrypted carries its rendered body instead).
 */
export async function renderAccountEmail(
  row: { template: string; data: unknown },
  config: { APP_URL: string; ENCRYPTION_KEY: string },
): Promise<EmailContent | undefined> {
  const spec = ACCOUNT_EMAILS[row.template as AccountEmailTemplate] as (typeof ACCOUNT_EMAILS)[AccountEmailTemplate] | undefined;
  const sealed = (row.data as { token?: unknown } | null)?.token;
  if (!spec || typeof sealed !== "string") return undefined;
  return spec.render(config.APP_URL, await decryptSecret(config.ENCRYPTION_KEY, LINK_PURPOSE, sealed));
}

export type TwoFactorChange = "setup" | "enabled" | "disabled";

const TWO_FACTOR_CHANGES: Record<TwoFactorChange, { subject: string; line: string }> = {
  setup: {
    subject: "A new authenticator was set up for your Mundo Tango account",
    line: "A new two-factor authentication secret was created for your account. Two-factor sign-in turns on once a code from it is confirmed.",
  },
  enabled: {
    subject: "Two-factor authentication is now on for your Mundo Tango account",
    line: "Two-factor authentication was turned on for your account: logging in now needs a code from your authenticator app or a backup code.",
  },
  disabled: {
    subject: "Two-factor authentication was turned off for your Mundo Tango account",
    line: "Two-factor authentication was turned off for your account: logging in now needs only your password.",
  },
};

/** Tells the owner about every change to their two-factor authentication (it carries no secret). */
export function twoFactorChangedEmail(appUrl: string, change: TwoFactorChange): EmailContent {
  const href = `${appUrl}/settings/security`;
  const { subject, line } = TWO_FACTOR_CHANGES[change];
  const lines = [line, "If this was not you, reset your password now and review your active sessions."];
  return {
    template: `two_factor_${change}`,
    subject,
    text: `${lines.join("\n\n")}\n\n${href}\n`,
    html: layout("Your account's security changed", lines, { href, label: "Review my security settings" }),
  };
}

/** The `email_queue.template` of each two-factor notice, to its change. */
export const TWO_FACTOR_TEMPLATES = {
  two_factor_setup: "setup",
  two_factor_enabled: "enabled",
  two_factor_disabled: "disabled",
} as const satisfies Record<string, TwoFactorChange>;

/**
 * An `email_queue` insert of the owner's notice of a 2FA change, one row per row of
 * `source` (a FROM item with `id, email`). The row holds `data.change`, not a rendered
 * email: the email job renders it with `APP_URL` when it sends it.
 */
export function queueTwoFactorNotice(change: TwoFactorChange, source: SQL): SQL {
  const template = `two_factor_${change}`;
  return sql`
    INSERT INTO email_queue (user_id, to_email, template, subject, body_text, data)
    SELECT id, email, ${template}, ${TWO_FACTOR_CHANGES[change].subject}, '', ${JSON.stringify({ change })}::jsonb
    FROM ${source}`;
}

/**
 * The two-factor notice a queued row stands for (its template names the change), rendered
 * with the app's address; undefined when the template is not a two-factor notice.
 */
export function renderTwoFactorNotice(row: { template: string }, config: { APP_URL: string }): EmailContent | undefined {
  const change = (TWO_FACTOR_TEMPLATES as Record<string, TwoFactorChange | undefined>)[row.template];
  return change ? twoFactorChangedEmail(config.APP_URL, change) : undefined;
}
