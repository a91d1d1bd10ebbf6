/**
 * The email sent for a notification when the recipient asked for one. Notify queues only
 * what the email is made of ({@link NotificationEmailData} in `email_queue.data`); the email
 * job renders it when it sends it, with the configured app address. Nothing is escaped in SQL.
 */

/** `email_queue.template` of every notification email (the daily cap counts these). */
export const NOTIFICATION_TEMPLATE = "notification";

export interface NotificationEmail {
  subject: string;
  text: string;
  html: string;
}

type Data = Record<string, unknown>;

/** What a queued notification email holds in `email_queue.data`. */
export interface NotificationEmailData {
  type: string;
  /** The actor's display name as it was when notified; null for a system notification. */
  actorName: string | null;
  data: Data;
}

const isRecord = (value: unknown): value is Data => typeof value === "object" && value !== null && !Array.isArray(value);

/** A short, single-line string, or the fallback (a subject never spans lines). */
function line(value: unknown, fallback: string, max = 120): string {
  if (typeof value !== "string") return fallback;
  // eslint-disable-next-line no-control-regex
  const text = value.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, " ").trim().slice(0, max);
  return text || fallback;
}

/** A headline: text and the actor's name, kept apart so the name can be quoted or escaped. */
type Headline = [before: string, actor: boolean, after: string];

const HEADLINES: Record<string, (data: Data) => Headline> = {
  friend_request: () => ["", true, " sent you a friend request"],
  friend_accepted: () => ["", true, " accepted your friend request"],
  new_follower: () => ["", true, " started following you"],
  post_like: () => ["", true, " liked your post"],
  post_comment: () => ["", true, " commented on your post"],
  comment_reply: () => ["", true, " replied to your comment"],
  comment_like: () => ["", true, " liked your comment"],
  post_share: () => ["", true, " shared your post"],
  mention: () => ["", true, " mentioned you"],
  event_rsvp: (data) => ["", true, ` is coming to ${line(data.eventTitle, "your event")}`],
  event_reminder: (data) => [`Reminder: ${line(data.eventTitle, "your event")} is coming up`, false, ""],
  event_series_cancelled: (data) => ["", true, ` cancelled the coming dates of ${line(data.eventTitle, "a series you go to")}`],
  event_cancelled: (data) => [`${line(data.eventTitle, "An event you were going to")} is cancelled`, false, ""],
  event_co_organizer: (data) => ["", true, ` made you a co-organizer of ${line(data.eventTitle, "an event")}`],
  event_review: (data) => ["", true, ` reviewed ${line(data.eventTitle, "your event")}`],
  event_waitlist_promoted: (data) => [`A seat opened for you at ${line(data.eventTitle, "an event")}`, false, ""],
  message: () => ["", true, " sent you a message"],
  group_join_request: () => ["", true, " asked to join a group you run"],
  group_join_approved: () => ["", true, " let you into their group"],
  booking_requested: (data) => ["", true, ` asked to stay at ${line(data.homeTitle, "your home")}`],
  booking_approved: (data) => ["", true, ` approved your stay at ${line(data.homeTitle, "their home")}`],
  booking_rejected: (data) => ["", true, ` declined your stay at ${line(data.homeTitle, "their home")}`],
  booking_cancelled: (data) => ["", true, ` cancelled their stay at ${line(data.homeTitle, "your home")}`],
  booking_completed: (data) => [`How was the stay at ${line(data.homeTitle, "your last stay")}? You can leave a review now`, false, ""],
  housing_review: () => ["", true, " reviewed your stay"],
  student_request: () => ["", true, " says they study with you"],
  student_approved: () => ["", true, " confirmed you as their student"],
  teacher_review: () => ["", true, " reviewed your classes"],
  venue_review: (data) => ["", true, ` reviewed ${line(data.venueName, "your venue")}`],
  volunteer_application: (data) => ["", true, ` offered to help with ${line(data.taskTitle, "your task")}`],
  volunteer_accepted: (data) => ["", true, ` accepted your help with ${line(data.taskTitle, "a task")}`],
  volunteer_declined: (data) => ["", true, ` declined your offer to help with ${line(data.taskTitle, "a task")}`],
  volunteer_task_cancelled: (data) => [`${line(data.taskTitle, "A task you help with")} is cancelled`, false, ""],
  friend_trip: (data) => ["", true, ` is coming to ${line(data.city, "your city")}`],
  role_changed: (data) => [`Your Mundo Tango role is now ${line(data.role, "updated")}`, false, ""],
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Subject and bodies for a notification email; unknown types get a generic headline. The
 * subject quotes the actor's name, so a name reads as a name and not as part of the sentence;
 * the name is made single-line (even from a legacy row) and escaped in the HTML body.
 *
 * @example
 * notificationEmail({ type: "post_like", actorName: "Ana", data: {} }, "https://mundotango.life").subject; // "\"Ana\" liked your post"
 */
export function notificationEmail(email: NotificationEmailData, appUrl: string): NotificationEmail {
  const actor = line(email.actorName, "Someone", 200);
  const [before, named, after] = HEADLINES[email.type]?.(email.data) ?? ["You have a new notification on Mundo Tango", false, ""];
  const name = (quote: string) => (named ? quote : "");
  const link = `${appUrl}/notifications`;
  const settings = `${appUrl}/settings/notifications`;
  const footer = "You get this email because you asked for it in your notification settings.";
  return {
    subject: `${before}${name(`"${actor}"`)}${after}`,
    text: `${before}${name(actor)}${after}.\n\nSee it on Mundo Tango: ${link}\n\n${footer} Change them at ${settings}\n`,
    html: [
      `<!doctype html><html><body style="font-family:sans-serif;max-width:560px;margin:auto">`,
      `<p style="font-size:16px">${escapeHtml(`${before}${name(actor)}${after}`)}.</p>`,
      `<p><a href="${escapeHtml(link)}">See it on Mundo Tango</a></p>`,
      `<p style="color:#666;font-size:12px">${escapeHtml(footer)} `,
      `<a href="${escapeHtml(settings)}">Change them</a>.</p>`,
      `</body></html>`,
    ].join(""),
  };
}

/**
 * The email a queued notification row stands for, rendered with the app's address; throws
 * when its `data` is not a {@link NotificationEmailData} (the job fails such a row).
 */
export function renderNotificationEmail(data: unknown, config: { APP_URL: string }): NotificationEmail {
  if (!isRecord(data) || typeof data.type !== "string" || !isRecord(data.data)) {
    throw new TypeError("queued notification email has no type or data");
  }
  const actorName = typeof data.actorName === "string" ? data.actorName : null;
  return notificationEmail({ type: data.type, actorName, data: data.data }, config.APP_URL);
}
