-- Every user gets a display name; old code that leaves it out keeps working.
-- What old code keeps running until contract (the test harness runs each after every step):
-- old code: INSERT INTO users (organization_id, email) VALUES (2, 'nodisplay09@example.com')
-- bellows:fill split_part(email, '@', 1)
ALTER TABLE users ALTER COLUMN display_name SET NOT NULL;
