import { type SQL, sql } from "drizzle-orm";
import { GROUP_TYPES } from "../../../drizzle/groups";
import type { ActorCtx, Ctx } from "../../lib/context";
import { notFound, unauthorized } from "../../lib/errors";
import { type IdempotencyClaim, idempotencyRecordCte, idempotent } from "../../lib/idempotency";
import { INT4_MAX } from "../../lib/text";
import { type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { z } from "@hono/zod-openapi";
import { assertOwnMediaUrls } from "../media";
import { groupCardColumns, groupSlug } from "./groups.cards";
import { cityKey, groupVisibleTo, hasGroupRole } from "./groups.conditions";
import { cityCommunityError, groupActionError, notGroupAdminError, notGroupOwnerError } from "./groups.policy";
import { type CreateGroupInput, type Group, type GroupCardRow, toGroup, type UpdateGroupInput } from "./groups.schemas";

/** The route an `Idempotency-Key` of a group create is scoped to. */
export const CREATE_GROUP_SCOPE = "POST /api/groups";

/** The group image must be this service's own upload of an image (the media module's rule). */
function checkImage(ctx: Ctx, imageUrl: string | null | undefined): void {
  if (imageUrl != null) assertOwnMediaUrls(ctx.config, [{ path: "body.imageUrl", url: imageUrl, family: "image" }]);
}

/**
 * Creates a group, in one statement: the row (its slug from the name and its id), the creator's
 * membership as its admin (so `member_count` starts at 1), and, with an `Idempotency-Key`, the
 * stored response (see src/lib/idempotency.ts): a repeat replays the first response and creates
 * nothing. City communities are not made here: a profile's city makes them.
 */
export async function createGroup(
  ctx: ActorCtx,
  input: { group: CreateGroupInput; claim: IdempotencyClaim | null },
): Promise<{ group: Group; replayed: boolean }> {
  const { db, actor } = ctx;
  const { group, claim } = input;
  checkImage(ctx, group.imageUrl);
  const create = async (): Promise<Group> => {
    const { rows } = await db.execute<GroupCardRow>(sql`
      WITH creator AS (SELECT id FROM users WHERE id = ${actor.id}),
      fresh AS (SELECT nextval(pg_get_serial_sequence('groups', 'id'))::int AS id FROM creator),
      created AS (
        INSERT INTO groups (id, type, name, slug, description, image_url, city, country, city_key, created_by, member_count)
        SELECT fresh.id, ${group.type}, ${group.name}, ${groupSlug(sql`${group.name}::text`, sql`fresh.id`)},
               ${group.description ?? null}, ${group.imageUrl ?? null}, ${group.city ?? null}, ${group.country ?? null},
               ${cityKey(sql`${group.city ?? null}::text`)}, ${actor.id}, 1
        FROM fresh
        RETURNING *
      ),
      admin AS (
        INSERT INTO group_members (group_id, user_id, role, status, approved_at, approved_by)
        SELECT id, ${actor.id}, 'admin', 'active', now(), ${actor.id} FROM created
      ),
      card AS (
        SELECT ${groupCardColumns(null, sql`g`)} FROM created g
      ),
      shown AS (SELECT card.*, 'active'::varchar AS viewer_status, 'admin'::varchar AS viewer_role FROM card),
      ${idempotencyRecordCte(claim, { status: 201, from: sql`shown`, body: sql`to_jsonb(shown)` })}
      SELECT * FROM shown`);
    const row = rows[0];
    if (!row) throw unauthorized();
    ctx.logger.info("group created", { code: "group_created", groupId: Number(row.id) });
    return toGroup(row);
  };
  const { value, replayed } = await idempotent(ctx, claim, create, (stored) => toGroup(stored.body as GroupCardRow));
  return { group: value, replayed };
}

/** A group as the viewer sees it; 404 when there is none they may see. */
export async function getGroup({ db, actor }: Ctx, input: { groupId: number }): Promise<Group> {
  const viewerId = actor?.id ?? null;
  const { rows } = await db.execute<GroupCardRow>(sql`
    SELECT ${groupCardColumns(viewerId, sql`g`)} FROM groups g
    WHERE g.id = ${input.groupId} AND ${groupVisibleTo(viewerId, sql`g`)}`);
  if (!rows[0]) throw notFound("group");
  return toGroup(rows[0]);
}

/** The list's keyset: the most members first, then the newest group. */
const GroupCursor = z.tuple([z.number().int().min(0).max(INT4_MAX), z.number().int().min(1).max(INT4_MAX)]);

/**
 * Groups the viewer may see, the most members first (`(member_count, id)` descending, by
 * keyset): of one type, of a city (by its key, as city communities are keyed), and with a name
 * resembling `q` (trigram word similarity through groups_name_trgm_idx). Each type is read in
 * order from its own range of groups_type_idx (type, member_count, id) and the ranges merged,
 * so a page costs `limit` index rows per type, never a sort of every group.
 */
export async function listGroups(
  { db, actor }: Ctx,
  input: PageRequest & { type?: Group["type"]; city?: string; q?: string },
): Promise<Page<Group>> {
  const viewerId = actor?.id ?? null;
  const filters: SQL[] = [groupVisibleTo(viewerId, sql`g`)];
  if (input.city !== undefined) filters.push(sql`g.city_key = ${cityKey(sql`${input.city}::text`)}`);
  if (input.q !== undefined) filters.push(sql`g.name %> ${input.q}`);
  const types = input.type ? [input.type] : GROUP_TYPES;
  return sortedPage(
    input,
    { by: [sql`g.member_count`, sql`g.id`], direction: "desc", cursor: GroupCursor },
    async (keyset) => {
      const ranges = types.map(
        (type) => sql`(SELECT ${groupCardColumns(viewerId, sql`g`)} FROM groups g
          WHERE g.type = ${type} AND ${keyset.after} AND ${sql.join(filters, sql` AND `)}
          ORDER BY ${keyset.order} LIMIT ${keyset.limit})`,
      );
      const { rows } = await db.execute<GroupCardRow>(sql`
        SELECT * FROM (${sql.join(ranges, sql` UNION ALL `)}) g ORDER BY ${keyset.order} LIMIT ${keyset.limit}`);
      return rows;
    },
    { item: toGroup, key: (row) => [Number(row.member_count), Number(row.id)] },
  );
}

/** Each editable field and its column. */
const EDITABLE = {
  name: "name",
  description: "description",
  imageUrl: "image_url",
  city: "city",
  country: "country",
} as const;

type WriteRow = GroupCardRow & { found: boolean; allowed: boolean };

/**
 * Edits a group (its admins only), in one statement whose UPDATE holds the condition. A new
 * city moves the group's city key with it (`?city=` finds it there), except a city
 * community's, which is its identity (and it has no admin unless one is made). No field: the
 * group as it is. Not visible: 404; visible but not an admin: 403 `not_group_admin`.
 */
export async function updateGroup(ctx: ActorCtx, input: { groupId: number; changes: UpdateGroupInput }): Promise<Group> {
  const { db, actor } = ctx;
  const { changes } = input;
  checkImage(ctx, changes.imageUrl);
  const set: SQL[] = [];
  for (const [field, column] of Object.entries(EDITABLE)) {
    const value = changes[field as keyof typeof EDITABLE];
    if (value === undefined) continue;
    set.push(sql`${sql.identifier(column)} = ${value}`);
  }
  // An edit naming no field changes nothing, but is refused or answered alike.
  set.push(set.length === 0 ? sql`updated_at = g.updated_at` : sql`updated_at = now()`);
  // A city community's key is what it is: its name may be edited, never the city it stands for.
  if (changes.city !== undefined) set.push(sql`city_key = CASE WHEN g.type = 'city' THEN g.city_key ELSE ${cityKey(sql`${changes.city}::text`)} END`);
  const { rows } = await db.execute<WriteRow>(sql`
    WITH target AS (SELECT g.id FROM groups g WHERE g.id = ${input.groupId} AND ${groupVisibleTo(actor.id, sql`g`)}),
    updated AS (
      UPDATE groups g SET ${sql.join(set, sql`, `)}
      FROM target t
      WHERE g.id = t.id AND ${hasGroupRole(actor.id, sql`g.id`, ["admin"])}
      RETURNING g.*
    )
    SELECT EXISTS (SELECT 1 FROM target) AS found, EXISTS (SELECT 1 FROM updated) AS allowed, card.*
    FROM (SELECT 1) one LEFT JOIN (SELECT ${groupCardColumns(actor.id, sql`g`)} FROM updated g) card ON true`);
  const row = rows[0]!;
  const refused = groupActionError(row, notGroupAdminError);
  if (refused) throw refused;
  ctx.logger.info("group edited", { code: "group_edited", groupId: input.groupId });
  return toGroup(row);
}

/**
 * Deletes a group (its creator or an admin), in one statement whose DELETE holds the condition:
 * its memberships and posts go with it (foreign keys cascade), the events it hosted stay, hosted
 * by no group. City communities are never deleted here (403 `city_community`). Not visible: 404;
 * visible but neither the creator nor an admin: 403 `not_group_owner`.
 */
export async function deleteGroup(ctx: ActorCtx, input: { groupId: number }): Promise<void> {
  const { db, actor } = ctx;
  const { rows } = await db.execute<{ found: boolean; city: boolean; allowed: boolean }>(sql`
    WITH target AS (SELECT g.id, g.type FROM groups g WHERE g.id = ${input.groupId} AND ${groupVisibleTo(actor.id, sql`g`)}),
    deleted AS (
      DELETE FROM groups g USING target t
      WHERE g.id = t.id AND g.type <> 'city' AND (g.created_by = ${actor.id} OR ${hasGroupRole(actor.id, sql`g.id`, ["admin"])})
      RETURNING g.id
    )
    SELECT EXISTS (SELECT 1 FROM target) AS found, EXISTS (SELECT 1 FROM target WHERE type = 'city') AS city,
      EXISTS (SELECT 1 FROM deleted) AS allowed`);
  const row = rows[0]!;
  const refused = groupActionError(row, row.city ? cityCommunityError : notGroupOwnerError);
  if (refused) throw refused;
  ctx.logger.info("group deleted", { code: "group_deleted", groupId: input.groupId, actorId: actor.id });
}
