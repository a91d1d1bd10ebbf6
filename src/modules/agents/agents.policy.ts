import { type SQL, sql } from "drizzle-orm";
import { conflict } from "../../lib/errors";

/** Reads are for admins (level 5) and up; every write needs a Super Admin (level 7). */
export const AGENTS_READ_LEVEL = 5;
export const AGENTS_WRITE_LEVEL = 7;

/** The life cycle's forward steps, one at a time. */
const FORWARD = [
  ["inactive", "training"],
  ["training", "certified"],
  ["certified", "active"],
] as const;

/**
 * Whether an agent may move from `from` to `to`, as SQL over the locked row: one step
 * forward, a suspension from any other state, or the resume back to `suspendedFrom`.
 */
export function legalMove(from: SQL, to: SQL, suspendedFrom: SQL): SQL {
  const steps = sql.join(
    FORWARD.map(([a, b]) => sql`(${a}, ${b})`),
    sql`, `,
  );
  return sql`CASE
    WHEN ${to} = 'suspended' THEN ${from} <> 'suspended'
    WHEN ${from} = 'suspended' THEN ${to} = ${suspendedFrom}
    ELSE (${from}::text, ${to}::text) IN (${steps})
  END`;
}

/** The 409 for a move the life cycle does not allow. */
export function illegalTransition(from: string, to: string) {
  return conflict("illegal_transition", `An agent cannot move from ${from} to ${to}.`);
}
