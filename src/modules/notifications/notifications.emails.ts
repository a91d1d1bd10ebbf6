/**
 * The email sent for a notification when the recipient asked for one. The actor's name is
 * only known inside the notify statement, so templates carry the {@link ACTOR} placeholder
 * and SQL fills it in (escaped for the HTML body).
 */
export const ACTOR = "{{actor}}";

/** `email_queue.template` of every notification email (the daily cap counts these). */
export const NOTIFICATION_TEMPLATE = "notification";

export interface NotificationEmail {
  subject: string;
  text: string;
  html: string;
}

type Data = Record<string, unknown>;

/** A short, single-line string from `data`, or the fallback (a subject never spans lines). */
function field(data: Data, key: string, fallback: string): string {
  const value = data[key];
  if (typeof value !== "string") return fallback;
  // eslint-disable-next-line no-control-regex
  const line = value.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, " ").trim().slice(0, 120);
  return line || fallback;
}

const HEADLINES: Record<string, (data: Data) => string> = {
  friend_request: () => `${ACTOR} sent you a friend request`,
  friend_accepted: () => `${ACTOR} accepted your friend request`,
  new_follower: () => `${ACTOR} started following you`,
  post_like: () => `${ACTOR} liked your post`,
  post_comment: () => `${ACTOR} commented on your post`,
  mention: () => `${ACTOR} mentioned you`,
  event_rsvp: (data) => `${ACTOR} is coming to ${field(data, "eventTitle", "your event")}`,
  event_reminder: (data) => `Reminder: ${field(data, "eventTitle", "your event")} is coming up`,
  message: () => `${ACTOR} sent you a message`,
  role_changed: (data) => `Your Mundo Tango role is now ${field(data, "role", "updated")}`,
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Subject and bodies for a notification email; unknown types get a generic headline. The
 * subject quotes the actor's name, so a name reads as a name and not as part of the sentence
 * (names are single-line: validation refuses control characters and line breaks in them).
 *
 * @example
 * notificationEmail("post_like", {}, "https://mundotango.life").subject; // "\"{{actor}}\" liked your post"
 */
export function notificationEmail(type: string, data: Data, appUrl: string): NotificationEmail {
  const headline = HEADLINES[type]?.(data) ?? "You have a new notification on Mundo Tango";
  const subject = headline.replaceAll(ACTOR, `"${ACTOR}"`);
  const link = `${appUrl}/notifications`;
  const settings = `${appUrl}/settings/notifications`;
  const footer = "You get this email because you asked for it in your notification settings.";
  return {
    subject,
    text: `${headline}.\n\nSee it on Mundo Tango: ${link}\n\n${footer} Change them at ${settings}\n`,
    html: [
      `<!doctype html><html><body style="font-family:sans-serif;max-width:560px;margin:auto">`,
      `<p style="font-size:16px">${escapeHtml(headline)}.</p>`,
      `<p><a href="${escapeHtml(link)}">See it on Mundo Tango</a></p>`,
      `<p style="color:#666;font-size:12px">${escapeHtml(footer)} `,
      `<a href="${escapeHtml(settings)}">Change them</a>.</p>`,
      `</body></html>`,
    ].join(""),
  };
}
