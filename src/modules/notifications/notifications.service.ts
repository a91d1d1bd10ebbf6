import { and, eq, not, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { notifications, users } from "../../../drizzle/schema";
import type { ActorCtx, Ctx } from "../../lib/context";
import { type Db, mapRow } from "../../lib/db";
import { notFound } from "../../lib/errors";
import { keysetPage, type Page, type PageRequest, timeKey } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import { notBlockedBetween } from "../blocks";
import { toUserCard } from "../users";
import type { NotificationView } from "./notifications.schemas";
import { notificationsChanged } from "./notify.watch";

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
      item: ({ notification: n, actor: a }) => toNotificationView(n, a),
      key: (row) => [row.updatedKey, row.notification.id],
    },
  );
}

type ActorColumns = { id: number; username: string; name: string; profileImage: string | null };

/** A notification as every route and the live channel show it. */
function toNotificationView(n: typeof notifications.$inferSelect, a: ActorColumns | null): NotificationView {
  return {
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
  };
}

/** What {@link notificationChanges} found. */
export interface NotificationChanges {
  /** Postgres' clock when it read (`YYYY-MM-DD HH24:MI:SS.US`, UTC, as `updated_at` holds it). */
  readAt: string;
  /** The dancer's unread count, as GET /api/notifications/unread-count gives it. */
  unreadCount: number;
  /** Changed (written or bumped) at or after `since`, newest first, each with its exact `updated_at` (the same format). */
  notifications: { key: string; notification: NotificationView }[];
}

/** How {@link notificationChanges} reads: a dancer's notifications changed since a point (`YYYY-MM-DD HH24:MI:SS.US`, UTC). */
export interface NotificationChangesInput {
  userId: number;
  since: string;
  limit: number;
}

const MICROS = "YYYY-MM-DD HH24:MI:SS.US";

/**
 * A dancer's notifications changed since a point, and their unread count, with Postgres' clock,
 * as one statement not yet run (for a `db.batch`; {@link toNotificationChanges} reads its
 * result). Notifications from a dancer now blocked either way are left out, as on every route.
 * The changes are read on the `(user_id, updated_at, id)` index, the count on the unread one.
 */
export function notificationChangesStatement(db: Db, { userId, since, limit }: NotificationChangesInput) {
  const visible = sql`n.user_id = ${userId} AND ${notBlockedBetween(userId, sql`n.actor_id`)}`;
  return db.execute(sql`
    SELECT clock.pg_now, unread.count AS unread_count, changed.*
    FROM (SELECT to_char(now()::timestamp, ${MICROS}) AS pg_now) clock
    CROSS JOIN (SELECT count(*)::int AS count FROM notifications n WHERE ${visible} AND NOT n.is_read) unread
    LEFT JOIN LATERAL (
      SELECT n.*, to_char(n.updated_at, ${MICROS}) AS updated_key,
             a.id AS actor_user_id, a.username AS actor_username, a.name AS actor_name, a.profile_image AS actor_profile_image
      FROM notifications n LEFT JOIN users a ON a.id = n.actor_id
      WHERE ${visible} AND n.updated_at >= ${since}::timestamp
      ORDER BY n.updated_at DESC, n.id DESC
      LIMIT ${limit}
    ) changed ON true`);
}

/** The result of {@link notificationChangesStatement}. */
export function toNotificationChanges(result: { rows: Record<string, unknown>[] }): NotificationChanges {
  const first = result.rows[0]!;
  return {
    readAt: String(first.pg_now),
    unreadCount: Number(first.unread_count),
    notifications: result.rows
      .filter((row) => row.id !== null)
      .map((row) => ({
        key: String(row.updated_key),
        notification: toNotificationView(
          mapRow(notifications, row),
          row.actor_user_id === null
            ? null
            : {
                id: Number(row.actor_user_id),
                username: String(row.actor_username),
                name: String(row.actor_name),
                profileImage: (row.actor_profile_image as string | null) ?? null,
              },
        ),
      })),
  };
}

/**
 * A dancer's notifications changed since a point, with their unread count (one statement):
 * what their live channel pushes. Takes any context: the dancer is named, not the actor.
 */
export async function notificationChanges({ db }: Ctx, input: NotificationChangesInput): Promise<NotificationChanges> {
  return toNotificationChanges(await notificationChangesStatement(db, input));
}

/** Unread rows the caller would see; the partial index on unread rows can serve it. */
export async function countUnread({ db, actor }: ActorCtx): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(notifications)
    .where(and(visibleTo(actor.id), not(notifications.isRead)));
  return Number(row?.count ?? 0);
}

/** Marks one of the caller's notifications read; already read is fine, anyone else's is a 404. Their live channel is told. */
export async function markRead({ db, actor }: ActorCtx, input: { id: number }): Promise<void> {
  const { rows } = await db.execute(sql`
    WITH target AS (
      SELECT id, is_read FROM notifications n
      WHERE n.id = ${input.id} AND n.user_id = ${actor.id} AND ${notBlockedBetween(actor.id, sql`n.actor_id`)}
    ),
    marked AS (
      UPDATE notifications SET is_read = true, read_at = now()
      WHERE id IN (SELECT id FROM target WHERE NOT is_read)
      RETURNING id
    )
    SELECT id, EXISTS (SELECT 1 FROM marked) AS marked FROM target`);
  if (!rows[0]) throw notFound("notification");
  if (rows[0].marked) notificationsChanged([actor.id]);
}

/** Marks every unread notification of the caller read; returns how many changed. Their live channel is told. */
export async function markAllRead({ db, actor }: ActorCtx): Promise<number> {
  const result = await db
    .update(notifications)
    .set({ isRead: true, readAt: sql`now()` })
    .where(and(visibleTo(actor.id), not(notifications.isRead)));
  const updated = result.rowCount ?? 0;
  if (updated > 0) notificationsChanged([actor.id]);
  return updated;
}
