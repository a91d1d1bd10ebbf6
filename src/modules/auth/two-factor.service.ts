import { eq, sql, type SQL } from "drizzle-orm";
import { twoFactorSecrets, users } from "../../../drizzle/schema";
import { decryptSecret, encryptSecret, hmacHex, randomChars } from "../../lib/crypto";
import type { ActorCtx } from "../../lib/context";
import type { Db } from "../../lib/db";
import { conflict, notFound, unauthorized } from "../../lib/errors";
import { verifyPassword } from "../../lib/password";
import { queueTwoFactorNotice, type TwoFactorChange } from "./auth.emails";
import { generateTotpSecret, matchTotp, otpauthUrl } from "./auth.totp";

/** Key-derivation purposes: TOTP secrets at rest (see encryptSecret), backup codes (see hmacHex). */
const SECRET_PURPOSE = "totp-secret";
const BACKUP_CODE_PURPOSE = "backup-code-hmac";
const BACKUP_CODE_COUNT = 10;
const BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

/** How a login or a sensitive change consumes its second factor (see gateCte). */
export type SecondFactorGate =
  | { kind: "none" }
  | { kind: "totp"; step: number }
  | { kind: "backup_code"; codeHash: string };

type TwoFactorRow = typeof twoFactorSecrets.$inferSelect;

const invalidCode = () => unauthorized("The code is not valid or was already used.", "invalid_totp");

/** A backup code as stored: HMAC-SHA-256 under a key derived from ENCRYPTION_KEY, never a plain hash. */
function hashBackupCode(code: string, encryptionKey: string): Promise<string> {
  return hmacHex(encryptionKey, BACKUP_CODE_PURPOSE, code.toLowerCase().replace("-", ""));
}

const wrongPassword = () => unauthorized("The password is not right.", "invalid_credentials");

/** A CTE named `mail` queuing the owner's notice of a 2FA change, for each user id `changed` yields. */
function changeNotice(change: TwoFactorChange, changed: SQL): SQL {
  return sql`mail AS (${queueTwoFactorNotice(change, sql`(SELECT id, email FROM users WHERE id IN (${changed})) changed`)})`;
}

/** The caller's password hash and 2FA row, after checking the password they typed (401 if wrong). */
async function withPassword(db: Db, userId: number, password: string) {
  const [row] = await db
    .select({ password: users.password, secret: twoFactorSecrets })
    .from(users)
    .leftJoin(twoFactorSecrets, eq(twoFactorSecrets.userId, users.id))
    .where(eq(users.id, userId));
  if (!row) throw notFound("account");
  if (!(await verifyPassword(password, row.password))) throw wrongPassword();
  return row;
}

/**
 * Checks a 6-digit TOTP code (one step of drift, never a step already used) or a backup
 * code. Returns what to consume; consuming happens in the statement that acts on it.
 */
export async function checkSecondFactor(row: TwoFactorRow, code: string, encryptionKey: string): Promise<SecondFactorGate> {
  if (/^\d{6}$/.test(code)) {
    const secret = await decryptSecret(encryptionKey, SECRET_PURPOSE, row.secretEncrypted);
    const step = await matchTotp(secret, code);
    if (step === null || (row.lastUsedStep !== null && step <= row.lastUsedStep)) throw invalidCode();
    return { kind: "totp", step };
  }
  return { kind: "backup_code", codeHash: await hashBackupCode(code, encryptionKey) };
}

/**
 * A one-row CTE named `gate` when the second factor is consumed now: a backup code is
 * deleted, a TOTP step recorded (a code is never accepted twice). Concurrent logins with
 * the same code: one gets the row, the other none.
 */
export function gateCte(userId: number, gate: SecondFactorGate): SQL {
  switch (gate.kind) {
    case "none":
      return sql`gate AS (SELECT 1)`;
    case "backup_code":
      return sql`gate AS (
        DELETE FROM two_factor_backup_codes WHERE user_id = ${userId} AND code_hash = ${gate.codeHash} RETURNING 1)`;
    case "totp":
      return sql`gate AS (
        UPDATE two_factor_secrets SET last_used_step = ${gate.step}
        WHERE user_id = ${userId} AND coalesce(last_used_step, -1) < ${gate.step} RETURNING 1)`;
  }
}

/** Ten codes of 10 characters from a 31-character alphabet (about 50 bits each), drawn without bias. */
function newBackupCodes(): string[] {
  return Array.from({ length: BACKUP_CODE_COUNT }, () => {
    const chars = randomChars(BACKUP_ALPHABET, 10);
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/**
 * Starts 2FA set-up: a new secret, stored encrypted and not yet enabled (it replaces an
 * earlier unconfirmed one). Needs the current password; the owner is emailed. 409 when 2FA
 * is already on. Nothing is written if the password changed since it was checked.
 */
export async function setupTwoFactor({ db, actor, config }: ActorCtx, input: { password: string }) {
  const userId = actor.id;
  const checked = await withPassword(db, userId, input.password);
  if (checked.secret?.enabledAt) throw conflict("two_factor_already_enabled", "Two-factor authentication is already on.");
  const secret = generateTotpSecret();
  const sealed = await encryptSecret(config.ENCRYPTION_KEY, SECRET_PURPOSE, secret);
  const { rows } = await db.execute<{ username: string; enabled: boolean; stored: number }>(sql`
    WITH account AS (
      SELECT id, username, coalesce(two_factor_enabled, false) AS enabled FROM users
      WHERE id = ${userId} AND password = ${checked.password}
    ),
    stored AS (
      INSERT INTO two_factor_secrets (user_id, secret_encrypted)
      SELECT id, ${sealed} FROM account WHERE NOT enabled
      ON CONFLICT (user_id) DO UPDATE
        SET secret_encrypted = excluded.secret_encrypted, last_used_step = NULL, created_at = now()
        WHERE two_factor_secrets.enabled_at IS NULL
      RETURNING user_id
    ),
    ${changeNotice("setup", sql`SELECT user_id FROM stored`)}
    SELECT username, enabled, (SELECT count(*) FROM stored)::int AS stored FROM account`);
  const row = rows[0];
  if (!row) throw wrongPassword();
  if (row.enabled || row.stored === 0) {
    throw conflict("two_factor_already_enabled", "Two-factor authentication is already on.");
  }
  return { secret, otpauthUrl: otpauthUrl(secret, row.username) };
}

/**
 * Turns 2FA on once the password is right and a code from the pending secret is valid, and
 * issues 10 single-use backup codes (returned once, stored as HMACs), all in one statement
 * that also queues the owner's notice. The write holds only for the very secret the code was
 * checked against: a concurrent set-up replacing it makes this a 401, never an enable of a
 * secret nobody confirmed.
 */
export async function enableTwoFactor(
  { db, actor, config }: ActorCtx,
  input: { password: string; code: string },
): Promise<string[]> {
  const userId = actor.id;
  const { password, secret: row } = await withPassword(db, userId, input.password);
  if (!row) throw conflict("two_factor_not_set_up", "Start with POST /api/auth/2fa/setup.");
  if (row.enabledAt) throw conflict("two_factor_already_enabled", "Two-factor authentication is already on.");
  const gate = await checkSecondFactor(row, input.code, config.ENCRYPTION_KEY);
  if (gate.kind !== "totp") throw invalidCode();
  const codes = newBackupCodes();
  const hashes = await Promise.all(codes.map((code) => hashBackupCode(code, config.ENCRYPTION_KEY)));
  const { rows } = await db.execute(sql`
    WITH enabled AS (
      UPDATE two_factor_secrets SET enabled_at = now(), last_used_step = ${gate.step}
      WHERE user_id = ${userId} AND enabled_at IS NULL AND secret_encrypted = ${row.secretEncrypted}
        AND coalesce(last_used_step, -1) < ${gate.step}
        AND EXISTS (SELECT 1 FROM users WHERE id = ${userId} AND password = ${password})
      RETURNING user_id
    ),
    flag AS (UPDATE users SET two_factor_enabled = true, updated_at = now() WHERE id IN (SELECT user_id FROM enabled)),
    old_codes AS (DELETE FROM two_factor_backup_codes WHERE user_id IN (SELECT user_id FROM enabled)),
    new_codes AS (
      INSERT INTO two_factor_backup_codes (user_id, code_hash)
      SELECT enabled.user_id, hash FROM enabled, unnest(${sql`ARRAY[${sql.join(hashes.map((h) => sql`${h}`), sql`, `)}]::text[]`}) AS hash
    ),
    ${changeNotice("enabled", sql`SELECT user_id FROM enabled`)}
    SELECT user_id FROM enabled`);
  if (!rows[0]) throw invalidCode();
  return codes;
}

/** Turns 2FA off: needs the password and a current code (or a backup code); the owner is emailed. */
export async function disableTwoFactor(
  { db, actor, config }: ActorCtx,
  input: { password: string; code: string },
): Promise<void> {
  const userId = actor.id;
  const [row] = await db
    .select({ password: users.password, secret: twoFactorSecrets })
    .from(users)
    .leftJoin(twoFactorSecrets, eq(twoFactorSecrets.userId, users.id))
    .where(eq(users.id, userId));
  if (!row?.secret?.enabledAt) throw conflict("two_factor_not_enabled", "Two-factor authentication is not on.");
  if (!(await verifyPassword(input.password, row.password))) throw wrongPassword();
  const gate = await checkSecondFactor(row.secret, input.code, config.ENCRYPTION_KEY);
  // The secret row is deleted here, so a TOTP code is only checked (not recorded) and the
  // backup-code gate owns its row: no row is changed twice in one statement.
  const gateSql =
    gate.kind === "totp"
      ? sql`gate AS (SELECT 1 FROM two_factor_secrets WHERE user_id = ${userId} AND coalesce(last_used_step, -1) < ${gate.step})`
      : gateCte(userId, gate);
  const gateHash = gate.kind === "backup_code" ? gate.codeHash : "";
  const { rows } = await db.execute(sql`
    WITH ${gateSql},
    removed AS (DELETE FROM two_factor_secrets WHERE user_id = ${userId} AND EXISTS (SELECT 1 FROM gate) RETURNING user_id),
    codes AS (DELETE FROM two_factor_backup_codes WHERE user_id IN (SELECT user_id FROM removed) AND code_hash <> ${gateHash}),
    flag AS (UPDATE users SET two_factor_enabled = false, updated_at = now() WHERE id IN (SELECT user_id FROM removed)),
    ${changeNotice("disabled", sql`SELECT user_id FROM removed`)}
    SELECT user_id FROM removed`);
  if (!rows[0]) throw invalidCode();
}
