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

export function verificationEmail(appUrl: string, token: string): EmailContent {
  const href = `${appUrl}/verify-email?token=${encodeURIComponent(token)}`;
  const lines = [
    "Welcome to Mundo Tango!",
    `Confirm your email address to finish setting up your account. The link works for ${VERIFY_EMAIL_TTL_HOURS} hours.`,
  ];
  return {
    template: "verify_email",
    subject: "Confirm your email for Mundo Tango",
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
    subject: "Reset your Mundo Tango password",
    text: `${lines.join("\n\n")}\n\n${href}\n`,
    html: layout("Reset your password", lines, { href, label: "Choose a new password" }),
  };
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
