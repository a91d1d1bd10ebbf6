import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { conflict, notFound } from "../../lib/errors";
import { keysetPage, type Page, type PageRequest } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import { auditCte, auditRow } from "../audit";
import { type DeploymentStatus, illegalTransition, moveAllowed, notRollbackTarget } from "./deployments.policy";
import type { Deployment, DeploymentDetail, DeploymentReport } from "./deployments.schemas";

/** A deployments row as raw SQL gives it (timestamps as Postgres text). */
type DeploymentRow = {
  id: number;
  external_id: string | null;
  type: Deployment["type"];
  status: DeploymentStatus;
  git_commit_sha: string | null;
  git_branch: string;
  git_commit_message: string | null;
  triggered_by: string | null;
  version_id: string | null;
  url: string | null;
  error_message: string | null;
  rollback_of_id: number | null;
  user_id: number | null;
  started_at: string | null;
  building_at: string | null;
  deploying_at: string | null;
  completed_at: string | null;
  duration_seconds: number | null;
  created_at: string;
  updated_at: string;
  build_logs?: string | null;
};

/** The columns of a deployment the API shows (build logs apart: only the detail carries them). */
const COLUMN_NAMES = [
  "id", "external_id", "type", "status", "git_commit_sha", "git_branch", "git_commit_message", "triggered_by", "version_id",
  "url", "error_message", "rollback_of_id", "user_id", "started_at", "building_at", "deploying_at", "completed_at",
  "duration_seconds", "created_at", "updated_at",
];

/** {@link COLUMN_NAMES} as a select list, of a table alias or CTE when given. */
function columns(alias?: string): SQL {
  return sql.raw(COLUMN_NAMES.map((name) => (alias ? `${alias}.${name}` : name)).join(", "));
}

/** Build logs are not copied into the audit log: they are large and say nothing about who changed what. */
const AUDIT_OMIT = ["build_logs"];

function toDeployment(row: DeploymentRow): Deployment {
  return {
    id: Number(row.id),
    externalId: row.external_id,
    type: row.type,
    status: row.status,
    gitCommitSha: row.git_commit_sha,
    gitBranch: row.git_branch,
    gitCommitMessage: row.git_commit_message,
    triggeredBy: row.triggered_by,
    versionId: row.version_id,
    url: row.url,
    errorMessage: row.error_message,
    rollbackOfId: row.rollback_of_id === null ? null : Number(row.rollback_of_id),
    recordedBy: row.user_id === null ? null : Number(row.user_id),
    startedAt: isoUtc(row.started_at),
    buildingAt: isoUtc(row.building_at),
    deployingAt: isoUtc(row.deploying_at),
    completedAt: isoUtc(row.completed_at),
    durationSeconds: row.duration_seconds === null ? null : Number(row.duration_seconds),
    createdAt: isoUtc(row.created_at),
    updatedAt: isoUtc(row.updated_at),
  };
}

/** Seconds from a deployment's start to `end`, whole, never negative. */
function secondsSince(start: SQL, end: SQL): SQL {
  return sql`greatest(0, floor(extract(epoch FROM ${end} - ${start})))::int`;
}

/**
 * The time of a move on a locked row: `now` (the transaction's start), but never before a step
 * the row already has. Of two racing moves, the one that started first may get the lock second;
 * its `now()` is then older than the other's step, and taken as is it would end a deployment
 * before it began to build.
 */
function moveTime(row: string, now: SQL): SQL {
  const r = sql.raw(row);
  return sql`greatest(${now}, ${r}.started_at, ${r}.building_at, ${r}.deploying_at)`;
}

export interface RecordedReport {
  deployment: Deployment;
  /** True when this report created the deployment. */
  created: boolean;
}

/**
 * Records one signed report from CI, in one statement:
 * - the delivery is remembered (`webhook_deliveries`, by its signature's hash, `ON CONFLICT DO
 *   NOTHING`); a delivery seen before writes nothing else (409 `webhook_replayed`), and of two
 *   identical deliveries racing, the second waits on the first's key and then finds it;
 * - the deployment is upserted by CI's `external_id`: the first report creates it, later ones
 *   move it through `ON CONFLICT DO UPDATE ... WHERE` the move is allowed (deployments.policy.ts),
 *   which locks the row and judges the move against its latest committed status, so racing
 *   reports of one deployment apply one after the other and a late one (`building` after
 *   `success`) is refused (409 `illegal_transition`) without touching anything;
 * - each step's time is set once, when the deployment first reaches it (`coalesce` keeps the
 *   first), never before a step it already has (see {@link moveTime}), and `duration_seconds` is
 *   the end's time minus the start's, computed in the statement.
 * Later reports may add details (url, version, logs, error) but never erase them. The time is
 * the database's `now()`, the same for every column the statement writes.
 */
export async function recordReport(ctx: Ctx, input: { report: DeploymentReport; deliveryKey: string }): Promise<RecordedReport> {
  const { db } = ctx;
  const r = input.report;
  const status = sql`${r.status}::varchar`;
  // EXCLUDED.started_at is this statement's now(); the move's time is taken on the locked row.
  const at = moveTime("d", sql`EXCLUDED.started_at`);
  const { rows } = await db.execute<DeploymentRow & { fresh: boolean; created: boolean | null; current_status: DeploymentStatus | null }>(sql`
    WITH fresh AS (
      INSERT INTO webhook_deliveries (signature_hash, source) VALUES (${input.deliveryKey}, 'deployments')
      ON CONFLICT (signature_hash) DO NOTHING
      RETURNING signature_hash
    ),
    written AS (
      INSERT INTO deployments AS d (
        external_id, type, status, git_commit_sha, git_branch, git_commit_message, triggered_by, version_id, url,
        build_logs, error_message, started_at, building_at, deploying_at, completed_at, duration_seconds
      )
      SELECT ${r.externalId}, ${r.type ?? "production"}, ${status}, ${r.gitCommitSha ?? null}, ${r.gitBranch},
             ${r.gitCommitMessage ?? null}, ${r.triggeredBy ?? null}, ${r.versionId ?? null}, ${r.url ?? null},
             ${r.buildLogs ?? null}, ${r.errorMessage ?? null}, now(),
             CASE WHEN ${status} = 'building' THEN now() END,
             CASE WHEN ${status} = 'deploying' THEN now() END,
             CASE WHEN ${status} IN ('success', 'failed', 'cancelled') THEN now() END,
             CASE WHEN ${status} IN ('success', 'failed', 'cancelled') THEN 0 END
      FROM fresh
      ON CONFLICT (external_id) DO UPDATE SET
        status = EXCLUDED.status,
        building_at = coalesce(d.building_at, CASE WHEN EXCLUDED.building_at IS NOT NULL THEN ${at} END),
        deploying_at = coalesce(d.deploying_at, CASE WHEN EXCLUDED.deploying_at IS NOT NULL THEN ${at} END),
        completed_at = coalesce(d.completed_at, CASE WHEN EXCLUDED.completed_at IS NOT NULL THEN ${at} END),
        duration_seconds = CASE WHEN d.completed_at IS NULL AND EXCLUDED.completed_at IS NOT NULL
          THEN ${secondsSince(sql`coalesce(d.started_at, d.created_at)`, at)}
          ELSE d.duration_seconds END,
        git_commit_sha = coalesce(EXCLUDED.git_commit_sha, d.git_commit_sha),
        git_commit_message = coalesce(EXCLUDED.git_commit_message, d.git_commit_message),
        triggered_by = coalesce(EXCLUDED.triggered_by, d.triggered_by),
        version_id = coalesce(EXCLUDED.version_id, d.version_id),
        url = coalesce(EXCLUDED.url, d.url),
        build_logs = coalesce(EXCLUDED.build_logs, d.build_logs),
        error_message = coalesce(EXCLUDED.error_message, d.error_message),
        updated_at = now()
      WHERE ${moveAllowed(sql`d.status`, sql`EXCLUDED.status`)}
      RETURNING ${columns("d")}, (d.xmax = 0) AS created
    )
    SELECT EXISTS (SELECT 1 FROM fresh) AS fresh,
           (SELECT status FROM deployments WHERE external_id = ${r.externalId}) AS current_status,
           w.*
    FROM (SELECT 1) one LEFT JOIN written w ON true`);
  const row = rows[0]!;
  if (!row.fresh) throw conflict("webhook_replayed", "This delivery was received before; sign each report afresh.");
  if (row.id === null) throw illegalTransition(row.current_status, r.status);
  const created = Boolean(row.created);
  ctx.logger.info("deployment reported", { code: created ? "deployment_created" : "deployment_moved", deploymentId: Number(row.id) });
  return { deployment: toDeployment(row), created };
}

/** Deployments, newest first (keyset over created_at, id), filtered by status, branch and type. */
export async function listDeployments(
  { db }: Ctx,
  input: PageRequest & { status?: string; branch?: string; type?: string },
): Promise<Page<Deployment>> {
  const filters = [
    input.status === undefined ? sql`true` : sql`status = ${input.status}`,
    input.branch === undefined ? sql`true` : sql`git_branch = ${input.branch}`,
    input.type === undefined ? sql`true` : sql`type = ${input.type}`,
  ];
  return keysetPage(
    input,
    { time: sql`created_at`, id: sql`id` },
    async (keyset) => {
      const { rows } = await db.execute<DeploymentRow & { created_key: string }>(sql`
        SELECT ${columns()}, created_at::text AS created_key FROM deployments
        WHERE ${sql.join(filters, sql` AND `)} AND ${keyset.after}
        ORDER BY ${keyset.order}
        LIMIT ${keyset.limit}`);
      return rows;
    },
    { item: toDeployment, key: (row) => [row.created_key, Number(row.id)] },
  );
}

/** One deployment with its build logs. */
export async function getDeployment({ db }: Ctx, input: { id: number }): Promise<DeploymentDetail> {
  const { rows } = await db.execute<DeploymentRow>(sql`SELECT ${columns()}, build_logs FROM deployments WHERE id = ${input.id}`);
  const row = rows[0];
  if (!row) throw notFound("deployment");
  return { ...toDeployment(row), buildLogs: row.build_logs ?? null };
}

/**
 * Records a rollback to an earlier successful deployment, in one statement with its audit row:
 * a `rollback` deployment, `pending`, on the target's branch, commit and version, recorded by the
 * admin, whose external id `rollback-<id>` CI reports its moves under. A target that is not a
 * success is a 409 and writes nothing (the new id is drawn from the sequence first so that the
 * external id can carry it; a refused rollback only leaves a gap in the ids). The reason is
 * kept in the audit row.
 */
export async function recordRollback(ctx: ActorCtx, input: { id: number; reason?: string }): Promise<Deployment> {
  const { db, actor } = ctx;
  const { rows } = await db.execute<DeploymentRow & { target_status: DeploymentStatus | null }>(sql`
    WITH target AS (SELECT id, status, type, git_branch, git_commit_sha, git_commit_message, version_id FROM deployments WHERE id = ${input.id}),
    created AS (
      INSERT INTO deployments (id, external_id, type, status, user_id, rollback_of_id, git_branch, git_commit_sha, git_commit_message, version_id, started_at)
      SELECT n.id, 'rollback-' || n.id, 'rollback', 'pending', ${actor.id}, t.id, t.git_branch, t.git_commit_sha, t.git_commit_message, t.version_id, now()
      FROM target t CROSS JOIN LATERAL (SELECT nextval(pg_get_serial_sequence('deployments', 'id'))::int AS id) n
      WHERE t.status = 'success'
      RETURNING *
    ),
    ${auditCte({
      actorId: actor.id,
      action: "deployment.rollback",
      objectType: "deployment",
      from: sql`created`,
      objectId: sql`created.id`,
      after: sql`${auditRow(sql`created`, AUDIT_OMIT)} || jsonb_build_object('reason', ${input.reason ?? null}::text)`,
    })}
    SELECT (SELECT status FROM target) AS target_status, ${columns("c")}
    FROM (SELECT 1) one LEFT JOIN created c ON true`);
  const row = rows[0]!;
  if (row.target_status === null) throw notFound("deployment");
  if (row.id === null) throw notRollbackTarget(row.target_status);
  ctx.logger.info("rollback recorded", { code: "deployment_rollback", deploymentId: Number(row.id), rollbackOfId: input.id });
  return toDeployment(row);
}

/**
 * Cancels a deployment not yet ended, in one statement with its audit row: the row is locked
 * (`old ... FOR UPDATE`) and the move rechecked on it, so a cancel racing CI's `success` either
 * lands first (the report is then refused) or finds it ended (409). Sets completed_at and the
 * duration like an end reported by CI.
 */
export async function cancelDeployment(ctx: ActorCtx, input: { id: number }): Promise<Deployment> {
  const { db, actor } = ctx;
  const { rows } = await db.execute<DeploymentRow & { was_status: DeploymentStatus | null }>(sql`
    WITH old AS (SELECT * FROM deployments WHERE id = ${input.id} FOR UPDATE),
    changed AS (
      UPDATE deployments d SET status = 'cancelled', completed_at = ${moveTime("old", sql`now()`)},
        duration_seconds = ${secondsSince(sql`coalesce(old.started_at, old.created_at)`, moveTime("old", sql`now()`))}, updated_at = now()
      FROM old
      WHERE d.id = old.id AND old.status <> 'cancelled' AND ${moveAllowed(sql`old.status`, sql`'cancelled'`)}
      RETURNING d.*, ${auditRow(sql`old`, AUDIT_OMIT)} AS audit_before, ${auditRow(sql`d`, AUDIT_OMIT)} AS audit_after
    ),
    ${auditCte({
      actorId: actor.id,
      action: "deployment.cancel",
      objectType: "deployment",
      from: sql`changed`,
      objectId: sql`changed.id`,
      before: sql`changed.audit_before`,
      after: sql`changed.audit_after`,
    })}
    SELECT (SELECT status FROM old) AS was_status, ${columns("c")}
    FROM (SELECT 1) one LEFT JOIN changed c ON true`);
  const row = rows[0]!;
  if (row.was_status === null) throw notFound("deployment");
  if (row.id === null) throw illegalTransition(row.was_status, "cancelled");
  ctx.logger.info("deployment cancelled", { code: "deployment_cancel", deploymentId: Number(row.id) });
  return toDeployment(row);
}
