-- Rename users.email on a table too large to copy: new code uses the new name through a
-- view in schema helpdesk_v2 (search_path helpdesk_v2, public); the column is renamed in
-- place after the gate. Nothing is copied.
-- What old code keeps running until contract (the test harness runs each after every step):
-- old code: SELECT email FROM users WHERE id = 1
-- old code: INSERT INTO users (organization_id, email) VALUES (5, 'old13@example.com')
-- old code: UPDATE users SET email = 'changed13@example.com' WHERE id = 13
-- bellows:versioned-views helpdesk_v2
ALTER TABLE users RENAME COLUMN email TO email_address;
