import { type SQL, sql } from "drizzle-orm";
import { AppError, forbidden } from "../../lib/errors";
import { TRAVEL_LIMITS } from "./travel.input";

/**
 * The rules between a trip's fields, checked on the row as a write would leave it (`next`
 * in the writing statement), in this order: the first broken one is the answer. The table's
 * CHECKs say the same; these give each its own code instead of a constraint name.
 */
export const TRIP_RULES = [
  {
    code: "trip_dates_reversed",
    detail: "The trip must not end before it starts.",
    broken: (n: SQL) => sql`${n}.ends_on < ${n}.starts_on`,
  },
  {
    code: "trip_too_long",
    detail: `A trip lasts at most ${TRAVEL_LIMITS.tripDays} days after its first.`,
    broken: (n: SQL) => sql`${n}.ends_on - ${n}.starts_on > ${TRAVEL_LIMITS.tripDays}`,
  },
  {
    code: "coordinates_incomplete",
    detail: "Give both latitude and longitude, or neither.",
    broken: (n: SQL) => sql`(${n}.latitude IS NULL) <> (${n}.longitude IS NULL)`,
  },
] as const;

/** The index of the first rule `next` breaks, or NULL: one column for the statement's verdict. */
export function brokenTripRule(next: SQL): SQL {
  return sql`CASE ${sql.join(TRIP_RULES.map((rule, i) => sql`WHEN ${rule.broken(next)} THEN ${sql.raw(String(i))}`), sql` `)} END`;
}

export function tripRuleError(index: number): AppError {
  const rule = TRIP_RULES[index]!;
  return new AppError(400, rule.code, rule.detail);
}

/** Someone else's trip they may see: theirs to read, not to change. */
export const notTripOwner = () => forbidden("Only the traveller may change or delete a trip.", "not_trip_owner");
