-- production-roles.sql: the cluster-wide roles examples/schema/production.sql grants to
-- (pg_dumpall --globals-only would hold them). Run once per cluster before the schema.

DO $$ BEGIN CREATE ROLE helpdesk_app NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE helpdesk_readonly NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE helpdesk_support NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
