-- Rename users.display_name: the user_directory view is carried onto the new column, and
-- the contract gate names the function user_label, which still reads the old name.
ALTER TABLE users RENAME COLUMN display_name TO full_name;
