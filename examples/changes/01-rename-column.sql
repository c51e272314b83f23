-- Rename users.email; running code keeps working throughout.
ALTER TABLE users RENAME COLUMN email TO email_address;
