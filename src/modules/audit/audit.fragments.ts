import { type SQL, sql } from "drizzle-orm";

/** What an audit row records about one admin write (see {@link auditCte}). */
export interface AuditEntry {
  /** The admin who wrote. */
  actorId: number;
  /** What was done, as `<object>.<verb>`: `agent.create`, `flag.update`, `deployment.rollback`. */
  action: string;
  /** The kind of object written: `esa_agent`, `feature_flag`, ... */
  objectType: string;
  /**
   * The rows written: a CTE of the same statement (usually the data-modifying one, through its
   * RETURNING), one audit row per row it holds. None, no audit row: a refused write logs nothing.
   */
  from: SQL;
  /** The object's id, in the terms of `from`. */
  objectId: SQL;
  /** The row before the write, as jsonb in the terms of `from` (null for a create). See {@link auditRow}. */
  before?: SQL;
  /** The row after the write, as jsonb (null for a delete). */
  after?: SQL;
}

/**
 * The audit row of an admin write, as a CTE to fold into the write's own statement: the write
 * and its record commit together or not at all, and a write that changed nothing records
 * nothing. `before` is best taken from a `FOR UPDATE` read of the row in the same statement, so
 * that two writes racing each other each record the row they really replaced.
 *
 * @example
 * await db.execute(sql`
 *   WITH old AS (SELECT * FROM feature_flags WHERE id = ${id} FOR UPDATE),
 *   changed AS (
 *     UPDATE feature_flags f SET enabled = ${on}, updated_at = now() FROM old WHERE f.id = old.id
 *     RETURNING f.id, ${auditRow(sql`old`)} AS before, ${auditRow(sql`f`)} AS after
 *   ),
 *   ${auditCte({ actorId, action: "flag.update", objectType: "feature_flag", from: sql`changed`,
 *               objectId: sql`changed.id`, before: sql`changed.before`, after: sql`changed.after` })}
 *   SELECT * FROM changed`);
 */
export function auditCte(entry: AuditEntry, name = "audited"): SQL {
  return sql`${sql.identifier(name)} AS (
    INSERT INTO audit_log (actor_id, action, object_type, object_id, before, after)
    SELECT ${entry.actorId}::int, ${entry.action}, ${entry.objectType}, (${entry.objectId})::text,
           ${entry.before ?? sql`NULL::jsonb`}, ${entry.after ?? sql`NULL::jsonb`}
    FROM ${entry.from}
    RETURNING id
  )`;
}

/**
 * A table row (or a CTE's row) as jsonb for the audit log, without the columns that must never
 * be copied there (secrets, key hashes). Column names stay as the database has them.
 *
 * @example
 * auditRow(sql`a`, ["api_key_hash"]) // to_jsonb(a) - 'api_key_hash'
 */
export function auditRow(row: SQL, omit: readonly string[] = []): SQL {
  return omit.reduce<SQL>((json, column) => sql`${json} - ${column}::text`, sql`to_jsonb(${row})`);
}
