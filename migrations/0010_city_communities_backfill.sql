-- Dancers whose profile city was set before city communities existed (migration 0009) join
-- theirs, as a profile edit would make them (groups/city.statement.ts): one community per city
-- key, made on first use. The key and the slug repeat cityKey() (groups.conditions.ts) and
-- groupSlug() (groups.cards.ts). A community's name is the most common spelling of its city
-- among its dancers. Runs once; on a database without such dancers it does nothing.
WITH keyed AS (
  SELECT u.id AS user_id, regexp_replace(btrim(u.city), '[[:space:]]+', ' ', 'g') AS name,
         nullif(lower(mt_unaccent(regexp_replace(btrim(u.city), '[[:space:]]+', ' ', 'g'))), '') AS city_key
  FROM users u WHERE u.city IS NOT NULL
),
spelled AS (
  SELECT DISTINCT ON (city_key) city_key, name
  FROM (SELECT city_key, name, count(*) AS n FROM keyed WHERE city_key IS NOT NULL GROUP BY city_key, name) c
  ORDER BY city_key, n DESC, name
),
missing AS (
  SELECT s.city_key, s.name, nextval(pg_get_serial_sequence('groups', 'id'))::int AS id
  FROM spelled s WHERE NOT EXISTS (SELECT 1 FROM groups g WHERE g.type = 'city' AND g.city_key = s.city_key)
)
INSERT INTO groups (id, type, name, slug, city, city_key)
SELECT m.id, 'city', m.name,
  coalesce(nullif(btrim(left(regexp_replace(lower(mt_unaccent(m.name)), '[^a-z0-9]+', '-', 'g'), 100), '-'), ''), 'group') || '-' || m.id,
  m.name, m.city_key
FROM missing m
ON CONFLICT (city_key) WHERE type = 'city' DO NOTHING;
--> statement-breakpoint
WITH joined AS (
  INSERT INTO group_members (group_id, user_id, role, status)
  SELECT g.id, u.id, 'member', 'active'
  FROM users u
  JOIN groups g ON g.type = 'city'
    AND g.city_key = nullif(lower(mt_unaccent(regexp_replace(btrim(u.city), '[[:space:]]+', ' ', 'g'))), '')
  WHERE u.city IS NOT NULL
  ON CONFLICT (group_id, user_id) DO NOTHING
  RETURNING group_id
)
UPDATE groups g SET member_count = g.member_count + j.n
FROM (SELECT group_id, count(*)::int AS n FROM joined GROUP BY group_id) j
WHERE g.id = j.group_id;
