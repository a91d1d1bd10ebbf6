import { sql } from "drizzle-orm";
import type { Ctx } from "../../lib/context";
import { markJobRun } from "../../lib/job-runs";
import { CLOSENESS_CURSOR, CLOSENESS_RUN, closenessStatement } from "./closeness.statement";

/**
 * The friendship ids to walk (lowest and highest) and where the job stopped last time: the
 * last id it finished, 0 once a pass is complete. One round trip.
 */
export async function closenessProgress({ db }: Ctx): Promise<{ min: number | null; max: number | null; position: number }> {
  const { rows } = await db.execute<{ min: number | null; max: number | null; position: number | null }>(sql`
    SELECT (SELECT min(id) FROM friendships) AS min, (SELECT max(id) FROM friendships) AS max,
           (SELECT position FROM job_cursors WHERE job = ${CLOSENESS_CURSOR}) AS position`);
  const row = rows[0];
  const num = (value: number | null | undefined) => (value === null || value === undefined ? null : Number(value));
  return { min: num(row?.min), max: num(row?.max), position: num(row?.position) ?? 0 };
}

/**
 * Starts a run of the closeness job pinned to `ctx.now`: from here on, a chunk pinned to an
 * earlier time (a queued chunk of an earlier run) is stale and writes nothing.
 */
export async function markClosenessRun({ db, now }: Ctx): Promise<void> {
  await markJobRun(db, CLOSENESS_RUN, now);
}

/**
 * Saves the job's position without running a chunk: the end of the last range a run handed to
 * the queue (0 once that was the last range of the table), so the next run resumes after it.
 */
export async function saveClosenessPosition({ db }: Ctx, position: number): Promise<void> {
  await db.execute(sql`
    INSERT INTO job_cursors (job, position, updated_at) VALUES (${CLOSENESS_CURSOR}, ${position}, now())
    ON CONFLICT (job) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`);
}

/**
 * Recomputes, from scratch, the closeness score (0-100) of the pairs whose first row (the one
 * from the lower user id) has an id in `range`, and saves `position` as the job's cursor in
 * the same statement, so a run cut off after it resumes past it (a null `position`, for a chunk
 * the queue runs, saves none). Each pair is scored once and
 * both its rows get the same score and `last_interaction_at`, in one UPDATE; a pair is scored
 * only while both rows are active. A rerun at the same time changes nothing.
 *
 * The score: 75 to start (80 when they danced together), plus what the two dancers did
 * together in the 90 days up to the job's time (capped at +25; nothing after that time
 * counts), minus a point per week of silence after the first month, counted from the latest
 * date of either row or of what they did.
 *
 * What counts, per pair:
 * - logged friendship activities (of either row): dancing together 6, an event together 5,
 *   a shared memory 4, joining a group together 3, a message or a like 1;
 * - events both RSVP'd "going" to that took place in the window: 5 each;
 * - messages in their direct chat: half a point each, at most 10;
 * - likes on each other's posts: 1 each, at most 10.
 *
 * Runs with JIT off (in the same transaction): compiling the plan costs more than it saves
 * on these short per-pair lookups.
 */
export async function recomputeClosenessRange(
  { db, now }: Ctx,
  range: { lo: number; hi: number },
  cursor: { position: number | null },
): Promise<{ pairs: number; updated: number; stale: boolean }> {
  const [, result] = await db.batch([
    db.execute(sql`SET LOCAL jit = off`),
    db.execute<{ pairs: number; updated: number; stale: boolean }>(closenessStatement(now, range, cursor.position)),
  ]);
  const row = result.rows[0];
  return { pairs: Number(row?.pairs ?? 0), updated: Number(row?.updated ?? 0), stale: row?.stale === true };
}

