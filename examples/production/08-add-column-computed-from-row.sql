-- A lookup key computed from the address, for old rows and for rows old code writes.
-- What old code keeps running until contract (the test harness runs each after every step):
-- old code: INSERT INTO users (organization_id, email) VALUES (1, 'Old08@Example.com')
-- old code: UPDATE users SET email = 'Changed08@Example.com' WHERE id = 8
-- bellows:up lower(email)
ALTER TABLE users ADD COLUMN email_key text;
