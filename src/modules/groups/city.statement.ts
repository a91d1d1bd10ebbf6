import { sql } from "drizzle-orm";
import type { Db } from "../../lib/db";
import { groupSlug } from "./groups.cards";
import { cityKey } from "./groups.conditions";
import { joinedTogetherCtes, memberCountCte } from "./memberships";

/**
 * The statements that move a dancer to the city community of `city` as their profile's city
 * changes to it, for the users module to put in the `db.batch` of the profile update, before
 * the users row's own UPDATE (one round trip, one transaction): the dancer leaves the community
 * of the city they had and joins the one of the new city, made on first use (one per city key:
 * `cityKey`), with both communities' `member_count` exact and `group_joined_together` recorded
 * with friends already there. Nothing moves when the key stays the same (`Buenos Aires` to
 * `buenos  aires`), so a dancer who left their community is not put back by an edit of their
 * bio; clearing the city leaves the old community.
 *
 * Why a batch of statements and not one: a statement sees the database as it was when it
 * began. The first statement locks the dancer's row (`FOR UPDATE`, which waits for a racing
 * edit of the same profile and reads its outcome) and makes the new community if it is missing
 * (`ON CONFLICT DO NOTHING` waits for a dancer making the same one at that moment); the second
 * starts after both, so it sees the city the dancer really has and the community however it was
 * made, and its counts follow from the rows its DELETE and INSERT return.
 *
 * @example
 * const [, , user] = await db.batch([...cityCommunityMove(db, { userId, city }), db.update(users).set(...)...]);
 */
export function cityCommunityMove(db: Db, input: { userId: number; city: string | null }) {
  const { userId } = input;
  const newKey = cityKey(sql`${input.city}::text`);
  const name = sql`regexp_replace(btrim(${input.city}::text), ${"[[:space:]]+"}, ' ', 'g')`;
  const made = db.execute(sql`
    WITH me AS (SELECT u.city FROM users u WHERE u.id = ${userId} FOR UPDATE)
    INSERT INTO groups (id, type, name, slug, city, city_key)
    SELECT fresh.id, 'city', ${name}, ${groupSlug(name, sql`fresh.id`)}, ${name}, ${newKey}
    FROM (SELECT 1 FROM me WHERE ${newKey} IS NOT NULL AND ${newKey} IS DISTINCT FROM ${cityKey(sql`me.city`)}) moving
    CROSS JOIN LATERAL (SELECT nextval(pg_get_serial_sequence('groups', 'id'))::int AS id) fresh
    ON CONFLICT (city_key) WHERE type = 'city' DO NOTHING`);
  const moved = db.execute<{ left_group: number | null; joined_group: number | null; recorded: number }>(sql`
    WITH move AS (
      SELECT ${cityKey(sql`u.city`)} AS old_key, ${newKey} AS new_key FROM users u
      WHERE u.id = ${userId} AND ${cityKey(sql`u.city`)} IS DISTINCT FROM ${newKey}
    ),
    city_left AS (
      DELETE FROM group_members gm USING groups g, move m
      WHERE g.type = 'city' AND g.city_key = m.old_key AND gm.group_id = g.id AND gm.user_id = ${userId}
      RETURNING gm.group_id, gm.status
    ),
    city_joined AS (
      INSERT INTO group_members (group_id, user_id, role, status)
      SELECT g.id, ${userId}, 'member', 'active' FROM groups g, move m WHERE g.type = 'city' AND g.city_key = m.new_key
      ON CONFLICT (group_id, user_id) DO NOTHING
      RETURNING group_id, user_id
    ),
    ${memberCountCte(
      "city_counted",
      sql`(SELECT group_id, -1 AS delta FROM city_left WHERE status = 'active' UNION ALL SELECT group_id, 1 FROM city_joined)`,
    )},
    ${joinedTogetherCtes(sql`city_joined`)}
    SELECT (SELECT group_id FROM city_left) AS left_group, (SELECT group_id FROM city_joined) AS joined_group,
      (SELECT count(*) FROM together_row)::int AS recorded`);
  return [made, moved] as const;
}
