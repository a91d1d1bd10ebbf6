import { asc, sql } from "drizzle-orm";
import { userRoles } from "../../../drizzle/schema";
import type { ActorCtx, Ctx } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { keysetPage, type Page, type PageRequest } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import { auditCte } from "../audit";
import { notificationCtes } from "../notifications";
import { accountUsable } from "../users";
import { roleChangeDecision, roleChangeError, type RoleChangeOutcome } from "./roles.policy";
import type { Role, RoleChange, UserRole } from "./roles.schemas";

/** The role tiers, lowest first. */
export async function listRoles({ db }: Ctx): Promise<Role[]> {
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
 * records nothing. The change's audit row (`role.assign`, the role before and after) and the
 * user's notice (`role_changed`) are written in the same statement.
 */
export async function assignRole(
  { db, actor }: ActorCtx,
  change: { userId: number; role: string; reason?: string },
): Promise<UserRole> {
  const decision = roleChangeDecision({
    actor: sql`a.level`,
    target: sql`t.level`,
    wanted: sql`w.level`,
    sameRole: sql`t.role = w.name`,
  });
  const { rows } = await db.execute<{ outcome: RoleChangeOutcome; role: string; level: number }>(sql`
    WITH locked AS (
      SELECT id, role, ${accountUsable(sql`users`)} AS usable
      FROM users WHERE id IN (${actor.id}, ${change.userId}) ORDER BY id FOR UPDATE
    ),
    actor AS (
      SELECT r.level FROM locked l JOIN user_roles r ON r.name = l.role WHERE l.id = ${actor.id} AND l.usable
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
      SELECT id, old_role, new_role, ${actor.id}, ${change.reason ?? null} FROM updated
    ),
    ${auditCte({
      actorId: actor.id,
      action: "role.assign",
      objectType: "user",
      from: sql`updated`,
      objectId: sql`updated.id`,
      before: sql`jsonb_build_object('role', updated.old_role)`,
      after: sql`jsonb_build_object('role', updated.new_role)`,
    })},
    ${notificationCtes(
      { to: [change.userId], type: "role_changed", actorId: actor.id, data: { role: change.role } },
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
export async function listRoleChanges({ db }: Ctx, input: PageRequest & { userId: number }): Promise<Page<RoleChange>> {
  let known = false;
  const page = await keysetPage(
    input,
    { time: sql`rc.created_at`, id: sql`rc.id` },
    async (keyset) => {
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
          WHERE rc.user_id = u.id AND ${keyset.after}
          ORDER BY ${keyset.order}
          LIMIT ${keyset.limit}
        ) c ON true
        WHERE u.id = ${input.userId}`);
      known = rows.length > 0;
      return rows.filter((row) => row.id !== null);
    },
    {
      item: (row) => ({
        id: Number(row.id),
        userId: input.userId,
        oldRole: row.old_role,
        newRole: row.new_role,
        changedBy: row.changed_by,
        reason: row.reason,
        createdAt: isoUtc(row.created_at),
      }),
      key: (row) => [row.created_key, Number(row.id)],
    },
  );
  if (!known) throw notFound("user");
  return page;
}
