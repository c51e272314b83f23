-- users has row-level security and a touch trigger; legacy_flags is read by nobody.
-- What old code keeps running until contract (the test harness runs each after every step):
-- old code: INSERT INTO users (organization_id, email, legacy_flags) VALUES (3, 'legacy10@example.com', 1)
-- old code: SELECT legacy_flags FROM users WHERE id = 2
ALTER TABLE users DROP COLUMN legacy_flags;
