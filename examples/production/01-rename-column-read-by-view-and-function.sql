-- Rename users.display_name: the user_directory view is carried onto the new column, and
-- the contract gate names the function user_label, which still reads the old name.
-- What old code keeps running until contract (the test harness runs each after every step):
-- old code: INSERT INTO users (organization_id, email, display_name) VALUES (1, 'old01@example.com', 'Old Code')
-- old code: UPDATE users SET display_name = 'Renamed by old code' WHERE id = 1
-- old code: SELECT display_name FROM user_directory WHERE id = 2
ALTER TABLE users RENAME COLUMN display_name TO full_name;
