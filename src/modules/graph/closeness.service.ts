import { sql } from "drizzle-orm";
import type { Ctx } from "../../lib/context";

/** The lowest and highest friendship ids, for walking the table in chunks. */
export async function friendshipIdRange({ db }: Ctx): Promise<{ min: number | null; max: number | null }> {
  const { rows } = await db.execute<{ min: number | null; max: number | null }>(
    sql`SELECT min(id) AS min, max(id) AS max FROM friendships`,
  );
  return rows[0] ?? { min: null, max: null };
}

/**
 * Recomputes the closeness score (0-100) of the active friendships whose ids fall in
 * `range`, from scratch, so a rerun
 * gives the same scores: 75 to start, plus what the two dancers did together in the last
 * 90 days (capped at +25), minus a point per week of silence after the first month.
 *
 * What counts, per pair (both rows of a friendship get the same score):
 * - logged friendship activities: dancing together 6, an event together 5, a shared memory 4,
 *   joining a group together 3, a message or a like 1;
 * - events both RSVP'd "going" to that took place in the window: 5 each;
 * - messages in their direct chat: half a point each, at most 10;
 * - likes on each other's posts: 1 each, at most 10.
 */
export async function recomputeClosenessRange(
  { db, now }: Ctx,
  range: { lo: number; hi: number },
): Promise<{ examined: number; updated: number }> {
  const { lo, hi } = range;
  const at = sql`(${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
  const since = sql`(${at} - interval '90 days')`;
  const result = await db.execute<{ examined: number; updated: number }>(sql`
    WITH pairs AS (
      SELECT f.id, f.user_id, f.friend_id, f.created_at, f.last_interaction_at,
             (SELECT r.id FROM friendships r WHERE r.user_id = f.friend_id AND r.friend_id = f.user_id) AS reverse_id
      FROM friendships f
      WHERE f.id BETWEEN ${lo} AND ${hi} AND f.status = 'active'
    ),
    signals AS (
      SELECT p.id, p.created_at, p.last_interaction_at,
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
        WHERE fa.friendship_id IN (p.id, p.reverse_id) AND fa.created_at > ${since}
      ) act
      CROSS JOIN LATERAL (
        SELECT count(*) AS together, max(e.start_date) AS last_at
        FROM event_rsvps mine
        JOIN event_rsvps theirs ON theirs.event_id = mine.event_id AND theirs.user_id = p.friend_id
        JOIN events e ON e.id = mine.event_id
        WHERE mine.user_id = p.user_id AND mine.status = 'going' AND theirs.status = 'going'
          AND e.start_date > ${since} AND e.start_date <= ${at}
      ) ev
      CROSS JOIN LATERAL (
        SELECT count(*) AS sent, max(m.created_at) AS last_at
        FROM chat_room_users mine
        JOIN chat_room_users theirs ON theirs.chat_room_id = mine.chat_room_id AND theirs.user_id = p.friend_id
        JOIN chat_rooms room ON room.id = mine.chat_room_id AND room.type = 'direct'
        JOIN chat_messages m ON m.chat_room_id = mine.chat_room_id
        WHERE mine.user_id = p.user_id AND m.created_at > ${since} AND m.created_at <= ${at}
      ) msg
      CROSS JOIN LATERAL (
        SELECT count(*) AS likes, max(l.created_at) AS last_at
        FROM post_likes l
        JOIN posts post ON post.id = l.post_id
        WHERE ((l.user_id = p.user_id AND post.user_id = p.friend_id)
            OR (l.user_id = p.friend_id AND post.user_id = p.user_id))
          AND l.created_at > ${since} AND l.created_at <= ${at}
      ) lk
    ),
    scored AS (
      SELECT s.id, last_at AS last_interaction_at,
             greatest(0, least(100,
               75
               + least(25, round(s.activity_points + s.events_together * 5
                                 + least(10, s.messages * 0.5) + least(10, s.likes)))
               - least(75, greatest(0, floor(
                   (extract(epoch FROM ${at} - coalesce(last_at, s.created_at)) / 86400 - 30) / 7)))
             ))::int AS score
      FROM signals s
      CROSS JOIN LATERAL (
        SELECT nullif(greatest(
          coalesce(s.last_interaction_at, '-infinity'), coalesce(s.activity_at, '-infinity'),
          coalesce(s.event_at, '-infinity'), coalesce(s.message_at, '-infinity'),
          coalesce(s.like_at, '-infinity')), '-infinity'::timestamp) AS last_at
      ) latest
    ),
    updated AS (
      UPDATE friendships f
      SET closeness_score = scored.score, last_interaction_at = scored.last_interaction_at
      FROM scored
      WHERE f.id = scored.id
        AND (f.closeness_score IS DISTINCT FROM scored.score
          OR f.last_interaction_at IS DISTINCT FROM scored.last_interaction_at)
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM scored)::int AS examined, (SELECT count(*) FROM updated)::int AS updated
  `);
  const row = result.rows[0];
  return { examined: Number(row?.examined ?? 0), updated: Number(row?.updated ?? 0) };
}
