-- A constant default is stored in the catalog (PostgreSQL 11+): no rewrite.
ALTER TABLE users ADD COLUMN is_admin boolean NOT NULL DEFAULT false;
