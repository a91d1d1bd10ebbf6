import { type AnyColumn, type SQL, sql } from "drizzle-orm";

/** A user id, a column, or SQL computing one inside the caller's statement. */
type UserRef = number | AnyColumn | SQL;

/**
 * Holds when `a` and `b` became friends through a request (either way) whose story says they
 * danced together: what starts a friendship at 80 rather than 75. Served by the unique
 * (sender_id, receiver_id) index and the story's primary key.
 *
 * @example
 * sql`SELECT CASE WHEN ${saidTheyDanced(sql`f.user_id`, sql`f.friend_id`)} THEN 80 ELSE 75 END FROM friendships f`
 */
export function saidTheyDanced(a: UserRef, b: UserRef): SQL<boolean> {
  return sql<boolean>`EXISTS (SELECT 1 FROM friend_requests fr
    JOIN friend_request_stories frs ON frs.friend_request_id = fr.id AND frs.did_we_dance
    WHERE fr.status = 'accepted'
      AND ((fr.sender_id = ${a} AND fr.receiver_id = ${b}) OR (fr.sender_id = ${b} AND fr.receiver_id = ${a})))`;
}
