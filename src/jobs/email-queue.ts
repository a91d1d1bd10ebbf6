import { sql } from "drizzle-orm";
import type { Db } from "../lib/db";
import { createEmailSender, EmailSendError, type EmailSender } from "../lib/email";
import type { Config } from "../lib/env";
import type { Logger } from "../lib/logger";
import { NOTIFICATION_TEMPLATE } from "../modules/notifications/notifications.emails";
import type { Job, JobCounts } from "./job";

/**
 * The queue's limits. Backoff after failed attempt n is 60 s * 2^n (2, 4, 8, 16 minutes
 * with the default 5 attempts), at most 6 hours. The daily cap counts notification emails
 * only: account emails (verification, password reset) are never held back by it.
 */
export const EMAIL_QUEUE_LIMITS = {
  batchSize: 25,
  maxBatchesPerRun: 8,
  runBudgetMs: 30_000,
  lockSeconds: 300,
  backoffBaseSeconds: 60,
  backoffMaxSeconds: 6 * 3600,
  notificationsPerUserPerDay: 20,
  capDeferSeconds: 3600,
} as const;

const L = EMAIL_QUEUE_LIMITS;
const seconds = (n: number) => sql.raw(`interval '${n} seconds'`);

interface Claimed {
  id: number;
  to_email: string;
  subject: string;
  body_text: string;
  body_html: string | null;
  attempts: number;
}

interface Outcome {
  id: number;
  attempts: number;
  error: string | null;
  permanent: boolean;
}

/**
 * Takes up to a batch of due messages (pending and due, or `sending` whose lock expired:
 * a run that died mid-send) in one statement. SKIP LOCKED and the `sending` lock keep two
 * overlapping runs on different rows. Over-cap notification emails are pushed back, not
 * sent; a lost final attempt ends as failed.
 */
async function claimBatch(db: Db) {
  const { rows } = await db.execute<{ deferred: number; exhausted: number; claimed: Claimed[] }>(sql`
    WITH due AS (
      SELECT id, user_id, template, attempts, max_attempts FROM email_queue
      WHERE status IN ('pending', 'sending') AND next_attempt_at <= now()
        AND (status = 'pending' OR locked_until <= now())
      ORDER BY next_attempt_at, id
      LIMIT ${L.batchSize}
      FOR UPDATE SKIP LOCKED
    ),
    ranked AS (
      SELECT d.id, d.attempts >= d.max_attempts AS exhausted,
        coalesce(d.template = ${NOTIFICATION_TEMPLATE} AND recent.n
          + row_number() OVER (PARTITION BY d.user_id, d.template ORDER BY d.id) > ${L.notificationsPerUserPerDay}, false) AS over_cap
      FROM due d
      LEFT JOIN LATERAL (
        SELECT count(*) AS n FROM email_queue s
        WHERE s.user_id = d.user_id AND s.template = ${NOTIFICATION_TEMPLATE}
          AND ((s.status = 'sent' AND s.sent_at > now() - interval '24 hours')
            OR (s.status = 'sending' AND s.locked_until > now()))
      ) recent ON d.user_id IS NOT NULL
    ),
    exhausted AS (
      UPDATE email_queue q SET status = 'failed', locked_until = NULL, body_text = '', body_html = NULL,
        last_error = 'no result was recorded for the last attempt'
      FROM ranked r WHERE q.id = r.id AND r.exhausted
      RETURNING q.id
    ),
    deferred AS (
      UPDATE email_queue q SET status = 'pending', locked_until = NULL, next_attempt_at = now() + ${seconds(L.capDeferSeconds)}
      FROM ranked r WHERE q.id = r.id AND NOT r.exhausted AND r.over_cap
      RETURNING q.id
    ),
    claimed AS (
      UPDATE email_queue q SET status = 'sending', attempts = q.attempts + 1, locked_until = now() + ${seconds(L.lockSeconds)}
      FROM ranked r WHERE q.id = r.id AND NOT r.exhausted AND NOT r.over_cap
      RETURNING q.id, q.to_email, q.subject, q.body_text, q.body_html, q.attempts
    )
    SELECT (SELECT count(*) FROM deferred)::int AS deferred, (SELECT count(*) FROM exhausted)::int AS exhausted,
           coalesce((SELECT json_agg(claimed ORDER BY id) FROM claimed), '[]'::json) AS claimed`);
  return rows[0] ?? { deferred: 0, exhausted: 0, claimed: [] };
}

async function sendOne(sender: EmailSender, from: string, message: Claimed): Promise<Outcome> {
  const outcome = { id: message.id, attempts: message.attempts };
  try {
    await sender.send({
      to: message.to_email,
      from,
      subject: message.subject,
      text: message.body_text,
      ...(message.body_html ? { html: message.body_html } : {}),
    });
    return { ...outcome, error: null, permanent: false };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return { ...outcome, error: text.slice(0, 500) || "send failed", permanent: error instanceof EmailSendError && error.permanent };
  }
}

/**
 * Records a batch's outcomes in one statement. A row is only touched while it is still
 * this run's claim (`sending`, same attempt number). Bodies are scrubbed once a message
 * is final (sent or failed): they carry verification and reset links.
 */
async function recordOutcomes(db: Db, outcomes: Outcome[]): Promise<JobCounts> {
  const { rows } = await db.execute<{ sent: number; retrying: number; failed: number }>(sql`
    WITH outcome AS (
      SELECT * FROM json_to_recordset(${JSON.stringify(outcomes)}::json)
        AS o(id int, attempts int, error text, permanent boolean)
    ),
    decided AS (
      SELECT o.*, CASE WHEN o.error IS NULL THEN 'sent'
                       WHEN o.permanent OR q.attempts >= q.max_attempts THEN 'failed'
                       ELSE 'pending' END AS status
      FROM outcome o JOIN email_queue q ON q.id = o.id
    ),
    recorded AS (
      UPDATE email_queue q SET
        status = d.status,
        locked_until = NULL,
        sent_at = CASE WHEN d.status = 'sent' THEN now() END,
        last_error = coalesce(d.error, q.last_error),
        next_attempt_at = CASE WHEN d.status = 'pending'
          THEN now() + least(${seconds(L.backoffMaxSeconds)}, ${seconds(L.backoffBaseSeconds)} * power(2, least(q.attempts, 20)))
          ELSE q.next_attempt_at END,
        body_text = CASE WHEN d.status = 'pending' THEN q.body_text ELSE '' END,
        body_html = CASE WHEN d.status = 'pending' THEN q.body_html END
      FROM decided d
      WHERE q.id = d.id AND q.status = 'sending' AND q.attempts = d.attempts
      RETURNING d.status
    )
    SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent,
           count(*) FILTER (WHERE status = 'pending')::int AS retrying,
           count(*) FILTER (WHERE status = 'failed')::int AS failed
    FROM recorded`);
  return rows[0] ?? { sent: 0, retrying: 0, failed: 0 };
}

/** What the job sends with; a function so tests can hand in a failing sender. */
export type MailerFactory = (config: Config, logger: Logger) => { sender: EmailSender; from: string };

/** The email queue drain, with the sender the factory builds for each run. */
export function createEmailQueueJob(mailer: MailerFactory): Job {
  return {
    name: "drain-email-queue",
    async run({ db, logger, config }) {
      const { sender, from } = mailer(config, logger);
      const started = Date.now();
      const totals = { batches: 0, claimed: 0, sent: 0, retrying: 0, failed: 0, deferred: 0 };
      while (totals.batches < L.maxBatchesPerRun && Date.now() - started < L.runBudgetMs) {
        const batch = await claimBatch(db);
        totals.batches += 1;
        totals.claimed += batch.claimed.length;
        totals.deferred += batch.deferred;
        totals.failed += batch.exhausted;
        if (batch.claimed.length > 0) {
          const outcomes = await Promise.all(batch.claimed.map((message) => sendOne(sender, from, message)));
          for (const o of outcomes) if (o.error) logger.warn("email not sent", { emailId: o.id, attempt: o.attempts, error: o.error });
          const counts = await recordOutcomes(db, outcomes);
          totals.sent += counts.sent ?? 0;
          totals.retrying += counts.retrying ?? 0;
          totals.failed += counts.failed ?? 0;
        }
        if (batch.claimed.length + batch.deferred + batch.exhausted < L.batchSize) break;
      }
      return totals;
    },
  };
}

/** The scheduled drain, sending through the sender the Worker's configuration names. */
export const drainEmailQueue = createEmailQueueJob((config, logger) => ({
  sender: createEmailSender(config, logger),
  from: config.EMAIL_FROM,
}));
