-- unaccent() is only STABLE (it reads a dictionary that could change), so a generated column
-- or an index expression cannot call it. This wrapper names the dictionary explicitly and is
-- declared IMMUTABLE: the standard way to fold accents in a tsvector column
-- (posts.search_vector, migrations/0006) and in search queries alike.
CREATE OR REPLACE FUNCTION mt_unaccent(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
