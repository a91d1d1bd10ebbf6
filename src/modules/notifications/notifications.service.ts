import { and, desc, eq, not, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { notifications, users } from "../../../drizzle/schema";
import type { Db } from "../../lib/db";
import { notFound } from "../../lib/errors";
import { olderThan, type Page, type TimeIdCursor, timeKey, toPage } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import { notBlockedBetween } from "../blocks/blocks.conditions";
import { toUserCard } from "../users/users.schemas";
import type { NotificationView } from "./notifications.schemas";

const actor = alias(users, "actor");

/**
 * The caller's notifications and nothing else, minus those whose actor is now blocked
 * (either way): to the recipient they no longer exist, on every route below.
 */
function visibleTo(userId: number) {
  return and(eq(notifications.userId, userId), notBlockedBetween(userId, notifications.actorId));
}

/** Newest activity first (a bumped notification moves up), keyset over (updated_at, id). */
export async function listNotifications(
  db: Db,
  userId: number,
  page: { limit: number; after?: TimeIdCursor; unreadOnly: boolean },
): Promise<Page<NotificationView>> {
  const after = page.after;
  const rows = await db
    .select({
      notification: notifications,
      updatedKey: timeKey(notifications.updatedAt),
      actor: { id: actor.id, username: actor.username, name: actor.name, profileImage: actor.profileImage },
    })
    .from(notifications)
    .leftJoin(actor, eq(actor.id, notifications.actorId))
    .where(
      and(
        visibleTo(userId),
        page.unreadOnly ? not(notifications.isRead) : undefined,
        olderThan(notifications.updatedAt, notifications.id, after),
      ),
    )
    .orderBy(desc(notifications.updatedAt), desc(notifications.id))
    .limit(page.limit + 1);
  return toPage(
    rows,
    page.limit,
    ({ notification: n, actor: a }) => ({
      id: n.id,
      type: n.type,
      actor: a ? toUserCard(a) : null,
      subjectType: n.subjectType,
      subjectId: n.subjectId,
      data: (n.data ?? {}) as Record<string, unknown>,
      count: n.count,
      isRead: n.isRead,
      readAt: isoUtc(n.readAt),
      createdAt: isoUtc(n.createdAt),
      updatedAt: isoUtc(n.updatedAt),
    }),
    (row) => [row.updatedKey, row.notification.id],
  );
}

/** Unread rows the caller would see; the partial index on unread rows can serve it. */
export async function countUnread(db: Db, userId: number): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(notifications)
    .where(and(visibleTo(userId), not(notifications.isRead)));
  return Number(row?.count ?? 0);
}

/** Marks one of the caller's notifications read; already read is fine, anyone else's is a 404. */
export async function markRead(db: Db, userId: number, id: number): Promise<void> {
  const { rows } = await db.execute(sql`
    WITH target AS (
      SELECT id, is_read FROM notifications n
      WHERE n.id = ${id} AND n.user_id = ${userId} AND ${notBlockedBetween(userId, sql`n.actor_id`)}
    ),
    marked AS (
      UPDATE notifications SET is_read = true, read_at = now()
      WHERE id IN (SELECT id FROM target WHERE NOT is_read)
    )
    SELECT id FROM target`);
  if (!rows[0]) throw notFound("notification");
}

/** Marks every unread notification of the caller read; returns how many changed. */
export async function markAllRead(db: Db, userId: number): Promise<number> {
  const result = await db
    .update(notifications)
    .set({ isRead: true, readAt: sql`now()` })
    .where(and(visibleTo(userId), not(notifications.isRead)));
  return result.rowCount ?? 0;
}
