import { type SQL, sql } from "drizzle-orm";
import { users } from "../../../drizzle/schema";

/**
 * Holds when an account may be used and seen: active (or never deactivated) and not suspended.
 * Without an argument it names the `users` table's columns; give a row alias for raw SQL.
 *
 * @example
 * db.select().from(users).where(and(eq(users.id, id), accountUsable()))
 * sql`SELECT ... FROM users u WHERE u.id = ${id} AND ${accountUsable(sql`u`)}`
 */
export function accountUsable(row?: SQL): SQL<boolean> {
  if (row === undefined) return sql<boolean>`(coalesce(${users.isActive}, true) AND NOT coalesce(${users.suspended}, false))`;
  return sql<boolean>`(coalesce(${row}.is_active, true) AND NOT coalesce(${row}.suspended, false))`;
}
