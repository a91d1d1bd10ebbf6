import { eq, sql, type SQL } from "drizzle-orm";
import { twoFactorSecrets, users, type SelectUser } from "../../../drizzle/schema";
import { randomToken, sha256Hex } from "../../lib/crypto";
import { mapRow, pgError, PG, type Db } from "../../lib/db";
import { type AppError, conflict, notFound, unauthorized } from "../../lib/errors";
import { dummyHash, hashPassword, needsRehash, verifyPassword, type PasswordCost } from "../../lib/password";
import { queueAccountEmail, VERIFY_EMAIL_TTL_HOURS } from "./auth.emails";
import { accountStatusError } from "./auth.policy";
import { REFRESH_TOKEN_TTL_DAYS } from "./auth.tokens";
import { checkSecondFactor, gateCte, type SecondFactorGate } from "./two-factor.service";

/** Where a request came from, recorded on the session it opens. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

/** A new login: its session id and the first refresh token of its family (given out once). */
export interface IssuedSession {
  sessionId: string;
  refreshToken: string;
}

export interface AuthenticatedAccount {
  user: SelectUser;
  session: IssuedSession;
}

const refreshTtl = sql.raw(`interval '${REFRESH_TOKEN_TTL_DAYS} days'`);

async function newSession(): Promise<IssuedSession & { tokenHash: string }> {
  const refreshToken = randomToken();
  return { sessionId: crypto.randomUUID(), refreshToken, tokenHash: await sha256Hex(refreshToken) };
}

/** Rows for a session and its first refresh token, as CTEs reading the user id from `source`. */
function sessionInserts(session: { sessionId: string; tokenHash: string }, client: ClientInfo, source: SQL): SQL {
  return sql`
    new_session AS (
      INSERT INTO sessions (id, user_id, user_agent, ip, expires_at)
      SELECT ${session.sessionId}, id, ${client.userAgent}, ${client.ip}, now() + ${refreshTtl} FROM ${source}
      RETURNING id, user_id
    ),
    new_refresh AS (
      INSERT INTO refresh_tokens (token_hash, session_id, user_id, expires_at)
      SELECT ${session.tokenHash}, id, user_id, now() + ${refreshTtl} FROM new_session
    )`;
}

function uniqueViolationToConflict(error: unknown): never {
  const pg = pgError(error);
  if (pg?.code === PG.uniqueViolation) {
    if (pg.constraint?.includes("email")) throw conflict("email_taken", "An account with this email already exists.");
    if (pg.constraint?.includes("username")) throw conflict("username_taken", "This username is taken.");
  }
  throw error;
}

/**
 * Creates an account, its first session, and the verification email, in one statement:
 * the account never exists without its session and its email.
 */
export async function registerAccount(
  db: Db,
  input: { email: string; username: string; password: string; name: string },
  options: { client: ClientInfo; encryptionKey: string; passwordCost: PasswordCost },
): Promise<AuthenticatedAccount> {
  const verifyToken = randomToken();
  const [passwordHash, session, mail] = await Promise.all([
    hashPassword(input.password, options.passwordCost),
    newSession(),
    queueAccountEmail("verify_email", verifyToken, options.encryptionKey, sql`new_user`),
  ]);
  let rows: Record<string, unknown>[];
  try {
    ({ rows } = await db.execute(sql`
      WITH new_user AS (
        INSERT INTO users (email, username, password, name, last_login_at, last_login_ip)
        VALUES (${input.email}, ${input.username}, ${passwordHash}, ${input.name}, now(), ${options.client.ip})
        RETURNING *
      ),
      ${sessionInserts(session, options.client, sql`new_user`)},
      verify_token AS (
        INSERT INTO email_tokens (user_id, purpose, token_hash, email, expires_at)
        SELECT id, 'verify_email', ${await sha256Hex(verifyToken)}, email,
               now() + ${sql.raw(`interval '${VERIFY_EMAIL_TTL_HOURS} hours'`)}
        FROM new_user
      ),
      mail AS (${mail})
      SELECT * FROM new_user`));
  } catch (error) {
    uniqueViolationToConflict(error);
  }
  return { user: mapRow(users, rows[0]!), session: { sessionId: session.sessionId, refreshToken: session.refreshToken } };
}

/** Case-insensitive: by email when the login has an @, else by username (served by the lower() indexes). */
async function findAccount(db: Db, login: string) {
  const match = login.includes("@")
    ? sql`lower(${users.email}) = lower(${login})`
    : sql`lower(${users.username}) = lower(${login})`;
  const [row] = await db
    .select({ user: users, twoFactor: twoFactorSecrets })
    .from(users)
    .leftJoin(twoFactorSecrets, eq(twoFactorSecrets.userId, users.id))
    .where(match)
    .limit(1);
  return row;
}

/**
 * Checks a login (password, account status, second factor) and opens a session.
 * An unknown account costs the same time as a wrong password, and both are the same 401.
 * A bcrypt hash from the original platform is replaced by a scrypt one on success.
 */
export async function login(
  db: Db,
  input: { login: string; password: string; totp?: string },
  options: { client: ClientInfo; encryptionKey: string; passwordCost: PasswordCost },
): Promise<AuthenticatedAccount> {
  const account = await findAccount(db, input.login);
  const passwordOk = await verifyPassword(input.password, account?.user.password ?? dummyHash(options.passwordCost));
  if (!account || !passwordOk) throw unauthorized("Wrong login or password.", "invalid_credentials");
  const statusError = accountStatusError(account.user);
  if (statusError) throw statusError;

  let gate: SecondFactorGate = { kind: "none" };
  if (account.user.twoFactorEnabled && account.twoFactor?.enabledAt) {
    if (!input.totp) throw unauthorized("Enter the code from your authenticator app.", "totp_required");
    gate = await checkSecondFactor(account.twoFactor, input.totp, options.encryptionKey);
  }

  const session = await newSession();
  const rehash = needsRehash(account.user.password, options.passwordCost)
    ? await hashPassword(input.password, options.passwordCost)
    : null;
  const { rows } = await db.execute(sql`
    WITH ${gateCte(account.user.id, gate)},
    account AS (
      UPDATE users SET last_login_at = now(), last_login_ip = ${options.client.ip},
        password = coalesce(${rehash}, password)
      WHERE id = ${account.user.id} AND EXISTS (SELECT 1 FROM gate)
      RETURNING *
    ),
    ${sessionInserts(session, options.client, sql`account`)}
    SELECT * FROM account`);
  if (!rows[0]) throw unauthorized("The code is not valid or was already used.", "invalid_totp");
  return { user: mapRow(users, rows[0]), session: { sessionId: session.sessionId, refreshToken: session.refreshToken } };
}

export type RefreshOutcome =
  | { ok: true; user: SelectUser; session: IssuedSession }
  | { ok: false; reason: "unknown" | "reused" | "expired" | "revoked" | "account" };

/**
 * Spends a refresh token and issues the next one of its family, in one statement.
 * Presenting a token that was already spent revokes the whole family (someone else has a
 * copy). Concurrent refreshes with the same token: one wins, the other is refused.
 */
export async function rotateRefreshToken(db: Db, presentedToken: string): Promise<RefreshOutcome> {
  const next = randomToken();
  const [presentedHash, nextHash] = await Promise.all([sha256Hex(presentedToken), sha256Hex(next)]);
  const { rows } = await db.execute<{
    found: boolean;
    used: boolean;
    expired: boolean;
    revoked: boolean;
    account_ok: boolean;
    session_id: string | null;
    account: Record<string, unknown> | null;
  }>(sql`
    WITH presented AS (
      SELECT t.token_hash, t.session_id, t.used_at, t.expires_at,
             s.revoked_at, s.expires_at AS session_expires_at,
             coalesce(u.is_active, true) AND NOT coalesce(u.suspended, false) AS account_ok
      FROM refresh_tokens t
      JOIN sessions s ON s.id = t.session_id
      JOIN users u ON u.id = t.user_id
      WHERE t.token_hash = ${presentedHash}
    ),
    spent AS (
      UPDATE refresh_tokens t SET used_at = now()
      FROM presented p
      WHERE t.token_hash = p.token_hash AND t.used_at IS NULL AND t.expires_at > now()
        AND p.revoked_at IS NULL AND p.session_expires_at > now() AND p.account_ok
      RETURNING t.session_id, t.user_id
    ),
    reuse AS (
      UPDATE sessions s SET revoked_at = now(), revoked_reason = 'refresh_token_reuse'
      FROM presented p
      WHERE s.id = p.session_id AND p.used_at IS NOT NULL AND s.revoked_at IS NULL
    ),
    issued AS (
      INSERT INTO refresh_tokens (token_hash, session_id, user_id, expires_at)
      SELECT ${nextHash}, session_id, user_id, now() + ${refreshTtl} FROM spent
    ),
    touched AS (
      UPDATE sessions s SET last_used_at = now(), expires_at = now() + ${refreshTtl}
      FROM spent WHERE s.id = spent.session_id
    )
    SELECT
      EXISTS (SELECT 1 FROM presented) AS found,
      coalesce((SELECT used_at IS NOT NULL FROM presented), false) AS used,
      coalesce((SELECT expires_at <= now() OR session_expires_at <= now() FROM presented), false) AS expired,
      coalesce((SELECT revoked_at IS NOT NULL FROM presented), false) AS revoked,
      coalesce((SELECT account_ok FROM presented), false) AS account_ok,
      (SELECT session_id FROM spent)::text AS session_id,
      (SELECT row_to_json(u) FROM users u JOIN spent ON u.id = spent.user_id) AS account`);
  const row = rows[0]!;
  if (row.account && row.session_id) {
    return { ok: true, user: mapRow(users, row.account), session: { sessionId: row.session_id, refreshToken: next } };
  }
  if (!row.found) return { ok: false, reason: "unknown" };
  if (row.used) return { ok: false, reason: "reused" };
  if (row.revoked) return { ok: false, reason: "revoked" };
  if (!row.account_ok) return { ok: false, reason: "account" };
  // Valid when read, spent by a concurrent refresh before this one could: refuse this one only.
  return { ok: false, reason: row.expired ? "expired" : "unknown" };
}

/** Ends the session a refresh token belongs to. Unknown tokens are ignored (logout is idempotent). */
export async function logout(db: Db, refreshToken: string): Promise<void> {
  await db.execute(sql`
    UPDATE sessions s SET revoked_at = now(), revoked_reason = 'logout'
    FROM refresh_tokens t
    WHERE t.token_hash = ${await sha256Hex(refreshToken)} AND s.id = t.session_id AND s.revoked_at IS NULL`);
}

export async function getAccount(db: Db, userId: number): Promise<SelectUser> {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) throw notFound("account");
  return user;
}

/** Whether a username or email is free (case-insensitive, as the unique indexes see it). */
export async function isAvailable(db: Db, field: { username?: string; email?: string }): Promise<boolean> {
  const condition =
    field.email !== undefined
      ? sql`lower(${users.email}) = lower(${field.email})`
      : sql`lower(${users.username}) = lower(${field.username ?? ""})`;
  const [taken] = await db.select({ id: users.id }).from(users).where(condition).limit(1);
  return !taken;
}

/** Thrown when a refresh is refused, with the reason in the code. */
export function refreshError(reason: Exclude<RefreshOutcome, { ok: true }>["reason"]): AppError {
  switch (reason) {
    case "reused":
      return unauthorized("This refresh token was already used; the session has been ended.", "refresh_token_reused");
    case "expired":
      return unauthorized("The session has expired; log in again.", "session_expired");
    case "revoked":
      return unauthorized("The session has ended; log in again.", "session_revoked");
    case "account":
      return unauthorized("This account cannot be used.", "account_unavailable");
    case "unknown":
      return unauthorized("The refresh token is not valid.", "invalid_refresh_token");
  }
}
