import { sql, type SQL } from "drizzle-orm";
import type { Ctx } from "../lib/context";
import type { JobIo } from "./chunks";

/** Counts a job reports (rows examined, updated, ...), logged with its duration. */
export type JobCounts = Record<string, number>;

export interface Job {
  name: string;
  /**
   * `ctx.now` is the trigger's scheduled time (so a rerun is idempotent); `ctx.actor` is null.
   * `io.chunks`: the queue a chunked job may fan out onto (src/jobs/chunks.ts).
   */
  run(ctx: Ctx, io?: JobIo): Promise<JobCounts>;
}

/**
 * Walks a table's serial id range in chunks, so each statement stays far inside Neon's HTTP
 * timeout however large the table grows.
 *
 * @example
 * await forEachIdRange({ min: 1, max: 12000 }, 5000, (lo, hi) => recomputeRange(db, lo, hi, now));
 * // runs (1, 5000), (5001, 10000), (10001, 12000)
 */
export async function forEachIdRange(
  bounds: { min: number | null; max: number | null },
  chunkSize: number,
  run: (lo: number, hi: number) => Promise<void>,
): Promise<void> {
  if (bounds.min === null || bounds.max === null) return;
  for (let lo = bounds.min; lo <= bounds.max; lo += chunkSize) {
    await run(lo, Math.min(lo + chunkSize - 1, bounds.max));
  }
}

/**
 * The job's time as a SQL value for the `timestamp` (UTC, no zone) columns: jobs compare
 * with this rather than `now()`, so a run is pinned to its trigger's time (and tests can
 * move it).
 */
export function sqlTime(now: Date): SQL {
  return sql`(${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
}
