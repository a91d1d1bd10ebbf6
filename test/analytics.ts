import { sql } from "drizzle-orm";
import { analyticsEvents } from "../drizzle/schema";
import { auditCte } from "../src/modules/audit";
import type { Db } from "../src/lib/db";

/**
 * A client event row, written directly (not through the API): `test.event` now, anonymous,
 * unless given.
 *
 * @example
 * await createClientEvent(t.db, { userId: ana.id, occurredAt: new Date("2031-07-14T10:00:00Z") });
 */
export async function createClientEvent(db: Db, overrides: Partial<typeof analyticsEvents.$inferInsert> = {}) {
  const [row] = await db
    .insert(analyticsEvents)
    .values({ name: "test.event", occurredAt: new Date(), ...overrides })
    .returning();
  return row!;
}

/**
 * An audit row written through the audit CTE in a statement of its own, as an admin write
 * would (its source is a one-row VALUES), at `createdAt` when given. Returns its id.
 *
 * @example
 * await writeAuditRow(t.db, { actorId: admin.id, action: "flag.update", objectType: "feature_flag", objectId: "7",
 *   before: { enabled: false }, after: { enabled: true } });
 */
export async function writeAuditRow(
  db: Db,
  entry: {
    actorId: number;
    action: string;
    objectType: string;
    objectId: string;
    before?: Record<string, unknown> | null;
    after?: Record<string, unknown> | null;
    createdAt?: Date;
  },
): Promise<number> {
  const { rows } = await db.execute<{ id: string }>(sql`
    WITH src AS (
      SELECT ${entry.objectId}::text AS id, ${entry.before ? JSON.stringify(entry.before) : null}::jsonb AS before,
             ${entry.after ? JSON.stringify(entry.after) : null}::jsonb AS after
    ),
    ${auditCte({
      actorId: entry.actorId,
      action: entry.action,
      objectType: entry.objectType,
      from: sql`src`,
      objectId: sql`src.id`,
      before: sql`src.before`,
      after: sql`src.after`,
    })}
    SELECT id FROM audited`);
  const id = Number(rows[0]!.id);
  if (entry.createdAt) await db.execute(sql`UPDATE audit_log SET created_at = ${entry.createdAt.toISOString()}::timestamptz AT TIME ZONE 'UTC' WHERE id = ${id}`);
  return id;
}
