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
