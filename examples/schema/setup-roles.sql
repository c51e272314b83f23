-- setup-roles.sql: cluster-wide roles that examples/schema/shop.sql refers to.
-- Run once per cluster before loading shop.sql (or shop.source.sql):
--   psql -v ON_ERROR_STOP=1 -d postgres -f examples/schema/setup-roles.sql
-- The dump's objects are owned by "postgres", which exists in every
-- cluster created with `initdb -U postgres`.

DO $$ BEGIN CREATE ROLE app_readonly NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
