import { eq, sql, type SQL } from "drizzle-orm";
import { twoFactorSecrets, users } from "../../../drizzle/schema";
import { decryptSecret, encryptSecret, sha256Hex } from "../../lib/crypto";
import type { Db } from "../../lib/db";
import { conflict, unauthorized } from "../../lib/errors";
import { verifyPassword } from "../../lib/password";
import { generateTotpSecret, matchTotp, otpauthUrl } from "./auth.totp";

/** Key-derivation purpose for TOTP secrets at rest (see encryptSecret). */
const SECRET_PURPOSE = "totp-secret";
const BACKUP_CODE_COUNT = 10;
const BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

/** How a login or a sensitive change consumes its second factor (see gateCte). */
export type SecondFactorGate =
  | { kind: "none" }
  | { kind: "totp"; step: number }
  | { kind: "backup_code"; codeHash: string };

type TwoFactorRow = typeof twoFactorSecrets.$inferSelect;

const invalidCode = () => unauthorized("The code is not valid or was already used.", "invalid_totp");

function hashBackupCode(code: string): Promise<string> {
  return sha256Hex(code.toLowerCase().replace("-", ""));
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
  return { kind: "backup_code", codeHash: await hashBackupCode(code) };
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

function newBackupCodes(): string[] {
  return Array.from({ length: BACKUP_CODE_COUNT }, () => {
    const chars = Array.from(crypto.getRandomValues(new Uint8Array(10)), (b) => BACKUP_ALPHABET[b % BACKUP_ALPHABET.length]);
    return `${chars.slice(0, 5).join("")}-${chars.slice(5).join("")}`;
  });
}

/**
 * Starts 2FA set-up: a new secret, stored encrypted and not yet enabled (it replaces an
 * earlier unconfirmed one). 409 when 2FA is already on.
 */
export async function setupTwoFactor(db: Db, userId: number, encryptionKey: string) {
  const secret = generateTotpSecret();
  const sealed = await encryptSecret(encryptionKey, SECRET_PURPOSE, secret);
  const { rows } = await db.execute<{ username: string; enabled: boolean; stored: number }>(sql`
    WITH account AS (SELECT id, username, coalesce(two_factor_enabled, false) AS enabled FROM users WHERE id = ${userId}),
    stored AS (
      INSERT INTO two_factor_secrets (user_id, secret_encrypted)
      SELECT id, ${sealed} FROM account WHERE NOT enabled
      ON CONFLICT (user_id) DO UPDATE
        SET secret_encrypted = excluded.secret_encrypted, last_used_step = NULL, created_at = now()
        WHERE two_factor_secrets.enabled_at IS NULL
      RETURNING 1
    )
    SELECT username, enabled, (SELECT count(*) FROM stored)::int AS stored FROM account`);
  const row = rows[0];
  if (!row || row.enabled || row.stored === 0) {
    throw conflict("two_factor_already_enabled", "Two-factor authentication is already on.");
  }
  return { secret, otpauthUrl: otpauthUrl(secret, row.username) };
}

/**
 * Turns 2FA on once a code from the pending secret is valid, and issues 10 single-use
 * backup codes (returned once, stored hashed), all in one statement.
 */
export async function enableTwoFactor(db: Db, userId: number, code: string, encryptionKey: string): Promise<string[]> {
  const [row] = await db.select().from(twoFactorSecrets).where(eq(twoFactorSecrets.userId, userId));
  if (!row) throw conflict("two_factor_not_set_up", "Start with POST /api/auth/2fa/setup.");
  if (row.enabledAt) throw conflict("two_factor_already_enabled", "Two-factor authentication is already on.");
  const gate = await checkSecondFactor(row, code, encryptionKey);
  if (gate.kind !== "totp") throw invalidCode();
  const codes = newBackupCodes();
  const hashes = await Promise.all(codes.map(hashBackupCode));
  const { rows } = await db.execute(sql`
    WITH enabled AS (
      UPDATE two_factor_secrets SET enabled_at = now(), last_used_step = ${gate.step}
      WHERE user_id = ${userId} AND enabled_at IS NULL AND coalesce(last_used_step, -1) < ${gate.step}
      RETURNING user_id
    ),
    flag AS (UPDATE users SET two_factor_enabled = true, updated_at = now() WHERE id IN (SELECT user_id FROM enabled)),
    old_codes AS (DELETE FROM two_factor_backup_codes WHERE user_id IN (SELECT user_id FROM enabled)),
    new_codes AS (
      INSERT INTO two_factor_backup_codes (user_id, code_hash)
      SELECT enabled.user_id, hash FROM enabled, unnest(${sql`ARRAY[${sql.join(hashes.map((h) => sql`${h}`), sql`, `)}]::text[]`}) AS hash
    )
    SELECT user_id FROM enabled`);
  if (!rows[0]) throw invalidCode();
  return codes;
}

/** Turns 2FA off: needs the password and a current code (or a backup code). */
export async function disableTwoFactor(
  db: Db,
  userId: number,
  input: { password: string; code: string },
  encryptionKey: string,
): Promise<void> {
  const [row] = await db
    .select({ password: users.password, secret: twoFactorSecrets })
    .from(users)
    .leftJoin(twoFactorSecrets, eq(twoFactorSecrets.userId, users.id))
    .where(eq(users.id, userId));
  if (!row?.secret?.enabledAt) throw conflict("two_factor_not_enabled", "Two-factor authentication is not on.");
  if (!(await verifyPassword(input.password, row.password))) {
    throw unauthorized("The password is not right.", "invalid_credentials");
  }
  const gate = await checkSecondFactor(row.secret, input.code, encryptionKey);
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
    flag AS (UPDATE users SET two_factor_enabled = false, updated_at = now() WHERE id IN (SELECT user_id FROM removed))
    SELECT user_id FROM removed`);
  if (!rows[0]) throw invalidCode();
}
