import { and, eq, gt, isNull, sql, type SQL } from "drizzle-orm";
import { sessions, users, type SelectUser } from "../../../drizzle/schema";
import { REFRESH_TOKEN_TTL_DAYS } from "../../lib/access-tokens";
import type { ActorCtx, Ctx } from "../../lib/context";
import { randomToken, sha256Hex } from "../../lib/crypto";
import { mapRow } from "../../lib/db";
import { type AppError, notFound, unauthorized } from "../../lib/errors";
import { keysetPage, type Page, type PageRequest, PgTimestampText, timeKey } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import { accountUsable } from "../users";
import { z } from "@hono/zod-openapi";

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

/** A new session id and its first refresh token (and the token's hash, which is all that is stored). */
export async function newSession(): Promise<IssuedSession & { tokenHash: string }> {
  const refreshToken = randomToken();
  return { sessionId: crypto.randomUUID(), refreshToken, tokenHash: await sha256Hex(refreshToken) };
}

/** Rows for a session and its first refresh token, as CTEs reading the user id from `source`. */
export function sessionInserts(session: { sessionId: string; tokenHash: string }, client: ClientInfo, source: SQL): SQL {
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

export type RefreshOutcome =
  | { ok: true; user: SelectUser; session: IssuedSession }
  | { ok: false; reason: "unknown" | "reused" | "expired" | "revoked" | "account" };

/**
 * Spends a refresh token and issues the next one of its family, in one statement.
 * Presenting a token that was already spent revokes the whole family (someone else has a
 * copy). Concurrent refreshes with the same token: one wins, the other is refused.
 */
export async function rotateRefreshToken({ db }: Ctx, input: { refreshToken: string }): Promise<RefreshOutcome> {
  const presentedToken = input.refreshToken;
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
             ${accountUsable(sql`u`)} AS account_ok
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
export async function logout({ db }: Ctx, input: { refreshToken: string }): Promise<void> {
  await db.execute(sql`
    UPDATE sessions s SET revoked_at = now(), revoked_reason = 'logout'
    FROM refresh_tokens t
    WHERE t.token_hash = ${await sha256Hex(input.refreshToken)} AND s.id = t.session_id AND s.revoked_at IS NULL`);
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

export interface SessionView {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  userAgent: string | null;
  current: boolean;
}

/** Sessions are keyed by uuid: their cursor is (created_at, id). */
const SessionCursor = z.tuple([PgTimestampText, z.uuid()]);

/** The actor's live sessions, newest first. */
export async function listSessions({ db, actor }: ActorCtx, page: PageRequest): Promise<Page<SessionView>> {
  return keysetPage(
    page,
    { time: sessions.createdAt, id: sessions.id, cursor: SessionCursor },
    (keyset) =>
      db
        .select({
          id: sessions.id,
          createdAt: sessions.createdAt,
          createdKey: timeKey(sessions.createdAt),
          lastUsedAt: sessions.lastUsedAt,
          expiresAt: sessions.expiresAt,
          userAgent: sessions.userAgent,
        })
        .from(sessions)
        .where(
          and(eq(sessions.userId, actor.id), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`), keyset.after),
        )
        .orderBy(keyset.order)
        .limit(keyset.limit),
    {
      item: (row) => ({
        id: row.id,
        createdAt: isoUtc(row.createdAt),
        lastUsedAt: isoUtc(row.lastUsedAt),
        expiresAt: isoUtc(row.expiresAt),
        userAgent: row.userAgent,
        current: row.id === actor.sessionId,
      }),
      key: (row) => [row.createdKey, row.id],
    },
  );
}

/** Ends one of the actor's sessions; another user's (or an unknown) session is a 404. */
export async function revokeSession({ db, actor }: ActorCtx, input: { sessionId: string }): Promise<void> {
  const ended = await db
    .update(sessions)
    .set({ revokedAt: sql`now()`, revokedReason: "revoked" })
    .where(and(eq(sessions.id, input.sessionId), eq(sessions.userId, actor.id), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  if (!ended[0]) throw notFound("session");
}
