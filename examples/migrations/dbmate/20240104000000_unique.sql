-- migrate:up
CREATE INDEX CONCURRENTLY users_id_name ON users (id, full_name);
ALTER TABLE users ADD CONSTRAINT users_full_name_key UNIQUE (full_name);

-- migrate:down
ALTER TABLE users DROP CONSTRAINT users_full_name_key;
