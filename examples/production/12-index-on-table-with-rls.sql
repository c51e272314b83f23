-- A partial index on the RLS table users, built concurrently.
-- What old code keeps running until contract (the test harness runs each after every step):
-- old code: INSERT INTO users (organization_id, email, role) VALUES (4, 'admin12@example.com', 'admin')
CREATE INDEX users_admins_idx ON users (organization_id) WHERE role = 'admin';
