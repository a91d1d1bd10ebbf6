import { type SQL, sql } from "drizzle-orm";

/**
 * Suspends accounts, as a statement the moderation module folds into its own: a suspended
 * account is no longer usable (`accountUsable`), so its profile and posts disappear for
 * others, and logins and token refreshes are refused (the auth module checks the same
 * condition), which ends its sessions within an access token's 15 minutes. RETURNING `id`
 * of the accounts it changed.
 */
export function suspendAccounts(ids: SQL): SQL {
  return sql`UPDATE users SET suspended = true, updated_at = now()
    WHERE id IN (${ids}) AND NOT coalesce(suspended, false) RETURNING id`;
}
