import { type SQL, sql } from "drizzle-orm";

/**
 * The select list of a group card (`GroupCardRow`, shaped by `toGroup`), for a groups
 * row aliased `group`: one fragment for every read path (detail, lists, search), so a group
 * looks the same everywhere. The viewer's membership is one probe of group_members' primary
 * key; none for an anonymous viewer. The caller filters with `groupVisibleTo`.
 *
 * @example
 * sql`SELECT ${groupCardColumns(viewerId, sql`g`)} FROM groups g WHERE g.id = ${id} AND ${groupVisibleTo(viewerId, sql`g`)}`
 */
export function groupCardColumns(viewerId: number | null, group: SQL): SQL {
  const mine =
    viewerId === null
      ? sql`NULL::varchar AS viewer_status, NULL::varchar AS viewer_role`
      : sql`(SELECT vm.status FROM group_members vm WHERE vm.group_id = ${group}.id AND vm.user_id = ${viewerId}) AS viewer_status,
    (SELECT vm.role FROM group_members vm WHERE vm.group_id = ${group}.id AND vm.user_id = ${viewerId}) AS viewer_role`;
  return sql`${group}.id, ${group}.type, ${group}.name, ${group}.slug, ${group}.description, ${group}.image_url,
    ${group}.city, ${group}.country, ${group}.member_count, ${group}.hidden_at IS NOT NULL AS hidden,
    ${mine},
    ${group}.created_at, ${group}.updated_at`;
}

/**
 * A group's URL slug: its name accent-folded, lower-cased, runs of anything but letters and
 * digits made one `-`, and `-<id>` after it, so that slugs are unique without a retry (the
 * part after the last `-` is the id). `name` and `id` are SQL.
 */
export function groupSlug(name: SQL, id: SQL): SQL<string> {
  return sql<string>`coalesce(nullif(btrim(left(regexp_replace(lower(mt_unaccent(${name})), ${"[^a-z0-9]+"}, '-', 'g'), 100), '-'), ''), 'group')
    || '-' || ${id}`;
}
