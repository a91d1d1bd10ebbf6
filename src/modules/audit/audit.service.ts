import { z } from "@hono/zod-openapi";
import { and, eq, type SQL, sql } from "drizzle-orm";
import { auditLog } from "../../../drizzle/schema";
import type { Ctx } from "../../lib/context";
import { keysetPage, type Page, type PageRequest, PgTimestampText, timeKey } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import type { AuditEntryOut, AuditFilters } from "./audit.schemas";

/** Audit ids are bigserial: the cursor's id may pass int4. */
const AuditCursor = z.tuple([PgTimestampText, z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)]);

/**
 * The audit log, newest first, by keyset over (created_at, id), filtered by who, what and
 * when. Each single filter has its index ending in (created_at, id): actor, action, object
 * type (and id), or time alone.
 */
export async function listAudit({ db }: Ctx, input: PageRequest & AuditFilters): Promise<Page<AuditEntryOut>> {
  const filters: (SQL | undefined)[] = [
    input.actorId === undefined ? undefined : eq(auditLog.actorId, input.actorId),
    input.action === undefined ? undefined : eq(auditLog.action, input.action),
    input.objectType === undefined ? undefined : eq(auditLog.objectType, input.objectType),
    input.objectId === undefined ? undefined : eq(auditLog.objectId, input.objectId),
    input.from === undefined ? undefined : sql`${auditLog.createdAt} >= (${input.from}::timestamptz AT TIME ZONE 'UTC')`,
    input.to === undefined ? undefined : sql`${auditLog.createdAt} < (${input.to}::timestamptz AT TIME ZONE 'UTC')`,
  ];
  return keysetPage(
    input,
    { time: auditLog.createdAt, id: auditLog.id, cursor: AuditCursor },
    (keyset) =>
      db
        .select({
          id: auditLog.id,
          actorId: auditLog.actorId,
          action: auditLog.action,
          objectType: auditLog.objectType,
          objectId: auditLog.objectId,
          before: auditLog.before,
          after: auditLog.after,
          createdAt: auditLog.createdAt,
          key: timeKey(auditLog.createdAt),
        })
        .from(auditLog)
        .where(and(...filters, keyset.after))
        .orderBy(keyset.order)
        .limit(keyset.limit),
    {
      item: (row) => ({
        id: Number(row.id),
        actorId: row.actorId,
        action: row.action,
        objectType: row.objectType,
        objectId: row.objectId,
        before: row.before as Record<string, unknown> | null,
        after: row.after as Record<string, unknown> | null,
        createdAt: isoUtc(row.createdAt),
      }),
      key: (row) => [row.key, Number(row.id)],
    },
  );
}
