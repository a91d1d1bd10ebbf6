import { type SQL, sql } from "drizzle-orm";
import { friendshipActivityCtes } from "../graph";

/**
 * The CTE `name` that keeps `groups.member_count` exact: adds each group's `delta` from
 * `deltas`, a FROM item with `group_id` and `delta` rows (+1 per membership made active, -1 per
 * active one removed, read from the RETURNING of the statement's own writes, so a write that
 * changed nothing counts nothing). Groups are updated in id order, so two moves between the
 * same cities in opposite directions do not deadlock.
 */
export function memberCountCte(name: string, deltas: SQL): SQL {
  return sql`${sql.identifier(name)} AS (
    UPDATE groups g SET member_count = g.member_count + d.delta
    FROM (SELECT x.group_id, sum(x.delta)::int AS delta FROM ${deltas} x GROUP BY x.group_id ORDER BY x.group_id) d
    WHERE g.id = d.group_id AND d.delta <> 0
    RETURNING g.id
  )`;
}

/**
 * The CTEs recording `group_joined_together` (the graph's friendship activity, CTE prefix
 * `together`) between each dancer who has just become an active member and each of their
 * friends who already is one: `joined` names a FROM item of the new active memberships
 * (`group_id`, `user_id`). Driven by the joiner's friendships, each probing the friend's
 * membership by its primary key, so a city of 10,000 dancers costs the joiner's friend count.
 */
export function joinedTogetherCtes(joined: SQL): SQL {
  return friendshipActivityCtes(
    {
      pairs: {
        from: sql`(SELECT j.user_id, f.friend_id FROM ${joined} j
          JOIN friendships f ON f.user_id = j.user_id AND f.status = 'active'
          JOIN group_members gm ON gm.group_id = j.group_id AND gm.user_id = f.friend_id AND gm.status = 'active') together_pairs`,
      },
      type: "group_joined_together",
      metadata: sql`jsonb_build_object('groupId', (SELECT group_id FROM ${joined} LIMIT 1))`,
    },
    { name: "together" },
  );
}
