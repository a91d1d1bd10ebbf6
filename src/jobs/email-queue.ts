import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../lib/db";
import { createEmailSender, EmailSendError, redactEmails, type EmailSender } from "../lib/email";
import type { Config } from "../lib/env";
import type { Logger } from "../lib/logger";
import { ACCOUNT_EMAILS, renderAccountEmail, renderTwoFactorNotice, TWO_FACTOR_TEMPLATES } from "../modules/auth";
import { NOTIFICATION_TEMPLATE, renderNotificationEmail } from "../modules/notifications";
import { sqlTime, type Job } from "./job";

/**
 * The queue's limits. Backoff after failed attempt n is 60 s * 2^n, at most 6 hours: with
 * the default 12 attempts (`email_queue.max_attempts`) a message is retried for about 26
 * hours. Rate limits (429) and outages (5xx before anything was delivered in the run) and
 * a refused API key (401, 403, 404) spend no attempt: the run stops and the batch waits
 * (`Retry-After` when the API says, else {@link EMAIL_QUEUE_LIMITS.pauseSeconds}). The
 * daily cap counts notification emails only: account emails (verification, password
 * reset) are never held back by it.
 */
export const EMAIL_QUEUE_LIMITS = {
  batchSize: 25,
  /** Requests in flight at once (a Worker has 6 connections; APIs allow a few per second). */
  concurrency: 2,
  maxBatchesPerRun: 8,
  runBudgetMs: 30_000,
  lockSeconds: 300,
  backoffBaseSeconds: 60,
  backoffMaxSeconds: 6 * 3600,
  /** Wait after a rate limit or outage without `Retry-After`, or a refused key. */
  pauseSeconds: 60,
  /** The longest `Retry-After` honoured as such. */
  maxRetryAfterSeconds: 3600,
  /** An email whose link expires sooner than this is dropped, not sent. */
  minValiditySeconds: 60,
  notificationsPerUserPerDay: 20,
  capDeferSeconds: 3600,
} as const;

type Limits = { [K in keyof typeof EMAIL_QUEUE_LIMITS]: number };
const seconds = (n: number) => sql.raw(`interval '${n} seconds'`);
const ACCOUNT_TEMPLATES = Object.keys(ACCOUNT_EMAILS);

interface Claimed {
  id: number;
  to_email: string;
  template: string;
  subject: string;
  body_text: string;
  body_html: string | null;
  data: unknown;
  attempts: number;
}

/**
 * What became of one claimed message: `sent`; `rejected` (failed for good); `retry` (one
 * attempt spent, backoff, at least `delay` seconds); `release` (no attempt spent, due again
 * in `delay` seconds).
 */
interface Outcome {
  id: number;
  attempts: number;
  result: "sent" | "rejected" | "retry" | "release";
  error: string | null;
  delay: number;
}

/**
 * Takes up to a batch of due messages (pending and due, or `sending` whose lock expired:
 * a run that died mid-send) in one statement. SKIP LOCKED and the `sending` lock keep two
 * overlapping runs on different rows. Over-cap notification emails are pushed back, not
 * sent; messages past `expires_at` (a link that expired, notification mail held back too
 * long) and a lost final attempt end as failed.
 *
 * The claim first takes a transaction-level advisory lock (same `db.batch`, one
 * transaction): claims run one at a time, and each one's snapshot, taken after the lock,
 * sees the `sending` rows of every earlier claim, so two runs cannot both pass the cap.
 */
async function claimBatch(db: Db, at: SQL, limits: Limits) {
  const [, claim] = await db.batch([
    db.execute(sql`SELECT pg_advisory_xact_lock(hashtext('email_queue.claim'))`),
    db.execute<{ deferred: number; exhausted: number; expired: { id: number; template: string }[]; claimed: Claimed[] }>(sql`
    WITH due AS (
      SELECT id, user_id, template, attempts, max_attempts, expires_at FROM email_queue
      WHERE status IN ('pending', 'sending') AND next_attempt_at <= ${at}
        AND (status = 'pending' OR locked_until <= ${at})
      ORDER BY next_attempt_at, id
      LIMIT ${limits.batchSize}
      FOR UPDATE SKIP LOCKED
    ),
    ranked AS (
      SELECT d.id, coalesce(d.expires_at <= ${at} + ${seconds(limits.minValiditySeconds)}, false) AS expired,
        d.attempts >= d.max_attempts AS exhausted,
        coalesce(d.template = ${NOTIFICATION_TEMPLATE} AND recent.n
          + row_number() OVER (PARTITION BY d.user_id, d.template ORDER BY d.id) > ${limits.notificationsPerUserPerDay}, false) AS over_cap
      FROM due d
      LEFT JOIN LATERAL (
        SELECT count(*) AS n FROM email_queue s
        WHERE s.user_id = d.user_id AND s.template = ${NOTIFICATION_TEMPLATE}
          AND ((s.status = 'sent' AND s.sent_at > ${at} - interval '24 hours')
            OR (s.status = 'sending' AND s.locked_until > ${at}))
      ) recent ON d.user_id IS NOT NULL
    ),
    expired AS (
      UPDATE email_queue q SET status = 'failed', locked_until = NULL, last_error = 'expired before it could be sent'
      FROM ranked r WHERE q.id = r.id AND r.expired
      RETURNING q.id, q.template
    ),
    exhausted AS (
      UPDATE email_queue q SET status = 'failed', locked_until = NULL, last_error = 'no result was recorded for the last attempt'
      FROM ranked r WHERE q.id = r.id AND NOT r.expired AND r.exhausted
      RETURNING q.id
    ),
    deferred AS (
      UPDATE email_queue q SET status = 'pending', locked_until = NULL, next_attempt_at = ${at} + ${seconds(limits.capDeferSeconds)}
      FROM ranked r WHERE q.id = r.id AND NOT r.expired AND NOT r.exhausted AND r.over_cap
      RETURNING q.id
    ),
    claimed AS (
      UPDATE email_queue q SET status = 'sending', attempts = q.attempts + 1, locked_until = ${at} + ${seconds(limits.lockSeconds)}
      FROM ranked r WHERE q.id = r.id AND NOT r.expired AND NOT r.exhausted AND NOT r.over_cap
      RETURNING q.id, q.to_email, q.template, q.subject, q.body_text, q.body_html, q.data, q.attempts
    )
    SELECT (SELECT count(*) FROM deferred)::int AS deferred, (SELECT count(*) FROM exhausted)::int AS exhausted,
           coalesce((SELECT json_agg(expired ORDER BY id) FROM expired), '[]'::json) AS expired,
           coalesce((SELECT json_agg(claimed ORDER BY id) FROM claimed), '[]'::json) AS claimed`),
  ]);
  return claim.rows[0] ?? { deferred: 0, exhausted: 0, expired: [], claimed: [] };
}

/**
 * Records a batch's outcomes in one statement. A row is only touched while it is still
 * this run's claim (`sending`, same attempt number). Bodies are scrubbed once a message is
 * sent; a failed one keeps its body (cleanup scrubs it after a week) so it can be requeued.
 */
async function recordOutcomes(db: Db, at: SQL, outcomes: Outcome[], limits: Limits) {
  const { rows } = await db.execute<{ sent: number; retrying: number; failed: number; released: number }>(sql`
    WITH outcome AS (
      SELECT * FROM json_to_recordset(${JSON.stringify(outcomes)}::json)
        AS o(id int, attempts int, result text, error text, delay int)
    ),
    decided AS (
      SELECT o.*, CASE WHEN o.result = 'sent' THEN 'sent'
                       WHEN o.result = 'rejected' THEN 'failed'
                       WHEN o.result = 'retry' AND q.attempts >= q.max_attempts THEN 'failed'
                       ELSE 'pending' END AS status
      FROM outcome o JOIN email_queue q ON q.id = o.id
    ),
    recorded AS (
      UPDATE email_queue q SET
        status = d.status,
        locked_until = NULL,
        attempts = CASE WHEN d.result = 'release' THEN q.attempts - 1 ELSE q.attempts END,
        sent_at = CASE WHEN d.status = 'sent' THEN ${at} END,
        last_error = coalesce(d.error, q.last_error),
        next_attempt_at = CASE
          WHEN d.result = 'release' THEN ${at} + d.delay * interval '1 second'
          WHEN d.status = 'pending' THEN ${at} + greatest(d.delay * interval '1 second',
            least(${seconds(limits.backoffMaxSeconds)}, ${seconds(limits.backoffBaseSeconds)} * power(2, least(q.attempts, 20))))
          ELSE q.next_attempt_at END,
        body_text = CASE WHEN d.status = 'sent' THEN '' ELSE q.body_text END,
        body_html = CASE WHEN d.status = 'sent' THEN NULL ELSE q.body_html END,
        data = CASE WHEN d.status = 'sent' THEN NULL ELSE q.data END
      FROM decided d
      WHERE q.id = d.id AND q.status = 'sending' AND q.attempts = d.attempts
      RETURNING d.status, d.result
    )
    SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent,
           count(*) FILTER (WHERE status = 'pending' AND result = 'retry')::int AS retrying,
           count(*) FILTER (WHERE status = 'failed')::int AS failed,
           count(*) FILTER (WHERE result = 'release')::int AS released
    FROM recorded`);
  return rows[0] ?? { sent: 0, retrying: 0, failed: 0, released: 0 };
}

/** Why a run stopped sending: the API refused the key, or is rate limiting or down. */
interface Halt {
  reason: "unauthorized" | "unavailable";
  status?: number;
  delay: number;
}

/** One run's sending state: whether anything went out yet, and whether to stop. */
interface RunState {
  delivered: boolean;
  halt?: Halt;
}

/** An email as it goes out. */
interface Rendered {
  subject: string;
  text: string;
  html?: string | null;
}

/** How a template is rendered from its row's `data` and the config, and why that can fail. */
interface Renderer {
  /** Undefined: the row carries no renderable data, send it as stored. */
  render: (message: Claimed, config: Config) => Promise<Rendered | undefined> | Rendered | undefined;
  failure: string;
}

const decryptFailure = "cannot decrypt the queued link (was ENCRYPTION_KEY changed?)";
const dataFailure = "cannot render the queued email from its data";

/**
 * Every template rendered at send time: account emails (from their encrypted token),
 * two-factor notices and notification emails, each with `APP_URL` from the config.
 */
const RENDERERS: Record<string, Renderer> = {
  ...Object.fromEntries(ACCOUNT_TEMPLATES.map((template) => [template, { render: renderAccountEmail, failure: decryptFailure }])),
  ...Object.fromEntries(Object.keys(TWO_FACTOR_TEMPLATES).map((template) => [template, { render: renderTwoFactorNotice, failure: dataFailure }])),
  [NOTIFICATION_TEMPLATE]: { render: (message, config) => renderNotificationEmail(message.data, config), failure: dataFailure },
};

/**
 * The message as it goes out, rendered by its template from its `data`; a row without data
 * (queued before emails were rendered at send time) goes out as stored. A row whose data
 * cannot be rendered fails for good (retrying cannot help).
 */
async function compose(message: Claimed, from: string, config: Config) {
  const renderer = message.data == null ? undefined : RENDERERS[message.template];
  let rendered: Rendered | undefined;
  try {
    rendered = await renderer?.render(message, config);
  } catch {
    throw new EmailSendError(renderer!.failure, "rejected");
  }
  const email = rendered ?? { subject: message.subject, text: message.body_text, html: message.body_html };
  return {
    to: message.to_email,
    from,
    subject: email.subject,
    text: email.text,
    ...(email.html ? { html: email.html } : {}),
    idempotencyKey: `email-queue/${message.id}`,
  };
}

/** Sends one message and decides what becomes of it, stopping the run when the API is unusable. */
async function attempt(sender: EmailSender, message: Claimed, from: string, config: Config, state: RunState, limits: Limits): Promise<Outcome> {
  const base = { id: message.id, attempts: message.attempts };
  try {
    await sender.send(await compose(message, from, config));
    state.delivered = true;
    return { ...base, result: "sent", error: null, delay: 0 };
  } catch (caught) {
    const error = redactEmails(caught instanceof Error ? caught.message : String(caught)).slice(0, 500) || "send failed";
    const failure = caught instanceof EmailSendError ? caught : undefined;
    const retryAfter = failure?.retryAfterSeconds === undefined ? undefined : Math.min(failure.retryAfterSeconds, limits.maxRetryAfterSeconds);
    switch (failure?.kind) {
      case "rejected":
        return { ...base, result: "rejected", error, delay: 0 };
      case "unauthorized":
        state.halt ??= { reason: "unauthorized", status: failure.status, delay: limits.pauseSeconds };
        return { ...base, result: "release", error, delay: limits.pauseSeconds };
      case "unavailable":
        // A rate limit, or the API failing before anything went out this run: the provider's
        // trouble, not this message's. A 5xx once others went out counts against the message.
        if (failure.status === 429 || !state.delivered) {
          const delay = retryAfter ?? limits.pauseSeconds;
          state.halt ??= { reason: "unavailable", status: failure.status, delay };
          return { ...base, result: "release", error, delay };
        }
        return { ...base, result: "retry", error, delay: retryAfter ?? 0 };
      default:
        return { ...base, result: "retry", error, delay: 0 };
    }
  }
}

/**
 * Sends a batch with at most `limits.concurrency` requests in flight. Once the run halts,
 * nothing more is started; the messages not tried are released for when the halt ends.
 */
async function sendBatch(messages: Claimed[], send: (m: Claimed) => Promise<Outcome>, state: RunState, limits: Limits) {
  const outcomes: Outcome[] = [];
  let next = 0;
  const lane = async () => {
    while (!state.halt && next < messages.length) outcomes.push(await send(messages[next++]!));
  };
  await Promise.all(Array.from({ length: limits.concurrency }, lane));
  for (const message of messages.slice(next)) {
    outcomes.push({ id: message.id, attempts: message.attempts, result: "release", error: null, delay: state.halt?.delay ?? 0 });
  }
  return outcomes;
}

/** What the job sends with; a function so tests can hand in a failing sender. */
export type MailerFactory = (config: Config, logger: Logger) => { sender: EmailSender; from: string };

/** The email queue drain, with the sender the factory builds for each run. */
export function createEmailQueueJob(mailer: MailerFactory, overrides: Partial<Limits> = {}): Job {
  const limits: Limits = { ...EMAIL_QUEUE_LIMITS, ...overrides };
  return {
    name: "drain-email-queue",
    async run({ db, logger, config, now }) {
      const { sender, from } = mailer(config, logger);
      const at = sqlTime(now);
      const started = Date.now();
      const state: RunState = { delivered: false };
      const totals = { batches: 0, claimed: 0, sent: 0, retrying: 0, failed: 0, deferred: 0, expired: 0, released: 0 };
      while (totals.batches < limits.maxBatchesPerRun && Date.now() - started < limits.runBudgetMs) {
        const batch = await claimBatch(db, at, limits);
        totals.batches += 1;
        totals.claimed += batch.claimed.length;
        totals.deferred += batch.deferred;
        totals.failed += batch.exhausted + batch.expired.length;
        totals.expired += batch.expired.length;
        if (batch.expired.length > 0) {
          logger.info("emails dropped: they would arrive after their link or shelf life expired", {
            emailIds: batch.expired.map((e) => e.id),
            templates: [...new Set(batch.expired.map((e) => e.template))],
          });
        }
        if (batch.claimed.length > 0) {
          const outcomes = await sendBatch(batch.claimed, (m) => attempt(sender, m, from, config, state, limits), state, limits);
          for (const o of outcomes) {
            if (o.error && o.result !== "release") logger.warn("email not sent", { emailId: o.id, attempt: o.attempts, result: o.result, error: o.error });
          }
          const counts = await recordOutcomes(db, at, outcomes, limits);
          totals.sent += counts.sent;
          totals.retrying += counts.retrying;
          totals.failed += counts.failed;
          totals.released += counts.released;
        }
        if (state.halt) {
          logHalt(logger, state.halt, totals.released);
          break;
        }
        if (batch.claimed.length + batch.deferred + batch.exhausted + batch.expired.length < limits.batchSize) break;
      }
      return totals;
    },
  };
}

function logHalt(logger: Logger, halt: Halt, released: number) {
  if (halt.reason === "unauthorized") {
    logger.error("email API refused the request: check EMAIL_API_KEY and EMAIL_API_URL; run stopped, no attempt spent", {
      status: halt.status,
      released,
      retryInSeconds: halt.delay,
    });
  } else {
    logger.warn("email API rate limited or unavailable; run stopped, no attempt spent", {
      status: halt.status,
      released,
      retryInSeconds: halt.delay,
    });
  }
}

/**
 * Puts failed emails back in the queue (an operator's verb, after fixing what failed
 * them): due now, attempts reset. Only rows that still have their body (cleanup scrubs
 * failed bodies after a week). A notification email gets two more days to go out; an
 * account email keeps its link's expiry, so one whose link has expired is dropped again.
 *
 * @example
 * await requeueFailedEmails(db, { since: new Date(Date.now() - 86_400_000) }, new Date());
 */
export async function requeueFailedEmails(db: Db, which: { ids: number[] } | { since: Date }, now: Date): Promise<number> {
  const at = sqlTime(now);
  const match = "ids" in which
    ? sql`id IN (SELECT jsonb_array_elements_text(${JSON.stringify(which.ids)}::jsonb)::int)`
    : sql`created_at >= ${sqlTime(which.since)}`;
  const { rows } = await db.execute<{ requeued: number }>(sql`
    WITH requeued AS (
      UPDATE email_queue SET status = 'pending', attempts = 0, locked_until = NULL, next_attempt_at = ${at},
        expires_at = CASE WHEN template IN (${sql.join(ACCOUNT_TEMPLATES.map((t) => sql`${t}`), sql`, `)}) THEN expires_at
                          ELSE greatest(expires_at, ${at} + interval '2 days') END
      WHERE status = 'failed' AND (body_text <> '' OR data IS NOT NULL) AND ${match}
      RETURNING 1
    )
    SELECT count(*)::int AS requeued FROM requeued`);
  return rows[0]?.requeued ?? 0;
}

/** The scheduled drain, sending through the sender the Worker's configuration names. */
export const drainEmailQueue = createEmailQueueJob((config, logger) => ({
  sender: createEmailSender(config, logger),
  from: config.EMAIL_FROM,
}));

