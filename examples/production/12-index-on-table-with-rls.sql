-- A partial index on the RLS table users, built concurrently.
CREATE INDEX users_admins_idx ON users (organization_id) WHERE role = 'admin';
