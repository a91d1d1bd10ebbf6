import { sql } from "drizzle-orm";
import type { Db } from "./db";
import { AppError } from "./errors";

/**
 * Model tokens a dancer may use per UTC day, by role level: free dancers (level 1) less than
 * Basic (2), Basic less than Premium and above (3+). Every assistant call counts: Mr. Blue,
 * the domain conversations and recommendations.
 */
export const AI_DAILY_TOKENS = { free: 20_000, basic: 60_000, premium: 200_000 } as const;

/** The quota as SQL from a role level (`r.level`), for the statement that reserves it. */
const quotaFor = (level: ReturnType<typeof sql>) =>
  sql`CASE WHEN ${level} >= 3 THEN ${AI_DAILY_TOKENS.premium}::int WHEN ${level} = 2 THEN ${AI_DAILY_TOKENS.basic}::int ELSE ${AI_DAILY_TOKENS.free}::int END`;

/** What a call reserved: settle it with what the call really used. */
export interface AiReservation {
  userId: number;
  /** The UTC day (YYYY-MM-DD) the tokens count against. */
  day: string;
  tokens: number;
}

/** The UTC day of `now` and the seconds until it ends (when the quota resets). */
export function quotaDay(now: Date): { day: string; resetsAt: Date; secondsLeft: number } {
  const day = now.toISOString().slice(0, 10);
  const resetsAt = new Date(`${day}T00:00:00.000Z`);
  resetsAt.setUTCDate(resetsAt.getUTCDate() + 1);
  return { day, resetsAt, secondsLeft: Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000)) };
}

/** 429 `ai_quota_exceeded`, saying when the quota resets (`Retry-After`, `resetsAt`). */
export function quotaExceeded(now: Date, quota: number): AppError {
  const { resetsAt, secondsLeft } = quotaDay(now);
  return new AppError(
    429,
    "ai_quota_exceeded",
    `Today's assistant quota of ${quota} tokens is used up; it resets at ${resetsAt.toISOString()} (00:00 UTC).`,
    { headers: { "Retry-After": String(secondsLeft) }, extensions: { resetsAt: resetsAt.toISOString(), quota } },
  );
}

/**
 * Reserves `tokens` (a call's worst case: its prompt and its reply's cap) against the
 * dancer's quota for today, in one statement: the upsert adds them only while the day's
 * total stays within the quota of the dancer's role level (read in the same statement), so
 * racing calls can never together pass it. Throws 429 `ai_quota_exceeded` when they would.
 *
 * @example
 * const reservation = await reserveAiTokens(ctx, ctx.actor.id, estimate + maxTokens);
 * try { ... } finally { await settleAiTokens(ctx, reservation, usedTokens); }
 */
export async function reserveAiTokens({ db, now }: { db: Db; now: Date }, userId: number, tokens: number): Promise<AiReservation> {
  const { day } = quotaDay(now);
  const amount = Math.max(1, Math.ceil(tokens));
  const { rows } = await db.execute<{ reserved: boolean; quota: number | null }>(sql`
    WITH quota AS (
      SELECT ${quotaFor(sql`coalesce(r.level, 1)`)} AS tokens
      FROM users u LEFT JOIN user_roles r ON r.name = u.role WHERE u.id = ${userId}
    ),
    reserved AS (
      INSERT INTO ai_usage_daily AS a (user_id, day, tokens, requests)
      SELECT ${userId}::int, ${day}::date, ${amount}::int, 1 FROM quota WHERE ${amount}::int <= quota.tokens
      ON CONFLICT (user_id, day) DO UPDATE SET tokens = a.tokens + EXCLUDED.tokens, requests = a.requests + 1
        WHERE a.tokens + EXCLUDED.tokens <= (SELECT tokens FROM quota)
      RETURNING a.tokens
    )
    SELECT EXISTS (SELECT 1 FROM reserved) AS reserved, (SELECT tokens FROM quota) AS quota`);
  const row = rows[0];
  if (!row?.reserved) throw quotaExceeded(now, Number(row?.quota ?? AI_DAILY_TOKENS.free));
  return { userId, day, tokens: amount };
}

/**
 * Replaces a reservation with what the call used (a failed call that used nothing gives it
 * all back). A reply longer than reserved is counted in full: the quota may then be passed
 * by that much, and the next reservation is refused.
 */
export async function settleAiTokens({ db }: { db: Db }, reservation: AiReservation, usedTokens: number): Promise<void> {
  const delta = Math.max(0, Math.ceil(usedTokens)) - reservation.tokens;
  if (delta === 0) return;
  await db.execute(sql`
    UPDATE ai_usage_daily SET tokens = greatest(0, tokens + ${delta}::int)
    WHERE user_id = ${reservation.userId} AND day = ${reservation.day}::date`);
}

/** The dancer's use today: tokens, calls, the quota and when it resets. */
export async function aiUsageToday({ db, now }: { db: Db; now: Date }, userId: number) {
  const { day, resetsAt } = quotaDay(now);
  const { rows } = await db.execute<{ tokens: number; requests: number; quota: number }>(sql`
    SELECT coalesce(a.tokens, 0)::int AS tokens, coalesce(a.requests, 0)::int AS requests,
      ${quotaFor(sql`coalesce(r.level, 1)`)} AS quota
    FROM users u LEFT JOIN user_roles r ON r.name = u.role
    LEFT JOIN ai_usage_daily a ON a.user_id = u.id AND a.day = ${day}::date
    WHERE u.id = ${userId}`);
  const row = rows[0];
  return { day, tokens: Number(row?.tokens ?? 0), requests: Number(row?.requests ?? 0), quota: Number(row?.quota ?? AI_DAILY_TOKENS.free), resetsAt: resetsAt.toISOString() };
}
