/**
 * The nightly closeness job at scale: the statement it ran before issue 10 (kept here only to
 * compare) against the job's statement now, chunk by chunk of 5,000 friendship ids, on the
 * same data in one run. Per user: 10 friendship rows (5 pairs, each row's reverse with an
 * older date on a third of them), 5 posts, 30 likes (a third on friends' posts), 10 direct
 * messages, 5 RSVPs, and about one friendship activity per two rows. At --users 100000 that
 * is the issue's 1M friendship rows, 3M likes, 1M messages and 500k RSVPs.
 *
 * "before" runs without the indexes added for the job (as the old job ran), with the server's
 * JIT setting and then with JIT off (to tell the two gains apart); "after" with them. Both start from the same scores (all reset), so both rewrite every row. Compare
 * ratios, not absolute times: this machine is shared.
 *
 * `npm run bench -- closeness [--users 10000]`; DATABASE_URL=postgres://... for PostgreSQL.
 */
import { sql, type SQL } from "drizzle-orm";
import { closenessStatement } from "../src/modules/graph/closeness.statement";
import { createDb } from "../src/lib/db";
import { benchDatabase, percentile } from "./lib";

const CHUNK = 5000;
const NEW_INDEXES = {
  post_likes_user_created_idx: "CREATE INDEX post_likes_user_created_idx ON post_likes (user_id, created_at, post_id)",
  event_rsvps_going_idx: "CREATE INDEX event_rsvps_going_idx ON event_rsvps (user_id, event_id) WHERE status = 'going'",
};

export async function closenessBench(users: number): Promise<void> {
  const bench = await benchDatabase("closeness");
  const db = createDb({ databaseUrl: bench.databaseUrl, fetchEndpoint: bench.fetchEndpoint });
  const q = (text: string) => db.execute(sql.raw(text));
  try {
    const started = performance.now();
    await generate(q, users);
    const counts = (
      await q(`SELECT (SELECT count(*) FROM friendships) AS friendships, (SELECT count(*) FROM post_likes) AS likes,
                      (SELECT count(*) FROM chat_messages) AS messages, (SELECT count(*) FROM event_rsvps) AS rsvps,
                      (SELECT count(*) FROM friendship_activities) AS activities, current_setting('jit') AS jit`)
    ).rows[0] as Record<"friendships" | "likes" | "messages" | "rsvps" | "activities" | "jit", string>;
    console.log(
      `closeness on ${bench.engine}: ${users} users, ${counts.friendships} friendship rows, ${counts.likes} likes, ` +
        `${counts.messages} messages, ${counts.rsvps} RSVPs, ${counts.activities} activities; server jit=${counts.jit}; ` +
        `generated in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const { max } = (await q(`SELECT max(id)::int AS max FROM friendships`)).rows[0] as { max: number };
    const now = new Date();

    const reset = async () => {
      await q(`UPDATE friendships SET closeness_score = 0`);
      await q(`VACUUM ANALYZE`);
    };
    const pass = async (label: string, chunk: (lo: number, hi: number) => Promise<unknown>) => {
      const times: number[] = [];
      for (let lo = 1; lo <= max; lo += CHUNK) {
        const t0 = performance.now();
        await chunk(lo, Math.min(lo + CHUNK - 1, max));
        times.push(performance.now() - t0);
      }
      const total = times.reduce((a, b) => a + b, 0);
      const unfair = (
        await q(`SELECT count(*)::int AS n FROM friendships f JOIN friendships r ON r.user_id = f.friend_id AND r.friend_id = f.user_id
                 WHERE f.user_id < f.friend_id AND f.closeness_score <> r.closeness_score`)
      ).rows[0] as { n: number };
      console.log(
        `  ${label} ${times.length} chunks of ${CHUNK} ids: per chunk p50 ${percentile(times, 50).toFixed(0)} ms, ` +
          `max ${Math.max(...times).toFixed(0)} ms; total ${(total / 1000).toFixed(2)} s; pairs whose two rows differ: ${unfair.n}`,
      );
      return total;
    };

    await q(`DROP INDEX ${Object.keys(NEW_INDEXES).join(", ")}`);
    await reset();
    const before = await pass("before          ", (lo, hi) => db.execute(oldStatement(now, lo, hi)));
    await reset();
    await pass("before, JIT off ", (lo, hi) => db.batch([db.execute(sql`SET LOCAL jit = off`), db.execute(oldStatement(now, lo, hi))]));
    for (const create of Object.values(NEW_INDEXES)) await q(create);
    await reset();
    const after = await pass("after (JIT off) ", (lo, hi) =>
      db.batch([db.execute(sql`SET LOCAL jit = off`), db.execute(closenessStatement(now, { lo, hi }, hi === max ? 0 : hi))]),
    );
    console.log(`  total time before / after = ${(before / after).toFixed(1)}`);
  } finally {
    await bench.close();
  }
}

/** Bulk-loads the dataset with generate_series (deterministic: the same for a given --users). */
async function generate(q: (text: string) => Promise<unknown>, n: number): Promise<void> {
  await q(`
    INSERT INTO users (email, username, password, name, city)
    SELECT 'u' || i || '@bench.test', 'u' || i, 'x', 'User ' || i, 'Buenos Aires' FROM generate_series(1, ${n}) i`);
  // Five partners each; the reverse rows follow, a third of them with a date 100-200 days older.
  await q(`
    INSERT INTO friendships (user_id, friend_id, created_at, last_interaction_at)
    SELECT u, v, now() - (400 + (u + v) % 400) * interval '1 day', now() - ((u * 13 + v * 7) % 300) * interval '1 day'
    FROM generate_series(1, ${n}) u, generate_series(1, 5) k, LATERAL (SELECT 1 + (u * 31 + k * 7727) % ${n} AS v) p
    WHERE v <> u
    ON CONFLICT DO NOTHING`);
  await q(`
    INSERT INTO friendships (user_id, friend_id, created_at, last_interaction_at)
    SELECT friend_id, user_id, created_at, last_interaction_at - (id % 3) * interval '100 days' FROM friendships
    ON CONFLICT DO NOTHING`);
  await q(`
    INSERT INTO friendship_activities (friendship_id, activity_type, created_at)
    SELECT id, (ARRAY['dance_together', 'message_sent', 'post_liked', 'memory_shared', 'event_attended_together'])[1 + id % 5],
           now() - (id % 150) * interval '1 day'
    FROM friendships WHERE id % 2 = 0`);
  await q(`
    INSERT INTO posts (user_id, content, created_at)
    SELECT 1 + (i - 1) % ${n}, 'post ' || i, now() - (i % 365) * interval '1 day' FROM generate_series(1, ${n * 5}) i`);
  // Posts of user v are v, v + n, ..., v + 4n. Twenty random likes per user (the post from i mod 5n,
  // the liker shifted by i div 5n: no two alike), ten on friends' posts.
  await q(`
    INSERT INTO post_likes (post_id, user_id, created_at)
    SELECT 1 + (i * 104729) % ${n * 5}, 1 + (i * 7919 + (i / ${n * 5}) * 13) % ${n}, now() - (i % 365) * interval '1 day' - (i % 1440) * interval '1 minute'
    FROM generate_series(1::bigint, ${n * 20}) i
    ON CONFLICT DO NOTHING`);
  await q(`
    INSERT INTO post_likes (post_id, user_id, created_at)
    SELECT friend_id + (id % 5) * ${n}, user_id, now() - (id % 180) * interval '1 day'
    FROM friendships
    ON CONFLICT DO NOTHING`);
  // A direct room for every other pair, ten messages per user in all.
  await q(`
    CREATE TABLE bench_rooms AS
    SELECT row_number() OVER (ORDER BY id)::int AS id, user_id, friend_id FROM friendships WHERE user_id < friend_id AND id % 2 = 0`);
  await q(`INSERT INTO chat_rooms (id, type, direct_key, member_count) SELECT id, 'direct', user_id || ':' || friend_id, 2 FROM bench_rooms`);
  await q(`
    INSERT INTO chat_room_users (chat_room_id, user_id)
    SELECT id, user_id FROM bench_rooms UNION ALL SELECT id, friend_id FROM bench_rooms`);
  await q(`
    INSERT INTO chat_messages (chat_room_id, user_id, message, created_at, room_seq)
    SELECT r.id, CASE WHEN i % 2 = 0 THEN r.user_id ELSE r.friend_id END, 'hola', now() - (i % 200) * interval '1 day',
           row_number() OVER (PARTITION BY r.id ORDER BY i)
    FROM generate_series(1::bigint, ${n * 10}) i
    JOIN bench_rooms r ON r.id = 1 + (i * 7919) % (SELECT count(*) FROM bench_rooms)`);
  await q(`DROP TABLE bench_rooms`);
  await q(`
    INSERT INTO events (user_id, title, description, event_type, start_date, location, city)
    SELECT 1 + i % ${n}, 'Milonga ' || i, 'd', 'milonga', now() + ((i % 400) - 300) * interval '1 day', 'v', 'Buenos Aires'
    FROM generate_series(1, ${Math.max(1, Math.floor(n / 5))}) i`);
  // Users of a block of ten go to the same events; four RSVPs in five are "going".
  await q(`
    INSERT INTO event_rsvps (event_id, user_id, status)
    SELECT 1 + ((u / 10) * 7 + k) % ${Math.max(1, Math.floor(n / 5))}, u, CASE WHEN (u + k) % 5 = 0 THEN 'interested' ELSE 'going' END
    FROM generate_series(1, ${n}) u, generate_series(1, 5) k
    ON CONFLICT DO NOTHING`);
}

/** The job's statement before issue 10 (per row, an OR across both likers), for comparison only. */
function oldStatement(now: Date, lo: number, hi: number): SQL {
  const at = sql`(${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
  const since = sql`(${at} - interval '90 days')`;
  return sql`
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
  `;
}
