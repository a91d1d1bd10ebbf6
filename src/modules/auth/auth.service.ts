import { eq, sql } from "drizzle-orm";
import { twoFactorSecrets, users, type SelectUser } from "../../../drizzle/schema";
import { randomToken, sha256Hex } from "../../lib/crypto";
import type { ActorCtx, Ctx } from "../../lib/context";
import { mapRow, pgError, PG, type Db } from "../../lib/db";
import { conflict, notFound, unauthorized } from "../../lib/errors";
import { dummyHash, hashPassword, mayRehash, verifyPassword } from "../../lib/password";
import { asciiFold, isPrintableAscii } from "../../lib/text";
import { queueAccountEmail, VERIFY_EMAIL_TTL_HOURS } from "./auth.emails";
import { accountUsable } from "../users";
import { accountStatusError } from "./auth.policy";
import { type AuthenticatedAccount, type ClientInfo, newSession, sessionInserts } from "./sessions.service";
import { checkSecondFactor, gateCte, type SecondFactorGate } from "./two-factor.service";

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
  { db, config }: Ctx,
  input: { email: string; username: string; password: string; name: string; client: ClientInfo },
): Promise<AuthenticatedAccount> {
  const verifyToken = randomToken();
  const [passwordHash, session, mail] = await Promise.all([
    hashPassword(input.password, config.PASSWORD_HASH_COST),
    newSession(),
    queueAccountEmail("verify_email", verifyToken, config.ENCRYPTION_KEY, sql`new_user`),
  ]);
  let rows: Record<string, unknown>[];
  try {
    ({ rows } = await db.execute(sql`
      WITH new_user AS (
        INSERT INTO users (email, username, password, name, last_login_at, last_login_ip)
        VALUES (${input.email}, ${input.username}, ${passwordHash}, ${input.name}, now(), ${input.client.ip})
        RETURNING *
      ),
      ${sessionInserts(session, input.client, sql`new_user`)},
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
  { db, config }: Ctx,
  input: { login: string; password: string; totp?: string; client: ClientInfo; throttle: Throttle },
): Promise<AuthenticatedAccount> {
  const account = await findAccount(db, input.login);
  await input.throttle(account ? `login:user:${account.user.id}` : `login:unknown:${asciiFold(input.login)}`);
  const passwordOk = await verifyPassword(input.password, account?.user.password ?? dummyHash(config.PASSWORD_HASH_COST));
  if (!account || !passwordOk) throw invalidCredentials();
  const statusError = accountStatusError(account.user);
  if (statusError) throw statusError;

  const twoFactorOn = Boolean(account.user.twoFactorEnabled && account.twoFactor?.enabledAt);
  let gate: SecondFactorGate = { kind: "none" };
  if (twoFactorOn && account.twoFactor) {
    if (!input.totp) throw unauthorized("Enter the code from your authenticator app.", "totp_required");
    await input.throttle(`2fa:user:${account.user.id}`);
    gate = await checkSecondFactor(account.twoFactor, input.totp, config.ENCRYPTION_KEY);
  }

  const session = await newSession();
  const rehash = mayRehash(input.password, account.user.password, config.PASSWORD_HASH_COST)
    ? await hashPassword(input.password, config.PASSWORD_HASH_COST)
    : null;
  const { rows } = await db.execute<{ account: Record<string, unknown> | null; gate_ok: boolean }>(sql`
    WITH ${gateCte(account.user.id, gate)},
    account AS (
      UPDATE users SET last_login_at = now(), last_login_ip = ${input.client.ip},
        password = coalesce(${rehash}, password)
      WHERE id = ${account.user.id} AND EXISTS (SELECT 1 FROM gate)
        AND password = ${account.user.password}
        AND ${accountUsable(sql`users`)}
        AND coalesce(two_factor_enabled, false) = ${Boolean(account.user.twoFactorEnabled)}
      RETURNING *
    ),
    ${sessionInserts(session, input.client, sql`account`)}
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

/** The actor's own account. */
export async function getAccount({ db, actor }: ActorCtx): Promise<SelectUser> {
  const [user] = await db.select().from(users).where(eq(users.id, actor.id));
  if (!user) throw notFound("account");
  return user;
}

/** Whether a username is free (case-insensitive, as the unique index sees it). */
export async function isUsernameAvailable({ db }: Ctx, input: { username: string }): Promise<boolean> {
  const [taken] = await db
    .select({ id: users.id })
    .from(users)
    .where(sql`lower(${users.username}) = lower(${input.username})`)
    .limit(1);
  return !taken;
}
