import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../lib/db";
import type { Job, JobCounts } from "./job";

/** Rows per DELETE: each statement stays small and far inside Neon's HTTP timeout. */
const CHUNK = 5000;
/** Per table and run: a backlog larger than this is finished by the next nights. */
const MAX_CHUNKS = 40;

interface Rule {
  /** The count's name in the job's log line. */
  name: string;
  table: SQL;
  key: SQL;
  /** Which rows are done with, given the run's time as SQL. */
  expired: (at: SQL) => SQL;
}

/**
 * What is kept how long after it stopped mattering. Refresh tokens stay until 7 days past
 * their expiry even once used: a spent token presented again is how a stolen one is
 * detected (its session is then revoked), so it must be recognisable while it could still
 * have been valid. Deleting a session deletes its refresh tokens (foreign key cascade).
 */
const RULES: Rule[] = [
  {
    name: "refreshTokens",
    table: sql`refresh_tokens`,
    key: sql`token_hash`,
    expired: (at) => sql`expires_at < ${at} - interval '7 days'`,
  },
  {
    name: "emailTokens",
    table: sql`email_tokens`,
    key: sql`id`,
    expired: (at) => sql`(expires_at < ${at} - interval '7 days' OR used_at < ${at} - interval '7 days')`,
  },
  {
    name: "sessions",
    table: sql`sessions`,
    key: sql`id`,
    expired: (at) => sql`(expires_at < ${at} - interval '30 days' OR revoked_at < ${at} - interval '30 days')`,
  },
  {
    name: "sentEmails",
    table: sql`email_queue`,
    key: sql`id`,
    expired: (at) => sql`status = 'sent' AND sent_at < ${at} - interval '30 days'`,
  },
  {
    name: "failedEmails",
    table: sql`email_queue`,
    key: sql`id`,
    expired: (at) => sql`status = 'failed' AND created_at < ${at} - interval '90 days'`,
  },
  {
    name: "readNotifications",
    table: sql`notifications`,
    key: sql`id`,
    expired: (at) => sql`is_read AND updated_at < ${at} - interval '180 days'`,
  },
];

/** Deletes a rule's rows a chunk at a time until a chunk comes back short. */
async function purge(db: Db, rule: Rule, at: SQL): Promise<number> {
  let total = 0;
  for (let chunk = 0; chunk < MAX_CHUNKS; chunk++) {
    const { rows } = await db.execute<{ deleted: number }>(sql`
      WITH gone AS (
        DELETE FROM ${rule.table} WHERE ${rule.key} IN (
          SELECT ${rule.key} FROM ${rule.table} WHERE ${rule.expired(at)} LIMIT ${CHUNK})
        RETURNING 1
      )
      SELECT count(*)::int AS deleted FROM gone`);
    const deleted = Number(rows[0]?.deleted ?? 0);
    total += deleted;
    if (deleted < CHUNK) break;
  }
  return total;
}

/**
 * Nightly housekeeping: deletes spent tokens, ended sessions, delivered and failed emails
 * and old read notifications, each past a grace period counted from the trigger's time,
 * so a rerun finds nothing more to delete. Live rows are never matched.
 */
export const cleanup: Job = {
  name: "cleanup",
  async run({ db, now }) {
    const at = sql`(${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
    const counts: JobCounts = {};
    for (const rule of RULES) counts[rule.name] = await purge(db, rule, at);
    return counts;
  },
};
