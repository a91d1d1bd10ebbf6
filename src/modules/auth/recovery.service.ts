import { sql } from "drizzle-orm";
import { randomToken, sha256Hex } from "../../lib/crypto";
import type { ActorCtx, Ctx } from "../../lib/context";
import { AppError, conflict, tooManyRequests } from "../../lib/errors";
import { hashPassword } from "../../lib/password";
import { accountUsable } from "../users";
import { ACCOUNT_EMAILS, queueAccountEmail, type AccountEmailTemplate } from "./auth.emails";

/**
 * At most this many emails of one kind per account per hour: the per-minute rate limits
 * alone would let thousands of reset emails a day reach one inbox.
 */
export const EMAILS_PER_HOUR = 5;

/** The `account` CTE's `allowed` column: under the hourly cap for this purpose. */
function underHourlyCap(purpose: "verify_email" | "reset_password") {
  return sql`(SELECT count(*) FROM email_tokens e
    WHERE e.user_id = users.id AND e.purpose = ${purpose} AND e.created_at > now() - interval '1 hour') < ${EMAILS_PER_HOUR}`;
}

const invalidLink = () =>
  new AppError(400, "invalid_token", "The link is not valid, was already used or has expired.");

/**
 * Issues a single-use token for the account `account` (a CTE yielding `id, email, allowed`)
 * and enqueues the email carrying it, when allowed. Only the hash is stored; the token
 * travels encrypted in the queued row until the email job renders the email.
 */
async function issueEmailToken(purpose: AccountEmailTemplate, encryptionKey: string) {
  const token = randomToken();
  const [tokenHash, mail] = await Promise.all([
    sha256Hex(token),
    queueAccountEmail(purpose, token, encryptionKey, sql`account WHERE allowed`),
  ]);
  return sql`
    token AS (
      INSERT INTO email_tokens (user_id, purpose, token_hash, email, expires_at)
      SELECT id, ${purpose}, ${tokenHash}, email, now() + ${sql.raw(`interval '${ACCOUNT_EMAILS[purpose].ttlHours} hours'`)}
      FROM account WHERE allowed
    ),
    mail AS (${mail})`;
}

/** Marks the email verified, if the token is valid and the account still has that address. */
export async function verifyEmail({ db }: Ctx, input: { token: string }): Promise<void> {
  const { rows } = await db.execute(sql`
    WITH spent AS (
      UPDATE email_tokens SET used_at = now()
      WHERE token_hash = ${await sha256Hex(input.token)} AND purpose = 'verify_email'
        AND used_at IS NULL AND expires_at > now()
      RETURNING user_id, email
    )
    UPDATE users u SET is_verified = true, updated_at = now()
    FROM spent WHERE u.id = spent.user_id AND lower(u.email) = lower(spent.email)
    RETURNING u.id`);
  if (!rows[0]) throw invalidLink();
}

/** A new verification email for the caller; 409 when already verified, 429 over the hourly cap. */
export async function resendVerification({ db, actor, config }: ActorCtx): Promise<void> {
  const userId = actor.id;
  const issue = await issueEmailToken("verify_email", config.ENCRYPTION_KEY);
  const { rows } = await db.execute<{ allowed: boolean }>(sql`
    WITH account AS (
      SELECT id, email, ${underHourlyCap("verify_email")} AS allowed
      FROM users WHERE id = ${userId} AND NOT coalesce(is_verified, false)
    ),
    ${issue}
    SELECT allowed FROM account`);
  if (!rows[0]) throw conflict("already_verified", "This email address is already verified.");
  if (!rows[0].allowed) throw tooManyRequests(3600);
}

/**
 * Sends a reset link if an active account has this email (at most {@link EMAILS_PER_HOUR}
 * an hour). Says nothing either way: the reply is the same whether or not the account exists.
 */
export async function requestPasswordReset({ db, config }: Ctx, input: { email: string }): Promise<void> {
  const { email } = input;
  const issue = await issueEmailToken("reset_password", config.ENCRYPTION_KEY);
  await db.execute(sql`
    WITH account AS (
      SELECT id, email, ${underHourlyCap("reset_password")} AS allowed FROM users
      WHERE lower(email) = lower(${email}) AND ${accountUsable(sql`users`)}
    ),
    ${issue}
    SELECT id FROM account`);
}

/**
 * Sets a new password with a reset token: spends the token (and every other outstanding
 * reset token of the account), sets the password, marks the email verified (following the
 * link proved it), then revokes every session, as one atomic batch.
 *
 * Two statements, not one, so that no session opened by a login racing the reset survives
 * it: the first takes the account's row lock, waiting for a login writing its session to
 * commit; the second then reads sessions with a fresh snapshot (read committed), which
 * includes that session. A login arriving later finds the password hash changed and writes
 * nothing (see auth.service login).
 */
export async function resetPassword({ db, config }: Ctx, input: { token: string; password: string }): Promise<void> {
  const [tokenHash, passwordHash] = await Promise.all([
    sha256Hex(input.token),
    hashPassword(input.password, config.PASSWORD_HASH_COST),
  ]);
  const [changed] = await db.batch([
    db.execute(sql`
      WITH spent AS (
        UPDATE email_tokens SET used_at = now()
        WHERE token_hash = ${tokenHash} AND purpose = 'reset_password' AND used_at IS NULL AND expires_at > now()
        RETURNING user_id, email
      ),
      account AS (
        UPDATE users u SET password = ${passwordHash}, is_verified = true, updated_at = now()
        FROM spent WHERE u.id = spent.user_id AND lower(u.email) = lower(spent.email)
        RETURNING u.id
      ),
      other_tokens AS (
        UPDATE email_tokens SET used_at = now()
        WHERE purpose = 'reset_password' AND used_at IS NULL AND token_hash <> ${tokenHash}
          AND user_id IN (SELECT id FROM account)
      )
      SELECT id FROM account`),
    // The token spent by the statement above (used_at is this transaction's now()), whose
    // account now has the new hash.
    db.execute(sql`
      UPDATE sessions s SET revoked_at = now(), revoked_reason = 'password_reset'
      FROM email_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.token_hash = ${tokenHash} AND t.used_at = now() AND u.password = ${passwordHash}
        AND s.user_id = t.user_id AND s.revoked_at IS NULL`),
  ]);
  if (!changed.rows[0]) throw invalidLink();
}
