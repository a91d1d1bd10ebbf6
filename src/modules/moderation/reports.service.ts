import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx } from "../../lib/context";
import { PG, pgError } from "../../lib/db";
import { notFound } from "../../lib/errors";
import { type IdempotencyClaim, idempotencyRecordCte, idempotent } from "../../lib/idempotency";
import { notBlockedBetween } from "../blocks";
import { eventVisibleTo, setEventsHidden } from "../events";
import { groupVisibleTo, setGroupsHidden } from "../groups";
import { setCommentsHidden, setPostsHidden, visibleTo } from "../posts";
import { accountUsable } from "../users";
import { alreadyReportedError, AUTO_HIDE_THRESHOLD, selfReportError } from "./moderation.policy";
import { type ModerationTarget, type Report, type ReportReason, type ReportRow, toReport } from "./moderation.schemas";

/**
 * The routes an `Idempotency-Key` of a report is scoped to. Templates, not paths: the target id
 * is part of the request hash instead, so one key sent for two targets is a 422.
 */
export const REPORT_SCOPES: Record<ModerationTarget, string> = {
  post: "POST /api/posts/{id}/report",
  comment: "POST /api/comments/{id}/report",
  user: "POST /api/users/{id}/report",
  event: "POST /api/events/{id}/report",
  group: "POST /api/groups/{id}/report",
};

/**
 * The reported thing, if the reporter may see it, as `(id, owner_id)`, locked against
 * deletion (`FOR KEY SHARE` lets likes and edits through): a report racing a delete either
 * waits and finds nothing (404) or lands before it.
 */
function reportable(target: ModerationTarget, id: number, reporterId: number): SQL {
  switch (target) {
    case "post":
      return sql`SELECT p.id, p.user_id AS owner_id FROM posts p
        WHERE p.id = ${id} AND ${visibleTo(reporterId, sql`p`)} FOR KEY SHARE OF p`;
    case "comment":
      return sql`SELECT c.id, c.user_id AS owner_id FROM post_comments c JOIN posts p ON p.id = c.post_id
        WHERE c.id = ${id} AND ${visibleTo(reporterId, sql`p`)}
          AND (c.user_id = ${reporterId} OR (c.hidden_at IS NULL
            AND ${notBlockedBetween(reporterId, sql`c.user_id`)}
            AND EXISTS (SELECT 1 FROM users ca WHERE ca.id = c.user_id AND ${accountUsable(sql`ca`)})))
        FOR KEY SHARE OF c`;
    case "user":
      return sql`SELECT u.id, u.id AS owner_id FROM users u
        WHERE u.id = ${id} AND ${accountUsable(sql`u`)} AND ${notBlockedBetween(reporterId, sql`u.id`)}
        FOR KEY SHARE OF u`;
    case "event":
      return sql`SELECT e.id, e.user_id AS owner_id FROM events e
        WHERE e.id = ${id} AND ${eventVisibleTo(reporterId, sql`e`)} FOR KEY SHARE OF e`;
    case "group":
      // Its creator owns it (a city community has none).
      return sql`SELECT g.id, g.created_by AS owner_id FROM groups g
        WHERE g.id = ${id} AND ${groupVisibleTo(reporterId, sql`g`)} FOR KEY SHARE OF g`;
  }
}

/** Hiding content once it has enough reporters; accounts are never suspended automatically. */
function autoHide(target: ModerationTarget): SQL | null {
  const due = sql`SELECT target_id FROM queued WHERE report_count >= ${AUTO_HIDE_THRESHOLD}`;
  if (target === "post") return setPostsHidden(due, true);
  if (target === "comment") return setCommentsHidden(due, true);
  if (target === "event") return setEventsHidden(due, true);
  if (target === "group") return setGroupsHidden(due, true);
  return null;
}

/**
 * Files the actor's report of a post, comment, user, event or group, in one statement: the report, its
 * target's open queue item (made, or counted one more), and once the item has
 * {@link AUTO_HIDE_THRESHOLD} distinct reporters the content hidden pending review with an
 * `auto_hide` action recorded.
 *
 * Exact under concurrency: the open item is upserted on its partial unique index, so
 * concurrent reporters queue behind its row lock and each adds exactly one; the content is
 * hidden by the one statement that finds it not yet hidden. A second report by the same
 * reporter is seen here (409), and one racing the first fails the unique index on reports,
 * which rolls back its whole statement, count included (409 too).
 *
 * With an `Idempotency-Key` (see src/lib/idempotency.ts) the response is stored in the same
 * statement; a repeat replays it, also when its first report is what makes the repeat a 409
 * (seen by `fresh`, or the reports index failing before the key's insert is reached).
 */
export async function fileReport(
  ctx: ActorCtx,
  input: { target: ModerationTarget; targetId: number; reason: ReportReason; details?: string; claim: IdempotencyClaim | null },
): Promise<{ report: Report; replayed: boolean }> {
  const { claim } = input;
  const create = () => insertReport(ctx, input, claim);
  const { value, replayed } = await idempotent(ctx, claim, create, (stored) => toReport(stored.body as ReportRow));
  return { report: value, replayed };
}

async function insertReport(
  { db, actor, logger }: ActorCtx,
  input: { target: ModerationTarget; targetId: number; reason: ReportReason; details?: string },
  claim: IdempotencyClaim | null,
): Promise<Report> {
  const { target, targetId } = input;
  const hide = autoHide(target);
  let rows: {
    found: boolean;
    own: boolean;
    report: ReportRow | null;
    queue_id: number | null;
    report_count: number | null;
    hidden: boolean;
  }[];
  try {
    ({ rows } = await db.execute(sql`
      WITH target AS (${reportable(target, targetId, actor.id)}),
      fresh AS (
        SELECT t.id, t.owner_id FROM target t
        WHERE t.owner_id IS DISTINCT FROM ${actor.id} AND NOT EXISTS (
          SELECT 1 FROM reports r WHERE r.reporter_id = ${actor.id} AND r.target_type = ${target} AND r.target_id = t.id)
      ),
      queued AS (
        INSERT INTO moderation_queue (target_type, target_id, target_owner_id, report_count)
        SELECT ${target}, id, owner_id, 1 FROM fresh
        ON CONFLICT (target_type, target_id) WHERE status IN ('pending', 'claimed')
        DO UPDATE SET report_count = moderation_queue.report_count + 1, updated_at = now()
        RETURNING id, target_id, report_count
      ),
      report AS (
        INSERT INTO reports (reporter_id, target_type, target_id, reason, details, queue_id)
        SELECT ${actor.id}, ${target}, q.target_id, ${input.reason}, ${input.details || null}, q.id FROM queued q
        RETURNING id, target_type, target_id, reason, details, created_at
      ),
      hidden AS (${hide ?? sql`SELECT NULL::int AS id WHERE false`}),
      auto_hidden AS (
        INSERT INTO moderation_actions (queue_id, moderator_id, target_type, target_id, action)
        SELECT q.id, NULL, ${target}, h.id, 'auto_hide' FROM hidden h JOIN queued q ON q.target_id = h.id
      ),
      ${idempotencyRecordCte(claim, { status: 201, from: sql`report`, body: sql`to_jsonb(report)` })}
      SELECT EXISTS (SELECT 1 FROM target) AS found,
        EXISTS (SELECT 1 FROM target WHERE owner_id = ${actor.id}) AS own,
        (SELECT row_to_json(r) FROM report r) AS report,
        (SELECT id FROM queued) AS queue_id,
        (SELECT report_count FROM queued) AS report_count,
        EXISTS (SELECT 1 FROM hidden) AS hidden`));
  } catch (error) {
    const pg = pgError(error);
    if (pg?.code === PG.uniqueViolation && pg.constraint === "reports_reporter_target_idx") throw alreadyReportedError();
    throw error;
  }
  const row = rows[0]!;
  if (!row.found) throw notFound(target);
  if (row.own) throw selfReportError(target);
  if (!row.report) throw alreadyReportedError();
  logger.info("report filed", {
    reportId: Number(row.report.id),
    targetType: target,
    targetId,
    queueId: Number(row.queue_id),
    reportCount: Number(row.report_count),
    autoHidden: row.hidden,
  });
  return toReport(row.report);
}
