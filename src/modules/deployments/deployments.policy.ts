import { type SQL, sql } from "drizzle-orm";
import { DEPLOYMENT_STATUSES, DEPLOYMENT_TYPES } from "../../../drizzle/platform";
import { type AppError, conflict } from "../../lib/errors";

export { DEPLOYMENT_STATUSES, DEPLOYMENT_TYPES };
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/** Admins (level 5) read deployments; Super Admins (level 7) record rollbacks and cancel. */
export const DEPLOYMENT_READ_LEVEL = 5;
export const DEPLOYMENT_WRITE_LEVEL = 7;

/** How far along a status is, for a status column or value: pending 0, building 1, deploying 2, any end 3. */
function rank(status: SQL): SQL {
  return sql`(CASE ${status} WHEN 'pending' THEN 0 WHEN 'building' THEN 1 WHEN 'deploying' THEN 2 ELSE 3 END)`;
}

/**
 * Whether a deployment may move from `from` to `to`: only forward along pending → building →
 * deploying → success | failed | cancelled, skipping steps allowed (CI may skip `building` for a
 * prebuilt artifact, or fail before it deploys), never backwards and never out of an end state.
 * The same status again is allowed (a repeated report, perhaps with more details) and moves
 * nothing. A report arriving late (`building` after `success`) is thereby refused, so it can
 * neither move a deployment back nor touch its timing.
 */
export function moveAllowed(from: SQL, to: SQL): SQL<boolean> {
  return sql<boolean>`(${from} = ${to} OR (${from} NOT IN ('success', 'failed', 'cancelled') AND ${rank(to)} > ${rank(from)}))`;
}

export const illegalTransition = (from: string | null, to: string): AppError =>
  conflict("illegal_transition", from === null ? `The deployment cannot move to ${to} now.` : `A deployment cannot move from ${from} to ${to}.`);

export const notRollbackTarget = (status: string): AppError =>
  conflict("not_rollback_target", `Only a successful deployment can be rolled back to; this one is ${status}.`);
