-- users has row-level security and a touch trigger; legacy_flags is read by nobody.
ALTER TABLE users DROP COLUMN legacy_flags;
