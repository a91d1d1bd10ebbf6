// Postgres for the live channel: whether a dancer may open one, and `live_presence`, the rows
// saying whose channel is open (written by their UserHub, read by the notification watch).

import { sql } from "drizzle-orm";
import type { ActorCtx } from "../../lib/context";
import type { Db } from "../../lib/db";
import { AppError, unauthorized } from "../../lib/errors";
import { accountUsable } from "../users";

/** A presence row lasts this long unless its hub refreshes it... */
export const PRESENCE_TTL_MS = 10 * 60_000;
/** ...which it does this often while a socket is open, so a hub that died stops counting within minutes. */
export const PRESENCE_REFRESH_MS = 5 * 60_000;

/** The dancers with a live channel open now, as a `FROM` item with a `user_id` column. */
export const liveAudience = sql`(SELECT user_id FROM live_presence WHERE expires_at > now()::timestamp)`;

/**
 * Refuses (403 `account_disabled`) a dancer whose account was suspended or deactivated since
 * their token was issued (tokens live 15 minutes), and a token whose account is gone (401).
 */
export async function assertLiveAllowed({ db, actor }: ActorCtx): Promise<void> {
  const { rows } = await db.execute<{ usable: boolean }>(sql`SELECT ${accountUsable(sql`u`)} AS usable FROM users u WHERE u.id = ${actor.id}`);
  if (!rows[0]) throw unauthorized("The access token is not valid.", "invalid_token");
  if (!rows[0].usable) throw new AppError(403, "account_disabled", "This account is suspended or deactivated.");
}

/**
 * The statement (not yet run, for a `db.batch`) that says the dancer's channel is open with
 * `connections` sockets, for another {@link PRESENCE_TTL_MS}. `fresh`: the first socket after
 * none, so `connected_at` starts again. For an account suspended, deactivated or gone it
 * removes the row instead; its one row says which (`usable`), read by {@link presenceUsable}.
 */
export function presenceUpsert(db: Db, input: { userId: number; connections: number; fresh: boolean }) {
  return db.execute(sql`
    WITH usable AS (SELECT u.id FROM users u WHERE u.id = ${input.userId} AND ${accountUsable(sql`u`)}),
    kept AS (
      INSERT INTO live_presence AS p (user_id, connections, connected_at, expires_at)
      SELECT id, ${input.connections}::int, now()::timestamp, now()::timestamp + ${PRESENCE_TTL_MS / 1000} * interval '1 second' FROM usable
      ON CONFLICT (user_id) DO UPDATE SET
        connections = excluded.connections, expires_at = excluded.expires_at,
        connected_at = CASE WHEN ${input.fresh}::boolean THEN excluded.connected_at ELSE p.connected_at END
      RETURNING user_id
    ),
    dropped AS (
      DELETE FROM live_presence WHERE user_id = ${input.userId} AND NOT EXISTS (SELECT 1 FROM usable)
    )
    SELECT EXISTS (SELECT 1 FROM usable) AS usable`);
}

/** Whether {@link presenceUpsert} found the account usable (false: it may no longer hold a channel). */
export function presenceUsable(result: { rows: Record<string, unknown>[] }): boolean {
  return result.rows[0]?.usable === true;
}

/** The statement that says the dancer's channel is closed. */
export function presenceDelete(db: Db, userId: number) {
  return db.execute(sql`DELETE FROM live_presence WHERE user_id = ${userId}`);
}
