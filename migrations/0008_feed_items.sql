-- The item keys of one page of a home feed or a timeline (src/modules/posts/feed.statement.ts
-- joins them to their post cards; README, "Feed"). A function rather than part of that one
-- statement for its plans: PL/pgSQL keeps each statement's plan for the session, and the
-- pooled backends behind Neon's HTTP endpoint serve many requests each, so a warm backend
-- plans none of this (about 3 ms a request as one statement holding both plans, against
-- 0.3 ms for the naive feed query). Generic plans are forced: the statements are bounded by
-- the page whatever the parameters, and a custom plan per call would be planning again. JIT is
-- off: a generic plan's cost, sized on no particular dancer, would trigger a compilation that
-- takes longer than the page.
--
-- Items order by (at, type, id) descending, and 'share' > 'post'. The cursor comes as one row
-- bound per kind: posts (created_at, id) < (before_at, post_before_id), shares likewise with
-- share_before_id; the caller derives both from the last item (no cursor: 'infinity').
--
-- Who may see what repeats visibleTo() and its parts (posts.conditions.ts, blocks, users,
-- graph) in SQL: a post is its author's, or not hidden, its author usable, no block either
-- way, and public or friends-only to a friend. Keep them in step. The caller still tests
-- visibleTo() on every post it shows.
--
-- The sources: the dancers whose items make the list, as (id, sees_friends): for a home feed
-- the viewer, the dancers they follow and their friends (a dancer followed and befriended has
-- a row for each), for a timeline its owner. Inlined into the statements using it.
CREATE OR REPLACE FUNCTION feed_sources(viewer int, feed_of int, timeline_of int)
  RETURNS TABLE (id int, sees_friends boolean)
  LANGUAGE sql STABLE
  AS $$
    SELECT feed_of, true WHERE feed_of IS NOT NULL
    UNION ALL SELECT following_id, false FROM follows WHERE follower_id = feed_of
    UNION ALL SELECT friend_id, true FROM friendships WHERE user_id = feed_of AND status = 'active'
    UNION ALL SELECT timeline_of, coalesce(timeline_of = viewer, false) OR EXISTS (SELECT 1 FROM friendships f
      WHERE f.user_id = viewer AND f.friend_id = timeline_of AND f.status = 'active')
    WHERE timeline_of IS NOT NULL
  $$;
--> statement-breakpoint
-- Two plans, both bounded by the page, never by the sources' history; the source count
-- picks one (`plan` 'fanout' or 'scan' forces it: tests, bench), and only that one runs:
-- - fanout (up to `fanout_max` sources, FANOUT_MAX_SOURCES in feed.statement.ts): the sources are
--   checked once each (account, blocks), then each one's newest `lim` posts the viewer may see
--   and shares are read from its own index range (posts_user_public_idx for a dancer followed,
--   posts_user_friends_idx for a friend, post_shares_user_created_idx) and merged.
-- - scan (more sources): posts and shares are read newest first from posts_feed_idx and
--   post_shares_created_idx (index-only), each row kept when its author is a source (a hashed
--   lookup), and the probes of whether the viewer may see it run, in order, only for the rows
--   kept, behind an OFFSET 0 fence (as a WHERE clause the planner would cost the scan as if it
--   read most of the table), until `lim` are kept. Accounts are joined (index probes, in order)
--   rather than tested with EXISTS, which the planner would answer by hashing every account.
--   Posts are walked first; once `lim` are kept, the shares walk stops at the last one's time
--   (an older share cannot make the page) instead of at `lim` shares: for a dancer following
--   3,000 that halved the keys' time (about 3.7 to 2.0 ms in the database, bench_feed).
-- The viewer's own posts (hidden ones too) when the list is theirs are one more index range.
-- Every row carries the plan that ran (tests check the choice).
CREATE OR REPLACE FUNCTION feed_items(
  viewer int, feed_of int, timeline_of int, lim int,
  before_at timestamp, post_before_id int, share_before_id int, plan text, fanout_max int
)
  RETURNS TABLE (item_type text, item_id int, item_at timestamp, post_id int, ran text)
  LANGUAGE plpgsql STABLE
  ROWS 21
  SET plan_cache_mode = force_generic_plan
  SET jit = off
  AS $$
#variable_conflict use_column
DECLARE
  own_list boolean := viewer IS NOT NULL AND (feed_of IS NOT NULL OR timeline_of = viewer);
  source_count int;
  chosen text := plan;
BEGIN
  IF chosen IS NULL OR chosen = 'auto' THEN
    IF timeline_of IS NOT NULL THEN
      source_count := 1;
    ELSE
      -- Only whether there are more than fanout_max (each part stops at fanout_max rows): a
      -- dancer following 3,000 reads 100 follows, not 3,000.
      SELECT 1 + (SELECT count(*) FROM (SELECT FROM follows WHERE follower_id = feed_of LIMIT fanout_max) f)
               + (SELECT count(*) FROM (SELECT FROM friendships WHERE user_id = feed_of AND status = 'active' LIMIT fanout_max) f)
        INTO source_count;
    END IF;
    chosen := CASE WHEN source_count <= fanout_max THEN 'fanout' ELSE 'scan' END;
  END IF;

  IF chosen = 'fanout' THEN
    RETURN QUERY
    WITH checked_sources AS (
      SELECT s.id, bool_or(s.sees_friends) AS sees_friends
      FROM feed_sources(viewer, feed_of, timeline_of) s JOIN users su ON su.id = s.id
      WHERE s.id = viewer OR (coalesce(su.is_active, true) AND NOT coalesce(su.suspended, false)
        AND NOT EXISTS (SELECT 1 FROM blocked_users b
          WHERE (b.blocker_id = viewer AND b.blocked_id = s.id) OR (b.blocker_id = s.id AND b.blocked_id = viewer)))
      GROUP BY s.id
    ),
    items AS (
      (SELECT 'post'::text AS item_type, p.id AS item_id, p.created_at AS item_at, p.id AS post_id
       FROM posts p
       WHERE own_list AND p.user_id = viewer AND (p.created_at, p.id) < (before_at, post_before_id)
       ORDER BY p.created_at DESC, p.id DESC LIMIT lim)
      UNION ALL
      (SELECT x.* FROM checked_sources s CROSS JOIN LATERAL (
         SELECT 'post'::text AS item_type, p.id AS item_id, p.created_at AS item_at, p.id AS post_id
         FROM posts p
         WHERE p.user_id = s.id AND (p.created_at, p.id) < (before_at, post_before_id)
           AND p.hidden_at IS NULL AND coalesce(p.visibility, 'public') IN ('public', 'friends')
         ORDER BY p.created_at DESC, p.id DESC LIMIT lim
       ) x
       WHERE s.sees_friends AND s.id IS DISTINCT FROM viewer
       UNION ALL
       SELECT x.* FROM checked_sources s CROSS JOIN LATERAL (
         SELECT 'post'::text AS item_type, p.id AS item_id, p.created_at AS item_at, p.id AS post_id
         FROM posts p
         WHERE p.user_id = s.id AND (p.created_at, p.id) < (before_at, post_before_id)
           AND p.hidden_at IS NULL AND coalesce(p.visibility, 'public') = 'public'
         ORDER BY p.created_at DESC, p.id DESC LIMIT lim
       ) x
       WHERE NOT s.sees_friends AND s.id IS DISTINCT FROM viewer
       ORDER BY 3 DESC, 1 DESC, 2 DESC LIMIT lim)
      UNION ALL
      (SELECT x.* FROM checked_sources s CROSS JOIN LATERAL (
         SELECT 'share'::text AS item_type, sh.id AS item_id, sh.created_at AS item_at, sh.post_id
         FROM post_shares sh JOIN posts sp ON sp.id = sh.post_id JOIN users spa ON spa.id = sp.user_id
         WHERE sh.user_id = s.id AND (sh.created_at, sh.id) < (before_at, share_before_id)
           AND (sp.user_id = viewer OR (sp.hidden_at IS NULL
             AND coalesce(spa.is_active, true) AND NOT coalesce(spa.suspended, false)
             AND NOT EXISTS (SELECT 1 FROM blocked_users b
               WHERE (b.blocker_id = viewer AND b.blocked_id = sp.user_id) OR (b.blocker_id = sp.user_id AND b.blocked_id = viewer))
             AND (coalesce(sp.visibility, 'public') = 'public' OR (coalesce(sp.visibility, 'public') = 'friends'
               AND EXISTS (SELECT 1 FROM friendships f WHERE f.user_id = viewer AND f.friend_id = sp.user_id AND f.status = 'active')))))
         ORDER BY sh.created_at DESC, sh.id DESC LIMIT lim
       ) x
       ORDER BY 3 DESC, 1 DESC, 2 DESC LIMIT lim)
    )
    SELECT i.item_type, i.item_id, i.item_at, i.post_id, chosen FROM items i
    ORDER BY i.item_at DESC, i.item_type DESC, i.item_id DESC LIMIT lim;
  ELSE
    RETURN QUERY
    WITH sources AS MATERIALIZED (SELECT * FROM feed_sources(viewer, feed_of, timeline_of)),
    post_items AS MATERIALIZED (
      SELECT * FROM (
      (SELECT 'post'::text AS item_type, p.id AS item_id, p.created_at AS item_at, p.id AS post_id
       FROM posts p
       WHERE own_list AND p.user_id = viewer AND (p.created_at, p.id) < (before_at, post_before_id)
       ORDER BY p.created_at DESC, p.id DESC LIMIT lim)
      UNION ALL
      (SELECT c.item_type, c.item_id, c.item_at, c.post_id FROM (
         SELECT 'post'::text AS item_type, x.id AS item_id, x.created_at AS item_at, x.id AS post_id,
                coalesce(author.is_active, true) AND NOT coalesce(author.suspended, false)
                AND NOT EXISTS (SELECT 1 FROM blocked_users b
                  WHERE (b.blocker_id = viewer AND b.blocked_id = x.user_id) OR (b.blocker_id = x.user_id AND b.blocked_id = viewer))
                AND (coalesce(x.visibility, 'public') = 'public' OR (x.visibility = 'friends'
                  AND EXISTS (SELECT 1 FROM friendships f WHERE f.user_id = viewer AND f.friend_id = x.user_id AND f.status = 'active')))
                AS visible
         FROM (
           -- Index-only in posts_feed_idx (posts not hidden, with the columns tested here).
           SELECT p.id, p.created_at, p.user_id, p.visibility
           FROM posts p
           WHERE p.hidden_at IS NULL AND (p.created_at, p.id) < (before_at, post_before_id)
             AND p.user_id IS DISTINCT FROM viewer
             AND ((coalesce(p.visibility, 'public') = 'public' AND p.user_id IN (SELECT id FROM sources))
               OR (p.visibility = 'friends' AND p.user_id IN (SELECT id FROM sources WHERE sees_friends)))
         ) x
         JOIN users author ON author.id = x.user_id
         ORDER BY x.created_at DESC, x.id DESC
         OFFSET 0
       ) c
       WHERE c.visible
       LIMIT lim)
      ) posts_kept
      ORDER BY item_at DESC, item_id DESC LIMIT lim
    ),
    -- With lim posts kept, a share older than the last of them cannot be on the page (at the
    -- same time a share comes first): the share walk stops there rather than at lim shares.
    oldest_useful AS (
      SELECT CASE WHEN count(*) = lim THEN min(item_at) ELSE '-infinity' END AS at FROM post_items
    ),
    items AS (
      SELECT * FROM post_items
      UNION ALL
      (SELECT c.item_type, c.item_id, c.item_at, c.post_id FROM (
         SELECT 'share'::text AS item_type, x.id AS item_id, x.created_at AS item_at, sh.post_id,
                (x.user_id = viewer OR (coalesce(sharer.is_active, true) AND NOT coalesce(sharer.suspended, false)
                  AND NOT EXISTS (SELECT 1 FROM blocked_users b
                    WHERE (b.blocker_id = viewer AND b.blocked_id = x.user_id) OR (b.blocker_id = x.user_id AND b.blocked_id = viewer))))
                AND (sp.user_id = viewer OR (sp.hidden_at IS NULL
                  AND coalesce(spa.is_active, true) AND NOT coalesce(spa.suspended, false)
                  AND NOT EXISTS (SELECT 1 FROM blocked_users b
                    WHERE (b.blocker_id = viewer AND b.blocked_id = sp.user_id) OR (b.blocker_id = sp.user_id AND b.blocked_id = viewer))
                  AND (coalesce(sp.visibility, 'public') = 'public' OR (coalesce(sp.visibility, 'public') = 'friends'
                    AND EXISTS (SELECT 1 FROM friendships f WHERE f.user_id = viewer AND f.friend_id = sp.user_id AND f.status = 'active')))))
                AS visible
         FROM (
           -- Index-only in post_shares_created_idx: a share is read only once its sharer is a source.
           SELECT s.id, s.created_at, s.user_id FROM post_shares s
           WHERE (s.created_at, s.id) < (before_at, share_before_id) AND s.created_at >= (SELECT at FROM oldest_useful)
             AND (s.user_id IN (SELECT id FROM sources) OR false)
         ) x
         JOIN post_shares sh ON sh.id = x.id JOIN users sharer ON sharer.id = x.user_id
         JOIN posts sp ON sp.id = sh.post_id JOIN users spa ON spa.id = sp.user_id
         ORDER BY x.created_at DESC, x.id DESC
         OFFSET 0
       ) c
       WHERE c.visible
       LIMIT lim)
    )
    SELECT i.item_type, i.item_id, i.item_at, i.post_id, chosen FROM items i
    ORDER BY i.item_at DESC, i.item_type DESC, i.item_id DESC LIMIT lim;
  END IF;
END
$$;
