-- Extensions the schema and its queries rely on. All are trusted contrib extensions
-- (a database owner may create them, no superuser needed): available on Neon, on
-- PostgreSQL with contrib, and loaded into PGlite by tools/neon-local.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS btree_gist;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS citext;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS unaccent;
