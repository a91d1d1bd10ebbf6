// The closeness job's SQL, apart from the verbs so the benchmark (in Node) can build it too.
import { sql, type SQL } from "drizzle-orm";
import { staleGuard } from "../../lib/job-runs";
import { saidTheyDanced } from "./requests.conditions";
import { DANCED_CLOSENESS, STARTING_CLOSENESS } from "./requests.policy";

/** The closeness job's row in job_cursors. */
export const CLOSENESS_CURSOR = "recompute-closeness";

/**
 * The closeness job's run marker in job_cursors: `updated_at` is the trigger time of the run
 * that started last. A chunk pinned to an older time is stale and writes nothing.
 */
export const CLOSENESS_RUN = "recompute-closeness#run";

/** One pair in the statement below: its two rows and its two dancers. */
interface PairRefs {
  forwardId: SQL;
  reverseId: SQL;
  userId: SQL;
  friendId: SQL;
}

/**
 * Whether the pair danced together (they start at 80 rather than 75): a `dance_together`
 * activity of either row, up to the job's time. The one place that says what "danced" means,
 * so it also covers the friend request's "did we dance?" story (`saidTheyDanced`).
 */
function dancedTogether(pair: PairRefs, at: SQL): SQL {
  return sql`(EXISTS (
    SELECT 1 FROM friendship_activities d
    WHERE d.friendship_id IN (${pair.forwardId}, ${pair.reverseId})
      AND d.activity_type = 'dance_together' AND d.created_at <= ${at}
  ) OR ${saidTheyDanced(pair.userId, pair.friendId)})`;
}

/**
 * The job's statement for one chunk (see recomputeClosenessRange; also run by the benchmark and
 * the plan test). `position` is saved as the job's cursor, or nothing is saved when it is null
 * (a chunk run by the queue's consumer: the run that queued it saved the position).
 */
export function closenessStatement(now: Date, range: { lo: number; hi: number }, position: number | null): SQL {
  const at = sql`(${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
  const since = sql`(${at} - interval '90 days')`;
  const pair: PairRefs = { forwardId: sql`p.forward_id`, reverseId: sql`p.reverse_id`, userId: sql`p.user_id`, friendId: sql`p.friend_id` };
  const inWindow = (column: SQL) => sql`${column} > ${since} AND ${column} <= ${at}`;
  const save =
    position === null
      ? sql`SELECT 1 WHERE false`
      : sql`INSERT INTO job_cursors (job, position, updated_at)
      SELECT ${CLOSENESS_CURSOR}, ${position}, now() WHERE (SELECT ok FROM live)
      ON CONFLICT (job) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
      RETURNING 1`;
  return sql`
    WITH ${staleGuard(CLOSENESS_RUN, at)},
    pairs AS (
      SELECT f.id AS forward_id, r.id AS reverse_id, f.user_id, f.friend_id,
             greatest(f.created_at, r.created_at) AS created_at,
             greatest(f.last_interaction_at, r.last_interaction_at) AS last_interaction_at
      FROM friendships f
      JOIN friendships r ON r.user_id = f.friend_id AND r.friend_id = f.user_id
      WHERE f.id BETWEEN ${range.lo} AND ${range.hi} AND f.user_id < f.friend_id
        AND f.status = 'active' AND r.status = 'active' AND (SELECT ok FROM live)
    ),
    -- Materialized: each pair's signals (the "danced" test included) computed once, however
    -- often the score's expression uses them.
    signals AS MATERIALIZED (
      SELECT p.forward_id, p.reverse_id, p.created_at, p.last_interaction_at,
             ${dancedTogether(pair, at)} AS danced,
             act.points AS activity_points, act.last_at AS activity_at,
             ev.together AS events_together, ev.last_at AS event_at,
             msg.sent AS messages, msg.last_at AS message_at,
             lk.likes, lk.last_at AS like_at
      FROM pairs p
      CROSS JOIN LATERAL (
        SELECT coalesce(sum(CASE fa.activity_type
                 WHEN 'dance_together' THEN 6
                 WHEN 'event_attended_together' THEN 5
                 WHEN 'memory_shared' THEN 4
                 WHEN 'group_joined_together' THEN 3
                 ELSE 1 END), 0) AS points,
               max(fa.created_at) AS last_at
        FROM friendship_activities fa
        WHERE fa.friendship_id IN (p.forward_id, p.reverse_id) AND ${inWindow(sql`fa.created_at`)}
      ) act
      CROSS JOIN LATERAL (
        SELECT count(*) AS together, max(e.start_date) AS last_at
        FROM event_rsvps mine
        JOIN event_rsvps theirs ON theirs.event_id = mine.event_id AND theirs.user_id = p.friend_id AND theirs.status = 'going'
        JOIN events e ON e.id = mine.event_id
        WHERE mine.user_id = p.user_id AND mine.status = 'going' AND ${inWindow(sql`e.start_date`)}
      ) ev
      CROSS JOIN LATERAL (
        SELECT count(*) AS sent, max(m.created_at) AS last_at
        FROM chat_room_users mine
        JOIN chat_room_users theirs ON theirs.chat_room_id = mine.chat_room_id AND theirs.user_id = p.friend_id
        JOIN chat_rooms room ON room.id = mine.chat_room_id AND room.type = 'direct'
        JOIN chat_messages m ON m.chat_room_id = mine.chat_room_id
        WHERE mine.user_id = p.user_id AND ${inWindow(sql`m.created_at`)}
      ) msg
      CROSS JOIN LATERAL (
        -- One single-liker branch per direction: each an index-only range of
        -- post_likes_user_created_idx, where an OR of both would read the table.
        SELECT count(*) AS likes, max(liked.created_at) AS last_at
        FROM (
          SELECT l.created_at FROM post_likes l JOIN posts post ON post.id = l.post_id AND post.user_id = p.friend_id
          WHERE l.user_id = p.user_id AND ${inWindow(sql`l.created_at`)}
          UNION ALL
          SELECT l.created_at FROM post_likes l JOIN posts post ON post.id = l.post_id AND post.user_id = p.user_id
          WHERE l.user_id = p.friend_id AND ${inWindow(sql`l.created_at`)}
        ) liked
      ) lk
    ),
    scored AS (
      SELECT s.forward_id, s.reverse_id, latest.last_at,
             greatest(0, least(100,
               start.points
               + least(25, round(s.activity_points + s.events_together * 5
                                 + least(10, s.messages * 0.5) + least(10, s.likes)))
               - least(start.points, greatest(0, floor(
                   (extract(epoch FROM ${at} - coalesce(latest.last_at, s.created_at)) / 86400 - 30) / 7)))
             ))::int AS score
      FROM signals s
      CROSS JOIN LATERAL (
        SELECT (CASE WHEN s.danced THEN ${DANCED_CLOSENESS} ELSE ${STARTING_CLOSENESS} END)::int AS points
      ) start
      CROSS JOIN LATERAL (
        -- greatest() skips NULLs: NULL only when neither row nor any signal has a date.
        SELECT greatest(s.last_interaction_at, s.activity_at, s.event_at, s.message_at, s.like_at) AS last_at
      ) latest
    ),
    targets AS (
      SELECT forward_id AS id, score, last_at FROM scored
      UNION ALL
      SELECT reverse_id, score, last_at FROM scored
    ),
    updated AS (
      UPDATE friendships f
      SET closeness_score = t.score, last_interaction_at = t.last_at
      FROM targets t
      WHERE f.id = t.id
        AND (f.closeness_score IS DISTINCT FROM t.score OR f.last_interaction_at IS DISTINCT FROM t.last_at)
      RETURNING 1
    ),
    saved AS (${save})
    SELECT (SELECT count(*) FROM scored)::int AS pairs, (SELECT count(*) FROM updated)::int AS updated,
           (SELECT count(*) FROM saved)::int AS saved, NOT (SELECT ok FROM live) AS stale
  `;
}
