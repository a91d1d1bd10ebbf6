import { type SQL, sql } from "drizzle-orm";

/**
 * What moderation does to groups, as statements the moderation module folds into its own (a
 * module writes only its own tables), alike posts.moderation.ts: each takes a set of ids and
 * RETURNs what it changed.
 */

/**
 * Hides groups from everyone but their admins (`groupVisibleTo`), RETURNING the `id`s it hid,
 * or shows them again, RETURNING every `id` found (unconditionally, as `setPostsHidden` does).
 */
export function setGroupsHidden(ids: SQL, hidden: boolean): SQL {
  return hidden
    ? sql`UPDATE groups SET hidden_at = now() WHERE id IN (${ids}) AND hidden_at IS NULL RETURNING id`
    : sql`UPDATE groups SET hidden_at = NULL WHERE id IN (${ids}) RETURNING id`;
}

/**
 * Deletes groups (their memberships and posts go with them by foreign key; hosted events stay,
 * hosted by none). RETURNING `id` and `snapshot`, the group as it was, for the moderation record.
 */
export function removeGroups(ids: SQL): SQL {
  return sql`DELETE FROM groups WHERE id IN (${ids})
    RETURNING id, jsonb_build_object('id', id, 'type', type, 'name', name, 'description', description,
      'imageUrl', image_url, 'city', city, 'createdBy', created_by, 'memberCount', member_count, 'createdAt', created_at) AS snapshot`;
}
