import { type ReminderKey, sendDueReminders } from "../modules/events";
import type { Job } from "./job";

export const REMINDER_LIMITS = {
  /** Events per statement (each with all its dancers going): one short round trip. */
  chunk: 200,
  /**
   * Wall time per run: the job shares the minute's trigger with the email queue, which runs
   * after it (and sends the reminder emails it queued). What is left is due at the next run.
   */
  budgetMs: 20_000,
};

/**
 * Event reminders, every minute: each dancer going to a published event gets a notification
 * (and an email when they asked for one) 24 hours and 1 hour before its start, exactly once
 * each, across overlapping runs and retries (the events module's verb records each in
 * event_reminders in the statement that notifies). Events starting within 24 hours are taken
 * a chunk at a time by start time; at least one chunk runs per run, and `unfinished` is 1 when
 * the time budget ran out. Logs counts, never names or titles.
 */
export function createRemindersJob(limits = REMINDER_LIMITS): Job {
  return {
    name: "event-reminders",
    async run(ctx) {
      const started = Date.now();
      const counts = { events: 0, sent: 0, notified: 0, emailsQueued: 0, chunks: 0, unfinished: 0 };
      let after: ReminderKey | null = null;
      do {
        if (counts.chunks > 0 && Date.now() - started >= limits.budgetMs) return { ...counts, unfinished: 1 };
        const done = await sendDueReminders(ctx, { after, limit: limits.chunk });
        counts.events += done.events;
        counts.sent += done.sent;
        counts.notified += done.created + done.bumped;
        counts.emailsQueued += done.emailsQueued;
        counts.chunks += 1;
        after = done.last;
      } while (after !== null);
      return counts;
    },
  };
}

export const eventReminders = createRemindersJob();
