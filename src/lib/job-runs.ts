// Chunked cron jobs whose chunks may run later, on a queue: which run is the newest, and the
// guard that keeps an older run's chunk from writing over it.
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "./db";

/** A time as a SQL value for the `timestamp` (UTC, no zone) columns. */
const at = (now: Date): SQL => sql`(${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

/**
 * Records that a run of the job pinned to `now` has started: its marker row in job_cursors
 * (`updated_at` is the run's trigger time). The run that started last is the newest, so a
 * chunk pinned to an earlier time is stale from here on. Waits for the chunks under way that
 * hold the marker (see {@link staleGuard}). One round trip.
 */
export async function markJobRun(db: Db, marker: string, now: Date): Promise<void> {
  await db.execute(sql`
    INSERT INTO job_cursors (job, position, updated_at) VALUES (${marker}, 0, ${at(now)})
    ON CONFLICT (job) DO UPDATE SET updated_at = excluded.updated_at`);
}

/**
 * The stale guard of a chunk statement pinned to `now`, as two CTEs to put in its WITH:
 * `run_marker` share-locks the job's marker row and `live` (one column, `ok`) says whether no
 * newer run has started. The statement writes only `WHERE (SELECT ok FROM live)`. The lock
 * makes it exact under read committed: a newer run's marker write waits for the chunks that
 * hold it, and a chunk that waits on that write then reads the new marker, so an older chunk
 * never lands its rows over a newer run's.
 */
export function staleGuard(marker: string, now: Date | SQL): SQL {
  const time = now instanceof Date ? at(now) : now;
  return sql`run_marker AS (SELECT updated_at FROM job_cursors WHERE job = ${marker} FOR SHARE),
    live AS (SELECT NOT EXISTS (SELECT 1 FROM run_marker WHERE updated_at > ${time}) AS ok)`;
}
