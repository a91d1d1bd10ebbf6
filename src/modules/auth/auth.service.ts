import { eq, sql, type SQL } from "drizzle-orm";
import { twoFactorSecrets, users, type SelectUser } from "../../../drizzle/schema";
import { randomToken, sha256Hex } from "../../lib/crypto";
import { mapRow, pgError, PG, type Db } from "../../lib/db";
import { type AppError, conflict, notFound, unauthorized } from "../../lib/errors";
import { dummyHash, hashPassword, mayRehash, verifyPassword, type PasswordCost } from "../../lib/password";
import { asciiFold, isPrintableAscii } from "../../lib/text";
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

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";

/**
 * The login's account: by email when it has an @, else by username, matched by ASCII case
 * fold only ({@link asciiFold}, and `translate` in SQL the same way), never by Postgres'
 * Unicode-aware `lower()`, which folds `İ` to `i`. The `lower()` condition is there for the
 * lower() unique indexes; the `translate()` one decides. A non-ASCII login matches nobody.
 */
async function findAccount(db: Db, login: string) {
  if (!isPrintableAscii(login)) return undefined;
  const folded = asciiFold(login);
  const column = login.includes("@") ? users.email : users.username;
  const [row] = await db
    .select({ user: users, twoFactor: twoFactorSecrets })
    .from(users)
    .leftJoin(twoFactorSecrets, eq(twoFactorSecrets.userId, users.id))
    .where(sql`lower(${column}) = ${folded} AND translate(${column}, ${UPPER}, ${LOWER}) = ${folded}`)
    .limit(1);
  return row;
}

/** Charges one attempt to a rate-limit key (throws 429 when over). */
export type Throttle = (key: string) => Promise<void>;

/**
 * Checks a login (password, account status, second factor) and opens a session.
 * An unknown account costs the same time as a wrong password, and both are the same 401.
 * Attempts are charged to the account they resolve to (`login:user:<id>`), whatever spelling
 * named it, and second-factor codes also to its two-factor limit (`2fa:user:<id>`).
 *
 * The session is written only if the account is still as it was read: same password hash,
 * still active and not suspended, same 2FA state. A password reset, a suspension or a 2FA
 * change landing between the check and the write makes this login a 401, and a bcrypt hash
 * from the original platform is replaced by a scrypt one only over the hash that was checked.
 */
export async function login(
  db: Db,
  input: { login: string; password: string; totp?: string },
  options: { client: ClientInfo; encryptionKey: string; passwordCost: PasswordCost; throttle: Throttle },
): Promise<AuthenticatedAccount> {
  const account = await findAccount(db, input.login);
  await options.throttle(account ? `login:user:${account.user.id}` : `login:unknown:${asciiFold(input.login)}`);
  const passwordOk = await verifyPassword(input.password, account?.user.password ?? dummyHash(options.passwordCost));
  if (!account || !passwordOk) throw invalidCredentials();
  const statusError = accountStatusError(account.user);
  if (statusError) throw statusError;

  const twoFactorOn = Boolean(account.user.twoFactorEnabled && account.twoFactor?.enabledAt);
  let gate: SecondFactorGate = { kind: "none" };
  if (twoFactorOn && account.twoFactor) {
    if (!input.totp) throw unauthorized("Enter the code from your authenticator app.", "totp_required");
    await options.throttle(`2fa:user:${account.user.id}`);
    gate = await checkSecondFactor(account.twoFactor, input.totp, options.encryptionKey);
  }

  const session = await newSession();
  const rehash = mayRehash(input.password, account.user.password, options.passwordCost)
    ? await hashPassword(input.password, options.passwordCost)
    : null;
  const { rows } = await db.execute<{ account: Record<string, unknown> | null; gate_ok: boolean }>(sql`
    WITH ${gateCte(account.user.id, gate)},
    account AS (
      UPDATE users SET last_login_at = now(), last_login_ip = ${options.client.ip},
        password = coalesce(${rehash}, password)
      WHERE id = ${account.user.id} AND EXISTS (SELECT 1 FROM gate)
        AND password = ${account.user.password}
        AND coalesce(is_active, true) AND NOT coalesce(suspended, false)
        AND coalesce(two_factor_enabled, false) = ${Boolean(account.user.twoFactorEnabled)}
      RETURNING *
    ),
    ${sessionInserts(session, options.client, sql`account`)}
    SELECT (SELECT row_to_json(a) FROM account a) AS account, EXISTS (SELECT 1 FROM gate) AS gate_ok`);
  const row = rows[0];
  if (!row?.account) {
    if (row && !row.gate_ok) throw unauthorized("The code is not valid or was already used.", "invalid_totp");
    // The account changed since it was read (a reset, a suspension, a 2FA change): this login is void.
    throw invalidCredentials();
  }
  return { user: mapRow(users, row.account), session: { sessionId: session.sessionId, refreshToken: session.refreshToken } };
}

const invalidCredentials = () => unauthorized("Wrong login or password.", "invalid_credentials");

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

/** Whether a username is free (case-insensitive, as the unique index sees it). */
export async function isUsernameAvailable(db: Db, username: string): Promise<boolean> {
  const [taken] = await db
    .select({ id: users.id })
    .from(users)
    .where(sql`lower(${users.username}) = lower(${username})`)
    .limit(1);
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
