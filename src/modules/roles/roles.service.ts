import { asc, sql } from "drizzle-orm";
import { userRoles } from "../../../drizzle/schema";
import type { Db } from "../../lib/db";
import { notFound } from "../../lib/errors";
import { type Page, type TimeIdCursor, toPage } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import { notificationCtes } from "../notifications";
import { roleChangeDecision, roleChangeError, type RoleChangeOutcome } from "./roles.policy";
import type { Role, RoleChange, UserRole } from "./roles.schemas";

/** The role tiers, lowest first. */
export async function listRoles(db: Db): Promise<Role[]> {
  return db
    .select({ name: userRoles.name, level: userRoles.level, title: userRoles.title, description: userRoles.description })
    .from(userRoles)
    .orderBy(asc(userRoles.level));
}

/**
 * Gives a user a role and records the change, in one statement that also takes the
 * decision (see roles.policy.ts). The actor's and the target's rows are locked first, in id
 * order (so two changes locking the same pair never deadlock), and the actor's level is read
 * from the locked row: concurrent changes apply one after the other, each records the role it
 * really replaced, and an actor demoted meanwhile acts with the level they have now. The lock
 * is taken on users alone: a locking read joined to user_roles would, after waiting, recheck
 * the new role against the old role's row and lose the user. Giving a user the role they have
 * records nothing. The user is notified of a change (`role_changed`) in the same statement.
 */
export async function assignRole(
  db: Db,
  change: { actorId: number; userId: number; role: string; reason?: string },
): Promise<UserRole> {
  const decision = roleChangeDecision({
    actor: sql`a.level`,
    target: sql`t.level`,
    wanted: sql`w.level`,
    sameRole: sql`t.role = w.name`,
  });
  const { rows } = await db.execute<{ outcome: RoleChangeOutcome; role: string; level: number }>(sql`
    WITH locked AS (
      SELECT id, role, coalesce(is_active, true) AND NOT coalesce(suspended, false) AS usable
      FROM users WHERE id IN (${change.actorId}, ${change.userId}) ORDER BY id FOR UPDATE
    ),
    actor AS (
      SELECT r.level FROM locked l JOIN user_roles r ON r.name = l.role WHERE l.id = ${change.actorId} AND l.usable
    ),
    target AS (SELECT l.id, l.role, r.level FROM locked l JOIN user_roles r ON r.name = l.role WHERE l.id = ${change.userId}),
    decided AS (
      SELECT t.id, t.role AS old_role, t.level AS old_level, w.name AS new_role, w.level AS new_level,
             ${decision} AS outcome
      FROM target t CROSS JOIN (SELECT name, level FROM user_roles WHERE name = ${change.role}) w
      LEFT JOIN actor a ON true
    ),
    updated AS (
      UPDATE users u SET role = d.new_role, updated_at = now()
      FROM decided d
      WHERE u.id = d.id AND d.outcome = 'change'
      RETURNING u.id, d.old_role, d.new_role
    ),
    logged AS (
      INSERT INTO role_changes (user_id, old_role, new_role, changed_by, reason)
      SELECT id, old_role, new_role, ${change.actorId}, ${change.reason ?? null} FROM updated
    ),
    ${notificationCtes(
      { to: [change.userId], type: "role_changed", actorId: change.actorId, data: { role: change.role } },
      { when: sql`EXISTS (SELECT 1 FROM updated)` },
    )}
    SELECT outcome,
           CASE WHEN outcome = 'change' THEN new_role ELSE old_role END AS role,
           CASE WHEN outcome = 'change' THEN new_level ELSE old_level END AS level
    FROM decided`);
  const row = rows[0];
  if (!row) throw notFound("user");
  const refused = roleChangeError(row.outcome);
  if (refused) throw refused;
  return { userId: change.userId, role: row.role, level: Number(row.level) };
}

/**
 * A user's role history, newest first (keyset over created_at, id). One query also tells
 * an unknown user (no row at all) from one whose role never changed (one empty row).
 */
export async function listRoleChanges(
  db: Db,
  userId: number,
  page: { limit: number; after?: TimeIdCursor },
): Promise<Page<RoleChange>> {
  const after = page.after
    ? sql`AND (rc.created_at, rc.id) < (${page.after[0]}::timestamp, ${page.after[1]}::int)`
    : sql``;
  const { rows } = await db.execute<{
    id: number | null;
    old_role: string;
    new_role: string;
    changed_by: number | null;
    reason: string | null;
    created_at: string;
    created_key: string;
  }>(sql`
    SELECT c.* FROM users u
    LEFT JOIN LATERAL (
      SELECT rc.id, rc.old_role, rc.new_role, rc.changed_by, rc.reason, rc.created_at, rc.created_at::text AS created_key
      FROM role_changes rc
      WHERE rc.user_id = u.id ${after}
      ORDER BY rc.created_at DESC, rc.id DESC
      LIMIT ${page.limit + 1}
    ) c ON true
    WHERE u.id = ${userId}`);
  if (!rows[0]) throw notFound("user");
  const changes = rows.filter((row) => row.id !== null);
  return toPage(
    changes,
    page.limit,
    (row) => ({
      id: Number(row.id),
      userId,
      oldRole: row.old_role,
      newRole: row.new_role,
      changedBy: row.changed_by,
      reason: row.reason,
      createdAt: isoUtc(row.created_at),
    }),
    (row) => [row.created_key, row.id],
  );
}
