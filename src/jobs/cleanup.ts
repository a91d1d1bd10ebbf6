import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../lib/db";
import { sqlTime, type Job, type JobCounts } from "./job";

export const CLEANUP_LIMITS = {
  /** Rows per statement: each stays small and far inside Neon's HTTP timeout. */
  chunk: 5000,
  /** Wall time per run; what is left is taken up by the next run (the job runs hourly). */
  budgetMs: 120_000,
};

export interface CleanupRule {
  /** The count's name in the job's log line. */
  name: string;
  table: string;
  key: string;
  /** Which rows are done with, given the run's time as SQL. */
  expired: (at: SQL) => SQL;
  /** What to do with them: delete (the default) or this SET clause (keeps the row). */
  set?: SQL;
  /** The indexes its scan uses (checked against EXPLAIN by the tests). */
  indexes: string[];
}

/**
 * What is kept how long after it stopped mattering. Refresh tokens stay until 7 days past
 * their expiry even once used: a spent token presented again is how a stolen one is
 * detected (its session is then revoked), so it must be recognisable while it could still
 * have been valid. Deleting a session deletes its refresh tokens (foreign key cascade).
 * Failed emails keep their body a week (time to requeue them), and their row 90 days.
 * Idempotency keys go when they expire (a day after their create).
 * Each rule's condition matches one of the indexes it names, partial ones included.
 */
export const CLEANUP_RULES: CleanupRule[] = [
  {
    name: "refreshTokens",
    table: "refresh_tokens",
    key: "token_hash",
    expired: (at) => sql`expires_at < ${at} - interval '7 days'`,
    indexes: ["refresh_tokens_expires_idx"],
  },
  {
    name: "emailTokens",
    table: "email_tokens",
    key: "id",
    expired: (at) => sql`(expires_at < ${at} - interval '7 days' OR (used_at IS NOT NULL AND used_at < ${at} - interval '7 days'))`,
    indexes: ["email_tokens_expires_idx", "email_tokens_used_idx"],
  },
  {
    name: "sessions",
    table: "sessions",
    key: "id",
    expired: (at) => sql`(expires_at < ${at} - interval '30 days' OR (revoked_at IS NOT NULL AND revoked_at < ${at} - interval '30 days'))`,
    indexes: ["sessions_expires_idx", "sessions_revoked_idx"],
  },
  {
    name: "sentEmails",
    table: "email_queue",
    key: "id",
    expired: (at) => sql`status = 'sent' AND sent_at < ${at} - interval '30 days'`,
    indexes: ["email_queue_sent_idx"],
  },
  {
    name: "failedEmailBodies",
    table: "email_queue",
    key: "id",
    expired: (at) => sql`status = 'failed' AND created_at < ${at} - interval '7 days' AND (body_text <> '' OR body_html IS NOT NULL OR data IS NOT NULL)`,
    set: sql`body_text = '', body_html = NULL, data = NULL`,
    indexes: ["email_queue_failed_idx"],
  },
  {
    name: "failedEmails",
    table: "email_queue",
    key: "id",
    expired: (at) => sql`status = 'failed' AND created_at < ${at} - interval '90 days'`,
    indexes: ["email_queue_failed_idx"],
  },
  {
    // Keyed by (user_id, scope, key); rows are never updated, so ctid names one for the chunk's DELETE.
    name: "idempotencyKeys",
    table: "idempotency_keys",
    key: "ctid",
    expired: (at) => sql`expires_at < ${at}`,
    indexes: ["idempotency_keys_expires_idx"],
  },
  {
    // Keyed by (queue, message_id); rows are never updated, so ctid names one for the chunk's DELETE.
    name: "queueReceipts",
    table: "queue_receipts",
    key: "ctid",
    expired: (at) => sql`expires_at < ${at}`,
    indexes: ["queue_receipts_expires_idx"],
  },
  {
    name: "readNotifications",
    table: "notifications",
    key: "id",
    expired: (at) => sql`is_read AND updated_at < ${at} - interval '180 days'`,
    indexes: ["notifications_read_updated_idx"],
  },
];

/** The query that finds one chunk of a rule's rows (what the EXPLAIN test checks). */
export function ruleScan(rule: CleanupRule, at: SQL, limit: number): SQL {
  return sql`SELECT ${sql.identifier(rule.key)} FROM ${sql.identifier(rule.table)} WHERE ${rule.expired(at)} LIMIT ${limit}`;
}

/** Deletes (or scrubs) one chunk of a rule's rows; returns how many. */
async function purgeChunk(db: Db, rule: CleanupRule, at: SQL, limit: number): Promise<number> {
  const table = sql.identifier(rule.table);
  const key = sql.identifier(rule.key);
  const action = rule.set
    ? sql`UPDATE ${table} SET ${rule.set} WHERE ${key} IN (${ruleScan(rule, at, limit)}) RETURNING 1`
    : sql`DELETE FROM ${table} WHERE ${key} IN (${ruleScan(rule, at, limit)}) RETURNING 1`;
  const { rows } = await db.execute<{ n: number }>(sql`WITH done AS (${action}) SELECT count(*)::int AS n FROM done`);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Housekeeping: deletes spent tokens, ended sessions, delivered and failed emails, expired
 * idempotency keys and old read notifications (and scrubs failed emails' bodies), each past a grace period counted
 * from the trigger's time, so a rerun finds nothing more to do. Live rows are never matched.
 * The rules take turns a chunk at a time until each is done or the time budget is spent;
 * `unfinished` counts the rules the next run carries on with.
 */
export function createCleanupJob(limits = CLEANUP_LIMITS): Job {
  return {
    name: "cleanup",
    async run({ db, now }) {
      const at = sqlTime(now);
      const started = Date.now();
      const counts: JobCounts = Object.fromEntries(CLEANUP_RULES.map((rule) => [rule.name, 0]));
      let pending = CLEANUP_RULES;
      do {
        const next: CleanupRule[] = [];
        for (const rule of pending) {
          const done = await purgeChunk(db, rule, at, limits.chunk);
          counts[rule.name]! += done;
          if (done === limits.chunk) next.push(rule);
        }
        pending = next;
      } while (pending.length > 0 && Date.now() - started < limits.budgetMs);
      return { ...counts, unfinished: pending.length };
    },
  };
}

export const cleanup = createCleanupJob();
