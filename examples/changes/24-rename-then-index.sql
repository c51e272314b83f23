-- Several statements become one graph: the index waits for the new column.
ALTER TABLE users RENAME COLUMN name TO full_name;
CREATE INDEX users_full_name_idx ON users (full_name);
