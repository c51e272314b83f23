-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY users_full_name_idx ON users (full_name);

-- migrate:down transaction:false
DROP INDEX CONCURRENTLY users_full_name_idx;
