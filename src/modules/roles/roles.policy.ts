import { type SQL, sql } from "drizzle-orm";
import { type AppError, forbidden } from "../../lib/errors";

/** Super Admin and above assign roles. */
export const ROLE_ADMIN_LEVEL = 7;

export type RoleChangeOutcome = "actor_below" | "target_outranks" | "role_above" | "unchanged" | "change";

/**
 * Who may give whom which role, as a SQL decision so that it is taken in the statement that
 * applies it: the actor's level is read from the database (a token's role is up to 15
 * minutes old, so a demoted admin is refused at once); nobody hands out a role above their
 * own, nor touches someone ranked at or above them (peers cannot demote each other).
 */
export function roleChangeDecision(levels: { actor: SQL; target: SQL; wanted: SQL; sameRole: SQL }): SQL<RoleChangeOutcome> {
  return sql<RoleChangeOutcome>`CASE
    WHEN coalesce(${levels.actor}, 0) < ${ROLE_ADMIN_LEVEL} THEN 'actor_below'
    WHEN ${levels.target} >= ${levels.actor} THEN 'target_outranks'
    WHEN ${levels.wanted} > ${levels.actor} THEN 'role_above'
    WHEN ${levels.sameRole} THEN 'unchanged'
    ELSE 'change' END`;
}

/**
 * Changing your own role is refused outright: lowering it could leave the platform without
 * an administrator, and every role change has a second person behind it in the audit log.
 */
export function selfRoleChangeError(actorId: number, targetId: number): AppError | null {
  if (actorId !== targetId) return null;
  return forbidden("You cannot change your own role; ask another administrator.", "cannot_change_own_role");
}

/** The error for a refused decision, or null when the change may go ahead (or was a no-op). */
export function roleChangeError(outcome: RoleChangeOutcome): AppError | null {
  switch (outcome) {
    case "actor_below":
      return forbidden(`Assigning roles needs role level ${ROLE_ADMIN_LEVEL} or above.`, "insufficient_role");
    case "target_outranks":
      return forbidden("This user's role is at or above yours.", "user_outranks_you");
    case "role_above":
      return forbidden("You cannot assign a role above your own.", "role_above_yours");
    case "unchanged":
    case "change":
      return null;
  }
}
