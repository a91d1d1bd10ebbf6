import { and, eq, not, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { notifications, users } from "../../../drizzle/schema";
import type { ActorCtx } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { keysetPage, type Page, type PageRequest, timeKey } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import { notBlockedBetween } from "../blocks";
import { toUserCard } from "../users";
import type { NotificationView } from "./notifications.schemas";

const actorUser = alias(users, "actor");

/**
 * The caller's notifications and nothing else, minus those whose actor is now blocked
 * (either way): to the recipient they no longer exist, on every route below.
 */
function visibleTo(userId: number) {
  return and(eq(notifications.userId, userId), notBlockedBetween(userId, notifications.actorId));
}

/** The actor's notifications, newest activity first (a bumped notification moves up). */
export async function listNotifications(
  { db, actor }: ActorCtx,
  page: PageRequest & { unreadOnly: boolean },
): Promise<Page<NotificationView>> {
  return keysetPage(
    page,
    { time: notifications.updatedAt, id: notifications.id },
    (keyset) =>
      db
        .select({
          notification: notifications,
          updatedKey: timeKey(notifications.updatedAt),
          actor: { id: actorUser.id, username: actorUser.username, name: actorUser.name, profileImage: actorUser.profileImage },
        })
        .from(notifications)
        .leftJoin(actorUser, eq(actorUser.id, notifications.actorId))
        .where(and(visibleTo(actor.id), page.unreadOnly ? not(notifications.isRead) : undefined, keyset.after))
        .orderBy(keyset.order)
        .limit(keyset.limit),
    {
      item: ({ notification: n, actor: a }) => ({
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
      key: (row) => [row.updatedKey, row.notification.id],
    },
  );
}

/** Unread rows the caller would see; the partial index on unread rows can serve it. */
export async function countUnread({ db, actor }: ActorCtx): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(notifications)
    .where(and(visibleTo(actor.id), not(notifications.isRead)));
  return Number(row?.count ?? 0);
}

/** Marks one of the caller's notifications read; already read is fine, anyone else's is a 404. */
export async function markRead({ db, actor }: ActorCtx, input: { id: number }): Promise<void> {
  const { rows } = await db.execute(sql`
    WITH target AS (
      SELECT id, is_read FROM notifications n
      WHERE n.id = ${input.id} AND n.user_id = ${actor.id} AND ${notBlockedBetween(actor.id, sql`n.actor_id`)}
    ),
    marked AS (
      UPDATE notifications SET is_read = true, read_at = now()
      WHERE id IN (SELECT id FROM target WHERE NOT is_read)
    )
    SELECT id FROM target`);
  if (!rows[0]) throw notFound("notification");
}

/** Marks every unread notification of the caller read; returns how many changed. */
export async function markAllRead({ db, actor }: ActorCtx): Promise<number> {
  const result = await db
    .update(notifications)
    .set({ isRead: true, readAt: sql`now()` })
    .where(and(visibleTo(actor.id), not(notifications.isRead)));
  return result.rowCount ?? 0;
}
